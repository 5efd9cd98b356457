// The inbox (/console/cases): the agent's availability, filters kept in the URL, one cursor page
// of cases at a time with their SLA badges; an unassigned open case can be taken from its row.
import { unwrap } from "@shared/api/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Flex, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useApi, useCan, useSession } from "../../app";
import { ContactLink } from "../../components/ContactLink";
import { CursorPager, useCursorPages } from "../../components/cursor";
import { formatRecentTime } from "../../components/format";
import { AGENTS_KEY, useAgents, useQueues } from "../../components/queries";
import { EmptyState, QueryState } from "../../components/QueryState";
import { AvailabilitySwitch } from "./AvailabilitySwitch";
import { casesQuery, filtersFromSearch, filtersToSearch, keepItem, type InboxFilters } from "./filters";
import { InboxFiltersBar } from "./InboxFiltersBar";
import { useCasesT } from "./messages";
import { keys, type CaseView } from "./model";
import { SlaBadges } from "./SlaBadge";
import { ToneTag } from "../../components/Tone";
import { PRIORITY_TONE, STATUS_TONE } from "./tones";
import { isOpen } from "./workflow";

function TakeButton({ item }: { item: CaseView }) {
  const t = useCasesT();
  const api = useApi();
  const { staffId } = useSession();
  const client = useQueryClient();
  const { message } = App.useApp();
  const take = useMutation({
    mutationFn: () => unwrap(api.PATCH("/v1/cases/{case_id}", { params: { path: { case_id: item.case_id } }, body: { assignee: staffId } })),
    onSuccess: () => {
      void message.success(t("taken"));
      void client.invalidateQueries({ queryKey: keys.cases });
      void client.invalidateQueries({ queryKey: AGENTS_KEY });
    },
    onError: (error) => void message.error(error.message),
  });
  return (
    <Button size="small" loading={take.isPending} onClick={() => take.mutate()} aria-label={`${t("take")}: ${item.subject}`}>
      {t("take")}
    </Button>
  );
}

export default function CasesPage() {
  const t = useCasesT();
  const api = useApi();
  const can = useCan();
  const { staffId } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const query = casesQuery(filters, staffId);
  const pages = useCursorPages([...keys.cases, "list", query], (cursor) =>
    unwrap(api.GET("/v1/cases", { params: { query: { ...query, ...(cursor ? { cursor } : {}) } } })),
  );
  const queues = useQueues();
  const agents = useAgents();
  const mayTake = can("PATCH /v1/cases/{case_id}");
  const setFilters = (next: InboxFilters) => setParams(filtersToSearch(next));

  const columns: ColumnsType<CaseView> = [
    {
      title: t("columnSubject"),
      key: "subject",
      width: 240,
      render: (_, item) => (
        <Flex vertical gap={2}>
          <Link to={`/cases/${item.case_id}`}>{item.subject}</Link>
          <span>
            <ToneTag tone="neutral">{t(`type_${item.type}`)}</ToneTag>
            {item.tags.map((tag) => (
              <ToneTag key={tag} tone="neutral">
                {tag}
              </ToneTag>
            ))}
          </span>
        </Flex>
      ),
    },
    {
      title: t("columnContact"),
      key: "contact",
      width: 170,
      ellipsis: true,
      render: (_, item) => (item.contact_id ? <ContactLink id={item.contact_id} /> : "—"),
    },
    { title: t("columnPriority"), key: "priority", width: 90, render: (_, item) => <ToneTag tone={PRIORITY_TONE[item.priority]}>{t(`priority_${item.priority}`)}</ToneTag> },
    { title: t("columnStatus"), key: "status", width: 110, render: (_, item) => <ToneTag tone={STATUS_TONE[item.status]}>{t(`status_${item.status}`)}</ToneTag> },
    {
      title: t("columnAssignee"),
      key: "assignee",
      width: 150,
      render: (_, item) =>
        item.assignee ? (
          item.assignee
        ) : (
          <Flex gap={8} align="center" wrap>
            <Typography.Text type="secondary">{t("nobody")}</Typography.Text>
            {mayTake && isOpen(item.status) && <TakeButton item={item} />}
          </Flex>
        ),
    },
    { title: t("columnSla"), key: "sla", width: 230, render: (_, item) => <SlaBadges item={item} /> },
    { title: t("columnCreated"), key: "created", width: 110, render: (_, item) => formatRecentTime(item.created_at) },
  ];

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t("inboxTitle")}
      </Typography.Title>
      <AvailabilitySwitch />
      <Card size="small">
        <InboxFiltersBar filters={filters} onChange={setFilters} queues={queues.data?.items ?? []} agents={agents.data?.items ?? []} />
      </Card>
      {filters.assignee === "unassigned" && <Alert type="info" showIcon title={t("unassignedNote")} />}
      <QueryState
        query={pages.query}
        isEmpty={(page) => page.items.filter((item) => keepItem(filters, item)).length === 0 && !page.next_cursor}
        empty={<EmptyState description={t("noCases")} />}
      >
        {(page) => (
          <>
            <Table<CaseView>
              rowKey="case_id"
              columns={columns}
              dataSource={page.items.filter((item) => keepItem(filters, item))}
              pagination={false}
              scroll={{ x: 1100 }}
              loading={pages.query.isFetching && pages.query.isPlaceholderData}
              locale={{ emptyText: t("noCases") }}
            />
            <CursorPager pages={pages} />
          </>
        )}
      </QueryState>
    </Flex>
  );
}
