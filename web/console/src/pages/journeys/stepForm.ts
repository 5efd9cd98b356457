// A step ↔ the flat values its side-panel form edits (the wait's mode, a condition's kind, filter
// rows…), and the trigger/rules ↔ theirs. Pure, so the round trips are tested without a browser.
import type { Schemas } from "@shared/api/client";
import { rowsFromWhere, whereFromRows, type Definition, type Step } from "./graph";
import type { EventName, Stage } from "./view";

type Rows = { key?: string; value?: string }[];

export interface StepValues {
  next?: string;
  mode?: "minutes" | "until_time" | "until_event";
  minutes?: number;
  until_time?: string;
  event?: EventName;
  where?: Rows;
  timeout_minutes?: number | null;
  timeout_next?: string | null;
  kind?: "segment" | "attribute" | "event";
  segment_id?: string;
  attribute?: Schemas["AttributeCondition"]["attribute"];
  op?: NonNullable<Schemas["AttributeCondition"]["op"]>;
  value?: string;
  yes?: string;
  no?: string;
  template_id?: string | null;
  tag?: string;
  action?: "add" | "remove";
  points?: number;
  title?: string;
  note?: string | null;
  due_in_minutes?: number;
}

/** "12" → 12, "true" → true, else the text. */
export function typedValue(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export function valuesOfStep(step: Step): StepValues {
  switch (step.type) {
    case "wait":
      return {
        next: step.next,
        mode: step.until_event ? "until_event" : step.until_time ? "until_time" : "minutes",
        minutes: step.minutes ?? undefined,
        until_time: step.until_time ?? undefined,
        event: step.until_event?.event,
        where: rowsFromWhere(step.until_event?.where),
        timeout_minutes: step.timeout_minutes ?? null,
        timeout_next: step.timeout_next ?? null,
      };
    case "branch": {
      const c = step.condition;
      return {
        yes: step.yes,
        no: step.no,
        kind: c.kind,
        segment_id: c.kind === "segment" ? c.segment_id : undefined,
        attribute: c.kind === "attribute" ? c.attribute : "lifecycle_stage",
        op: c.kind === "attribute" ? (c.op ?? "eq") : "eq",
        value: c.kind === "attribute" ? String(c.value) : undefined,
        event: c.kind === "event" ? c.match.event : undefined,
        where: c.kind === "event" ? rowsFromWhere(c.match.where) : [],
      };
    }
    case "send":
      return { next: step.next, template_id: step.template_id };
    case "tag":
      return { next: step.next, tag: step.tag, action: step.action ?? "add" };
    case "award_points":
      return { next: step.next, points: step.points };
    case "task":
      return { next: step.next, title: step.title, note: step.note ?? null, template_id: step.template_id ?? null, due_in_minutes: step.due_in_minutes };
    case "exit":
      return {};
  }
}

/** The step as the form now describes it (its id and type kept). */
export function stepOfValues(step: Step, v: StepValues): Step {
  const next = v.next ?? "";
  switch (step.type) {
    case "wait": {
      const base = { type: "wait" as const, id: step.id, next };
      if (v.mode === "until_time") return { ...base, until_time: v.until_time ?? "" };
      if (v.mode === "until_event")
        return {
          ...base,
          until_event: { event: v.event ?? "ContactCreated", where: whereFromRows(v.where) },
          ...(v.timeout_minutes ? { timeout_minutes: v.timeout_minutes } : {}),
          ...(v.timeout_minutes && v.timeout_next ? { timeout_next: v.timeout_next } : {}),
        };
      return { ...base, minutes: v.minutes ?? 0 };
    }
    case "branch": {
      const condition: Extract<Step, { type: "branch" }>["condition"] =
        v.kind === "segment"
          ? { kind: "segment", segment_id: v.segment_id ?? "" }
          : v.kind === "event"
            ? { kind: "event", match: { event: v.event ?? "ContactCreated", where: whereFromRows(v.where) } }
            : { kind: "attribute", attribute: v.attribute ?? "lifecycle_stage", op: v.op ?? "eq", value: typedValue(v.value ?? "") };
      return { type: "branch", id: step.id, condition, yes: v.yes ?? "", no: v.no ?? "" };
    }
    case "send":
      return { type: "send", id: step.id, template_id: v.template_id ?? "", next };
    case "tag":
      return { type: "tag", id: step.id, tag: v.tag ?? "", action: v.action ?? "add", next };
    case "award_points":
      return { type: "award_points", id: step.id, points: v.points ?? 0, next };
    case "task":
      return {
        type: "task",
        id: step.id,
        title: v.title ?? "",
        due_in_minutes: v.due_in_minutes ?? 1440,
        next,
        ...(v.note ? { note: v.note } : {}),
        ...(v.template_id ? { template_id: v.template_id } : {}),
      };
    case "exit":
      return step;
  }
}

export interface SettingsValues {
  name?: string;
  kind?: Definition["trigger"]["kind"];
  event?: EventName;
  where?: Rows;
  segment_id?: string;
  to_stage?: Stage;
  at?: string;
  reentry_mode?: "once" | "after_days";
  reentry_days?: number | null;
  goal_event?: EventName | null;
  goal_where?: Rows;
}

export function valuesOfSettings(d: Definition): SettingsValues {
  const tr = d.trigger;
  return {
    name: d.name,
    kind: tr.kind,
    event: tr.kind === "event" ? tr.match.event : undefined,
    where: tr.kind === "event" ? rowsFromWhere(tr.match.where) : [],
    segment_id: tr.kind === "segment_entered" ? tr.segment_id : undefined,
    to_stage: tr.kind === "lifecycle_changed" ? tr.to_stage : "dormant",
    at: tr.kind === "date" ? (tr.at ?? "09:00") : "09:00",
    reentry_mode: d.reentry?.mode ?? "once",
    reentry_days: d.reentry?.days ?? null,
    goal_event: d.goal?.event ?? null,
    goal_where: rowsFromWhere(d.goal?.where),
  };
}

export function settingsOfValues(d: Definition, v: SettingsValues): Definition {
  const trigger: Definition["trigger"] =
    v.kind === "event"
      ? { kind: "event", match: { event: v.event ?? "ContactCreated", where: whereFromRows(v.where) } }
      : v.kind === "segment_entered"
        ? { kind: "segment_entered", segment_id: v.segment_id ?? "" }
        : v.kind === "date"
          ? { kind: "date", attribute: "birthday", at: v.at ?? "09:00" }
          : { kind: "lifecycle_changed", to_stage: v.to_stage ?? "dormant" };
  const reentry: Definition["reentry"] = v.reentry_mode === "after_days" ? { mode: "after_days", days: v.reentry_days ?? 1 } : { mode: "once" };
  return { ...d, name: v.name ?? "", trigger, reentry, goal: v.goal_event ? { event: v.goal_event, where: whereFromRows(v.goal_where) } : null };
}
