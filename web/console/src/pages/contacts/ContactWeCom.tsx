// 企业微信关系 on a contact: which staff members the customer is friends with in WeCom (or was),
// since when — a whole grid cell of the contact page (its own access check and section).
import { Col } from "antd";
import { unwrap } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { useWeComT } from "../wecom/messages";
import { RelationshipStatus, RemovedBy } from "../wecom/RelationshipsTab";
import type { Relationship } from "../wecom/view";
import { useContactsT } from "./messages";

export function ContactWeComList({ contactId }: { contactId: string }) {
  const t = useWeComT();
  const tc = useContactsT();
  const api = useApi();
  const pages = useCursorPages(["wecom", "relationships", { contact_id: contactId }], (cursor) =>
    unwrap(api.GET("/v1/wecom/relationships", { params: { query: { contact_id: contactId, cursor } } })),
  );
  const columns = [
    { title: t("staff"), dataIndex: "staff_id" },
    { title: t("status"), dataIndex: "status", render: (status: Relationship["status"]) => <RelationshipStatus status={status} /> },
    { title: t("since"), dataIndex: "added_at", render: formatTime },
    { title: t("code"), dataIndex: "state", render: (state: string | null) => state ?? "—" },
    { title: t("removedBy"), dataIndex: "removed_by", render: (by: Relationship["removed_by"]) => <RemovedBy by={by} /> },
  ];
  return (
    <PagedTable<Relationship>
      pages={pages}
      rowKey={(row) => `${row.corp_id}/${row.staff_id}/${row.external_userid}`}
      columns={columns}
      empty={<EmptyState description={t("noRelationships")} />}
      scrollLabel={tc("wecomScroller")}
    />
  );
}

export function ContactWeCom({ contactId }: { contactId: string }) {
  const t = useWeComT();
  return (
    <Can op="GET /v1/wecom/relationships">
      <Col span={24}>
        <Section id="contact-wecom" title={t("contactSection")}>
          <ContactWeComList contactId={contactId} />
        </Section>
      </Col>
    </Can>
  );
}
