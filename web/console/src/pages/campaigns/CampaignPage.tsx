// One campaign: its settings and status actions, its channel codes with QR images, its funnel; a
// referral (裂变) program also its rules, its invitations (the fraud review queue), its leaderboard
// and its members' poster.
import { EditOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Descriptions, Result, Space, Typography } from "antd";
import { useState } from "react";
import { useParams } from "react-router-dom";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { BackLink } from "../../components/headings";
import { QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { ToneTag } from "../../components/Tone";
import { formatTime } from "../../components/format";
import { CampaignDrawer } from "./CampaignForm";
import { CodesSection } from "./CodesSection";
import { FunnelSection } from "./FunnelSection";
import { useCampaignsT } from "./messages";
import { PosterSection } from "./PosterSection";
import { InvitationsSection, LeaderboardSection, ReferralRulesDetails } from "./ReferralSections";
import { StatusActions } from "./StatusActions";
import { STATUS_TONES, statusLabel } from "./view";

function Details({ campaign }: { campaign: Schemas["CampaignView"] }) {
  const t = useCampaignsT();
  return (
    <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
      <Descriptions.Item label={t("kind")}>{t(`kind_${campaign.kind}`)}</Descriptions.Item>
      <Descriptions.Item label={t("brand")}>{campaign.brand ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("startsAt")}>{formatTime(campaign.starts_at)}</Descriptions.Item>
      <Descriptions.Item label={t("endsAt")}>{formatTime(campaign.ends_at)}</Descriptions.Item>
      <Descriptions.Item label={t("acquisitionPoints")}>{campaign.acquisition_points}</Descriptions.Item>
      <Descriptions.Item label={t("engagementPoints")}>{campaign.engagement_points}</Descriptions.Item>
      <Descriptions.Item label={t("pointsAwarded")}>{t("budgetUse", { awarded: campaign.points_awarded, budget: campaign.points_budget })}</Descriptions.Item>
      <Descriptions.Item label={t("entryUrl")}>
        <span style={{ wordBreak: "break-all" }}>{campaign.entry_url ?? "—"}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t("createdAt")}>{formatTime(campaign.created_at)}</Descriptions.Item>
    </Descriptions>
  );
}

export default function CampaignPage() {
  const t = useCampaignsT();
  const api = useApi();
  const campaignId = useParams().campaignId ?? "";
  const [editing, setEditing] = useState(false);
  const query = useQuery({
    queryKey: ["campaign", campaignId],
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: campaignId } } })),
  });
  const back = <BackLink to="/campaigns">{t("backToList")}</BackLink>;
  if (query.isError && query.error instanceof ApiError && query.error.status === 404) {
    return <Result status="404" title={query.error.message} extra={back} />;
  }
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      {back}
      <QueryState query={query}>
        {(campaign) => (
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <div style={{ display: "flex", flexWrap: "wrap", gap: 12, justifyContent: "space-between", alignItems: "center" }}>
              <Space wrap align="center">
                <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
                  {campaign.name}
                </Typography.Title>
                <ToneTag tone={STATUS_TONES[campaign.status]}>{statusLabel(t, campaign.status)}</ToneTag>
              </Space>
              <Space wrap>
                <StatusActions campaign={campaign} />
                {campaign.status !== "ended" && (
                  <Can op="PATCH /v1/campaigns/{campaign_id}">
                    <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                      {t("editCampaign")}
                    </Button>
                  </Can>
                )}
              </Space>
            </div>
            <Section id="campaign-details" title={t("details")}>
              <Details campaign={campaign} />
            </Section>
            {campaign.referral && (
              <>
                <Section id="campaign-referral-rules" title={t("referralRules")}>
                  <ReferralRulesDetails rules={campaign.referral} />
                </Section>
                <Can op="GET /v1/campaigns/{campaign_id}/invitations">
                  <Section id="campaign-invitations" title={t("invitations")}>
                    <InvitationsSection campaignId={campaign.campaign_id} />
                  </Section>
                </Can>
                <Can op="GET /v1/campaigns/{campaign_id}/leaderboard">
                  <Section id="campaign-leaderboard" title={t("leaderboard")}>
                    <LeaderboardSection campaignId={campaign.campaign_id} rules={campaign.referral} />
                  </Section>
                </Can>
                <Can op="GET /v1/campaigns/{campaign_id}/poster.png">
                  <Section id="campaign-poster" title={t("poster")}>
                    <PosterSection campaign={campaign} />
                  </Section>
                </Can>
              </>
            )}
            <Section id="campaign-codes" title={t("codes")}>
              <CodesSection campaign={campaign} />
            </Section>
            <Section id="campaign-funnel" title={t("funnel")}>
              <FunnelSection campaignId={campaign.campaign_id} initialBy={campaign.kind === "referral" ? "channel" : "code"} />
            </Section>
            <CampaignDrawer open={editing} onClose={() => setEditing(false)} campaign={campaign} onSaved={() => setEditing(false)} />
          </Space>
        )}
      </QueryState>
    </Space>
  );
}
