// 删除记录: who removed whom, both ways (客户删除员工 = 流失), in a date range (last 30 days by
// default), for one staff member or the whole tenant.
import { Button, DatePicker, Form, Input } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { Link } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useSession } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useWeComT } from "./messages";

type Deletion = Schemas["DeletionView"];

interface Filter {
  staff_id?: string;
  range: [Dayjs, Dayjs];
}

export function DeletionsTab() {
  const t = useWeComT();
  const api = useApi();
  const session = useSession();
  const guide = session.roles.length > 0 && session.roles.every((role) => role === "guide");
  const [filter, setFilter] = useState<Filter>({ staff_id: guide ? session.staffId : undefined, range: [dayjs().subtract(30, "day").startOf("day"), dayjs().endOf("day")] });
  const [form] = Form.useForm<Filter>();
  const from = filter.range[0].startOf("day").toISOString();
  const to = filter.range[1].endOf("day").toISOString();
  const pages = useCursorPages(["wecom", "deletions", filter.staff_id ?? "", from, to], (cursor) =>
    unwrap(api.GET("/v1/wecom/deletions", { params: { query: { staff_id: filter.staff_id, from, to, cursor } } })),
  );
  const columns = [
    { title: t("removedAt"), dataIndex: "removed_at", render: formatTime },
    {
      title: t("removedBy"),
      dataIndex: "removed_by",
      render: (by: Deletion["removed_by"]) => <ToneTag tone={by === "customer" ? "danger" : "neutral"}>{t(`removedBy_${by}`)}</ToneTag>,
    },
    { title: t("staff"), dataIndex: "staff_id" },
    { title: t("externalUserid"), dataIndex: "external_userid" },
    { title: t("contact"), dataIndex: "contact_id", render: (id: string | null | undefined) => (id ? <Link to={`/contacts/${encodeURIComponent(id)}`}>{id}</Link> : "—") },
    { title: t("generation"), dataIndex: "generation" },
  ];
  return (
    <>
      <TitleBar level={2} title={t("tab_deletions")} style={{ marginBottom: 16 }} />
      <Form
        form={form}
        layout="inline"
        initialValues={filter}
        onFinish={(values: Filter) => setFilter({ staff_id: values.staff_id?.trim() || undefined, range: values.range ?? filter.range })}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="staff_id" label={t("staffId")}>
          <Input allowClear style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="range" label={t("dateRange")}>
          <DatePicker.RangePicker allowClear={false} aria-label={t("dateRange")} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t("query")}
        </Button>
      </Form>
      <PagedTable<Deletion>
        pages={pages}
        rowKey={(row) => `${row.corp_id}/${row.staff_id}/${row.external_userid}/${row.generation}`}
        columns={columns}
        empty={<EmptyState description={t("noDeletions")} />}
        scrollLabel={t("deletionsScroller")}
      />
    </>
  );
}
