// @vitest-environment node
import { formatScore, ruleBody, ruleValues } from "./koc";

const rule = { direct_weight: 3, downstream_weight: 1, gmv_weight: 0.01, min_downstream: 10, window_days: 90, min_score: null };

describe("the KOC rule", () => {
  it("goes to the form and back unchanged", () => {
    expect(ruleBody(ruleValues(rule))).toEqual(rule);
    expect(ruleValues({ ...rule, min_score: undefined }).min_score).toBeNull();
  });

  it("sends an emptied weight as no weight and an emptied score threshold as not used", () => {
    expect(ruleBody({ ...ruleValues(rule), gmv_weight: null, min_score: null })).toMatchObject({ gmv_weight: 0, min_score: null });
    expect(ruleBody({ ...ruleValues(rule), min_score: 50 }).min_score).toBe(50);
  });
});

describe("formatScore", () => {
  it("shows a score to two decimals at most", () => {
    expect([7, 7.5, 1.234, 1.235, 12345.678].map(formatScore)).toEqual(["7", "7.5", "1.23", "1.24", "12,345.68"]);
  });
});
