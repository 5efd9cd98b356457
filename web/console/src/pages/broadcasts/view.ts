// How a broadcast reads on the page, and the wizard's values turned into the API's bodies (and back).
import dayjs, { type Dayjs } from "dayjs";
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";
import type { useBroadcastsT } from "./messages";

type T = ReturnType<typeof useBroadcastsT>;
export type Broadcast = Schemas["BroadcastView"];
export type Channel = Broadcast["channel"];
export type Status = Broadcast["status"];
export type DispatchStatus = Schemas["DispatchView"]["status"];

export const CHANNELS: readonly Channel[] = ["wecom_customer", "wecom_group", "wechat_template", "wechat_subscribe"];
export const MAX_CONTACT_IDS = 1000;
export const MAX_STAFF_IDS = 100;

export const STATUS_TONES: Record<Status, Tone> = { scheduled: "info", planning: "warning", sending: "warning", completed: "success", cancelled: "neutral" };
export const DISPATCH_TONES: Record<DispatchStatus, Tone> = { requested: "neutral", pending: "warning", confirmed: "success", expired: "danger", failed: "danger" };

/** Still moving: the page refreshes itself. */
export function isLive(status: Status): boolean {
  return status === "planning" || status === "sending";
}

export const statusLabel = (t: T, status: Status) => t(`status_${status}`);
export const channelLabel = (t: T, channel: Channel) => t(`channel_${channel}`);
export const dispatchLabel = (t: T, status: DispatchStatus) => t(`dispatch_${status}`);

const SKIP_REASONS = new Set([
  "no_consent",
  "no_wecom_relationship",
  "no_wechat_openid",
  "cap_reached",
  "contact_gone",
  "unknown_staff",
]);

/** A skip reason in words; a reason this page does not know yet shows as the API gave it. */
export function skipLabel(t: T, reason: string): string {
  return SKIP_REASONS.has(reason) ? t(`skip_${reason}` as Parameters<T>[0]) : reason;
}

/** A sending staff member as the page names them: their name as outreach knows it, else their id. */
export function staffName(row: { staff_id: string; staff_name?: string | null }): string {
  return row.staff_name || row.staff_id;
}

/** Skip counts, largest first, without zeros. */
export function skipRows(skipped: Record<string, number> | undefined): { reason: string; count: number }[] {
  return Object.entries(skipped ?? {})
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export function skippedTotal(skipped: Record<string, number> | undefined): number {
  return Object.values(skipped ?? {}).reduce((sum, count) => sum + count, 0);
}

/** How far it went, 0–100: the queued recipients handled (sent or failed); 100 once completed. */
export function progressPercent(broadcast: Pick<Broadcast, "status" | "stats">): number {
  if (broadcast.status === "completed") return 100;
  const { queued, sent, failed } = broadcast.stats;
  if (queued <= 0) return 0;
  return Math.min(100, Math.round(((sent + failed) / queued) * 100));
}

/** Ids pasted one a line, or separated by spaces or commas (Chinese ones too); each once, in order. */
export function parseIds(text: string | undefined): string[] {
  return [...new Set((text ?? "").split(/[\s,，;；、]+/).filter(Boolean))];
}

export interface WizardValues {
  channel: Channel;
  audience: "segment" | "contacts";
  segment_id?: string;
  contact_ids?: string;
  staff_ids?: string;
  template_id?: string;
  when: "now" | "later";
  send_at?: Dayjs | null;
  name?: string;
  tracked_code?: string;
}

export function newWizardValues(): WizardValues {
  return { channel: "wecom_customer", audience: "segment", when: "now", send_at: null, name: "", tracked_code: "" };
}

export function wizardValues(broadcast: Broadcast): WizardValues {
  return {
    channel: broadcast.channel,
    audience: broadcast.contact_ids ? "contacts" : "segment",
    segment_id: broadcast.segment_id ?? undefined,
    contact_ids: (broadcast.contact_ids ?? []).join("\n"),
    staff_ids: (broadcast.staff_ids ?? []).join("\n"),
    template_id: broadcast.template_id,
    when: broadcast.send_at ? "later" : "now",
    send_at: broadcast.send_at ? dayjs(broadcast.send_at) : null,
    name: broadcast.name,
    tracked_code: broadcast.tracked_code ?? "",
  };
}

/** Who, with what, when: the preview's body (and the first part of create's). */
export function audienceBody(values: WizardValues): Schemas["BroadcastAudience"] {
  const body: Schemas["BroadcastAudience"] = { channel: values.channel, template_id: values.template_id ?? "" };
  if (values.channel === "wecom_group") body.staff_ids = parseIds(values.staff_ids);
  else if (values.audience === "contacts") body.contact_ids = parseIds(values.contact_ids);
  else body.segment_id = values.segment_id ?? "";
  if (values.when === "later" && values.send_at) body.send_at = values.send_at.toISOString();
  return body;
}

export function createBody(values: WizardValues): Schemas["BroadcastCreate"] {
  const code = values.tracked_code?.trim();
  return { ...audienceBody(values), name: (values.name ?? "").trim(), tracked_code: code ? code : null };
}

export function changeBody(values: WizardValues, version: number): Schemas["BroadcastChange"] {
  return { ...createBody(values), version };
}

/** The wizard's fields on each step: a 422 naming one sends the wizard back to its step. */
export const STEP_FIELDS: readonly (readonly string[])[] = [
  ["channel", "audience", "segment_id", "contact_ids", "staff_ids", "template_id"],
  [],
  ["when", "send_at", "name", "tracked_code"],
];

export function stepOfField(name: string | number | undefined): number | null {
  const index = STEP_FIELDS.findIndex((fields) => fields.includes(String(name)));
  return index < 0 ? null : index;
}

/** Did quiet hours move the send? The time scheduled is over a minute after the one asked for (now
 * when none was asked for). */
export function postponed(scheduledFor: string, sendAt: string | null | undefined, now: Dayjs = dayjs()): boolean {
  const asked = sendAt ? dayjs(sendAt) : now;
  return dayjs(scheduledFor).diff(asked, "second") > 60;
}
