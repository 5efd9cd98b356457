// What a member's referral program reads as: the stages reached and the next one, a reward's status
// and an invitee's reason as message keys (a reason or state the API adds later reads as a general
// one, not as a raw code).
import type { Schemas } from "@shared/api/client";

export type Referral = Schemas["MyReferral"];
export type Invitee = Schemas["MyInvitee"];
export type Reward = Schemas["ReferralReward"];

export interface StageView {
  number: number;
  invitees: number;
  points: number;
  reached: boolean;
  /** Qualified invitees still needed (0 once reached). */
  missing: number;
}

export interface Progress {
  stages: StageView[];
  /** The first stage not reached yet (null: all reached). */
  next: StageView | null;
  /** The last stage's invitees: the bar's end. */
  goal: number;
  /** 0–100. */
  percent: number;
}

export function progressOf(referral: Pick<Referral, "stages" | "qualified">): Progress {
  const stages = referral.stages.map((stage, index) => ({
    number: index + 1,
    invitees: stage.invitees,
    points: stage.points,
    reached: referral.qualified >= stage.invitees,
    missing: Math.max(stage.invitees - referral.qualified, 0),
  }));
  const goal = stages.at(-1)?.invitees ?? 0;
  const percent = goal > 0 ? Math.min(100, Math.round((referral.qualified / goal) * 100)) : 0;
  return { stages, next: stages.find((stage) => !stage.reached) ?? null, goal, percent };
}

export type RewardStatus = "paid" | "reversed" | "unrewarded";

export function rewardStatus(reward: Reward): RewardStatus {
  if (reward.reversed_at) return "reversed";
  return reward.rewarded ? "paid" : "unrewarded";
}

const UNREWARDED = ["budget_exhausted", "no_reward"] as const;
const REVERSALS = ["deleted_staff", "refunded", "identity_reused", "not_new_contact"] as const;

/** Why a reward was not paid or was taken back, as a message key (null: nothing to say). */
export function rewardNoteKey(reward: Reward) {
  const status = rewardStatus(reward);
  if (status === "reversed") {
    const reason = REVERSALS.find((known) => known === reward.reversal_reason);
    return reason ? (`rr_${reason}` as const) : ("rr_other" as const);
  }
  if (status === "unrewarded") {
    const reason = UNREWARDED.find((known) => known === reward.unrewarded_reason);
    return reason ? (`ur_${reason}` as const) : null;
  }
  return null;
}

// share (points for the visitors a shared link brings) is named ahead of the generated types too;
// a kind the page does not know yet reads as a reward from the program.
const KINDS = ["stage", "welcome", "share"] as const;

export function rewardKindKey(reward: Reward) {
  const kind = KINDS.find((known) => known === reward.kind);
  return kind ? (`reward_${kind}` as const) : ("reward_other" as const);
}

/** Newest first. */
export function rewardsByDate(rewards: Reward[]): Reward[] {
  return [...rewards].sort((a, b) => b.earned_at.localeCompare(a.earned_at));
}

const STATUSES = ["pending", "qualified", "rejected", "clawed_back"] as const;
// identity_reused (a device or phone another member used first) is named ahead of the generated
// types: it reads in words from the day the API sends it.
const REASONS = ["self_invite", "not_new_contact", "cycle", "identity_reused", "deleted_staff", "refunded"] as const;
const ACTIONS = ["phone_bound", "first_order", "wecom_added"] as const;

export function inviteeStatusKey(invitee: Invitee) {
  const status = STATUSES.find((known) => known === invitee.status);
  return status ? (`st_${status}` as const) : null;
}

/** An invitee's reason in words: the known ones each their own, any other by its status. */
export function inviteeReasonKey(invitee: Invitee) {
  const reason = REASONS.find((known) => known === invitee.reason);
  if (reason) return `reason_${reason}` as const;
  if (invitee.status === "rejected") return "reason_other_rejected" as const;
  if (invitee.status === "clawed_back") return "reason_other_clawed_back" as const;
  return null;
}

export function actionKey(action: Referral["qualifying_action"]) {
  const known = ACTIONS.find((a) => a === action);
  return known ? (`action_${known}` as const) : null;
}

export function waitingKey(action: Referral["qualifying_action"]) {
  const known = ACTIONS.find((a) => a === action);
  return known ? (`wait_${known}` as const) : null;
}
