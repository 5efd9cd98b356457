import { describe, expect, it } from "vitest";
import { fromRule, placeRuleErrors, toRule, updateNode, type GroupNode } from "./ruleModel";

const nested = {
  and: [
    { field: "tag", op: "has", value: "VIP" },
    { or: [{ field: "lifecycle", op: "eq", value: "mature" }, { not: { field: "lead_grade", op: "in", value: ["C", "D"] } }] },
    { not: { or: [{ field: "points_balance", op: "gte", value: 100 }] } },
  ],
};

describe("rule model", () => {
  it("reads a rule and writes the same JSON back", () => {
    expect(toRule(fromRule(nested)).rule).toEqual(nested);
  });

  it("wraps a lone condition in a group and a root not stays a not", () => {
    const single = { field: "tag", op: "has", value: "VIP" };
    expect(toRule(fromRule(single)).rule).toEqual({ and: [single] });
    const negated = { not: { and: [single] } };
    expect(toRule(fromRule(negated)).rule).toEqual(negated);
  });

  it("maps each 422 loc onto the condition and part it names", () => {
    const tree = fromRule(nested);
    const { locs } = toRule(tree);
    const placed = placeRuleErrors(
      [
        { loc: ["body", "rule", "and", "0", "value"], msg: "unknown tag VIP" },
        { loc: ["body", "rule", "and", "1", "or", "1", "not", "op"], msg: "bad op" },
        { loc: ["body", "rule", "and", "2", "not", "or", "0", "field"], msg: "unknown field" },
        { loc: ["body", "rule"], msg: "at most 5 levels (6 given)" },
      ],
      locs,
    );
    const tag = tree.children[0]!;
    const grade = ((tree.children[1] as GroupNode).children[1] as GroupNode).children[0]!;
    const balance = (tree.children[2] as GroupNode).children[0]!;
    expect(placed.byCondition[tag.id]).toEqual({ value: ["unknown tag VIP"] });
    expect(placed.byCondition[grade.id]).toEqual({ op: ["bad op"] });
    expect(placed.byCondition[balance.id]).toEqual({ field: ["unknown field"] });
    expect(placed.general).toEqual(["at most 5 levels (6 given)"]);
  });

  it("removes and changes nodes by id", () => {
    const tree = fromRule(nested);
    const first = tree.children[0]!;
    const without = updateNode(tree, first.id, () => null);
    expect(without.children).toHaveLength(2);
    const changed = updateNode(tree, first.id, (node) => ({ ...node, value: "新客" }) as typeof node);
    expect((toRule(changed).rule as { and: unknown[] }).and[0]).toEqual({ field: "tag", op: "has", value: "新客" });
  });
});
