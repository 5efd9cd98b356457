// Rewards: the catalog a member may redeem now, redemption with confirmation (one idempotency key
// per reward until its redemption succeeds or is refused, so a retry after a lost answer never
// redeems twice), and the member's redemptions.
import Button from "antd-mobile/es/components/button";
import Dialog from "antd-mobile/es/components/dialog";
import Tag from "antd-mobile/es/components/tag";
import Toast from "antd-mobile/es/components/toast";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { ApiError, idempotencyKey, unwrap, type Schemas } from "@shared/api/client";
import { problemText } from "@shared/api/problems";
import { useLanguage } from "@shared/i18n";
import { useApi, useMemberApp } from "../../app";
import { useAccount } from "../../components/account";
import { LoadMore, useCursorPages } from "../../components/cursor";
import { PageLoading } from "../../components/PageLoading";
import { EmptyState, ErrorState } from "../../components/QueryState";
import { formatDate, formatDateTime } from "../../format";
import { useCommonT } from "../../messages";
import { useRewardsT } from "./messages";

type Reward = Schemas["RewardView"];
const CONFLICTS = ["insufficient_points", "not_available", "out_of_stock", "limit_reached"] as const;
const STATUS_COLOR = { requested: "warning", fulfilled: "success", cancelled: "default" } as const;

export default function RewardsPage() {
  const t = useRewardsT();
  const account = useAccount();
  return (
    <>
      <h1 className="m-title">{t("title")}</h1>
      <p className="m-muted" style={{ margin: "0 4px 12px" }} data-testid="rewards-balance">
        {account.data ? t("balance", { balance: account.data.balance }) : "\u00a0"}
      </p>
      <Catalog balance={account.data?.balance} />
      <h2 className="m-subtitle">{t("mine")}</h2>
      <Redemptions />
    </>
  );
}

function Catalog({ balance }: { balance: number | undefined }) {
  const t = useRewardsT();
  const common = useCommonT();
  const { language } = useLanguage();
  const api = useApi();
  const { session } = useMemberApp();
  const client = useQueryClient();
  const pages = useCursorPages(["me", session?.contactId, "rewards"], (cursor) =>
    unwrap(api.GET("/v1/rewards", { params: { query: { limit: 20, cursor } } })),
  );

  // One key per reward while its redemption's outcome is unknown: a new key only after it succeeded
  // or the API refused it (4xx); after a lost answer (network, 5xx) the retry sends the same key.
  const keys = useRef(new Map<string, string>());
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const inFlight = useRef(new Set<string>()); // a second tap before the button shows it is busy
  const busy = (id: string, on: boolean) => {
    if (on) inFlight.current.add(id);
    else inFlight.current.delete(id);
    setPending((now) => {
      const next = new Set(now);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };

  async function redeem(reward: Reward) {
    const id = reward.reward_id;
    if (inFlight.current.has(id)) return;
    busy(id, true);
    try {
      const confirmed = await Dialog.confirm({
        title: t("confirmTitle"),
        content: t("confirm", { cost: reward.cost, name: reward.name }),
        confirmText: t("confirmOk"),
        cancelText: t("cancel"),
      });
      if (!confirmed) return;
      const key = keys.current.get(id) ?? idempotencyKey();
      keys.current.set(id, key);
      try {
        const done = await unwrap(
          api.POST("/v1/me/redemptions", {
            params: { header: { "Idempotency-Key": key } },
            body: { reward_id: id },
          }),
        );
        keys.current.delete(id);
        Toast.show({ content: t("redeemed", { balance: done.balance }) });
      } catch (error) {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) keys.current.delete(id);
        const reason = error instanceof ApiError ? CONFLICTS.find((r) => r === error.reason) : undefined;
        Toast.show({ content: reason ? t(`e_${reason}`) : problemText(error, common("networkError")) });
      } finally {
        await client.invalidateQueries({ queryKey: ["me", session?.contactId] });
      }
    } finally {
      busy(id, false);
    }
  }

  if (pages.isPending) return <PageLoading />;
  if (pages.isError) return <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />;
  if (pages.items.length === 0) return <EmptyState>{t("noRewards")}</EmptyState>;
  return (
    <>
      <ul style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label={t("catalog")}>
        {pages.items.map((reward) => {
          const soldOut = reward.stock === 0;
          const short = balance !== undefined && balance < reward.cost;
          return (
            <li key={reward.reward_id} className="m-card">
              <div className="m-row">
                <h3 style={{ margin: 0, fontSize: 16 }}>{reward.name}</h3>
                <strong className="m-plus">{t("cost", { cost: reward.cost })}</strong>
              </div>
              {reward.description && <p style={{ margin: "6px 0" }}>{reward.description}</p>}
              <div className="m-muted">
                {[
                  reward.stock !== null && t("stock", { stock: reward.stock }),
                  reward.per_member_limit !== null && t("perMember", { limit: reward.per_member_limit }),
                  reward.valid_until && t("validUntil", { date: formatDate(reward.valid_until, language) }),
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </div>
              <Button
                style={{ marginTop: 10 }}
                color="primary"
                block
                disabled={soldOut || short}
                loading={pending.has(reward.reward_id)}
                onClick={() => void redeem(reward)}
                aria-label={soldOut || short ? undefined : `${t("redeem")} ${reward.name}`}
              >
                {soldOut ? t("soldOut") : short ? t("notEnough") : t("redeem")}
              </Button>
            </li>
          );
        })}
      </ul>
      <LoadMore pages={pages} />
    </>
  );
}

function Redemptions() {
  const t = useRewardsT();
  const { language } = useLanguage();
  const api = useApi();
  const { session } = useMemberApp();
  const pages = useCursorPages(["me", session?.contactId, "redemptions"], (cursor) =>
    unwrap(api.GET("/v1/me/redemptions", { params: { query: { limit: 20, cursor } } })),
  );
  if (pages.isPending) return <PageLoading />;
  if (pages.isError) return <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />;
  if (pages.items.length === 0) return <EmptyState>{t("noRedemptions")}</EmptyState>;
  return (
    <>
      <ul style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label={t("mine")}>
        {pages.items.map((redemption) => (
          <li key={redemption.redemption_id} className="m-card m-row">
            <div>
              <div>{redemption.reward_name}</div>
              <div className="m-muted">
                {formatDateTime(redemption.created_at, language)} · {t("cost", { cost: redemption.points })}
              </div>
            </div>
            <Tag color={STATUS_COLOR[redemption.status]} fill="outline">
              {t(`s_${redemption.status}`)}
            </Tag>
          </li>
        ))}
      </ul>
      <LoadMore pages={pages} />
    </>
  );
}
