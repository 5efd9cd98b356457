// @vitest-environment node
import { describe, expect, it } from "vitest";
import { statusActions } from "./workflow";

describe("status actions", () => {
  it("offer exactly the moves services/cases/logic/workflow.py allows by PATCH", () => {
    const targets = (status: Parameters<typeof statusActions>[0]) => statusActions(status).map((action) => action.to);
    expect(targets("new")).toEqual(["resolved"]);
    expect(targets("assigned")).toEqual(["in_progress", "resolved"]);
    expect(targets("in_progress")).toEqual(["waiting_on_customer", "resolved"]);
    expect(targets("waiting_on_customer")).toEqual(["in_progress", "resolved"]);
    expect(targets("resolved")).toEqual(["in_progress", "closed"]);
    expect(targets("closed")).toEqual([]);
  });
});
