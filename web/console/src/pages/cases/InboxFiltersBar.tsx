// The inbox's filter bar: queue, assignee (mine / unassigned / anyone / a staff id), status,
// priority and breached-only. Every change becomes the URL's search params.
import { Checkbox, Flex, Input, Select } from "antd";
import { useState } from "react";
import type { Schemas } from "@shared/api/client";
import { useCasesT } from "./messages";
import { PRIORITIES, STATUSES, type CaseStatus, type Priority } from "./model";
import type { AssigneeFilter, InboxFilters } from "./filters";

const OTHER = "__other__";

function assigneeValue(assignee: AssigneeFilter | undefined): string {
  if (!assignee) return "";
  return typeof assignee === "string" ? assignee : assignee.staffId;
}

export function InboxFiltersBar({
  filters,
  onChange,
  queues,
  agents,
}: {
  filters: InboxFilters;
  onChange: (next: InboxFilters) => void;
  queues: Schemas["QueueView"][];
  agents: Schemas["AgentView"][];
}) {
  const t = useCasesT();
  const [typing, setTyping] = useState(false);
  const current = assigneeValue(filters.assignee);
  const known = new Set(["", "me", "unassigned", ...agents.map((agent) => agent.staff_id)]);
  const assigneeOptions = [
    { value: "", label: t("anyAssignee") },
    { value: "me", label: t("assigneeMe") },
    { value: "unassigned", label: t("assigneeUnassigned") },
    ...agents.map((agent) => ({ value: agent.staff_id, label: t("assigneeStaff", { id: agent.staff_id }) })),
    ...(known.has(current) ? [] : [{ value: current, label: t("assigneeStaff", { id: current }) }]),
    { value: OTHER, label: t("assigneeOther") },
  ];
  const set = (patch: Partial<InboxFilters>) => onChange({ ...filters, ...patch });
  return (
    <Flex wrap gap={8} align="center" role="group" aria-label={t("filters")}>
      <Select
        aria-label={t("filterQueue")}
        style={{ minWidth: 150 }}
        value={filters.queue ?? ""}
        onChange={(queue: string) => set({ queue: queue || undefined })}
        options={[{ value: "", label: t("anyQueue") }, ...queues.map((queue) => ({ value: queue.queue_id, label: queue.name }))]}
      />
      <Select
        aria-label={t("filterAssignee")}
        style={{ minWidth: 150 }}
        value={typing ? OTHER : current}
        onChange={(value: string) => {
          if (value === OTHER) {
            setTyping(true);
            return;
          }
          setTyping(false);
          set({ assignee: value === "" ? undefined : value === "me" || value === "unassigned" ? value : { staffId: value } });
        }}
        options={assigneeOptions}
      />
      {typing && (
        <Input.Search
          aria-label={t("assigneeOther")}
          placeholder={t("assigneeOtherPlaceholder")}
          style={{ width: 200 }}
          enterButton={false}
          onSearch={(value) => {
            const staffId = value.trim();
            setTyping(false);
            if (staffId) set({ assignee: { staffId } });
          }}
        />
      )}
      <Select
        aria-label={t("filterStatus")}
        style={{ minWidth: 150 }}
        value={filters.status ?? ""}
        onChange={(status: string) => set({ status: (status || undefined) as CaseStatus | undefined })}
        options={[{ value: "", label: t("anyStatus") }, ...STATUSES.map((status) => ({ value: status, label: t(`status_${status}`) }))]}
      />
      <Select
        aria-label={t("filterPriority")}
        style={{ minWidth: 130 }}
        value={filters.priority ?? ""}
        onChange={(priority: string) => set({ priority: (priority || undefined) as Priority | undefined })}
        options={[{ value: "", label: t("anyPriority") }, ...PRIORITIES.map((priority) => ({ value: priority, label: t(`priority_${priority}`) }))]}
      />
      <Checkbox checked={Boolean(filters.breached)} onChange={(event) => set({ breached: event.target.checked || undefined })}>
        {t("filterBreached")}
      </Checkbox>
    </Flex>
  );
}
