import { describe, expect, it } from "vitest";
import { addAfter, addBefore, layout, problemsOnSteps, removeStep, unchosenTemplates, whereFromRows, type Definition } from "./graph";
import { settingsOfValues, stepOfValues, valuesOfSettings, valuesOfStep } from "./stepForm";

const winBack: Pick<Definition, "entry" | "steps"> = {
  entry: "wait_1d",
  steps: [
    { type: "wait", id: "wait_1d", minutes: 1440, next: "win_back" },
    { type: "send", id: "win_back", template_id: "choose-a-template", next: "still" },
    { type: "branch", id: "still", condition: { kind: "attribute", attribute: "lifecycle_stage", op: "eq", value: "dormant" }, yes: "call", no: "done" },
    { type: "task", id: "call", title: "回访", due_in_minutes: 1440, next: "done" },
    { type: "exit", id: "done" },
  ],
};

describe("journey graph", () => {
  it("lays the steps out in layers by distance from the entry, unreachable ones last", () => {
    const { placed, layers, rows } = layout({ ...winBack, steps: [...winBack.steps, { type: "exit", id: "orphan" }] });
    const at = Object.fromEntries(placed.map((p) => [p.id, [p.layer, p.row]]));
    expect(at).toEqual({ wait_1d: [0, 0], win_back: [1, 0], still: [2, 0], call: [3, 0], done: [3, 1], orphan: [4, 0] });
    expect([layers, rows]).toEqual([5, 2]);
  });

  it("adds a step after one (taking over its link) and before one (links and entry re-routed)", () => {
    const after = addAfter(winBack, "win_back", "tag");
    expect(after.id).toBe("tag_1");
    expect(after.definition.steps.find((s) => s.id === "win_back")).toMatchObject({ next: "tag_1" });
    expect(after.definition.steps[2]).toMatchObject({ type: "tag", id: "tag_1", next: "still" });
    const before = addBefore(winBack, "done", "award_points");
    expect(before.definition.steps.find((s) => s.id === "still")).toMatchObject({ no: "award_points_1" });
    expect(before.definition.steps.find((s) => s.id === "call")).toMatchObject({ next: "award_points_1" });
    expect(addBefore(winBack, "wait_1d", "send").definition.entry).toBe("send_1");
  });

  it("deletes a step by linking around it, and keeps the last exit", () => {
    const removed = removeStep(winBack, "wait_1d");
    expect(removed?.entry).toBe("win_back");
    expect(removeStep(winBack, "call")?.steps.find((s) => s.id === "still")).toMatchObject({ yes: "done", no: "done" });
    expect(removeStep(winBack, "done")).toBeNull();
  });

  it("finds the send steps still on the template placeholder", () => {
    expect(unchosenTemplates(winBack.steps)).toEqual(["win_back"]);
  });

  it("maps a 422 onto the step it names", () => {
    const found = problemsOnSteps(
      { type: "about:blank", title: "Unprocessable", status: 422, detail: "x", errors: [{ loc: ["body", "steps", "3", "id"], msg: "call: cannot be reached from the entry" }, { loc: ["body", "name"], msg: "too long" }] },
      winBack,
    );
    expect(found).toEqual({ byStep: { call: ["call: cannot be reached from the entry"] }, general: ["too long"] });
  });

  it("types filter values", () => {
    expect(whereFromRows([{ key: "to_status", value: "resolved" }, { key: "n", value: "3" }, { key: "created", value: "true" }, { key: " ", value: "x" }])).toEqual({ to_status: "resolved", n: 3, created: true });
  });
});

describe("step forms", () => {
  it("round-trips every step type and the trigger", () => {
    for (const step of winBack.steps) expect(stepOfValues(step, valuesOfStep(step))).toEqual(step);
    const waitForEvent = { type: "wait" as const, id: "w", next: "done", until_event: { event: "CaseStatusChanged" as const, where: { to_status: "resolved" } }, timeout_minutes: 60, timeout_next: "done" };
    expect(stepOfValues(waitForEvent, valuesOfStep(waitForEvent))).toEqual(waitForEvent);
    const definition: Definition = { name: "n", entry: "done", steps: [{ type: "exit", id: "done" }], trigger: { kind: "date", attribute: "birthday", at: "10:00" }, reentry: { mode: "after_days", days: 90 }, goal: { event: "OrderBuyerIdentified", where: {} } };
    expect(settingsOfValues(definition, valuesOfSettings(definition))).toEqual(definition);
  });

  it("switches a wait to a time of day", () => {
    expect(stepOfValues(winBack.steps[0], { ...valuesOfStep(winBack.steps[0]), mode: "until_time", until_time: "10:00" })).toEqual({ type: "wait", id: "wait_1d", next: "win_back", until_time: "10:00" });
  });
});
