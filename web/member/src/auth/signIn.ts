// The two ways a member signs in, both ending in POST /v1/auth/wechat: locally a development code
// (`dev:<name>`, which the local WeChat fake accepts), in AWS the code WeChat's OAuth page returns.
import { unwrap, type Api } from "@shared/api/client";
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

/** This page's address without WeChat's `code` and `state`: where OAuth comes back to. */
export function withoutOAuthParams(href: string): string {
  const url = new URL(href);
  url.searchParams.delete("code");
  url.searchParams.delete("state");
  return url.toString();
}

/** Off to WeChat's OAuth page; it returns to this page with `code` and `state`. */
export function startWechatSignIn(appId: string): void {
  const state = crypto.randomUUID().replace(/-/g, "");
  sessionStorage.setItem(OAUTH_STATE, state);
  window.location.assign(wechatAuthorizeUrl(appId, withoutOAuthParams(window.location.href), state));
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
