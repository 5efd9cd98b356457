// The cases area's statuses as tag tones (components/Tone.tsx draws them).
import type { Tone } from "../../components/Tone";
import type { CaseStatus, DeliveryStatus, Priority } from "./model";

export const STATUS_TONE: Record<CaseStatus, Tone> = {
  new: "warning",
  assigned: "info",
  in_progress: "info",
  waiting_on_customer: "neutral",
  resolved: "success",
  closed: "neutral",
};

export const PRIORITY_TONE: Record<Priority, Tone> = { urgent: "danger", high: "warning", normal: "neutral", low: "neutral" };

export const DELIVERY_TONE: Record<DeliveryStatus, Tone> = {
  requested: "info",
  sending: "info",
  delivered: "success",
  held: "warning",
  failed: "danger",
};
