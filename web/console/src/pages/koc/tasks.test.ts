// @vitest-environment node
import { ApiError } from "@shared/api/client";
import { budgetLeft, newTaskValues, referralPrograms, taskBody, taskProblem } from "./tasks";

const campaign = (campaign_id: string, kind: "standard" | "referral", status: "draft" | "active" | "paused" | "ended") =>
  ({ campaign_id, kind, status, name: campaign_id, points_budget: 100, points_awarded: 30 }) as Parameters<typeof referralPrograms>[0][number];

describe("a KOC task's form", () => {
  it("sends a review with a target of 1, whatever the form held", () => {
    const values = { ...newTaskValues(), campaign_id: "cmp_1", title: "  发一篇点评 ", kind: "post_review" as const, target: 5, points: 80 };
    expect(taskBody(values)).toEqual({ campaign_id: "cmp_1", title: "发一篇点评", kind: "post_review", target: 1, points: 80 });
    expect(taskBody({ ...values, kind: "share_groups" }).target).toBe(5);
  });

  it("offers the referral programs that have not ended, running ones first", () => {
    const all = [campaign("a", "referral", "draft"), campaign("b", "standard", "active"), campaign("c", "referral", "active"), campaign("d", "referral", "ended"), campaign("e", "referral", "paused")];
    expect(referralPrograms(all).map((program) => program.campaign_id)).toEqual(["c", "a", "e"]);
    expect(budgetLeft(campaign("a", "referral", "active"))).toBe(70);
    expect(budgetLeft({ points_budget: 10, points_awarded: 20 })).toBe(0);
  });

  it("words the API's codes and puts a refusal about the target on the target", () => {
    const words = { notReferral: "不是裂变活动", overBudget: "超出预算", reviewTarget: "只能是 1" };
    const refused = new ApiError({
      type: "about:blank",
      title: "Unprocessable",
      status: 422,
      detail: "3 invalid values",
      errors: [
        { loc: ["body", "points"], msg: "over budget" },
        { loc: ["body", "campaign_id"], msg: "not referral" },
        { loc: ["body"], msg: "Value error, a review task's target is 1" },
        { loc: ["body", "title"], msg: "String should have at least 1 character" },
      ],
    });
    const worded = taskProblem(refused, words) as ApiError;
    expect(worded.problem.errors).toEqual([
      { loc: ["body", "points"], msg: "超出预算" },
      { loc: ["body", "campaign_id"], msg: "不是裂变活动" },
      { loc: ["body", "target"], msg: "只能是 1" },
      { loc: ["body", "title"], msg: "String should have at least 1 character" },
    ]);
    const conflict = new Error("network");
    expect(taskProblem(conflict, words)).toBe(conflict);
  });
});
