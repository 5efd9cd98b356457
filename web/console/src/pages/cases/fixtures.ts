// The cases area's test data: a case as the API lists it and as it shows one, and the signed-in
// agent the inbox tests use (render with components/testing.tsx's renderInConsole).
import type { InConsole } from "../../components/testing";
import type { CaseDetail, CaseView } from "./model";

export const AGENT: InConsole = { roles: ["agent"], staffId: "agent-1" };

export function aCase(overrides: Partial<CaseView> = {}): CaseView {
  return {
    case_id: "case_1",
    type: "complaint",
    priority: "normal",
    status: "new",
    subject: "The cup leaks",
    description: "It leaked on first use",
    contact_id: "c_1",
    brand: null,
    channel: "wechat_mini_program",
    intake: "member",
    queue_id: "complaints",
    assignee: null,
    tags: [],
    order_id: "ORD-1",
    attachments: [],
    created_at: "2025-03-03T09:00:00Z",
    updated_at: "2025-03-03T09:00:00Z",
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    csat: null,
    first_response_due_at: "2025-03-03T13:00:00Z",
    resolution_due_at: "2025-03-04T09:00:00Z",
    breached: [],
    version: 1,
    ...overrides,
  };
}

export function aCaseDetail(overrides: Partial<CaseDetail> = {}): CaseDetail {
  return { ...aCase(), messages: [], history: [], sla: null, ...overrides };
}
