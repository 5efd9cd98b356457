// Redemptions to hand over: the tenant's redemptions by status, newest first (cursor pages);
// fulfil (handed over) or cancel (points and stock back) a requested one, after a confirmation.
import { App, Button, Popconfirm, Segmented, Space } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag, type Tone } from "../../components/Tone";
import { useCommonT } from "../../components/messages";
import { usePointsT } from "./messages";
import { formatTime } from "../../components/format";
import { problemText } from "../../components/problems";

type Redemption = Schemas["RedemptionView"];
type Status = Redemption["status"];
const STATUS_TONE: Record<Status, Tone> = { requested: "warning", fulfilled: "success", cancelled: "neutral" };

export function RedemptionsTab() {
  const t = usePointsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [status, setStatus] = useState<Status | "all">("requested");
  const pages = useCursorPages(["redemptions", status], (cursor) =>
    unwrap(api.GET("/v1/redemptions", { params: { query: { cursor, limit: 20, status: status === "all" ? undefined : status } } })),
  );
  const act = useMutation({
    mutationFn: ({ id, action }: { id: string; action: "fulfil" | "cancel" }) =>
      action === "fulfil"
        ? unwrap(api.POST("/v1/redemptions/{redemption_id}/fulfil", { params: { path: { redemption_id: id } } }))
        : unwrap(api.POST("/v1/redemptions/{redemption_id}/cancel", { params: { path: { redemption_id: id } } })),
    onSettled: () => queries.invalidateQueries({ queryKey: ["redemptions"] }),
  });
  const run = async (redemption: Redemption, action: "fulfil" | "cancel") => {
    try {
      await act.mutateAsync({ id: redemption.redemption_id, action });
      void message.success(action === "fulfil" ? t("fulfilled") : t("cancelled"));
    } catch (error) {
      void message.error(problemText(error));
    }
  };
  const canFulfil = can("POST /v1/redemptions/{redemption_id}/fulfil");
  const canCancel = can("POST /v1/redemptions/{redemption_id}/cancel");
  return (
    <>
      <TitleBar
        level={2}
        title={t("tab_redemptions")}
        extra={
          <Segmented
            aria-label={t("status")}
            value={status}
            onChange={(value) => setStatus(value as Status | "all")}
            options={[
              { value: "requested", label: t("status_requested") },
              { value: "fulfilled", label: t("status_fulfilled") },
              { value: "cancelled", label: t("status_cancelled") },
              { value: "all", label: common("all") },
            ]}
          />
        }
        style={{ marginBottom: 16 }}
      />
      <PagedTable<Redemption>
        pages={pages}
        rowKey="redemption_id"
        size="large"
        empty={<EmptyState />}
        scrollLabel={t("redemptionsScroller")}
        columns={[
          { title: t("requestedAt"), dataIndex: "created_at", render: formatTime },
          { title: t("rewardName"), dataIndex: "reward_name" },
          { title: t("points"), dataIndex: "points", align: "right" },
          { title: t("contact"), dataIndex: "contact_id", render: (id: string) => <Link to={`/contacts/${encodeURIComponent(id)}`}>{id}</Link> },
          { title: t("status"), dataIndex: "status", render: (value: Status) => <ToneTag tone={STATUS_TONE[value]}>{t(`status_${value}`)}</ToneTag> },
          {
            title: common("actions"),
            render: (_: unknown, r: Redemption) =>
              r.status === "requested" && (
                <Space>
                  {canFulfil && (
                    <Popconfirm title={t("fulfilConfirm", { reward: r.reward_name })} okText={t("fulfil")} cancelText={common("cancel")} onConfirm={() => run(r, "fulfil")}>
                      <Button type="primary" aria-label={`${t("fulfil")} ${r.reward_name}`}>
                        {t("fulfil")}
                      </Button>
                    </Popconfirm>
                  )}
                  {canCancel && (
                    <Popconfirm title={t("cancelConfirm", { points: r.points })} okText={t("cancelRedemption")} okButtonProps={{ danger: true }} cancelText={common("back")} onConfirm={() => run(r, "cancel")}>
                      <Button danger aria-label={`${t("cancelRedemption")} ${r.reward_name}`}>
                        {t("cancelRedemption")}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
          },
        ]}
      />
    </>
  );
}
