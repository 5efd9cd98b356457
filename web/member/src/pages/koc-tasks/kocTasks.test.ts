// @vitest-environment node
import { isReviewUrl, nextStep, percent } from "./kocTasks";

describe("a KOC task on the H5", () => {
  it("fills its bar to the target and no further", () => {
    expect([0, 1, 2, 3].map((progress) => percent({ progress, target: 3 }))).toEqual([0, 33, 67, 100]);
    expect(percent({ progress: 5, target: 2 })).toBe(100);
    expect(percent({ progress: 0, target: 0 })).toBe(0);
  });

  it("offers what the member can do next", () => {
    expect(nextStep({ kind: "share_groups", my_status: "in_progress" })).toBe("share");
    expect(nextStep({ kind: "bring_visitors", my_status: "in_progress" })).toBe("invite");
    expect(nextStep({ kind: "post_review", my_status: "in_progress" })).toBe("submit");
    expect(nextStep({ kind: "post_review", my_status: "submitted" })).toBe("wait");
    expect(nextStep({ kind: "post_review", my_status: "rejected" })).toBe("resubmit");
    expect(nextStep({ kind: "share_groups", my_status: "completed" })).toBe("done");
    expect(nextStep({ kind: "post_review", my_status: "completed" })).toBe("done");
  });

  it("takes a review link the API takes: https, no spaces", () => {
    expect(isReviewUrl("https://note.example/1")).toBe(true);
    expect(["http://note.example/1", "https://", "https://a b", "javascript:alert(1)", `https://${"a".repeat(500)}`].map(isReviewUrl)).toEqual([false, false, false, false, false]);
  });
});
