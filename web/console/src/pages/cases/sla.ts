// An SLA target's state for a badge, from a case's SLA fields and a clock:
// breached (marked by the API, or its due time has passed) > met > paused (the clock stops while
// the case waits on the member) > due soon (within DUE_SOON_MINUTES) > due > none (no target).
import type { CaseDetail, CaseView } from "./model";

export type SlaTarget = "first_response" | "resolution";
export const DUE_SOON_MINUTES = 60;

export interface SlaInput {
  dueAt: string | null;
  breached: boolean;
  met: boolean;
  paused: boolean;
}

export type SlaState =
  | { kind: "none" }
  | { kind: "met" }
  | { kind: "paused" }
  | { kind: "breached"; overdueMinutes: number | null }
  | { kind: "due_soon"; minutes: number; dueAt: string }
  | { kind: "due"; minutes: number; dueAt: string };

export function slaState(input: SlaInput, now: number): SlaState {
  const due = input.dueAt ? Date.parse(input.dueAt) : Number.NaN;
  const overdue = Number.isNaN(due) ? null : Math.max(0, Math.floor((now - due) / 60_000));
  if (input.breached) return { kind: "breached", overdueMinutes: overdue && overdue > 0 ? overdue : null };
  if (input.met) return { kind: "met" };
  if (input.paused) return { kind: "paused" };
  if (!input.dueAt || Number.isNaN(due)) return { kind: "none" };
  if (due <= now) return { kind: "breached", overdueMinutes: overdue && overdue > 0 ? overdue : null };
  const minutes = Math.ceil((due - now) / 60_000);
  return minutes <= DUE_SOON_MINUTES ? { kind: "due_soon", minutes, dueAt: input.dueAt } : { kind: "due", minutes, dueAt: input.dueAt };
}

/** A target's SLA fields on a case of the list (CaseView) or the case view (CaseDetail, whose
 * `sla` also says when the clock is paused). */
export function slaOfCase(item: CaseView | CaseDetail, target: SlaTarget): SlaInput {
  const detail = "sla" in item ? item.sla : null;
  const closedOrResolved = item.status === "resolved" || item.status === "closed";
  return {
    dueAt: target === "first_response" ? item.first_response_due_at : item.resolution_due_at,
    breached: item.breached.includes(target),
    met: target === "first_response" ? item.first_response_at !== null : closedOrResolved,
    paused: Boolean(detail?.paused) || item.status === "waiting_on_customer",
  };
}

/** Minutes as "45 分钟", "2 小时 5 分", "3 天 4 小时". */
export function durationParts(minutes: number): { key: "minutes" | "hoursMinutes" | "daysHours"; values: Record<string, number> } {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return { key: "minutes", values: { m } };
  if (m < 24 * 60) return { key: "hoursMinutes", values: { h: Math.floor(m / 60), m: m % 60 } };
  return { key: "daysHours", values: { d: Math.floor(m / (24 * 60)), h: Math.floor((m % (24 * 60)) / 60) } };
}
