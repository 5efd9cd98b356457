// Sign-in behind one small interface: the local stack's development sign-in, Cognito's hosted UI
// (authorization code + PKCE) in global stages, and — with the WeCom issue — WeCom sign-in in
// China stages. The sign-in page renders `form` when a method has one, else a button to `start`.
import type { CognitoAuth, DevAuth, WecomAuth } from "@shared/config";
import type { Session } from "./session";
import { sessionFromToken } from "./session";

export type ConsoleAuth = DevAuth | CognitoAuth | WecomAuth;

export interface SignInMethod {
  mode: ConsoleAuth["mode"];
  /** Redirect-based methods: leave for the identity provider's page. */
  start?: () => Promise<void>;
  /** Back from the identity provider at /console/auth/callback: the session, or an error. */
  complete?: (url: URL) => Promise<Session>;
  /** Where the browser goes after the session is dropped (the provider's logout), if anywhere. */
  signOutUrl?: () => string | null;
}

export const CALLBACK_PATH = "/console/auth/callback";

/** Why a redirect sign-in did not complete, for the page to say in the reader's language; the
 * identity provider's own description, when it gave one, goes with it. */
export class SignInError extends Error {
  constructor(
    readonly reason: "incomplete" | "exchange",
    readonly providerDetail?: string,
  ) {
    super(providerDetail ?? reason);
    this.name = "SignInError";
  }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

const PKCE_KEY = "siyu.console.pkce";

export function cognitoMethod(auth: CognitoAuth): SignInMethod {
  const redirectUri = () => auth.redirectUri ?? `${window.location.origin}${CALLBACK_PATH}`;
  return {
    mode: "cognito",
    async start() {
      const { verifier, challenge } = await pkcePair();
      const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
      sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
      const query = new URLSearchParams({
        response_type: "code",
        client_id: auth.clientId,
        redirect_uri: redirectUri(),
        scope: (auth.scopes ?? ["openid", "email", "profile"]).join(" "),
        code_challenge_method: "S256",
        code_challenge: challenge,
        state,
      });
      window.location.assign(`${auth.domain}/oauth2/authorize?${query}`);
    },
    async complete(url) {
      const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "{}") as { verifier?: string; state?: string };
      sessionStorage.removeItem(PKCE_KEY);
      const code = url.searchParams.get("code");
      if (!code || !saved.verifier || url.searchParams.get("state") !== saved.state) {
        throw new SignInError("incomplete", url.searchParams.get("error_description") ?? undefined);
      }
      const answer = await fetch(`${auth.domain}/oauth2/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          client_id: auth.clientId,
          code,
          redirect_uri: redirectUri(),
          code_verifier: saved.verifier,
        }),
      });
      if (!answer.ok) throw new SignInError("exchange", `HTTP ${answer.status}`);
      const tokens = (await answer.json()) as { id_token: string };
      return sessionFromToken(tokens.id_token); // the API's authorizer reads Cognito ID tokens
    },
    signOutUrl() {
      const query = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.logoutUri ?? `${window.location.origin}/console/` });
      return `${auth.domain}/logout?${query}`;
    },
  };
}

export function signInMethod(auth: ConsoleAuth): SignInMethod {
  if (auth.mode === "cognito") return cognitoMethod(auth);
  // dev: a form on the sign-in page (and the WeCom sign-in's local simulation); wecom: the sign-in
  // page's 企业微信扫码登录 (auth/wecom.ts: it needs the API, so the callback page completes it).
  return { mode: auth.mode };
}
