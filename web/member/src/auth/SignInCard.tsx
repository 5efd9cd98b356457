// Sign-in where a page needs a member: the development form locally, WeChat's OAuth in AWS.
// Plain inputs and one antd-mobile Button: the landing page carries this, so it stays light.
import Button from "antd-mobile/es/components/button";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { problemText } from "@shared/api/problems";
import { useMemberApp, type SignedOut } from "../app";
import { useCommonT } from "../messages";
import type { MemberSession } from "./session";
import { devSignIn, exchangeCode, mayRedirectUnasked, startWechatSignIn, wechatReturn } from "./signIn";

export function SignInCard({ tenantId, onSignedIn }: { tenantId: string | null; onSignedIn?: (s: MemberSession) => void }) {
  const { config } = useMemberApp();
  return config.auth.mode === "wechat" ? (
    <WechatSignIn tenantId={tenantId} onSignedIn={onSignedIn} />
  ) : (
    <DevSignIn tenantId={tenantId} onSignedIn={onSignedIn} />
  );
}

/** Why the member has to sign in again, when the API refused their token. */
function refusedKey(signedOut: SignedOut) {
  return signedOut === "refused-fresh" ? "signInRefused" : signedOut === "refused" ? "signInExpired" : null;
}

function DevSignIn({ tenantId, onSignedIn }: { tenantId: string | null; onSignedIn?: (s: MemberSession) => void }) {
  const t = useCommonT();
  const { api, config, signIn, signedOut } = useMemberApp();
  const [name, setName] = useState("");
  const [tenant, setTenant] = useState(tenantId ?? "");
  const [missing, setMissing] = useState<{ name?: boolean; tenant?: boolean }>({});
  const [error, setError] = useState<string | null>(() => {
    const why = refusedKey(signedOut);
    return why && t(why);
  });
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const want = { name: !name.trim(), tenant: !tenant.trim() };
    setMissing(want);
    if (want.name || want.tenant) return;
    setBusy(true);
    setError(null);
    try {
      const session = await devSignIn(api, tenant.trim(), config.auth.appId ?? "", name);
      signIn(session);
      onSignedIn?.(session);
    } catch (cause) {
      setError(problemText(cause, t("networkError")));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="m-card m-stack" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
      <h2 id="sign-in-title" className="m-subtitle" style={{ marginTop: 0 }}>
        {t("signInTitle")}
      </h2>
      <p className="m-muted">{t("signInDevHint")}</p>
      {tenantId === null && (
        <div>
          <label className="m-label" htmlFor="sign-in-tenant">
            {t("signInTenant")}
          </label>
          <input
            id="sign-in-tenant"
            className="m-input"
            value={tenant}
            onChange={(e) => setTenant(e.target.value)}
            aria-invalid={missing.tenant || undefined}
            aria-describedby={missing.tenant ? "sign-in-tenant-error" : undefined}
          />
          {missing.tenant && (
            <div id="sign-in-tenant-error" className="m-error">
              {t("signInRequired")}
            </div>
          )}
        </div>
      )}
      <div>
        <label className="m-label" htmlFor="sign-in-name">
          {t("signInName")}
        </label>
        <input
          id="sign-in-name"
          className="m-input"
          value={name}
          autoComplete="nickname"
          onChange={(e) => setName(e.target.value)}
          aria-invalid={missing.name || undefined}
          aria-describedby={missing.name ? "sign-in-name-error" : undefined}
        />
        {missing.name && (
          <div id="sign-in-name-error" className="m-error">
            {t("signInRequired")}
          </div>
        )}
      </div>
      {error && (
        <div className="m-error" role="alert">
          {error}
        </div>
      )}
      <Button type="submit" color="primary" block loading={busy}>
        {t("signInButton")}
      </Button>
    </form>
  );
}

type WechatPhase = "redirecting" | "exchanging" | "waiting" | { error: string };

function WechatSignIn({ tenantId, onSignedIn }: { tenantId: string | null; onSignedIn?: (s: MemberSession) => void }) {
  const t = useCommonT();
  const { api, config, signIn, signedOut } = useMemberApp();
  const appId = config.auth.appId ?? "";
  const [phase, setPhase] = useState<WechatPhase>(() => {
    if (!tenantId) return { error: t("signInNoTenant") };
    if (!appId) return { error: t("signInNoApp") };
    const why = refusedKey(signedOut);
    // A token the API refused right after WeChat gave it: going back to WeChat would loop.
    if (why === "signInRefused") return { error: t(why) };
    return new URL(window.location.href).searchParams.has("code") ? "exchanging" : mayRedirectUnasked() ? "redirecting" : "waiting";
  });
  const handled = useRef(false);

  useEffect(() => {
    if (handled.current || !tenantId || !appId) return;
    handled.current = true;
    const answer = wechatReturn(window.location.href);
    if (answer === null) {
      // To WeChat unasked once per tab (until a sign-in works), never after signing out; else a tap.
      if (phase === "redirecting") startWechatSignIn(appId, { unasked: true });
      return;
    }
    if ("mismatch" in answer) {
      setPhase({ error: t("signInStateMismatch") });
      return;
    }
    setPhase("exchanging");
    exchangeCode(api, tenantId, appId, answer.code)
      .then((session) => {
        signIn(session);
        onSignedIn?.(session);
      })
      .catch((cause: unknown) => setPhase({ error: problemText(cause, t("networkError")) }));
  }, [api, appId, onSignedIn, phase, signIn, t, tenantId]);

  const expired = refusedKey(signedOut) === "signInExpired" && phase === "waiting";
  return (
    <section className="m-card m-stack" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title" className="m-subtitle" style={{ marginTop: 0 }}>
        {t("signInTitle")}
      </h2>
      {typeof phase === "object" ? (
        <div className="m-error" role="alert">
          {phase.error}
        </div>
      ) : (
        <p className="m-muted" role="status">
          {phase === "waiting" ? t(expired ? "signInExpired" : "signInWechatTap") : t("signInWechatHint")}
        </p>
      )}
      {tenantId && appId && (typeof phase === "object" || phase === "waiting") && (
        <Button color="primary" block onClick={() => startWechatSignIn(appId)}>
          {t("signInWechat")}
        </Button>
      )}
    </section>
  );
}
