import { describe, expect, it } from "vitest";
import { fromConditions, toConditions } from "./factConditions";

describe("fact conditions", () => {
  it("turns the form's text into values: numbers, lists for in, text otherwise", () => {
    expect(
      toConditions([
        { field: "amount_fen", op: "gte", value: "10000" },
        { field: "categories", op: "in", value: "母婴, 美妆" },
        { field: "rating", op: "eq", value: "5" },
        { field: "channel", op: "eq", value: "wechat" },
      ]),
    ).toEqual([
      { field: "amount_fen", op: "gte", value: 10000 },
      { field: "categories", op: "in", value: ["母婴", "美妆"] },
      { field: "rating", op: "eq", value: 5 },
      { field: "channel", op: "eq", value: "wechat" },
    ]);
  });

  it("shows the API's values as text again", () => {
    const rows = fromConditions([{ field: "categories", op: "in", value: ["母婴", 3] }]);
    expect(rows).toEqual([{ field: "categories", op: "in", value: "母婴, 3" }]);
    expect(toConditions(rows)).toEqual([{ field: "categories", op: "in", value: ["母婴", 3] }]);
  });
});
