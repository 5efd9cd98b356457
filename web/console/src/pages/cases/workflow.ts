// The status moves a staff member may ask for (PATCH /v1/cases/{id} {status}), from each status,
// as services/cases/logic/workflow.py allows them. Moves to "assigned" and back to "new" are not
// status actions: they happen by assigning and unassigning.
import type { CasePatch, CaseStatus } from "./model";

export type MoveTarget = NonNullable<CasePatch["status"]>;
export type MoveName = "start" | "waiting" | "resume" | "resolve" | "reopen" | "close";

export interface StatusAction {
  name: MoveName;
  to: MoveTarget;
  primary?: boolean;
}

const ACTIONS: Record<CaseStatus, StatusAction[]> = {
  new: [{ name: "resolve", to: "resolved" }],
  assigned: [
    { name: "start", to: "in_progress", primary: true },
    { name: "resolve", to: "resolved" },
  ],
  in_progress: [
    { name: "waiting", to: "waiting_on_customer" },
    { name: "resolve", to: "resolved", primary: true },
  ],
  waiting_on_customer: [
    { name: "resume", to: "in_progress" },
    { name: "resolve", to: "resolved", primary: true },
  ],
  resolved: [
    { name: "reopen", to: "in_progress" },
    { name: "close", to: "closed" },
  ],
  closed: [],
};

export function statusActions(status: CaseStatus): StatusAction[] {
  return ACTIONS[status];
}

export function isOpen(status: CaseStatus): boolean {
  return status === "new" || status === "assigned" || status === "in_progress" || status === "waiting_on_customer";
}
