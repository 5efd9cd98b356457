import { Alert, Button, Card, Checkbox, Form, Input, Typography } from "antd";
import { useEffect, useState } from "react";
import { Navigate, useNavigate } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApp } from "../app";
import { FormProblems, useProblemForm } from "../components/forms";
import { useLayoutT } from "../layout/messages";
import { SignInError } from "./methods";
import { completeWeComSignIn, isWeComCallback } from "./wecom";
import { WeComSignIn } from "./WeComSignIn";
import { ROLES, sessionFromToken, type Role } from "./session";
import { problemText } from "../components/problems";

interface DevForm {
  tenant_id: string;
  staff_id: string;
  roles: Role[];
}

function DevSignIn() {
  const t = useLayoutT();
  const { api, signIn } = useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<DevForm>();
  const problems = useProblemForm(form);
  const [busy, setBusy] = useState(false);
  const submit = async (values: DevForm) => {
    setBusy(true);
    problems.clear();
    try {
      const { token } = await unwrap(api.POST("/v1/auth/dev-token", { body: values }));
      signIn(sessionFromToken(token));
      navigate("/", { replace: true });
    } catch (error) {
      problems.onError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Typography.Paragraph type="secondary">{t("signInLocalHint")}</Typography.Paragraph>
      <FormProblems messages={problems.general} />
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ tenant_id: "demo", staff_id: "s1", roles: ["admin"] }}>
        <Form.Item name="tenant_id" label={t("tenantId")} rules={[{ required: true, message: t("required") }]}>
          <Input autoComplete="organization" />
        </Form.Item>
        <Form.Item name="staff_id" label={t("staffId")} rules={[{ required: true, message: t("required") }]}>
          <Input autoComplete="username" />
        </Form.Item>
        {/* A validator, not `required`: antd would put aria-required on the group, which ARIA forbids. */}
        <Form.Item
          name="roles"
          label={t("roles")}
          rules={[{ validator: (_, value: Role[] | undefined) => (value?.length ? Promise.resolve() : Promise.reject(new Error(t("required")))) }]}
        >
          <Checkbox.Group options={ROLES.map((role) => ({ value: role, label: t(`role_${role}`) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>
          {t("signIn")}
        </Button>
      </Form>
    </>
  );
}

export function SignInPage() {
  const t = useLayoutT();
  const { method, session } = useApp();
  const [error, setError] = useState<string | null>(null);
  if (session) return <Navigate to="/" replace />;
  return (
    <div style={{ minHeight: "100vh", display: "grid", placeItems: "center", background: "#f5f5f5", padding: 16 }}>
      <main style={{ width: "100%", maxWidth: 400 }}>
        <Card>
          <Typography.Title level={1} style={{ fontSize: 22 }}>
            {t("signInTitle")}
          </Typography.Title>
          {error && <Alert type="error" role="alert" title={t("signInFailed")} description={error} style={{ marginBottom: 16 }} />}
          {method.mode === "dev" && <DevSignIn />}
          {method.mode === "cognito" && (
            <Button type="primary" block onClick={() => method.start?.().catch((e: unknown) => setError(String(e)))}>
              {t("signInCognito")}
            </Button>
          )}
          {(method.mode === "wecom" || method.mode === "dev") && <WeComSignIn local={method.mode === "dev"} />}
        </Card>
      </main>
    </div>
  );
}

export function CallbackPage() {
  const t = useLayoutT();
  const { api, method, signIn } = useApp();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const url = new URL(window.location.href);
    // Back from WeCom's QR page (a sign-in this tab started), else the method's own redirect.
    (isWeComCallback(url) ? completeWeComSignIn(api, url) : (method.complete?.(url) ?? Promise.reject(new SignInError("incomplete"))))
      .then((session) => {
        signIn(session);
        navigate("/", { replace: true });
      })
      .catch((e: unknown) =>
        setError(
          e instanceof SignInError
            ? [t(e.reason === "exchange" ? "signInExchangeFailed" : "signInIncomplete"), e.providerDetail].filter(Boolean).join(" — ")
            : problemText(e),
        ),
      );
  }, [api, method, navigate, signIn]);
  return (
    <main style={{ padding: 48, textAlign: "center" }}>
      {error ? <Alert type="error" role="alert" title={t("signInFailed")} description={error} /> : t("completing")}
    </main>
  );
}
