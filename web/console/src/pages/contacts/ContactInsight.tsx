// A contact's insight: lifecycle stage (since when, next time-driven check), facts over the last
// 365 days, points, and RFM scores with their group — or why there are none.
import { useQuery } from "@tanstack/react-query";
import { Descriptions, Space, Typography } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { formatTime } from "../../components/format";
import { QueryState } from "../../components/QueryState";
import { ToneTag, type Tone } from "../../components/Tone";
import { yuan } from "./facts";
import { useInsightT } from "./insightMessages";

type Stage = Schemas["InsightView"]["lifecycle"];

export const STAGE_TONE: Record<Stage, Tone> = {
  new: "info",
  growing: "success",
  mature: "success",
  dormant: "warning",
  churned: "danger",
};

export function StageBadge({ stage }: { stage: Stage }) {
  const t = useInsightT();
  return <ToneTag tone={STAGE_TONE[stage] ?? "neutral"}>{t(`stage_${stage}`)}</ToneTag>;
}

export function insightQueryKey(contactId: string) {
  return ["contact", contactId, "insight"] as const;
}

function InsightBody({ insight }: { insight: Schemas["InsightView"] }) {
  const t = useInsightT();
  const rfm = insight.rfm;
  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t("stage")}>
          <span>
            <StageBadge stage={insight.lifecycle} />
            {insight.lifecycle_since && <Typography.Text type="secondary">{t("stageSince", { at: formatTime(insight.lifecycle_since) })}</Typography.Text>}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t("nextCheck")}>{insight.next_check_at ? formatTime(insight.next_check_at) : t("noNextCheck")}</Descriptions.Item>
        <Descriptions.Item label={t("firstActive")}>{formatTime(insight.first_active_at)}</Descriptions.Item>
        <Descriptions.Item label={t("lastActive")}>{formatTime(insight.last_active_at)}</Descriptions.Item>
        <Descriptions.Item label={t("lastOrder")}>{formatTime(insight.last_order_at)}</Descriptions.Item>
        <Descriptions.Item label={t("orders365")}>{insight.orders_365}</Descriptions.Item>
        <Descriptions.Item label={t("amount365")}>{yuan(insight.amount_365_fen)}</Descriptions.Item>
        <Descriptions.Item label={t("ordersTotal")}>{insight.orders_total}</Descriptions.Item>
        <Descriptions.Item label={t("pointsBalance")}>{insight.points_balance ?? "—"}</Descriptions.Item>
        <Descriptions.Item label={t("pointsEarned")}>{insight.points_earned}</Descriptions.Item>
        <Descriptions.Item label={t("pointsTier")}>{insight.points_tier ?? "—"}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 15, margin: 0 }}>
        {t("rfm")}
      </Typography.Title>
      {rfm ? (
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t("rfmGroup")}>
            <ToneTag tone={rfm.group.startsWith("重要") ? "success" : "neutral"}>{rfm.group}</ToneTag>
          </Descriptions.Item>
          <Descriptions.Item label={t("rfmRecency")}>{rfm.recency}</Descriptions.Item>
          <Descriptions.Item label={t("rfmFrequency")}>{rfm.frequency}</Descriptions.Item>
          <Descriptions.Item label={t("rfmMonetary")}>{rfm.monetary}</Descriptions.Item>
          <Descriptions.Item label={t("rfmComputed")}>
            {formatTime(rfm.computed_at)}
          </Descriptions.Item>
        </Descriptions>
      ) : (
        <Typography.Text type="secondary">{t("rfmNone")}</Typography.Text>
      )}
    </Space>
  );
}

export function ContactInsight({ contactId }: { contactId: string }) {
  const api = useApi();
  const query = useQuery({
    queryKey: insightQueryKey(contactId),
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}/insight", { params: { path: { contact_id: contactId } } })),
  });
  return <QueryState query={query}>{(insight) => <InsightBody insight={insight} />}</QueryState>;
}
