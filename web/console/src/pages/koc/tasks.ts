// KOC tasks as the console reads and sends them: the referral programs a task may belong to, the
// form's values and the body it sends (a review's target is always 1), and the API's 422 worded for
// the form (a refusal of the body as a whole that is about the target goes on the target).
import { ApiError, type Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";

export type KocTask = Schemas["KocTaskView"];
export type KocTaskKind = KocTask["kind"];
export type KocTaskCreate = Schemas["KocTaskCreate"];
export type Submission = Schemas["KocTaskProgress"];
type Campaign = Schemas["CampaignView"];

export const KINDS = ["share_groups", "bring_visitors", "post_review"] as const satisfies readonly KocTaskKind[];

export const STATUS_TONES: Record<KocTask["status"], Tone> = { active: "success", ended: "neutral" };

/** The largest target the API takes. */
export const MAX_TARGET = 1_000;
export const MAX_POINTS = 1_000_000;

/** The form's values: a cleared number is null; no program chosen yet is undefined. */
export interface TaskValues {
  campaign_id?: string;
  title: string;
  kind: KocTaskKind;
  target: number | null;
  points: number | null;
}

export function newTaskValues(): TaskValues {
  return { campaign_id: undefined, title: "", kind: "share_groups", target: 1, points: null };
}

/** A review is one review: its target is fixed at 1, whatever the form held before. */
export function targetFixed(kind: KocTaskKind): boolean {
  return kind === "post_review";
}

export function taskBody(values: TaskValues): KocTaskCreate {
  return {
    campaign_id: values.campaign_id ?? "",
    title: values.title.trim(),
    kind: values.kind,
    target: targetFixed(values.kind) ? 1 : (values.target ?? 0),
    points: values.points ?? 0,
  };
}

/** The tenant's referral programs a task can be set on (an ended one pays nothing more), running
 * ones first, each group in the API's order (newest first). */
export function referralPrograms(campaigns: Campaign[]): Campaign[] {
  const programs = campaigns.filter((campaign) => campaign.kind === "referral" && campaign.status !== "ended");
  return [...programs.filter((program) => program.status === "active"), ...programs.filter((program) => program.status !== "active")];
}

/** What is left of a program's points budget. */
export function budgetLeft(program: Pick<Campaign, "points_budget" | "points_awarded">): number {
  return Math.max(0, program.points_budget - program.points_awarded);
}

/** The API's words for the form's fields that the console says in its own words. */
export type TaskProblemWords = { notReferral: string; overBudget: string; reviewTarget: string };

const isAt = (loc: string[], path: string[]) => loc.length === path.length && path.every((part, index) => loc[index] === part);

/** The 422 with the API's terse codes in words, and a refusal of the body as a whole about the
 * target (a review whose target is not 1) on the target field. Anything else as it came. */
export function taskProblem(error: unknown, words: TaskProblemWords): unknown {
  if (!(error instanceof ApiError) || !error.problem.errors?.length) return error;
  return new ApiError({
    ...error.problem,
    errors: error.problem.errors.map((e) => {
      if (isAt(e.loc, ["body", "campaign_id"]) && e.msg === "not referral") return { ...e, msg: words.notReferral };
      if (isAt(e.loc, ["body", "points"]) && e.msg === "over budget") return { ...e, msg: words.overBudget };
      if (isAt(e.loc, ["body"]) && /target/i.test(e.msg)) return { ...e, loc: ["body", "target"], msg: words.reviewTarget };
      return e;
    }),
  });
}
