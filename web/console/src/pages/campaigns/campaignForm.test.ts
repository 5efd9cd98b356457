// @vitest-environment node
import dayjs from "dayjs";
import { campaignValues, createBody, newCampaignValues, patchBody } from "./campaignForm";

const values = { ...newCampaignValues(dayjs("2026-03-01T08:00:00Z")), name: " Spring ", brand: " ", entry_url: "" };

describe("campaign bodies", () => {
  it("creates with every field, leaving out an empty brand and entry URL", () => {
    const body = createBody(values);
    expect(body).toEqual({
      name: "Spring",
      starts_at: values.starts_at.toISOString(),
      ends_at: values.ends_at.toISOString(),
      acquisition_points: 100,
      engagement_points: 10,
      points_budget: 100_000,
      kind: "standard",
    });
    expect(dayjs(body.ends_at).diff(body.starts_at, "day")).toBe(30);
  });

  it("clears an emptied brand and entry URL on edit", () => {
    expect(patchBody({ ...values, entry_url: "https://brand.example/m" })).toMatchObject({ brand: null, entry_url: "https://brand.example/m" });
  });

  it("reads a campaign back into the form", () => {
    const form = campaignValues({
      campaign_id: "cmp_1",
      name: "Spring",
      brand: null,
      starts_at: "2026-03-01T00:00:00Z",
      ends_at: "2026-04-01T00:00:00Z",
      acquisition_points: 5,
      engagement_points: 1,
      points_budget: 50,
      points_awarded: 0,
      entry_url: null,
      kind: "standard",
      referral: null,
      status: "draft",
      created_at: "2026-02-01T00:00:00Z",
      updated_at: "2026-02-01T00:00:00Z",
      version: 1,
    });
    expect(form).toMatchObject({ name: "Spring", brand: "", entry_url: "", points_budget: 50 });
    expect(form.starts_at.toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });
});
