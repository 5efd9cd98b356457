// Sign-in where a page needs a member: the development form locally, WeChat's OAuth in AWS.
// Plain inputs and one antd-mobile Button: the landing page carries this, so it stays light.
import Button from "antd-mobile/es/components/button";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "@shared/api/client";
import { useMemberApp } from "../app";
import { useCommonT } from "../messages";
import type { MemberSession } from "./session";
import { devSignIn, exchangeCode, startWechatSignIn, wechatReturn } from "./signIn";

export function SignInCard({ tenantId, onSignedIn }: { tenantId: string | null; onSignedIn?: (s: MemberSession) => void }) {
  const { config } = useMemberApp();
  return config.auth.mode === "wechat" ? (
    <WechatSignIn tenantId={tenantId} onSignedIn={onSignedIn} />
  ) : (
    <DevSignIn tenantId={tenantId} onSignedIn={onSignedIn} />
  );
}

function problemText(error: unknown, fallback: string): string {
  if (error instanceof ApiError) return error.status === 0 ? fallback : error.problem.detail || error.problem.title;
  return String(error);
}

function DevSignIn({ tenantId, onSignedIn }: { tenantId: string | null; onSignedIn?: (s: MemberSession) => void }) {
  const t = useCommonT();
  const { api, config, signIn } = useMemberApp();
  const [name, setName] = useState("");
  const [tenant, setTenant] = useState(tenantId ?? "");
  const [missing, setMissing] = useState<{ name?: boolean; tenant?: boolean }>({});
  const [error, setError] = useState<string | null>(null);
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

function WechatSignIn({ tenantId, onSignedIn }: { tenantId: string | null; onSignedIn?: (s: MemberSession) => void }) {
  const t = useCommonT();
  const { api, config, signIn } = useMemberApp();
  const appId = config.auth.appId ?? "";
  const [error, setError] = useState<string | null>(!tenantId ? t("signInNoTenant") : !appId ? t("signInNoApp") : null);
  const handled = useRef(false);

  useEffect(() => {
    if (handled.current || !tenantId || !appId) return;
    handled.current = true;
    const answer = wechatReturn(window.location.href);
    if (answer === null) {
      startWechatSignIn(appId);
      return;
    }
    if ("mismatch" in answer) {
      setError(t("signInStateMismatch"));
      return;
    }
    exchangeCode(api, tenantId, appId, answer.code)
      .then((session) => {
        signIn(session);
        onSignedIn?.(session);
      })
      .catch((cause: unknown) => setError(problemText(cause, t("networkError"))));
  }, [api, appId, onSignedIn, signIn, t, tenantId]);

  return (
    <section className="m-card m-stack" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title" className="m-subtitle" style={{ marginTop: 0 }}>
        {t("signInTitle")}
      </h2>
      {error ? (
        <>
          <div className="m-error" role="alert">
            {error}
          </div>
          {tenantId && appId && (
            <Button color="primary" block onClick={() => startWechatSignIn(appId)}>
              {t("signInWechat")}
            </Button>
          )}
        </>
      ) : (
        <p className="m-muted">{t("signInWechatHint")}</p>
      )}
    </section>
  );
}
