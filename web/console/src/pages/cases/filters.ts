// The inbox's filters live in the URL (?queue=&assignee=&status=&priority=&breached=), so a view
// is a link; this maps them to GET /v1/cases's query. "me" is the signed-in staff id. The API has
// no "unassigned" filter: that one is applied to each page's items (see `unassignedOnly`).
import type { CasesQuery, CaseStatus, CaseView, Priority } from "./model";
import { PRIORITIES, STATUSES } from "./model";

export type AssigneeFilter = "me" | "unassigned" | { staffId: string };

export interface InboxFilters {
  queue?: string;
  assignee?: AssigneeFilter;
  status?: CaseStatus;
  priority?: Priority;
  breached?: boolean;
}

export function filtersFromSearch(params: URLSearchParams): InboxFilters {
  const filters: InboxFilters = {};
  const queue = params.get("queue");
  if (queue) filters.queue = queue;
  const assignee = params.get("assignee");
  if (assignee === "me" || assignee === "unassigned") filters.assignee = assignee;
  else if (assignee) filters.assignee = { staffId: assignee };
  const status = params.get("status");
  if (status && (STATUSES as readonly string[]).includes(status)) filters.status = status as CaseStatus;
  const priority = params.get("priority");
  if (priority && (PRIORITIES as readonly string[]).includes(priority)) filters.priority = priority as Priority;
  if (params.get("breached") === "true") filters.breached = true;
  return filters;
}

export function filtersToSearch(filters: InboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.queue) params.set("queue", filters.queue);
  if (filters.assignee) params.set("assignee", typeof filters.assignee === "string" ? filters.assignee : filters.assignee.staffId);
  if (filters.status) params.set("status", filters.status);
  if (filters.priority) params.set("priority", filters.priority);
  if (filters.breached) params.set("breached", "true");
  return params;
}

/** GET /v1/cases's query for the filters (without the cursor). */
export function casesQuery(filters: InboxFilters, myStaffId: string): CasesQuery {
  const query: CasesQuery = {};
  if (filters.queue) query.queue_id = filters.queue;
  if (filters.assignee === "me") query.assignee = myStaffId;
  else if (filters.assignee && typeof filters.assignee === "object") query.assignee = filters.assignee.staffId;
  if (filters.status) query.status = filters.status;
  if (filters.priority) query.priority = filters.priority;
  if (filters.breached) query.breached = true;
  return query;
}

/** What the API cannot filter: the page's items kept for the view. */
export function keepItem(filters: InboxFilters, item: CaseView): boolean {
  return filters.assignee !== "unassigned" || item.assignee === null;
}
