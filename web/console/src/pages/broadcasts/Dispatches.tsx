// A WeCom broadcast's staff tasks: each sending staff member (by name; by id when outreach does not
// know the name) confirms in WeCom (pending → confirmed, or expired), then the polled results:
// delivered, failed, unsent. Paged by the API's cursor; the page refreshes it with the broadcast.
import { useQueryClient } from "@tanstack/react-query";
import { Typography } from "antd";
import { useEffect } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useBroadcastsT } from "./messages";
import { DISPATCH_TONES, dispatchLabel, staffName } from "./view";

const PAGE_SIZE = 50;

export function Dispatches({ broadcastId, refreshedAt }: { broadcastId: string; refreshedAt: number }) {
  const t = useBroadcastsT();
  const api = useApi();
  const client = useQueryClient();
  const key = ["broadcast-dispatches", broadcastId];
  const pages = useCursorPages(key, (cursor) =>
    unwrap(api.GET("/v1/broadcasts/{broadcast_id}/dispatches", { params: { path: { broadcast_id: broadcastId }, query: { limit: PAGE_SIZE, cursor } } })),
  );
  useEffect(() => {
    void client.invalidateQueries({ queryKey: ["broadcast-dispatches", broadcastId] });
  }, [client, broadcastId, refreshedAt]);
  type Row = Schemas["DispatchView"];
  return (
    <>
      <Typography.Paragraph type="secondary">{t("dispatchesHelp")}</Typography.Paragraph>
      <PagedTable<Row>
        pages={pages}
        data-testid="dispatches"
        rowKey={(row) => `${row.staff_id}:${row.updated_at}:${row.recipients}`}
        empty={<EmptyState description={t("noDispatches")} />}
        scrollLabel={t("dispatchesScroller")}
        columns={[
          { title: t("staff"), key: "staff", render: (_: unknown, row: Row) => staffName(row) },
          { title: t("status"), key: "status", render: (_: unknown, row: Row) => <ToneTag tone={DISPATCH_TONES[row.status]}>{dispatchLabel(t, row.status)}</ToneTag> },
          { title: t("recipients"), dataIndex: "recipients", key: "recipients", align: "right" as const },
          { title: t("delivered"), dataIndex: "delivered", key: "delivered", align: "right" as const },
          { title: t("failed"), dataIndex: "failed", key: "failed", align: "right" as const },
          { title: t("unsent"), dataIndex: "unsent", key: "unsent", align: "right" as const },
          { title: t("rejected"), dataIndex: "rejected", key: "rejected", align: "right" as const },
          { title: t("reason"), key: "reason", render: (_: unknown, row: Row) => row.reason ?? "—" },
          { title: t("updatedAt"), key: "updated", render: (_: unknown, row: Row) => formatTime(row.updated_at) },
        ]}
      />
    </>
  );
}
