// A channel code that is a WeCom contact way (企业微信活码): the create form's values to the API's
// body, the rotation form's values, and how the contact way's state reads while WeCom makes it.
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";

export type ContactWay = Schemas["ContactWayView"];
export type WayStatus = ContactWay["status"];

/** How often the contact way is read again while WeCom makes it (ms). */
export const WAY_POLL_MS = 1500;

export const WAY_TONES: Record<WayStatus, Tone> = { creating: "info", ready: "success", failed: "danger" };

export interface CodeValues {
  channel: string;
  store?: string;
  staff_id?: string;
  is_wecom: boolean;
  wecom?: { staff_ids?: string[]; daily_add_limit?: number | null };
}

const blank = (value: string | undefined) => (value && value.trim() ? value.trim() : null);

/** The staff userids as typed or picked: trimmed, each once, in the order given. */
export function staffIds(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).map((id) => id.trim()).filter(Boolean))];
}

/** A limit as the API takes it: a whole number, or null for none (an empty field). */
export function limitOf(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The POST body: a WeCom code names its staff rotation (and never one staff_id), any other code its staff_id. */
export function codeBody(values: CodeValues): Schemas["CodeCreate"] {
  const common = { channel: values.channel.trim(), store: blank(values.store) };
  if (!values.is_wecom) return { ...common, staff_id: blank(values.staff_id) };
  return { ...common, wecom: { staff_ids: staffIds(values.wecom?.staff_ids), daily_add_limit: limitOf(values.wecom?.daily_add_limit) } };
}

/** The PUT body of a new rotation. */
export function rotationBody(values: { staff_ids?: string[]; daily_add_limit?: number | null }): Schemas["ContactWayChange"] {
  return { staff_ids: staffIds(values.staff_ids), daily_add_limit: limitOf(values.daily_add_limit) };
}

/** The contact way's status: no answer yet (404: the wecom service has not seen the code) reads as creating. */
export function wayStatus(way: ContactWay | null | undefined): WayStatus {
  return way ? way.status : "creating";
}

/** React Query's refetchInterval: read again while the way is being made, stop once ready or failed. */
export function wayPolling(way: ContactWay | null | undefined): number | false {
  return wayStatus(way) === "creating" ? WAY_POLL_MS : false;
}

/** WeCom's QR image URL as the console loads it: over https (WeCom may answer http://p4.qpic.cn/…,
 * which an https page must not load as is), or a PNG given inline (the local fake WeCom answers
 * the image itself); anything else is not an image to load. */
export function qrImageUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  if (/^https:\/\//i.test(url) || url.startsWith("data:image/png;base64,")) return url;
  if (/^http:\/\//i.test(url)) return `https://${url.slice("http://".length)}`;
  return null;
}
