// 企业微信关系 on a contact: which staff members the customer is friends with in WeCom (or was),
// since when — a whole grid cell of the contact page (its own access check and section).
import { Col, Table } from "antd";
import { unwrap } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { CursorPager, useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { EmptyState, QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { useWeComT } from "../wecom/messages";
import { RelationshipStatus, RemovedBy } from "../wecom/RelationshipsTab";
import type { Relationship } from "../wecom/view";

export function ContactWeComList({ contactId }: { contactId: string }) {
  const t = useWeComT();
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
    <QueryState query={pages.query} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("noRelationships")} />}>
      {(data) => (
        <>
          <Table<Relationship>
            rowKey={(row) => `${row.corp_id}/${row.staff_id}/${row.external_userid}`}
            dataSource={data.items}
            columns={columns}
            pagination={false}
            size="small"
            scroll={{ x: "max-content" }}
          />
          <CursorPager pages={pages} />
        </>
      )}
    </QueryState>
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
