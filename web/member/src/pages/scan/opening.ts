// How a code's link was opened, sent with the scan: the share it was shared as (the `share`
// parameter POST /v1/me/shares puts on the member's invite link), where WeChat says it was opened
// (WeChat adds `from=groupmessage|singlemessage|timeline` to a link shared into a group, a chat or
// Moments), and this device (an id the H5 keeps), so that a share to a group counts only once
// someone opens it in one, and a second member on one device is not taken for a new invitee.
import type { Schemas } from "@shared/api/client";

type ScanRequest = Schemas["ScanRequest"];
export type Opening = Pick<ScanRequest, "share_id" | "opened_in" | "device_id">;
type OpenedIn = NonNullable<ScanRequest["opened_in"]>;

const WECHAT_FROM: Record<string, OpenedIn> = { groupmessage: "group", singlemessage: "chat", timeline: "moments" };

const SHARE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const DEVICE_KEY = "siyu:device";

/** This browser's device id, made once and kept (none where storage is refused). */
export function deviceId(storage: Pick<Storage, "getItem" | "setItem"> = localStorage): string | undefined {
  try {
    const kept = storage.getItem(DEVICE_KEY);
    if (kept && /^[\x21-\x7e]{8,128}$/.test(kept)) return kept;
    const made = `h5-${crypto.randomUUID()}`;
    storage.setItem(DEVICE_KEY, made);
    return made;
  } catch {
    return undefined;
  }
}

/** What the landing page's query says of how it was opened; unknown or malformed values are left out. */
export function openingOf(params: URLSearchParams, device: string | undefined): Opening {
  const opening: Opening = {};
  const share = params.get("share");
  if (share && SHARE_ID.test(share)) opening.share_id = share;
  const openedIn = WECHAT_FROM[params.get("from") ?? ""];
  if (openedIn) opening.opened_in = openedIn;
  if (device) opening.device_id = device;
  return opening;
}
