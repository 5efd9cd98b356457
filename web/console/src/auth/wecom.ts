// 企业微信扫码登录: ask the API for WeCom's login URL (its `state` kept here for the way back), go
// there; WeCom redirects to /console/auth/callback with ?code=&state=, which POST /v1/auth/wecom
// turns into a Siyu staff token — the session. The redirect URI is this origin's callback (the API
// accepts only the asking page's origin: services/wecom/logic/signin.py). On the local stack the
// fake WeCom cannot show a QR code: `simulateWeComSignIn` asks it for a code for a userid
// (POST /v1/dev/wecom/login-codes, a local-only route outside the API's schema) and completes.
import { unwrap, type Api } from "@shared/api/client";
import { CALLBACK_PATH, SignInError } from "./methods";
import { sessionFromToken, type Session } from "./session";

const PENDING_KEY = "siyu.console.wecom";

interface Pending {
  tenantId: string;
  state: string;
}

export function callbackUri(origin = window.location.origin): string {
  return `${origin}${CALLBACK_PATH}`;
}

async function loginUrl(api: Api, tenantId: string) {
  return unwrap(api.GET("/v1/auth/wecom/login-url", { params: { query: { tenant_id: tenantId, redirect_uri: callbackUri() } } }));
}

/** Leaves for WeCom's QR login page. */
export async function startWeComSignIn(api: Api, tenantId: string, go: (url: string) => void = (url) => window.location.assign(url)): Promise<void> {
  const answer = await loginUrl(api, tenantId);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ tenantId, state: answer.state } satisfies Pending));
  go(answer.url);
}

function pending(): Pending | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null") as Pending | null;
    return saved?.tenantId && saved.state ? saved : null;
  } catch {
    return null;
  }
}

/** Is this callback WeCom's answer to a sign-in this tab started? */
export function isWeComCallback(url: URL): boolean {
  const saved = pending();
  return saved !== null && url.searchParams.get("state") === saved.state;
}

async function exchange(api: Api, tenantId: string, code: string, state: string): Promise<Session> {
  const answer = await unwrap(api.POST("/v1/auth/wecom", { body: { tenant_id: tenantId, code, state } }));
  return sessionFromToken(answer.token);
}

/** Back from WeCom: the code and state → the session. */
export async function completeWeComSignIn(api: Api, url: URL): Promise<Session> {
  const saved = pending();
  sessionStorage.removeItem(PENDING_KEY);
  const code = url.searchParams.get("code");
  if (!saved || !code || url.searchParams.get("state") !== saved.state) throw new SignInError("incomplete");
  return exchange(api, saved.tenantId, code, saved.state);
}

/** Local stack only: the fake WeCom's code for `userid` stands in for the scan. */
export async function simulateWeComSignIn(api: Api, apiBaseUrl: string, tenantId: string, userid: string): Promise<Session> {
  const answer = await loginUrl(api, tenantId);
  const corpId = new URL(answer.url).searchParams.get("appid") ?? "";
  const issued = await fetch(
    new Request(new URL(`${apiBaseUrl}/v1/dev/wecom/login-codes`, window.location.origin), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ corp_id: corpId, userid }),
    }),
  );
  if (!issued.ok) throw new SignInError("exchange", `HTTP ${issued.status}`);
  const { code } = (await issued.json()) as { code: string };
  return exchange(api, tenantId, code, answer.state);
}
