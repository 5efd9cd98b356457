// A contact's behaviour timeline: every fact from every service, newest first, a cursor page at a
// time ("load more" appends the next), filtered by type; each fact with its icon, label and words.
import {
  CustomerServiceOutlined,
  GiftOutlined,
  LoginOutlined,
  MergeCellsOutlined,
  QrcodeOutlined,
  RiseOutlined,
  RollbackOutlined,
  ShoppingCartOutlined,
  StarOutlined,
  TagOutlined,
  TeamOutlined,
  TrophyOutlined,
  UserAddOutlined,
  WalletOutlined,
  WechatWorkOutlined,
} from "@ant-design/icons";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, Form, Select, Skeleton, Space, Typography } from "antd";
import type { ReactNode } from "react";
import { useState } from "react";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { formatTime } from "../../components/format";
import { EmptyState, ErrorState } from "../../components/QueryState";
import { useCommonT } from "../../components/messages";
import { TONES, type Tone } from "../../components/Tone";
import { useCasesT } from "../cases/messages";
import { describeFact, TIMELINE_TYPES, type FactWords, type TimelineEntry, type TimelineType } from "./facts";
import { useInsightT, type InsightT } from "./insightMessages";

const PAGE = 20;

const LOOK: Record<TimelineType, { icon: ReactNode; tone: Tone }> = {
  QrCodeScanned: { icon: <QrcodeOutlined />, tone: "info" },
  MemberLoggedIn: { icon: <LoginOutlined />, tone: "neutral" },
  ContactCreated: { icon: <UserAddOutlined />, tone: "info" },
  ContactTagged: { icon: <TagOutlined />, tone: "note" },
  ContactUntagged: { icon: <TagOutlined />, tone: "neutral" },
  ContactOwnerChanged: { icon: <TeamOutlined />, tone: "neutral" },
  ContactsMerged: { icon: <MergeCellsOutlined />, tone: "warning" },
  CampaignConversionRecorded: { icon: <RiseOutlined />, tone: "success" },
  OrderPaid: { icon: <ShoppingCartOutlined />, tone: "success" },
  OrderRefunded: { icon: <RollbackOutlined />, tone: "danger" },
  PointsAwarded: { icon: <WalletOutlined />, tone: "success" },
  PointsReversed: { icon: <WalletOutlined />, tone: "danger" },
  PointsExpired: { icon: <WalletOutlined />, tone: "warning" },
  PointsAdjusted: { icon: <WalletOutlined />, tone: "info" },
  RewardRedeemed: { icon: <GiftOutlined />, tone: "success" },
  RedemptionFulfilled: { icon: <GiftOutlined />, tone: "info" },
  RedemptionCancelled: { icon: <GiftOutlined />, tone: "danger" },
  TierChanged: { icon: <TrophyOutlined />, tone: "note" },
  CaseOpened: { icon: <CustomerServiceOutlined />, tone: "info" },
  CaseStatusChanged: { icon: <CustomerServiceOutlined />, tone: "neutral" },
  CaseRated: { icon: <StarOutlined />, tone: "note" },
  WeComContactAdded: { icon: <WechatWorkOutlined />, tone: "success" },
  WeComContactRemoved: { icon: <WechatWorkOutlined />, tone: "danger" },
};

export function useFactWords(): FactWords {
  const t = useInsightT();
  const tc = useCasesT();
  const known = (key: string, fallback: string) => {
    const text = (t as (k: string) => string)(key);
    return text === key ? fallback : text;
  };
  const knownCase = (key: string, fallback: string) => {
    const text = (tc as (k: string) => string)(key);
    return text === key ? fallback : text;
  };
  return {
    caseStatus: (status) => knownCase(`status_${status}`, status),
    casePriority: (priority) => knownCase(`priority_${priority}`, priority),
    loginKind: (kind) => known(`login_${kind}`, kind),
    brand: (brand) => (!brand || brand === "*" ? t("brand_all") : t("brand_one", { brand })),
    evidence: (kind) => known(`evidence_${kind}`, kind),
    none: t("none"),
  };
}

export function typeLabel(t: InsightT, type: string): string {
  const text = (t as (k: string) => string)(`type_${type}`);
  return text === `type_${type}` ? type : text;
}

function Fact({ entry, words }: { entry: TimelineEntry; words: FactWords }) {
  const t = useInsightT();
  const look = LOOK[entry.type] ?? { icon: null, tone: "neutral" as Tone };
  const { key, values } = describeFact(entry, words);
  return (
    <li style={{ display: "flex", gap: 12, padding: "10px 0", borderBottom: "1px solid #f0f0f0" }}>
      <span
        aria-hidden
        style={{
          ...TONES[look.tone],
          flex: "none",
          width: 32,
          height: 32,
          borderRadius: 16,
          border: `1px solid ${TONES[look.tone].borderColor}`,
          display: "inline-flex",
          alignItems: "center",
          justifyContent: "center",
        }}
      >
        {look.icon}
      </span>
      <div style={{ minWidth: 0, flex: 1 }}>
        <div style={{ display: "flex", flexWrap: "wrap", gap: 8, alignItems: "baseline" }}>
          <Typography.Text strong>{typeLabel(t, entry.type)}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            <time dateTime={entry.occurred_at}>{formatTime(entry.occurred_at)}</time>
          </Typography.Text>
        </div>
        <div style={{ overflowWrap: "anywhere" }}>{t(key, values)}</div>
      </div>
    </li>
  );
}

export function ContactTimeline({ contactId }: { contactId: string }) {
  const t = useInsightT();
  const common = useCommonT();
  const api = useApi();
  const words = useFactWords();
  const [types, setTypes] = useState<TimelineType[]>([]);
  const query = useInfiniteQuery({
    queryKey: ["contact", contactId, "timeline", [...types].sort()],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/contacts/{contact_id}/timeline", {
          params: {
            path: { contact_id: contactId },
            query: { limit: PAGE, ...(types.length ? { types } : {}), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const entries = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Form layout="vertical" style={{ maxWidth: 520 }}>
        <Form.Item label={t("timelineTypes")} htmlFor="timeline-types" style={{ marginBottom: 0 }}>
          <Select<TimelineType[]>
            id="timeline-types"
            aria-label={t("timelineTypes")}
            mode="multiple"
            allowClear
            value={types}
            onChange={setTypes}
            placeholder={t("timelineAnyType")}
            options={TIMELINE_TYPES.map((type) => ({ value: type, label: typeLabel(t, type) }))}
            maxTagCount="responsive"
            optionFilterProp="label"
          />
        </Form.Item>
      </Form>
      {query.isPending ? (
        <Skeleton active aria-label={common("loading")} />
      ) : query.isError && !query.data ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : entries.length === 0 && !query.hasNextPage ? (
        <EmptyState description={types.length ? t("timelineEmptyFiltered") : t("timelineEmpty")} />
      ) : (
        <>
          <ol aria-label={t("timelineSection")} style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {entries.map((entry) => (
              <Fact key={entry.event_id} entry={entry} words={words} />
            ))}
          </ol>
          {query.hasNextPage ? (
            <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
              {t("loadMore")}
            </Button>
          ) : (
            <Typography.Text type="secondary">{t("timelineEnd")}</Typography.Text>
          )}
          {query.isFetchNextPageError && <ErrorState error={query.error} onRetry={() => void query.fetchNextPage()} />}
        </>
      )}
    </Space>
  );
}
