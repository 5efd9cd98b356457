// The cases API's shapes, named once for this area (all from the generated schema).
import type { Schemas, paths } from "@shared/api/client";
import type { CaseStatus } from "../../components/caseVocabulary";

export { AVAILABILITIES, CASE_TYPES, PRIORITIES, STATUSES, type Availability, type CaseStatus, type CaseType, type Priority } from "../../components/caseVocabulary";

export type CaseView = Schemas["CaseView"];
export type CaseDetail = Schemas["CaseDetail"];
export type MessageView = Schemas["MessageView"];
export type CasePatch = Schemas["CasePatch"];
export type StaffMessage = Schemas["StaffMessageCreate"];
export type DeliveryStatus = Schemas["Delivery"]["status"];
export type CasesQuery = NonNullable<paths["/v1/cases"]["get"]["parameters"]["query"]>;

export const OPEN_STATUSES: readonly CaseStatus[] = ["new", "assigned", "in_progress", "waiting_on_customer"];

/** The query keys this area reads, so a change can refresh exactly what it touched (agents and
 * queues: components/queries.ts). */
export const keys = {
  cases: ["cases"] as const,
  case: (caseId: string) => ["cases", "detail", caseId] as const,
  suggestions: (caseId: string) => ["cases", "suggestions", caseId] as const,
};
