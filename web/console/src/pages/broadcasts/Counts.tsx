// The counts a preview and a broadcast's stats share: skipped by reason (readable labels) and each
// sending staff member's share (by name; by id when outreach does not know the name).
import { Col, Row, Statistic, Table, Typography } from "antd";
import type { Schemas } from "@shared/api/client";
import { useBroadcastsT } from "./messages";
import { skipLabel, skipRows, staffName } from "./view";

export function SkipTable({ skipped }: { skipped: Record<string, number> | undefined }) {
  const t = useBroadcastsT();
  const rows = skipRows(skipped);
  if (rows.length === 0) return <Typography.Text type="secondary">{t("noSkips")}</Typography.Text>;
  return (
    <Table
      size="small"
      rowKey="reason"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: t("skippedBy"), key: "reason", render: (_: unknown, row: { reason: string }) => skipLabel(t, row.reason) },
        { title: t("skipped"), dataIndex: "count", key: "count", align: "right" as const },
      ]}
    />
  );
}

export function PreviewCounts({ preview }: { preview: Schemas["BroadcastPreview"] }) {
  const t = useBroadcastsT();
  const skipped = preview.targeted - preview.reachable;
  return (
    <div data-testid="broadcast-preview" role="status" aria-live="polite">
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={8}>
          <Statistic title={t("targeted")} value={preview.targeted} />
        </Col>
        <Col xs={8}>
          <Statistic title={t("reachable")} value={preview.reachable} />
        </Col>
        <Col xs={8}>
          <Statistic title={t("skipped")} value={skipped} />
        </Col>
      </Row>
      <SkipTable skipped={preview.skipped} />
      {preview.by_staff.length > 0 && (
        <Table
          style={{ marginTop: 16 }}
          size="small"
          rowKey="staff_id"
          pagination={false}
          title={() => t("byStaff")}
          dataSource={preview.by_staff}
          columns={[
            { title: t("staff"), key: "staff", render: (_: unknown, row: Schemas["StaffShare"]) => staffName(row) },
            { title: t("recipients"), dataIndex: "recipients", key: "recipients", align: "right" as const },
          ]}
        />
      )}
    </div>
  );
}
