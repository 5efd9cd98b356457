// One contact: profile, identities, tags, owner, source, insight (lifecycle, facts, RFM), lead
// score, points, cases, timeline, merges and the personal-data export — each part shown only when
// the role may read it, each action only when the role may take it.
import { useQuery } from "@tanstack/react-query";
import { Col, Descriptions, Result, Row, Space, Typography } from "antd";
import { Link, useParams } from "react-router-dom";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { BackLink } from "../../components/headings";
import { QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { ContactCases } from "./ContactCases";
import { ContactExport } from "./ContactExport";
import { ContactInsight } from "./ContactInsight";
import { ContactMerges, MergedFrom } from "./ContactMerges";
import { ContactScore } from "./ContactScore";
import { ContactTimeline } from "./ContactTimeline";
import { ContactWeCom } from "./ContactWeCom";
import { useInsightT } from "./insightMessages";
import { ContactOwner } from "./ContactOwner";
import { ContactPoints } from "./ContactPoints";
import { ContactTags } from "./ContactTags";
import { EraseContact } from "./EraseContact";
import { useContactsT } from "./messages";
import { contactName, genderLabel, lifecycleLabel, sourceLabel } from "./view";
import { formatTime } from "../../components/format";

function Profile({ contact }: { contact: Schemas["ContactView"] }) {
  const t = useContactsT();
  const ti = useInsightT();
  const attributes = Object.entries(contact.attributes);
  return (
    <Descriptions column={1} size="small">
      <Descriptions.Item label={t("name")}>{contact.name ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("gender")}>{genderLabel(t, contact.gender)}</Descriptions.Item>
      <Descriptions.Item label={t("city")}>{contact.city ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("birthday")}>{contact.birthday ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("lifecycle")}>{lifecycleLabel(t, contact.lifecycle_stage)}</Descriptions.Item>
      <Descriptions.Item label={t("createdAt")}>{formatTime(contact.created_at)}</Descriptions.Item>
      <Descriptions.Item label={t("updatedAt")}>{formatTime(contact.updated_at)}</Descriptions.Item>
      {contact.merged_from && contact.merged_from.length > 0 && (
        <Descriptions.Item label={ti("mergedFrom")}>
          <MergedFrom ids={contact.merged_from} />
        </Descriptions.Item>
      )}
      {attributes.length > 0 && (
        <Descriptions.Item label={t("attributes")}>{attributes.map(([key, value]) => `${key}: ${String(value)}`).join("; ")}</Descriptions.Item>
      )}
    </Descriptions>
  );
}

function Identities({ identities }: { identities: Schemas["Identities"] }) {
  const t = useContactsT();
  const openids = Object.entries(identities.openids ?? {});
  return (
    <Descriptions column={1} size="small">
      <Descriptions.Item label={t("kind_phone")}>{identities.phone ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("kind_email")}>{identities.email ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("kind_unionid")}>{identities.unionid ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("kind_external_userid")}>{identities.external_userid ?? "—"}</Descriptions.Item>
      {openids.map(([app, openid]) => (
        <Descriptions.Item key={app} label={t("openid", { app })}>
          {openid}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

/** The source campaign by name (its id while loading, or when it cannot be read). */
function CampaignName({ campaignId }: { campaignId: string }) {
  const api = useApi();
  const campaign = useQuery({
    queryKey: ["campaign", campaignId],
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: campaignId } } })),
  });
  return <Link to={`/campaigns/${encodeURIComponent(campaignId)}`}>{campaign.data?.name ?? campaignId}</Link>;
}

function Source({ source }: { source: Schemas["ContactView"]["source"] }) {
  const t = useContactsT();
  if (!source) return <Typography.Text type="secondary">{t("noSource")}</Typography.Text>;
  const campaign = source["campaign_id"];
  return (
    <Descriptions column={1} size="small">
      <Descriptions.Item label={t("sourceType")}>{sourceLabel(t, source["type"])}</Descriptions.Item>
      {campaign && (
        <Descriptions.Item label={t("campaign")}>
          <CampaignName campaignId={campaign} />
        </Descriptions.Item>
      )}
      {source["code"] && <Descriptions.Item label={t("code")}>{source["code"]}</Descriptions.Item>}
      {source["channel"] && <Descriptions.Item label={t("channel")}>{source["channel"]}</Descriptions.Item>}
      {source["store"] && <Descriptions.Item label={t("store")}>{source["store"]}</Descriptions.Item>}
      {source["staff_id"] && <Descriptions.Item label={t("staff")}>{source["staff_id"]}</Descriptions.Item>}
      {source["acquired_at"] && <Descriptions.Item label={t("acquiredAt")}>{formatTime(source["acquired_at"])}</Descriptions.Item>}
    </Descriptions>
  );
}

export default function ContactPage() {
  const t = useContactsT();
  const ti = useInsightT();
  const api = useApi();
  const contactId = useParams().contactId ?? "";
  const query = useQuery({
    queryKey: ["contact", contactId],
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}", { params: { path: { contact_id: contactId } } })),
  });
  const back = <BackLink to="/contacts">{t("backToList")}</BackLink>;
  if (query.isError && query.error instanceof ApiError && query.error.status === 404) {
    return <Result status="404" title={t("notFound")} extra={back} />;
  }
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      {back}
      <QueryState query={query}>
        {(contact) => (
          <Space orientation="vertical" size={16} style={{ width: "100%" }}>
            <div style={{ display: "flex", flexWrap: "wrap", gap: 12, justifyContent: "space-between", alignItems: "center" }}>
              <div>
                <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
                  {contactName(contact, t("unnamed"))}
                </Typography.Title>
                <Typography.Text type="secondary" copyable>
                  {contact.contact_id}
                </Typography.Text>
              </div>
              <Can op="DELETE /v1/contacts/{contact_id}">
                <EraseContact contactId={contact.contact_id} />
              </Can>
            </div>
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={12}>
                <Section id="contact-profile" title={t("profile")}>
                  <Profile contact={contact} />
                </Section>
              </Col>
              <Col xs={24} lg={12}>
                <Section id="contact-identities" title={t("identities")}>
                  <Identities identities={contact.identities} />
                </Section>
              </Col>
              <Col xs={24} lg={8}>
                <Section id="contact-tags" title={t("tags")}>
                  <ContactTags contact={contact} />
                </Section>
              </Col>
              <Col xs={24} lg={8}>
                <Section id="contact-owner" title={t("ownerSection")}>
                  <ContactOwner contact={contact} />
                </Section>
              </Col>
              <Col xs={24} lg={8}>
                <Section id="contact-source" title={t("sourceSection")}>
                  <Source source={contact.source} />
                </Section>
              </Col>
              <Can op="GET /v1/contacts/{contact_id}/insight">
                <Col xs={24} lg={12}>
                  <Section id="contact-insight" title={ti("insightSection")}>
                    <ContactInsight contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
              <Can op="GET /v1/contacts/{contact_id}/score">
                <Col xs={24} lg={12}>
                  <Section id="contact-score" title={ti("scoreSection")}>
                    <ContactScore contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
              <Can op="GET /v1/contacts/{contact_id}/points">
                <Col span={24}>
                  <Section id="contact-points" title={t("pointsSection")}>
                    <ContactPoints contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
              <Can op="GET /v1/cases">
                <Col span={24}>
                  <Section id="contact-cases" title={t("casesSection")}>
                    <ContactCases contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
              <ContactWeCom contactId={contact.contact_id} />
              <Can op="GET /v1/contacts/{contact_id}/timeline">
                <Col span={24}>
                  <Section id="contact-timeline" title={ti("timelineSection")}>
                    <ContactTimeline contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
              <Can op="POST /v1/contacts/{contact_id}/export">
                <Col span={24}>
                  <Section id="contact-export" title={t("exportSection")}>
                    <ContactExport contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
              <Can op="GET /v1/contacts/{contact_id}/merges">
                <Col span={24}>
                  <Section id="contact-merges" title={ti("mergesSection")}>
                    <ContactMerges contactId={contact.contact_id} />
                  </Section>
                </Col>
              </Can>
            </Row>
          </Space>
        )}
      </QueryState>
    </Space>
  );
}
