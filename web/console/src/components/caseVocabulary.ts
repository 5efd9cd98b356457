// The cases API's enumerations in the order pages list them (a case's statuses as it moves through
// them, priorities from the most urgent), typed by the generated schema: the inbox, settings and
// the dashboard all list them.
import type { Schemas } from "@shared/api/client";

export type CaseStatus = Schemas["CaseView"]["status"];
export type Priority = Schemas["CaseView"]["priority"];
export type CaseType = Schemas["CaseView"]["type"];
export type Availability = Schemas["AgentView"]["availability"];

export const STATUSES: readonly CaseStatus[] = ["new", "assigned", "in_progress", "waiting_on_customer", "resolved", "closed"];
export const PRIORITIES: readonly Priority[] = ["urgent", "high", "normal", "low"];
export const CASE_TYPES: readonly CaseType[] = ["complaint", "inquiry", "after_sales", "feedback", "compliance"];
export const AVAILABILITIES: readonly Availability[] = ["online", "away", "offline"];
