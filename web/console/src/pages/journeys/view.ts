// How a journey and its steps read on the page: status tones, durations, one-line step summaries.
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";
import { CHOOSE_TEMPLATE, type Definition, type Step } from "./graph";
import type { JourneysT } from "./messages";

export type Status = Schemas["JourneyView"]["status"];
export type EventName = Schemas["EventMatch"]["event"];
export type Stage = Schemas["LifecycleTrigger"]["to_stage"];

export const STATUS_TONES: Record<Status, Tone> = { draft: "neutral", live: "success", paused: "warning" };

export const EVENTS: EventName[] = ["ContactCreated", "WeComCustomerIdentified", "CampaignConversionRecorded", "OrderBuyerIdentified", "PointsExpiring", "CaseStatusChanged", "TierChanged"];
export const STAGES: Stage[] = ["new", "growing", "mature", "dormant", "churned"];

/** 1440 → "1 天", 90 → "90 分钟", 120 → "2 小时". */
export function duration(t: JourneysT, minutes: number): string {
  if (minutes % 1440 === 0) return t("days", { n: minutes / 1440 });
  if (minutes % 60 === 0) return t("hours", { n: minutes / 60 });
  return t("minutes", { n: minutes });
}

export interface Names {
  template: (id: string) => string;
  segment: (id: string) => string;
}

export function stepSummary(t: JourneysT, step: Step, names: Names): string {
  switch (step.type) {
    case "wait": {
      const timeout = step.timeout_minutes ? t("timeoutAfter", { duration: duration(t, step.timeout_minutes) }) : "";
      if (step.until_event) return t("waitUntilEvent", { event: step.until_event.event }) + timeout;
      if (step.until_time) return t("waitUntilTime", { time: step.until_time });
      return t("waitMinutes", { duration: duration(t, step.minutes ?? 0) });
    }
    case "branch": {
      const condition = step.condition;
      if (condition.kind === "segment") return t("branchSegment", { segment: names.segment(condition.segment_id) });
      if (condition.kind === "event") return t("branchEvent", { event: condition.match.event });
      return t("branchAttribute", { attribute: t(`attr_${condition.attribute}`), op: t(`op_${condition.op ?? "eq"}`), value: String(condition.value) });
    }
    case "send":
      return step.template_id === CHOOSE_TEMPLATE ? t("templateMissing") : t("sendTemplate", { template: names.template(step.template_id) });
    case "tag":
      return t(step.action === "remove" ? "tagRemove" : "tagAdd", { tag: step.tag });
    case "award_points":
      return t("awardPoints", { points: step.points });
    case "task":
      return t("taskTitle", { title: step.title });
    case "exit":
      return t("exitSummary");
  }
}

export function triggerSummary(t: JourneysT, trigger: Definition["trigger"], names: Names): string {
  switch (trigger.kind) {
    case "event":
      return t("triggerEvent", { event: trigger.match.event });
    case "segment_entered":
      return t("triggerSegment", { segment: names.segment(trigger.segment_id) });
    case "lifecycle_changed":
      return t("triggerLifecycle", { stage: t(`stage_${trigger.to_stage}`) });
    case "date":
      return t("triggerDate", { at: trigger.at ?? "09:00" });
  }
}
