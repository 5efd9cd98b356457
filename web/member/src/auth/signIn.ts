// The two ways a member signs in, both ending in POST /v1/auth/wechat: locally a development code
// (`dev:<name>`, which the local WeChat fake accepts), in AWS the code WeChat's OAuth page returns.
import { unwrap, type Api } from "@shared/api/client";
import { randomUuid } from "@shared/uuid";
import { wechatAuthorizeUrl } from "./methods";
import { memberSession, type MemberSession } from "./session";

export async function exchangeCode(api: Api, tenantId: string, appId: string, code: string): Promise<MemberSession> {
  // "web": the H5's codes come from WeChat's web-page OAuth, not wx.login (the local fake takes both).
  const answer = await unwrap(api.POST("/v1/auth/wechat", { body: { tenant_id: tenantId, app_id: appId, code, kind: "web" } }));
  return memberSession(answer.token);
}

export function devSignIn(api: Api, tenantId: string, appId: string, name: string): Promise<MemberSession> {
  return exchangeCode(api, tenantId, appId, `dev:${name.trim()}`);
}

const OAUTH_STATE = "siyu.member.oauth-state";
// Set when the page sent the member to WeChat on its own; cleared once the API accepted the token
// that came back. While it stands, the page does not go to WeChat again unasked: if the API keeps
// refusing fresh tokens, the member sees an error and a button, not an endless redirect.
const AUTO_REDIRECTED = "siyu.member.oauth-auto";
// Set when the member signed out: a sign-in page after that waits for a tap (until the next sign-in).
const SIGNED_OUT = "siyu.member.signed-out";

/** May the page go to WeChat's OAuth without a tap? Once per browser tab until a sign-in works,
 * and never right after the member signed out. */
export function mayRedirectUnasked(): boolean {
  return sessionStorage.getItem(AUTO_REDIRECTED) === null && sessionStorage.getItem(SIGNED_OUT) === null;
}

/** The API accepted a freshly signed-in token: a later expiry may go to WeChat unasked again. */
export function signInAccepted(): void {
  sessionStorage.removeItem(AUTO_REDIRECTED);
}

/** The member signed out (`true`) or in again (`false`). */
export function rememberSignedOut(signedOut: boolean): void {
  if (signedOut) sessionStorage.setItem(SIGNED_OUT, "1");
  else sessionStorage.removeItem(SIGNED_OUT);
}

/** This page's address without WeChat's `code` and `state`: where OAuth comes back to. */
export function withoutOAuthParams(href: string): string {
  const url = new URL(href);
  url.searchParams.delete("code");
  url.searchParams.delete("state");
  return url.toString();
}

/** Where the page goes to leave for WeChat (a test watches it instead of leaving). */
export const navigation = { assign: (url: string) => window.location.assign(url) };

/** Off to WeChat's OAuth page; it returns to this page with `code` and `state`. `unasked`: the page
 * goes there on its own (not on the member's tap), which it does once (mayRedirectUnasked). */
export function startWechatSignIn(appId: string, { unasked = false }: { unasked?: boolean } = {}): void {
  if (unasked) sessionStorage.setItem(AUTO_REDIRECTED, new Date().toISOString());
  const state = randomUuid().replace(/-/g, "");
  sessionStorage.setItem(OAUTH_STATE, state);
  navigation.assign(wechatAuthorizeUrl(appId, withoutOAuthParams(window.location.href), state));
}

/** WeChat's answer in this page's address, when it is the one this browser asked for. */
export function wechatReturn(href: string): { code: string } | { mismatch: true } | null {
  const url = new URL(href);
  const code = url.searchParams.get("code");
  if (!code) return null;
  const expected = sessionStorage.getItem(OAUTH_STATE);
  sessionStorage.removeItem(OAUTH_STATE);
  window.history.replaceState(null, "", withoutOAuthParams(href));
  return expected && url.searchParams.get("state") === expected ? { code } : { mismatch: true };
}
