// @vitest-environment node
import dayjs from "dayjs";
import { ApiError } from "@shared/api/client";
import { campaignValues, createBody, largestReward, newCampaignValues, patchBody, stagesProblem } from "./campaignForm";

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
    expect(form).toMatchObject({ name: "Spring", brand: "", entry_url: "", points_budget: 50, kind: "standard" });
    expect(form.starts_at.toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });
});

const referral = {
  ...values,
  kind: "referral" as const,
  referral: {
    stages: [
      { invitees: 1, points: 100 },
      { invitees: 5, points: 300 },
    ],
    welcome_points: 20,
    qualifying_action: "first_order" as const,
    per_inviter_cap: null,
    clawback_days: 14, share_visitor_points: 0, share_visitors_per_day: 10,
  },
};

describe("referral program bodies", () => {
  it("creates a referral program with its rules, and a standard campaign without them", () => {
    expect(createBody(referral)).toMatchObject({
      kind: "referral",
      referral: {
        stages: [
          { invitees: 1, points: 100 },
          { invitees: 5, points: 300 },
        ],
        welcome_points: 20,
        qualifying_action: "first_order",
        per_inviter_cap: null,
        clawback_days: 14, share_visitor_points: 0, share_visitors_per_day: 10,
      },
    });
    expect(createBody({ ...referral, kind: "standard" })).not.toHaveProperty("referral");
  });

  it("sends the rules with an edit of a referral program, never the kind", () => {
    const body = patchBody({ ...referral, referral: { ...referral.referral, per_inviter_cap: 8 } });
    expect(body.referral).toMatchObject({ per_inviter_cap: 8, stages: referral.referral.stages });
    expect(body).not.toHaveProperty("kind");
    expect(patchBody(values)).not.toHaveProperty("referral");
  });

  it("sends an emptied stage number as 0, for the API to refuse on that stage", () => {
    const body = createBody({ ...referral, referral: { ...referral.referral, stages: [{ invitees: null, points: 50 }] } });
    expect(body.referral?.stages).toEqual([{ invitees: 0, points: 50 }]);
  });

  it("reads a program's rules back into the form; a standard campaign gets fresh rules to switch to", () => {
    const view = {
      campaign_id: "cmp_2",
      name: "老带新",
      brand: null,
      starts_at: "2026-03-01T00:00:00Z",
      ends_at: "2026-04-01T00:00:00Z",
      acquisition_points: 0,
      engagement_points: 0,
      points_budget: 5000,
      points_awarded: 0,
      entry_url: null,
      kind: "referral" as const,
      referral: { stages: [{ invitees: 3, points: 100 }], welcome_points: 5, qualifying_action: "wecom_added" as const, per_inviter_cap: 20, clawback_days: 0, share_visitor_points: 0, share_visitors_per_day: 10 },
      status: "active" as const,
      created_at: "2026-02-01T00:00:00Z",
      updated_at: "2026-02-01T00:00:00Z",
      version: 2,
    };
    expect(campaignValues(view).referral).toEqual({ stages: [{ invitees: 3, points: 100 }], welcome_points: 5, qualifying_action: "wecom_added", per_inviter_cap: 20, clawback_days: 0, share_visitor_points: 0, share_visitors_per_day: 10 });
    expect(campaignValues({ ...view, kind: "standard", referral: null }).referral.stages).toHaveLength(1);
  });

  it("knows the largest single reward the budget must cover", () => {
    expect(largestReward(referral.referral)).toBe(300);
    expect(largestReward({ stages: [{ invitees: 1, points: null }], welcome_points: 40 })).toBe(40);
  });
});

describe("stagesProblem", () => {
  const problem = {
    type: "about:blank",
    title: "Unprocessable",
    status: 422,
    detail: "invalid",
    errors: [
      { loc: ["body", "referral"], msg: "Value error, stage 2 must need more invitees than stage 1" },
      { loc: ["body", "referral", "stages", "0", "points"], msg: "Input should be less than or equal to 1000000" },
      { loc: ["body"], msg: "Value error, a referral reward of 500 points is above the points budget (100)" },
    ],
  };

  it("moves the rules' own error onto the stages list and leaves the others where they are", () => {
    const moved = stagesProblem(new ApiError(problem));
    expect(moved).toBeInstanceOf(ApiError);
    expect((moved as ApiError).problem.errors?.map((error) => error.loc.join("."))).toEqual(["body.referral.stages", "body.referral.stages.0.points", "body"]);
    expect((moved as ApiError).status).toBe(422);
  });

  it("returns any other error as it came", () => {
    const conflict = new ApiError({ type: "x", title: "Conflict", status: 409, detail: "ended" });
    expect(stagesProblem(conflict)).toBe(conflict);
    const network = new Error("offline");
    expect(stagesProblem(network)).toBe(network);
  });
});
