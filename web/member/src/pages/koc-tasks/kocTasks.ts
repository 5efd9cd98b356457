// A KOC's task as the H5 reads it: how far it is (a bar never past full), what the member can do
// next, and whether a review link is one the API takes (https, no spaces, 8 to 500 characters).
import type { Schemas } from "@shared/api/client";

export type MyKocTask = Schemas["MyKocTask"];
export type MyStatus = MyKocTask["my_status"];

export type TagColor = "success" | "warning" | "danger" | "primary" | "default";
export const STATUS_COLOR: Record<MyStatus, TagColor> = { in_progress: "primary", submitted: "warning", completed: "success", rejected: "danger" };

/** Progress as a bar shows it: 0 to 100, whole. */
export function percent(task: Pick<MyKocTask, "progress" | "target">): number {
  if (task.target <= 0) return 0;
  return Math.round((Math.min(task.progress, task.target) / task.target) * 100);
}

/** What the member does next on the task's card. */
export type NextStep = "done" | "share" | "invite" | "submit" | "wait" | "resubmit";

export function nextStep(task: Pick<MyKocTask, "kind" | "my_status">): NextStep {
  if (task.my_status === "completed") return "done";
  if (task.kind === "share_groups") return "share";
  if (task.kind === "bring_visitors") return "invite";
  if (task.my_status === "submitted") return "wait";
  return task.my_status === "rejected" ? "resubmit" : "submit";
}

const REVIEW_URL = /^https:\/\/\S+$/;

export function isReviewUrl(value: string): boolean {
  return value.length >= 8 && value.length <= 500 && REVIEW_URL.test(value);
}
