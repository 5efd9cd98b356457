// The campaign form's values and the bodies they make: create sends every field, edit sends what
// may change (an emptied brand or entry URL clears it). A referral (裂变) program carries its rules:
// stages of invitees and the inviter's points, the invitee's welcome, what qualifies an invitee,
// the per-inviter cap (empty: the last stage's) and the claw-back window.
import dayjs, { type Dayjs } from "dayjs";
import { ApiError, type Schemas } from "@shared/api/client";

export type CampaignKind = Schemas["CampaignView"]["kind"];
export type QualifyingAction = Schemas["ReferralRules"]["qualifying_action"];

export const KINDS: readonly CampaignKind[] = ["standard", "referral"];
export const QUALIFYING_ACTIONS: readonly QualifyingAction[] = ["phone_bound", "first_order", "wecom_added"];
/** The API's limit on a program's stages. */
export const MAX_STAGES = 10;

/** A stage as the form holds it: a cleared number is null until the person types one. */
export interface StageValues {
  invitees: number | null;
  points: number | null;
}

export interface ReferralValues {
  stages: StageValues[];
  welcome_points: number;
  qualifying_action: QualifyingAction;
  per_inviter_cap: number | null;
  clawback_days: number;
  share_visitor_points: number;
  share_visitors_per_day: number;
}

export interface CampaignValues {
  name: string;
  brand: string;
  kind: CampaignKind;
  starts_at: Dayjs;
  ends_at: Dayjs;
  acquisition_points: number;
  engagement_points: number;
  points_budget: number;
  entry_url: string;
  /** Kept for a standard campaign too (switching kind back and forth loses nothing), sent only for a referral. */
  referral: ReferralValues;
}

/** A new program's rules: one stage, a welcome, a phone bound to qualify, claw-back in 7 days. */
export function newReferralValues(): ReferralValues {
  return { stages: [{ invitees: 3, points: 100 }], welcome_points: 20, qualifying_action: "phone_bound", per_inviter_cap: null, clawback_days: 7, share_visitor_points: 0, share_visitors_per_day: 10 };
}

/** A new campaign's form: from the start of today for 30 days. */
export function newCampaignValues(now: Dayjs = dayjs()): CampaignValues {
  const start = now.startOf("day");
  return {
    name: "",
    brand: "",
    kind: "standard",
    starts_at: start,
    ends_at: start.add(30, "day"),
    acquisition_points: 100,
    engagement_points: 10,
    points_budget: 100_000,
    entry_url: "",
    referral: newReferralValues(),
  };
}

function referralValues(rules: Schemas["ReferralRules"]): ReferralValues {
  return {
    stages: rules.stages.map((stage) => ({ invitees: stage.invitees, points: stage.points })),
    welcome_points: rules.welcome_points,
    qualifying_action: rules.qualifying_action,
    per_inviter_cap: rules.per_inviter_cap ?? null,
    clawback_days: rules.clawback_days,
    share_visitor_points: rules.share_visitor_points,
    share_visitors_per_day: rules.share_visitors_per_day,
  };
}

export function campaignValues(campaign: Schemas["CampaignView"]): CampaignValues {
  return {
    name: campaign.name,
    brand: campaign.brand ?? "",
    kind: campaign.kind,
    starts_at: dayjs(campaign.starts_at),
    ends_at: dayjs(campaign.ends_at),
    acquisition_points: campaign.acquisition_points,
    engagement_points: campaign.engagement_points,
    points_budget: campaign.points_budget,
    entry_url: campaign.entry_url ?? "",
    referral: campaign.referral ? referralValues(campaign.referral) : newReferralValues(),
  };
}

/** The rules as the API takes them. A stage's number left empty goes as 0, which the API refuses
 * on that stage's field (the form requires both before it sends). */
export function referralBody(values: ReferralValues): Schemas["ReferralRules"] {
  return {
    stages: values.stages.map((stage) => ({ invitees: stage.invitees ?? 0, points: stage.points ?? 0 })),
    welcome_points: values.welcome_points,
    qualifying_action: values.qualifying_action,
    per_inviter_cap: values.per_inviter_cap ?? null,
    clawback_days: values.clawback_days,
    share_visitor_points: values.share_visitor_points,
    share_visitors_per_day: values.share_visitors_per_day,
  };
}

export function createBody(values: CampaignValues): Schemas["CampaignCreate"] {
  const body: Schemas["CampaignCreate"] = {
    name: values.name.trim(),
    starts_at: values.starts_at.toISOString(),
    ends_at: values.ends_at.toISOString(),
    acquisition_points: values.acquisition_points,
    engagement_points: values.engagement_points,
    points_budget: values.points_budget,
    kind: values.kind,
  };
  if (values.brand.trim()) body.brand = values.brand.trim();
  if (values.entry_url.trim()) body.entry_url = values.entry_url.trim();
  if (values.kind === "referral") body.referral = referralBody(values.referral);
  return body;
}

/** An edit: the kind never changes, a referral program's rules go with it. */
export function patchBody(values: CampaignValues): Schemas["CampaignPatch"] {
  const body: Schemas["CampaignPatch"] = {
    name: values.name.trim(),
    brand: values.brand.trim() || null,
    starts_at: values.starts_at.toISOString(),
    ends_at: values.ends_at.toISOString(),
    acquisition_points: values.acquisition_points,
    engagement_points: values.engagement_points,
    points_budget: values.points_budget,
    entry_url: values.entry_url.trim() || null,
  };
  if (values.kind === "referral") body.referral = referralBody(values.referral);
  return body;
}

/** The largest single reward the program may pay (a stage's or the welcome): the budget must cover it. */
export function largestReward(values: Pick<ReferralValues, "stages" | "welcome_points"> & Partial<Pick<ReferralValues, "share_visitor_points">>): number {
  return Math.max(values.welcome_points ?? 0, values.share_visitor_points ?? 0, ...values.stages.map((stage) => stage.points ?? 0));
}

const isAt = (loc: readonly string[], path: readonly string[]) => loc.length === path.length && loc.every((part, i) => part === path[i]);

/** The program's own check (each stage needs more invitees than the one before) answers at
 * `body.referral`, the rules as a whole, which no control stands for: it is about the stages, so it
 * is moved onto the stages list. Any other error is returned as it came. */
export function stagesProblem(error: unknown): unknown {
  if (!(error instanceof ApiError) || !error.problem.errors?.some((e) => isAt(e.loc, ["body", "referral"]))) return error;
  return new ApiError({
    ...error.problem,
    errors: error.problem.errors.map((e) => (isAt(e.loc, ["body", "referral"]) ? { ...e, loc: ["body", "referral", "stages"] } : e)),
  });
}
