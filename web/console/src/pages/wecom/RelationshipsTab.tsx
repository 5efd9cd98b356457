// 关系: one staff member's WeCom customers (or one customer's staff), newest page first, with the
// friendship's status, generation, add way and the code that brought them. Tenant-wide roles must
// name a staff member or a customer; a guide sees their own by default.
import { Button, Form, Input } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi, useSession } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useWeComT } from "./messages";
import { RELATIONSHIP_TONES, type Relationship } from "./view";

export function RelationshipStatus({ status }: { status: Relationship["status"] }) {
  const t = useWeComT();
  return <ToneTag tone={RELATIONSHIP_TONES[status]}>{t(`status_${status}`)}</ToneTag>;
}

export function RemovedBy({ by }: { by: Relationship["removed_by"] }) {
  const t = useWeComT();
  return <>{by ? t(`removedBy_${by}`) : "—"}</>;
}

interface Filter {
  staff_id?: string;
  external_userid?: string;
}

export function RelationshipsTab() {
  const t = useWeComT();
  const api = useApi();
  const session = useSession();
  const guide = session.roles.length > 0 && session.roles.every((role) => role === "guide");
  const [filter, setFilter] = useState<Filter>(guide ? { staff_id: session.staffId } : {});
  const [form] = Form.useForm<Filter>();
  const ready = Boolean(filter.staff_id || filter.external_userid);
  const pages = useCursorPages(["wecom", "relationships", filter], (cursor) =>
    ready
      ? unwrap(api.GET("/v1/wecom/relationships", { params: { query: { staff_id: filter.staff_id, external_userid: filter.external_userid, cursor } } }))
      : Promise.resolve({ items: [], next_cursor: null }),
  );
  const columns = [
    { title: t("customer"), dataIndex: "name", render: (name: string | null) => name ?? "—" },
    { title: t("externalUserid"), dataIndex: "external_userid" },
    { title: t("staff"), dataIndex: "staff_id" },
    {
      title: t("contact"),
      dataIndex: "contact_id",
      render: (id: string | null) => (id ? <Link to={`/contacts/${encodeURIComponent(id)}`}>{id}</Link> : "—"),
    },
    { title: t("status"), dataIndex: "status", render: (status: Relationship["status"]) => <RelationshipStatus status={status} /> },
    { title: t("generation"), dataIndex: "generation" },
    { title: t("addWay"), dataIndex: "add_way", render: (way: number | null) => way ?? "—" },
    { title: t("code"), dataIndex: "state", render: (state: string | null) => state ?? "—" },
    { title: t("addedAt"), dataIndex: "added_at", render: formatTime },
    { title: t("removedAt"), dataIndex: "removed_at", render: formatTime },
    { title: t("removedBy"), dataIndex: "removed_by", render: (by: Relationship["removed_by"]) => <RemovedBy by={by} /> },
  ];
  return (
    <>
      <TitleBar level={2} title={t("tab_relationships")} style={{ marginBottom: 16 }} />
      <Form
        form={form}
        layout="inline"
        initialValues={filter}
        onFinish={(values: Filter) => setFilter({ staff_id: values.staff_id?.trim() || undefined, external_userid: values.external_userid?.trim() || undefined })}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="staff_id" label={t("staffId")}>
          <Input allowClear placeholder={t("staffIdHint")} style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="external_userid" label={t("externalUserid")}>
          <Input allowClear style={{ width: 220 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t("query")}
        </Button>
      </Form>
      {!ready ? (
        <EmptyState description={t("filterRequired")} />
      ) : (
        <PagedTable<Relationship>
          pages={pages}
          rowKey={(row) => `${row.corp_id}/${row.staff_id}/${row.external_userid}`}
          columns={columns}
          empty={<EmptyState description={t("noRelationships")} />}
          scrollLabel={t("relationshipsScroller")}
        />
      )}
    </>
  );
}
