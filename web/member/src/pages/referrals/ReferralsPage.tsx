// 邀请有礼: every referral program open now, each with the member's own invite link (copied in a
// tap, or selected for a long press where the clipboard is not available), the member's poster to
// save and send, the stages reached and the next one, the member's rewards and the friends who came
// through the link.
import Button from "antd-mobile/es/components/button";
import ProgressBar from "antd-mobile/es/components/progress-bar";
import Tag from "antd-mobile/es/components/tag";
import Toast from "antd-mobile/es/components/toast";
import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { unwrap } from "@shared/api/client";
import { useLanguage } from "@shared/i18n";
import { useApi, useMemberApp } from "../../app";
import { copyText } from "../../components/clipboard";
import { QueryState } from "../../components/QueryState";
import { formatDate, formatDateTime } from "../../format";
import { useReferralsT } from "./messages";
import { PosterSection } from "./PosterSection";
import {
  actionKey,
  inviteeReasonKey,
  inviteeStatusKey,
  progressOf,
  rewardKindKey,
  rewardNoteKey,
  rewardsByDate,
  rewardStatus,
  waitingKey,
  type Invitee,
  type Referral,
  type Reward,
  type RewardStatus,
} from "./referral";

type TagColor = "success" | "warning" | "danger" | "default";
const INVITEE_COLOR: Record<Invitee["status"], TagColor> = {
  pending: "warning",
  qualified: "success",
  rejected: "default",
  clawed_back: "danger",
};
const REWARD_COLOR: Record<RewardStatus, TagColor> = { paid: "success", reversed: "danger", unrewarded: "default" };

export default function ReferralsPage() {
  const t = useReferralsT();
  const api = useApi();
  const { session } = useMemberApp();
  const referrals = useQuery({
    queryKey: ["me", session?.contactId, "referrals"],
    queryFn: () => unwrap(api.GET("/v1/me/referrals")),
  });
  return (
    <>
      <h1 className="m-title">{t("title")}</h1>
      <QueryState query={referrals} isEmpty={(data) => data.items.length === 0} empty={t("noPrograms")}>
        {(data) => data.items.map((referral) => <Program key={referral.campaign_id} referral={referral} />)}
      </QueryState>
    </>
  );
}

function Program({ referral }: { referral: Referral }) {
  const t = useReferralsT();
  const { language } = useLanguage();
  const id = useId();
  const action = actionKey(referral.qualifying_action);
  return (
    <article className="m-referral" aria-labelledby={`${id}-name`} data-testid="referral-program">
      <header className="m-card m-referral-hero">
        <h2 id={`${id}-name`}>{referral.name}</h2>
        <p>{t("endsAt", { date: formatDate(referral.ends_at, language) })}</p>
        <ul aria-label={t("rules")}>
          {action && <li>{t(action)}</li>}
          {referral.welcome_points > 0 && <li>{t("welcome", { points: referral.welcome_points })}</li>}
        </ul>
      </header>
      <InviteLink referral={referral} />
      <PosterSection referral={referral} />
      <StageProgress referral={referral} />
      <Rewards rewards={referral.rewards} />
      <Invitees referral={referral} />
    </article>
  );
}

function InviteLink({ referral }: { referral: Referral }) {
  const t = useReferralsT();
  const id = useId();
  const link = useRef<HTMLParagraphElement>(null);
  const [manual, setManual] = useState(false);

  async function copy() {
    if (await copyText(referral.url)) {
      setManual(false);
      Toast.show({ content: t("copied") });
      return;
    }
    setManual(true);
    // Selected, the link is one long press away from the system's copy menu.
    if (link.current) window.getSelection()?.selectAllChildren(link.current);
  }

  return (
    <section className="m-card m-stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="m-subtitle">
        {t("myLink")}
      </h3>
      <p className="m-muted" style={{ margin: "0 0 8px" }}>
        {t("linkHint")}
      </p>
      <p ref={link} className="m-invite-link" data-testid="invite-link">
        {referral.url}
      </p>
      <Button color="primary" block onClick={() => void copy()}>
        {t("copy")}
      </Button>
      {manual && (
        <p className="m-error" role="alert" style={{ margin: "8px 0 0" }}>
          {t("copyFallback")}
        </p>
      )}
      <p className="m-row m-muted" style={{ margin: "10px 0 0" }}>
        <span>{t("code")}</span>
        <span className="m-invite-code" data-testid="invite-code">
          {referral.code}
        </span>
      </p>
    </section>
  );
}

function StageProgress({ referral }: { referral: Referral }) {
  const t = useReferralsT();
  const id = useId();
  const { stages, next, goal, percent } = progressOf(referral);
  const nextText = !next
    ? t("allReached")
    : next.missing === 1
      ? t("nextOne", { points: next.points })
      : t("next", { missing: next.missing, points: next.points });
  return (
    <section className="m-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="m-subtitle">
        {t("progress")}
      </h3>
      <div className="m-streak m-center" aria-live="polite" data-testid="qualified">
        {t("qualifiedBefore")} <strong>{referral.qualified}</strong>{" "}
        {referral.qualified === 1 ? t("qualifiedAfterOne") : t("qualifiedAfter")}
      </div>
      <div
        role="progressbar"
        aria-label={t("progress")}
        aria-valuemin={0}
        aria-valuemax={goal}
        aria-valuenow={Math.min(referral.qualified, goal)}
        aria-valuetext={t("progressLabel", { qualified: referral.qualified, goal })}
        style={{ margin: "12px 0 8px" }}
      >
        <ProgressBar percent={percent} text={t("progressText", { qualified: referral.qualified, goal })} />
      </div>
      <p className="m-referral-next" data-testid="next-stage">
        {nextText}
      </p>
      <ol className="m-stages" aria-label={t("stages")}>
        {stages.map((stage) => (
          <li key={stage.number} data-reached={stage.reached ? "true" : "false"}>
            <span className="m-stage-mark" aria-hidden="true">
              {stage.reached ? "✓" : stage.number}
            </span>
            <span className="m-stage-text">
              <span>{t("stageTitle", { n: stage.number, invitees: stage.invitees })}</span>
              <strong className="m-plus">{t("stagePoints", { points: stage.points })}</strong>
            </span>
            <Tag color={stage.reached ? "success" : "default"} fill="outline">
              {stage.reached ? t("reached") : t("missing", { missing: stage.missing })}
            </Tag>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Rewards({ rewards }: { rewards: Reward[] }) {
  const t = useReferralsT();
  const { language } = useLanguage();
  const id = useId();
  return (
    <section className="m-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="m-subtitle">
        {t("rewards")}
      </h3>
      {rewards.length === 0 ? (
        <p className="m-muted" style={{ margin: 0 }}>
          {t("noRewards")}
        </p>
      ) : (
        <ul className="m-lines" aria-labelledby={`${id}-title`}>
          {rewardsByDate(rewards).map((reward) => {
            const status = rewardStatus(reward);
            const note = rewardNoteKey(reward);
            return (
              <li key={reward.reward_id}>
                <div>
                  <div>
                    {t(rewardKindKey(reward), { n: reward.stage ?? "" })}
                    {reward.points > 0 && (
                      <strong className={status === "paid" ? "m-plus" : undefined} style={{ marginLeft: 8 }}>
                        {t("stagePoints", { points: reward.points })}
                      </strong>
                    )}
                  </div>
                  <div className="m-muted">
                    {t("earnedAt", { at: formatDateTime(reward.earned_at, language) })}
                    {note && ` · ${t(note)}`}
                  </div>
                </div>
                <Tag color={REWARD_COLOR[status]} fill="outline">
                  {t(`rs_${status}`)}
                </Tag>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Invitees({ referral }: { referral: Referral }) {
  const t = useReferralsT();
  const { language } = useLanguage();
  const id = useId();
  const waiting = waitingKey(referral.qualifying_action);
  const detail = (invitee: Invitee) => {
    if (invitee.status === "qualified" && invitee.qualified_at) {
      return t("qualifiedAt", { at: formatDateTime(invitee.qualified_at, language) });
    }
    const reason = inviteeReasonKey(invitee);
    if (reason) return t(reason);
    return invitee.status === "pending" && waiting ? t(waiting) : null;
  };
  return (
    <section className="m-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="m-subtitle">
        {t("invitees")}
      </h3>
      {referral.invitees.length === 0 ? (
        <p className="m-muted" style={{ margin: 0 }}>
          {t("noInvitees")}
        </p>
      ) : (
        <ul className="m-lines" aria-labelledby={`${id}-title`}>
          {referral.invitees.map((invitee, index) => {
            const status = inviteeStatusKey(invitee);
            const more = detail(invitee);
            return (
              <li key={`${invitee.invited_at}-${index}`}>
                <div>
                  <div>{t("invitedAt", { at: formatDateTime(invitee.invited_at, language) })}</div>
                  {more && <div className="m-muted">{more}</div>}
                </div>
                {status && (
                  <Tag color={INVITEE_COLOR[invitee.status]} fill="outline">
                    {t(status)}
                  </Tag>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
