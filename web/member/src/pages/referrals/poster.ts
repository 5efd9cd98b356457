// A member's referral poster (海报): the name drawn on it, kept in this browser for the member who
// typed it (WeChat gives servers no nickname, so the member types theirs once), and the query that
// asks the API for the poster. The poster is a PNG the API draws; it needs the member's token, so
// the page fetches it as a blob and shows it through an object URL.
import type { MemberSession } from "../../auth/session";
import type { Referral } from "./referral";

/** The API's limit on the name (characters). The field's maxLength counts UTF-16 units, so an
 * emoji counts twice there: stricter than the API, never over it, and typing with an IME is left to
 * the browser. */
export const MAX_POSTER_NAME = 40;

type Owner = Pick<MemberSession, "tenantId" | "contactId">;

const KEY = "siyu.member.posterName";

/** Per member: another member signing in on the same phone does not find this one's name. */
function keyOf(owner: Owner): string {
  return `${KEY}:${owner.tenantId}:${owner.contactId}`;
}

export function storedPosterName(owner: Owner | null): string {
  if (!owner) return "";
  try {
    return (localStorage.getItem(keyOf(owner)) ?? "").slice(0, MAX_POSTER_NAME);
  } catch {
    return "";
  }
}

export function storePosterName(owner: Owner | null, name: string): void {
  if (!owner) return;
  try {
    if (name.trim()) localStorage.setItem(keyOf(owner), name);
    else localStorage.removeItem(keyOf(owner));
  } catch {
    // Private browsing with storage refused: the name is typed again next time.
  }
}

/** The name as it goes on the poster: spaces trimmed and runs of them made one, at most
 * MAX_POSTER_NAME characters (code points, as the API counts); undefined for none (the API then
 * draws "好友"). */
export function posterName(typed: string): string | undefined {
  const name = [...typed.trim().replace(/\s+/g, " ")].slice(0, MAX_POSTER_NAME).join("").trim();
  return name || undefined;
}

/** The poster's query: the program's `poster_url` as the API gave it, with the member's name. */
export function posterQuery(referral: Pick<Referral, "campaign_id" | "poster_url">, name: string | undefined) {
  const given = new URL(referral.poster_url, "http://api.invalid").searchParams;
  const campaign_id = given.get("campaign_id") || referral.campaign_id;
  return name ? { campaign_id, name } : { campaign_id };
}

/** The blob as a data: URL (read through its bytes: a web view's FileReader may not take every Blob). */
export async function dataUrlOf(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  const step = 0x8000; // String.fromCharCode takes its arguments on the stack: a poster in pieces
  for (let start = 0; start < bytes.length; start += step) binary += String.fromCharCode(...bytes.subarray(start, start + step));
  return `data:${blob.type || "application/octet-stream"};base64,${btoa(binary)}`;
}
