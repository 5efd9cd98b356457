// The contact's cases: `GET /v1/cases?contact_id=` (the contact's own index), a cursor page at a
// time, newest first. Status and priority read as the inbox shows them (its words and tones).
import { unwrap } from "@shared/api/client";
import type { ColumnsType } from "antd/es/table";
import { Link } from "react-router-dom";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useCasesT } from "../cases/messages";
import { keys, type CaseView } from "../cases/model";
import { PRIORITY_TONE, STATUS_TONE } from "../cases/tones";
import { useContactsT } from "./messages";

const PAGE = 20;

export function ContactCases({ contactId }: { contactId: string }) {
  const t = useContactsT();
  const tc = useCasesT();
  const api = useApi();
  const pages = useCursorPages([...keys.cases, "contact", contactId], (cursor) =>
    unwrap(api.GET("/v1/cases", { params: { query: { contact_id: contactId, limit: PAGE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns: ColumnsType<CaseView> = [
    { title: t("caseSubject"), key: "subject", render: (_, item) => <Link to={`/cases/${encodeURIComponent(item.case_id)}`}>{item.subject}</Link> },
    { title: t("caseStatus"), key: "status", render: (_, item) => <ToneTag tone={STATUS_TONE[item.status]}>{tc(`status_${item.status}`)}</ToneTag> },
    { title: t("casePriority"), key: "priority", render: (_, item) => <ToneTag tone={PRIORITY_TONE[item.priority]}>{tc(`priority_${item.priority}`)}</ToneTag> },
    { title: t("caseCreated"), key: "created", render: (_, item) => formatTime(item.created_at) },
  ];
  return (
    <PagedTable<CaseView>
      pages={pages}
      rowKey="case_id"
      columns={columns}
      locale={{ emptyText: t("noCases") }}
      empty={<EmptyState description={t("noCases")} />}
      scrollLabel={t("casesScroller")}
    />
  );
}
