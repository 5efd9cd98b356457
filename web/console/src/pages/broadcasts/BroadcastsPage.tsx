// The broadcasts (群发), newest first, paged by the API's cursor: status, channel, when, and a stats
// summary; managers and admins start the wizard here.
import { Card, Progress, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { CreateButton, TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { BroadcastWizard } from "./BroadcastWizard";
import { useBroadcastsT } from "./messages";
import { channelLabel, isLive, progressPercent, STATUS_TONES, statusLabel, type Broadcast } from "./view";

const PAGE_SIZE = 20;
const REFRESH_MS = 5000;

export default function BroadcastsPage() {
  const t = useBroadcastsT();
  const api = useApi();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages(["broadcasts", "list"], (cursor) => unwrap(api.GET("/v1/broadcasts", { params: { query: { limit: PAGE_SIZE, cursor } } })));
  // While a listed broadcast is still to go or going, its row follows it.
  const moving = pages.query.data?.items.some((broadcast) => broadcast.status === "scheduled" || isLive(broadcast.status)) ?? false;
  const { refetch } = pages.query;
  useEffect(() => {
    if (!moving) return;
    const timer = window.setInterval(() => void refetch(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [moving, refetch]);
  const columns = [
    {
      title: t("name"),
      key: "name",
      render: (_: unknown, broadcast: Broadcast) => <Link to={`/broadcasts/${encodeURIComponent(broadcast.broadcast_id)}`}>{broadcast.name}</Link>,
    },
    {
      title: t("status"),
      key: "status",
      render: (_: unknown, broadcast: Broadcast) => <ToneTag tone={STATUS_TONES[broadcast.status]}>{statusLabel(t, broadcast.status)}</ToneTag>,
    },
    { title: t("channel"), key: "channel", render: (_: unknown, broadcast: Broadcast) => channelLabel(t, broadcast.channel) },
    { title: t("scheduledFor"), key: "scheduled", render: (_: unknown, broadcast: Broadcast) => formatTime(broadcast.sent_at ?? broadcast.scheduled_for) },
    {
      title: t("summary"),
      key: "stats",
      render: (_: unknown, broadcast: Broadcast) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text>{t("summaryLine", { targeted: broadcast.stats.targeted, sent: broadcast.stats.sent, delivered: broadcast.stats.delivered, failed: broadcast.stats.failed })}</Typography.Text>
          {isLive(broadcast.status) && <Progress percent={progressPercent(broadcast)} size="small" aria-label={t("progress")} style={{ width: 160 }} />}
        </Space>
      ),
    },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <TitleBar
        title={t("title")}
        extra={
          <CreateButton op="POST /v1/broadcasts" onClick={() => setCreating(true)}>
            {t("newBroadcast")}
          </CreateButton>
        }
      />
      <Card>
        <PagedTable pages={pages} rowKey="broadcast_id" columns={columns} size="middle" empty={<EmptyState description={t("noBroadcasts")} />} scrollLabel={t("listScroller")} />
      </Card>
      <BroadcastWizard
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(view) => {
          setCreating(false);
          navigate(`/broadcasts/${encodeURIComponent(view.broadcast_id)}`);
        }}
      />
    </Space>
  );
}
