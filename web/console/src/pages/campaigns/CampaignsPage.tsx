// The campaigns, newest first, paged by the API's cursor (a referral program tagged so); managers
// and admins create them here.
import { Card, Space } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { CreateButton, TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { formatTime } from "../../components/format";
import { CampaignDrawer } from "./CampaignForm";
import { useCampaignsT } from "./messages";
import { STATUS_TONES, statusLabel } from "./view";

const PAGE_SIZE = 20;

export default function CampaignsPage() {
  const t = useCampaignsT();
  const api = useApi();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages(["campaigns", "list"], (cursor) => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: PAGE_SIZE, cursor } } })));
  const columns = [
    {
      title: t("name"),
      key: "name",
      render: (_: unknown, campaign: Schemas["CampaignView"]) => (
        <Space size={8}>
          <Link to={`/campaigns/${encodeURIComponent(campaign.campaign_id)}`}>{campaign.name}</Link>
          {campaign.kind === "referral" && <ToneTag tone="info">{t("referralTag")}</ToneTag>}
        </Space>
      ),
    },
    {
      title: t("status"),
      key: "status",
      render: (_: unknown, campaign: Schemas["CampaignView"]) => <ToneTag tone={STATUS_TONES[campaign.status]}>{statusLabel(t, campaign.status)}</ToneTag>,
    },
    { title: t("brand"), key: "brand", render: (_: unknown, campaign: Schemas["CampaignView"]) => campaign.brand ?? "—" },
    {
      title: t("period"),
      key: "period",
      render: (_: unknown, campaign: Schemas["CampaignView"]) => `${formatTime(campaign.starts_at)} – ${formatTime(campaign.ends_at)}`,
    },
    { title: t("acquisitionPoints"), dataIndex: "acquisition_points", key: "acquisition", align: "right" as const },
    {
      title: `${t("pointsAwarded")} / ${t("pointsBudget")}`,
      key: "budget",
      align: "right" as const,
      render: (_: unknown, campaign: Schemas["CampaignView"]) => t("budgetUse", { awarded: campaign.points_awarded, budget: campaign.points_budget }),
    },
    { title: t("createdAt"), key: "created", render: (_: unknown, campaign: Schemas["CampaignView"]) => formatTime(campaign.created_at) },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <TitleBar
        title={t("title")}
        extra={
          <CreateButton op="POST /v1/campaigns" onClick={() => setCreating(true)}>
            {t("newCampaign")}
          </CreateButton>
        }
      />
      <Card>
        <PagedTable pages={pages} rowKey="campaign_id" columns={columns} size="middle" empty={<EmptyState description={t("noCampaigns")} />} scrollLabel={t("listScroller")} />
      </Card>
      <CampaignDrawer
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(view) => {
          setCreating(false);
          navigate(`/campaigns/${encodeURIComponent(view.campaign_id)}`);
        }}
      />
    </Space>
  );
}
