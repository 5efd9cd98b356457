// A journey's graph as the builder handles it: the steps' links, a layered layout from the entry
// (left to right), adding a step after or before another, deleting one (its links re-routed), the
// send steps still waiting for a real template, and a 422's errors mapped onto the steps they name.
import type { Problem, Schemas } from "@shared/api/client";

export type Definition = Schemas["JourneyDefinition"];
export type Step = Definition["steps"][number];
export type StepType = Step["type"];
export type Where = NonNullable<Schemas["EventMatch"]["where"]>;

/** What the journey templates put in their send steps: the builder makes the user pick a real one. */
export const CHOOSE_TEMPLATE = "choose-a-template";

export const STEP_TYPES: StepType[] = ["wait", "branch", "send", "tag", "award_points", "task", "exit"];

export type LinkKind = "next" | "yes" | "no" | "timeout_next";

export interface Link {
  from: string;
  to: string;
  kind: LinkKind;
}

/** The step's outgoing links, in the order they draw. */
export function linksOf(step: Step): Link[] {
  switch (step.type) {
    case "branch":
      return [
        { from: step.id, to: step.yes, kind: "yes" },
        { from: step.id, to: step.no, kind: "no" },
      ];
    case "exit":
      return [];
    case "wait":
      return [{ from: step.id, to: step.next, kind: "next" }, ...(step.timeout_next ? [{ from: step.id, to: step.timeout_next, kind: "timeout_next" as const }] : [])];
    default:
      return [{ from: step.id, to: step.next, kind: "next" }];
  }
}

export interface Placed {
  id: string;
  /** Column: the shortest number of links from the entry (steps the entry cannot reach come last). */
  layer: number;
  /** Row within the column, in the order the steps were reached. */
  row: number;
}

/** Layers by breadth-first distance from the entry; the order within a layer follows the links. */
export function layout(definition: Pick<Definition, "entry" | "steps">): { placed: Placed[]; layers: number; rows: number } {
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  const layerOf = new Map<string, number>();
  const order: string[] = [];
  const queue: string[] = [];
  if (byId.has(definition.entry)) {
    layerOf.set(definition.entry, 0);
    queue.push(definition.entry);
  }
  while (queue.length) {
    const id = queue.shift() as string;
    order.push(id);
    for (const link of linksOf(byId.get(id) as Step)) {
      if (!byId.has(link.to) || layerOf.has(link.to)) continue;
      layerOf.set(link.to, (layerOf.get(id) as number) + 1);
      queue.push(link.to);
    }
  }
  const last = order.length ? Math.max(...order.map((id) => layerOf.get(id) as number)) + 1 : 0;
  for (const step of definition.steps) {
    if (!layerOf.has(step.id)) {
      layerOf.set(step.id, last);
      order.push(step.id);
    }
  }
  const rowsUsed = new Map<number, number>();
  const placed = order.map((id) => {
    const layer = layerOf.get(id) as number;
    const row = rowsUsed.get(layer) ?? 0;
    rowsUsed.set(layer, row + 1);
    return { id, layer, row };
  });
  return { placed, layers: placed.length ? Math.max(...placed.map((p) => p.layer)) + 1 : 0, rows: Math.max(0, ...rowsUsed.values()) };
}

/** A new step id of this type not used yet: `send_2`, `wait_1`. */
export function freshId(steps: Step[], type: StepType): string {
  const used = new Set(steps.map((step) => step.id));
  for (let n = 1; ; n += 1) {
    const id = `${type}_${n}`;
    if (!used.has(id)) return id;
  }
}

/** A step of this type with its defaults, leading to `next`. */
export function newStep(type: StepType, id: string, next: string): Step {
  switch (type) {
    case "wait":
      return { type, id, minutes: 1440, next };
    case "branch":
      return { type, id, condition: { kind: "attribute", attribute: "lifecycle_stage", op: "eq", value: "dormant" }, yes: next, no: next };
    case "send":
      return { type, id, template_id: CHOOSE_TEMPLATE, next };
    case "tag":
      return { type, id, tag: "", action: "add", next };
    case "award_points":
      return { type, id, points: 10, next };
    case "task":
      return { type, id, title: "", due_in_minutes: 1440, next };
    case "exit":
      return { type, id };
  }
}

function retarget(step: Step, from: string, to: string): Step {
  switch (step.type) {
    case "exit":
      return step;
    case "branch":
      return { ...step, yes: step.yes === from ? to : step.yes, no: step.no === from ? to : step.no };
    case "wait":
      return { ...step, next: step.next === from ? to : step.next, timeout_next: step.timeout_next === from ? to : step.timeout_next };
    default:
      return { ...step, next: step.next === from ? to : step.next };
  }
}

/** Where a step's contacts go after it (its `next`, a branch's `yes`), or null for an exit. */
export function following(step: Step): string | null {
  return step.type === "exit" ? null : step.type === "branch" ? step.yes : step.next;
}

/** A new step of `type` right after `afterId` (it takes over the step's onward link); returns the new id. */
export function addAfter<D extends Pick<Definition, "entry" | "steps">>(definition: D, afterId: string, type: StepType): { definition: D; id: string } {
  const at = definition.steps.find((step) => step.id === afterId);
  if (!at || at.type === "exit") return { definition, id: afterId };
  const id = freshId(definition.steps, type);
  const onward = following(at) as string;
  const changed = at.type === "branch" ? { ...at, yes: id } : { ...at, next: id };
  const added = newStep(type, id, onward);
  const steps = definition.steps.flatMap((step) => (step.id === afterId ? [changed as Step, added] : [step]));
  return { definition: { ...definition, steps }, id };
}

/** A new step of `type` before `beforeId`: every link to it (and the entry) now leads to the new step. */
export function addBefore<D extends Pick<Definition, "entry" | "steps">>(definition: D, beforeId: string, type: Exclude<StepType, "exit">): { definition: D; id: string } {
  const id = freshId(definition.steps, type);
  const added = newStep(type, id, beforeId);
  const steps = definition.steps.flatMap((step) => (step.id === beforeId ? [added, step] : [retarget(step, beforeId, id)]));
  return { definition: { ...definition, entry: definition.entry === beforeId ? id : definition.entry, steps }, id };
}

/** Removes a step; links to it follow on to where it led (an exit's go to another exit). Null when
 * it cannot go: the last exit, or a step that leads only to itself. */
export function removeStep<D extends Pick<Definition, "entry" | "steps">>(definition: D, id: string): D | null {
  const step = definition.steps.find((candidate) => candidate.id === id);
  if (!step) return null;
  const onward = following(step) ?? definition.steps.find((other) => other.type === "exit" && other.id !== id)?.id;
  if (!onward || onward === id) return null;
  const steps = definition.steps.filter((other) => other.id !== id).map((other) => retarget(other, id, onward));
  return { ...definition, entry: definition.entry === id ? onward : definition.entry, steps };
}

/** The send steps (and task steps' suggested messages) still on the templates' placeholder. */
export function unchosenTemplates(steps: Step[]): string[] {
  return steps.filter((step) => (step.type === "send" || step.type === "task") && step.template_id === CHOOSE_TEMPLATE).map((step) => step.id);
}

export interface GraphProblems {
  /** Step id → what is wrong with it. */
  byStep: Record<string, string[]>;
  /** Problems that name no step. */
  general: string[];
}

/** A 422's errors on the steps they name (`["body", "steps", 3, …]` or the entry), the rest general. */
export function problemsOnSteps(problem: Problem, definition: Pick<Definition, "entry" | "steps">): GraphProblems {
  const byStep: Record<string, string[]> = {};
  const general: string[] = [];
  const add = (id: string, message: string) => (byStep[id] = [...(byStep[id] ?? []), message]);
  for (const error of problem.errors ?? []) {
    const [where, field, index] = error.loc.map(String);
    const step = where === "body" && field === "steps" && /^\d+$/.test(index ?? "") ? definition.steps[Number(index)] : undefined;
    if (step) add(step.id, error.msg);
    else if (where === "body" && field === "entry" && definition.steps.some((s) => s.id === definition.entry)) add(definition.entry, error.msg);
    else general.push(error.msg);
  }
  if (!problem.errors?.length) general.push(problem.detail || problem.title);
  return { byStep, general };
}

/** Filter rows as the form edits them → the API's `where` (numbers and true/false typed). */
export function whereFromRows(rows: { key?: string; value?: string }[] | undefined): Where {
  const where: Where = {};
  for (const row of rows ?? []) {
    const key = row.key?.trim();
    if (!key) continue;
    const text = (row.value ?? "").trim();
    where[key] = text === "true" ? true : text === "false" ? false : /^-?\d+$/.test(text) ? Number(text) : text;
  }
  return where;
}

export function rowsFromWhere(where: Where | undefined): { key: string; value: string }[] {
  return Object.entries(where ?? {}).map(([key, value]) => ({ key, value: String(value) }));
}

/** A blank journey: its trigger still to choose, one exit. */
export function blankDefinition(name: string): Definition {
  return {
    name,
    trigger: { kind: "lifecycle_changed", to_stage: "dormant" },
    entry: "send_1",
    reentry: { mode: "once" },
    steps: [
      { type: "send", id: "send_1", template_id: CHOOSE_TEMPLATE, next: "exit_1" },
      { type: "exit", id: "exit_1" },
    ],
  };
}
