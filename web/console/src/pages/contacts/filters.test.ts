// @vitest-environment node
import { contactsQuery, filtersFromParams, filtersToParams, identityKind, isFiltered, NO_FILTERS } from "./filters";

describe("contactsQuery", () => {
  it("sends nothing for no filters", () => {
    expect(contactsQuery(NO_FILTERS)).toEqual({});
    expect(isFiltered(NO_FILTERS)).toBe(false);
  });

  it("trims values, drops blanks and maps the source campaign to its API name", () => {
    expect(contactsQuery({ ...NO_FILTERS, tag: "  vip ", owner: "   ", sourceCampaign: "cmp_1" }, 20, "next-page")).toEqual({
      tag: "vip",
      source_campaign: "cmp_1",
      limit: 20,
      cursor: "next-page",
    });
  });

  it("sends a search as the one identity it names", () => {
    expect(contactsQuery({ ...NO_FILTERS, search: " 138 0013-8000 " })).toEqual({ phone: "13800138000" });
    expect(contactsQuery({ ...NO_FILTERS, search: "Wang@Example.com" })).toEqual({ email: "Wang@Example.com" });
    expect(contactsQuery({ ...NO_FILTERS, search: "wmABCDEF1234567890" })).toEqual({ external_userid: "wmABCDEF1234567890" });
    expect(contactsQuery({ ...NO_FILTERS, search: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M" })).toEqual({ unionid: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M" });
  });

  it("takes the identity type the person chose over the guess", () => {
    expect(identityKind("12345678", "unionid")).toBe("unionid");
    expect(contactsQuery({ ...NO_FILTERS, search: "12345678", searchKind: "external_userid", tag: "vip" })).toEqual({
      external_userid: "12345678",
      tag: "vip",
    });
  });
});

describe("filters in the URL", () => {
  it("round-trips, leaving out what is empty", () => {
    const filters = { search: "a@b.c", searchKind: "email" as const, tag: "vip", owner: "", sourceCampaign: "cmp_1" };
    const params = filtersToParams(filters);
    expect(params.toString()).toBe("q=a%40b.c&tag=vip&campaign=cmp_1&kind=email");
    expect(filtersFromParams(params)).toEqual(filters);
  });

  it("ignores an unknown identity type", () => {
    expect(filtersFromParams(new URLSearchParams("q=x&kind=passport")).searchKind).toBe("auto");
  });
});
