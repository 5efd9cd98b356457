// One broadcast: its progress (status, stats as cards and a bar, skipped by reason), its details,
// each WeCom sending staff member's confirmation and results; change or cancel while it is still
// scheduled. The page refreshes itself until the broadcast is done.
import { EditOutlined, StopOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Col, Descriptions, Progress, Result, Row, Space, Statistic, Typography } from "antd";
import { useEffect, useState } from "react";
import { useParams } from "react-router-dom";
import { ApiError, unwrap } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { formatTime } from "../../components/format";
import { BackLink } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { ToneTag } from "../../components/Tone";
import { BroadcastWizard } from "./BroadcastWizard";
import { SkipTable } from "./Counts";
import { Dispatches } from "./Dispatches";
import { useBroadcastsT } from "./messages";
import { channelLabel, isLive, progressPercent, skippedTotal, STATUS_TONES, statusLabel, type Broadcast } from "./view";

const LIVE_MS = 2000;
const SCHEDULED_MS = 5000;

function Stats({ broadcast }: { broadcast: Broadcast }) {
  const t = useBroadcastsT();
  const { stats } = broadcast;
  const cards: [string, number][] = [
    [t("targeted"), stats.targeted],
    [t("skipped"), skippedTotal(stats.skipped)],
    [t("queued"), stats.queued],
    [t("sent"), stats.sent],
    [t("delivered"), stats.delivered],
    [t("failed"), stats.failed],
    [t("conversions"), stats.conversions],
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="broadcast-stats">
      <Progress percent={progressPercent(broadcast)} status={broadcast.status === "cancelled" ? "exception" : isLive(broadcast.status) ? "active" : undefined} aria-label={t("progress")} />
      <Row gutter={[16, 16]}>
        {cards.map(([title, value]) => (
          <Col key={title} xs={12} sm={8} md={6} xl={3}>
            <Statistic title={title} value={value} />
          </Col>
        ))}
      </Row>
      <SkipTable skipped={stats.skipped} />
    </Space>
  );
}

function Details({ broadcast }: { broadcast: Broadcast }) {
  const t = useBroadcastsT();
  const api = useApi();
  // Names where they can be read (a template deleted since keeps its id: the broadcast has its copy).
  const template = useQuery({
    queryKey: ["template", broadcast.template_id],
    queryFn: () => unwrap(api.GET("/v1/templates/{template_id}", { params: { path: { template_id: broadcast.template_id } } })),
    retry: false,
  });
  const segments = useQuery({ queryKey: ["segments"], queryFn: () => unwrap(api.GET("/v1/segments")), enabled: Boolean(broadcast.segment_id) });
  const segmentName = segments.data?.items.find((segment) => segment.segment_id === broadcast.segment_id)?.name;
  const audience = broadcast.segment_id
    ? `${t("segment")} ${segmentName ?? broadcast.segment_id}`
    : broadcast.staff_ids
      ? t("staffCount", { count: broadcast.staff_ids.length })
      : t("contactsCount", { count: broadcast.contact_ids?.length ?? 0 });
  return (
    <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
      <Descriptions.Item label={t("channel")}>{channelLabel(t, broadcast.channel)}</Descriptions.Item>
      <Descriptions.Item label={t("audience")}>{audience}</Descriptions.Item>
      <Descriptions.Item label={t("template")}>{template.data?.name ?? broadcast.template_id}</Descriptions.Item>
      <Descriptions.Item label={t("scheduledFor")}>{formatTime(broadcast.scheduled_for)}</Descriptions.Item>
      <Descriptions.Item label={t("sentAt")}>{formatTime(broadcast.sent_at)}</Descriptions.Item>
      <Descriptions.Item label={t("trackedCodeShort")}>{broadcast.tracked_code ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("createdAt")}>{`${formatTime(broadcast.created_at)} · ${broadcast.created_by}`}</Descriptions.Item>
    </Descriptions>
  );
}

function CancelButton({ broadcast }: { broadcast: Broadcast }) {
  const t = useBroadcastsT();
  const api = useApi();
  const client = useQueryClient();
  const { modal, message } = App.useApp();
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/broadcasts/{broadcast_id}/cancel", { params: { path: { broadcast_id: broadcast.broadcast_id } } })),
    onSuccess: (view) => {
      client.setQueryData(["broadcast", view.broadcast_id], view);
      void client.invalidateQueries({ queryKey: ["broadcasts"] });
      void message.success(t("cancelled"));
    },
    onError: (error) => {
      void client.invalidateQueries({ queryKey: ["broadcast", broadcast.broadcast_id] });
      void message.error(problemText(error));
    },
  });
  return (
    <Button
      danger
      icon={<StopOutlined />}
      loading={cancel.isPending}
      onClick={() =>
        void modal.confirm({
          title: t("confirmCancel", { name: broadcast.name }),
          okText: t("cancel"),
          okButtonProps: { danger: true },
          cancelText: t("keep"),
          onOk: () => cancel.mutateAsync().catch(() => undefined),
        })
      }
    >
      {t("cancel")}
    </Button>
  );
}

export default function BroadcastPage() {
  const t = useBroadcastsT();
  const common = useCommonT();
  const api = useApi();
  const broadcastId = useParams().broadcastId ?? "";
  const [editing, setEditing] = useState(false);
  const query = useQuery({
    queryKey: ["broadcast", broadcastId],
    queryFn: () => unwrap(api.GET("/v1/broadcasts/{broadcast_id}", { params: { path: { broadcast_id: broadcastId } } })),
    refetchInterval: (current) => {
      const status = current.state.data?.status;
      return status && isLive(status) ? LIVE_MS : status === "scheduled" ? SCHEDULED_MS : false;
    },
  });
  // The list shows statuses and stats too: each change seen here makes it read again.
  const client = useQueryClient();
  const seen = query.data ? `${query.data.status}:${query.data.updated_at}:${JSON.stringify(query.data.stats)}` : "";
  useEffect(() => {
    if (seen) void client.invalidateQueries({ queryKey: ["broadcasts"] });
  }, [client, seen]);
  const back = <BackLink to="/broadcasts">{t("backToList")}</BackLink>;
  if (query.isError && query.error instanceof ApiError && query.error.status === 404) {
    return <Result status="404" title={query.error.message} extra={back} />;
  }
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      {back}
      <QueryState query={query}>
        {(broadcast) => (
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <div style={{ display: "flex", flexWrap: "wrap", gap: 12, justifyContent: "space-between", alignItems: "center" }}>
              <Space wrap align="center">
                <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
                  {broadcast.name}
                </Typography.Title>
                <span data-testid="broadcast-status">
                  <ToneTag tone={STATUS_TONES[broadcast.status]}>{statusLabel(t, broadcast.status)}</ToneTag>
                </span>
                {isLive(broadcast.status) && <Typography.Text type="secondary">{t("autoRefresh")}</Typography.Text>}
              </Space>
              {broadcast.status === "scheduled" && (
                <Space wrap>
                  <Can op="PUT /v1/broadcasts/{broadcast_id}">
                    <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                      {common("edit")}
                    </Button>
                  </Can>
                  <Can op="POST /v1/broadcasts/{broadcast_id}/cancel">
                    <CancelButton broadcast={broadcast} />
                  </Can>
                </Space>
              )}
            </div>
            <Section id="broadcast-progress" title={t("progress")}>
              <Stats broadcast={broadcast} />
            </Section>
            <Section id="broadcast-details" title={t("details")}>
              <Details broadcast={broadcast} />
            </Section>
            <Section id="broadcast-dispatches" title={t("dispatches")}>
              {broadcast.channel === "wecom_customer" || broadcast.channel === "wecom_group" ? (
                <Dispatches broadcastId={broadcast.broadcast_id} refreshedAt={query.dataUpdatedAt} />
              ) : (
                <Typography.Text type="secondary">{t("notWeCom")}</Typography.Text>
              )}
            </Section>
            <BroadcastWizard open={editing} onClose={() => setEditing(false)} broadcast={broadcast} onSaved={() => setEditing(false)} />
          </Space>
        )}
      </QueryState>
    </Space>
  );
}
