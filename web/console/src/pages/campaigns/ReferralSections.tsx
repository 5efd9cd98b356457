// A referral (裂变) program's parts of its campaign page: its rules, its invitations by status (the
// rejected and clawed-back ones, each with its reason in words, are the fraud review queue) and its
// leaderboard of inviters, both in cursor pages. Contacts link to their own page.
import { Descriptions, Flex, Segmented, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useSearchParams } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { ContactLink } from "../../components/ContactLink";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { useCommonT } from "../../components/messages";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useCampaignsT } from "./messages";
import {
  effectiveCap,
  INVITATION_FILTERS,
  INVITATION_TONES,
  invitationFilter,
  INVITATIONS_PARAM,
  rankOf,
  stageReached,
  statusQuery,
  type InvitationFilter,
} from "./referral";

const PAGE_SIZE = 20;

type Invitation = Schemas["InvitationView"];
type Leader = Schemas["LeaderboardRow"];

/** The program's rules, as the campaign's details show them. */
export function ReferralRulesDetails({ rules }: { rules: Schemas["ReferralRules"] }) {
  const t = useCampaignsT();
  return (
    <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
      <Descriptions.Item label={t("stages")}>
        <ol style={{ margin: 0, paddingLeft: 20 }}>
          {rules.stages.map((stage) => (
            <li key={stage.invitees}>{t("stageSummary", { invitees: stage.invitees, points: stage.points })}</li>
          ))}
        </ol>
      </Descriptions.Item>
      <Descriptions.Item label={t("welcomePoints")}>{rules.welcome_points}</Descriptions.Item>
      <Descriptions.Item label={t("qualifyingAction")}>{t(`action_${rules.qualifying_action}`)}</Descriptions.Item>
      <Descriptions.Item label={t("perInviterCap")}>{rules.per_inviter_cap ?? t("capLastStage", { n: effectiveCap(rules) })}</Descriptions.Item>
      <Descriptions.Item label={t("clawbackDays")}>{t("days", { n: rules.clawback_days })}</Descriptions.Item>
    </Descriptions>
  );
}

/** What to know beyond the status: why it was rejected or clawed back, whether a qualified one counts. */
function invitationNote(t: ReturnType<typeof useCampaignsT>, row: Invitation): string {
  if (row.reason) return t(`reason_${row.reason}`);
  if (row.status === "qualified" && row.counted !== null && row.counted !== undefined) return row.counted ? t("counted_yes") : t("counted_no");
  return "—";
}

export function InvitationsSection({ campaignId }: { campaignId: string }) {
  const t = useCampaignsT();
  const common = useCommonT();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filter = invitationFilter(params.get(INVITATIONS_PARAM));
  const choose = (value: InvitationFilter) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === "all") next.delete(INVITATIONS_PARAM);
        else next.set(INVITATIONS_PARAM, value);
        return next;
      },
      { replace: true },
    );
  const pages = useCursorPages(["campaign", campaignId, "invitations", filter], (cursor) =>
    unwrap(
      api.GET("/v1/campaigns/{campaign_id}/invitations", {
        params: { path: { campaign_id: campaignId }, query: { status: statusQuery(filter), limit: PAGE_SIZE, cursor } },
      }),
    ),
  );
  const columns: ColumnsType<Invitation> = [
    { title: t("invitee"), key: "invitee", render: (_: unknown, row) => <ContactLink id={row.invitee_id} /> },
    { title: t("inviter"), key: "inviter", render: (_: unknown, row) => <ContactLink id={row.inviter_id} /> },
    { title: t("status"), key: "status", render: (_: unknown, row) => <ToneTag tone={INVITATION_TONES[row.status]}>{t(`invitation_${row.status}`)}</ToneTag> },
    { title: t("note"), key: "note", render: (_: unknown, row) => invitationNote(t, row) },
    { title: t("invitedAt"), key: "invited", render: (_: unknown, row) => formatTime(row.invited_at) },
    { title: t("qualifiedAt"), key: "qualified", render: (_: unknown, row) => formatTime(row.qualified_at) },
  ];
  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">{t("invitationsHelp")}</Typography.Text>
      <div style={{ maxWidth: "100%", overflowX: "auto" }}>
        <Segmented<InvitationFilter>
          aria-label={t("invitationStatus")}
          value={filter}
          onChange={choose}
          options={INVITATION_FILTERS.map((value) => ({ value, label: value === "all" ? common("all") : t(`invitation_${value}`) }))}
        />
      </div>
      <PagedTable<Invitation>
        pages={pages}
        rowKey="invitee_id"
        columns={columns}
        empty={<EmptyState description={filter === "all" ? t("noInvitations") : t(`noInvitations_${filter}`)} />}
        scrollLabel={t("invitationsScroller")}
      />
    </Flex>
  );
}

export function LeaderboardSection({ campaignId, rules }: { campaignId: string; rules: Schemas["ReferralRules"] }) {
  const t = useCampaignsT();
  const api = useApi();
  const pages = useCursorPages(["campaign", campaignId, "leaderboard"], (cursor) =>
    unwrap(api.GET("/v1/campaigns/{campaign_id}/leaderboard", { params: { path: { campaign_id: campaignId }, query: { limit: PAGE_SIZE, cursor } } })),
  );
  const columns: ColumnsType<Leader> = [
    { title: t("rank"), key: "rank", width: 64, render: (_: unknown, _row, index) => rankOf(pages.page, PAGE_SIZE, index) },
    { title: t("inviter"), key: "inviter", render: (_: unknown, row) => <ContactLink id={row.inviter_id} /> },
    { title: t("qualifiedCount"), dataIndex: "qualified", key: "qualified", align: "right" },
    {
      title: t("stageReached"),
      key: "stage",
      render: (_: unknown, row) => {
        const stage = stageReached(rules, row.qualified);
        return stage ? t("stageN", { n: stage }) : "—";
      },
    },
    { title: t("stagePointsPaid"), dataIndex: "points", key: "points", align: "right" },
  ];
  return (
    <PagedTable<Leader> pages={pages} rowKey="inviter_id" columns={columns} empty={<EmptyState description={t("noLeaders")} />} scrollLabel={t("leaderboardScroller")} />
  );
}
