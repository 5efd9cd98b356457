// The poster's name and query: spaces tidied, at most 40 characters as the API counts them (an
// emoji is one), none for a blank name; the program's poster_url as given, with the name; the name
// kept per member; a poster's bytes as a data: URL.
import { dataUrlOf, posterName, posterQuery, storedPosterName, storePosterName } from "./poster";

const owner = { tenantId: "t-1", contactId: "c_1" };

afterEach(() => localStorage.clear());

describe("posterName", () => {
  it("trims the name and makes each run of spaces one", () => {
    expect(posterName("  王  小 明 ")).toBe("王 小 明");
  });

  it("is none for a blank name", () => {
    expect(posterName("")).toBeUndefined();
    expect(posterName(" \t ")).toBeUndefined();
  });

  it("keeps at most 40 characters, counting an emoji as one", () => {
    expect([...posterName("😀".repeat(45))!]).toHaveLength(40);
    expect(posterName("名".repeat(40))).toBe("名".repeat(40));
  });
});

describe("posterQuery", () => {
  it("asks for the program's poster_url with the name, or without one", () => {
    const referral = { campaign_id: "cp_1", poster_url: "/v1/me/referrals/poster.png?campaign_id=cp_1" };
    expect(posterQuery(referral, "小王")).toEqual({ campaign_id: "cp_1", name: "小王" });
    expect(posterQuery(referral, undefined)).toEqual({ campaign_id: "cp_1" });
  });

  it("falls back to the program's id when the URL names none", () => {
    expect(posterQuery({ campaign_id: "cp_2", poster_url: "/v1/me/referrals/poster.png" }, undefined)).toEqual({ campaign_id: "cp_2" });
  });
});

describe("the name kept in this browser", () => {
  it("is the member's own, and forgotten when cleared", () => {
    storePosterName(owner, "小王");
    expect(storedPosterName(owner)).toBe("小王");
    expect(storedPosterName({ tenantId: "t-1", contactId: "c_2" })).toBe("");
    expect(storedPosterName(null)).toBe("");
    storePosterName(owner, "  ");
    expect(storedPosterName(owner)).toBe("");
  });
});

describe("dataUrlOf", () => {
  it("writes a blob's bytes as a data: URL of its type", async () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, n) => n % 256); // more than one piece
    const url = await dataUrlOf(new Blob([bytes], { type: "image/png" }));
    const [head, data] = url.split(",");
    expect(head).toBe("data:image/png;base64");
    expect(Uint8Array.from(atob(data), (char) => char.charCodeAt(0))).toEqual(bytes);
  });
});
