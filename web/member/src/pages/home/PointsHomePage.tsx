// Points home: balance, tier, points expiring soon, the history (cursor-paged), and the way on.
import Button from "antd-mobile/es/components/button";
import List from "antd-mobile/es/components/list";
import { useNavigate } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useLanguage } from "@shared/i18n";
import { useApi, useMemberApp } from "../../app";
import { useAccount } from "../../components/account";
import { useCursorPages, LoadMore } from "../../components/cursor";
import { EmptyState, ErrorState, QueryState } from "../../components/QueryState";
import { PageLoading } from "../../components/PageLoading";
import { formatDate, formatDateTime } from "../../format";
import { useHomeT } from "./messages";

type Entry = Schemas["Entry"];
type Translate = ReturnType<typeof useHomeT>;

const REASONS = ["checkin", "campaign_acquisition", "campaign_engagement", "reward_redeemed", "order_refunded"] as const;

export function entryLabel(entry: Entry, t: Translate): string {
  const reason = REASONS.find((r) => r === entry.reason);
  if (reason) return t(`r_${reason}`);
  if (entry.type === "adjustment" && entry.reason) return entry.reason;
  return t(`t_${entry.type}`);
}

export default function PointsHomePage() {
  const t = useHomeT();
  const { language } = useLanguage();
  const navigate = useNavigate();
  const account = useAccount();

  return (
    <>
      <h1 className="m-title">{t("title")}</h1>
      <QueryState query={account}>
        {(data) => (
          <>
            <section className="m-card" aria-label={t("balance")}>
              <div className="m-muted">{t("balance")}</div>
              <div className="m-big" data-testid="balance">
                {data.balance}
              </div>
              <div className="m-row m-muted">
                <span>{data.tier ? t("tier", { tier: data.tier }) : t("noTier")}</span>
                <span>{t("lifetime", { points: data.lifetime_earned })}</span>
              </div>
            </section>
            <section className="m-card" aria-labelledby="expiring-title">
              <h2 id="expiring-title" className="m-subtitle" style={{ marginTop: 0 }}>
                {t("expiring")}
              </h2>
              {data.expiring.length === 0 ? (
                <p className="m-muted">{t("noExpiring")}</p>
              ) : (
                <ul style={{ margin: 0, paddingLeft: 20 }}>
                  {data.expiring.map((lot) => (
                    <li key={lot.expires_at}>
                      {t("expiringItem", { points: lot.points, date: formatDate(lot.expires_at, language) })}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
      </QueryState>
      <nav aria-label={t("shortcuts")} className="m-shortcuts">
        <Button block onClick={() => navigate("/checkin")}>
          {t("goCheckin")}
        </Button>
        <Button block onClick={() => navigate("/rewards")}>
          {t("goRewards")}
        </Button>
        <Button block onClick={() => navigate("/cases")}>
          {t("goCases")}
        </Button>
        <Button block onClick={() => navigate("/referrals")}>
          {t("goReferrals")}
        </Button>
        {/* Shown to every member: the page tells one who is not a KOC yet how to become one. */}
        <Button block onClick={() => navigate("/koc-tasks")} style={{ gridColumn: "1 / -1" }}>
          {t("goKocTasks")}
        </Button>
      </nav>
      <h2 className="m-subtitle">{t("history")}</h2>
      <History />
    </>
  );
}

function History() {
  const t = useHomeT();
  const { language } = useLanguage();
  const api = useApi();
  const { session } = useMemberApp();
  const pages = useCursorPages(["me", session?.contactId, "entries"], async (cursor) =>
    unwrap(api.GET("/v1/me/points/entries", { params: { query: { limit: 20, cursor } } })),
  );
  if (pages.isPending) return <PageLoading />;
  if (pages.isError) return <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />;
  if (pages.items.length === 0) return <EmptyState>{t("noHistory")}</EmptyState>;
  return (
    <>
      <List aria-label={t("history")} style={{ borderRadius: 12, overflow: "hidden", marginBottom: 12 }}>
        {pages.items.map((entry) => (
          <List.Item
            key={entry.entry_id}
            description={formatDateTime(entry.created_at, language)}
            extra={
              <span style={{ textAlign: "right", display: "inline-block" }}>
                <strong className={entry.points > 0 ? "m-plus" : undefined}>
                  {entry.points > 0 ? `+${entry.points}` : entry.points}
                </strong>
                <br />
                <span className="m-muted">{t("balanceAfter", { balance: entry.balance_after })}</span>
              </span>
            }
          >
            {entryLabel(entry, t)}
          </List.Item>
        ))}
      </List>
      <LoadMore pages={pages} />
    </>
  );
}
