// The sign-in page's 企业微信扫码登录: the tenant, then WeCom's QR page; on the local stack (the dev
// sign-in's mode) also 本地模拟: a WeCom userid signed in through the fake WeCom's login code.
// (The button names avoid "登录"/"Sign in", and the tenant's label "租户 ID": they name the dev
// form's controls, which the browser tests find by those names.)
import { Alert, Button, Divider, Flex, Form, Input, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { useApp } from "../app";
import { FormProblems, useProblemForm } from "../components/forms";
import { problemText } from "../components/problems";
import { simulateWeComSignIn, startWeComSignIn } from "./wecom";
import { useWeComSignInT } from "./wecomMessages";

interface WeComForm {
  tenant_id: string;
  userid?: string;
}

export function WeComSignIn({ local }: { local: boolean }) {
  const t = useWeComSignInT();
  const { api, config, signIn } = useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<WeComForm>();
  const problems = useProblemForm(form);
  const [busy, setBusy] = useState<"qr" | "local" | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const required = [{ required: true, whitespace: true, message: t("required") }];
  const scan = async () => {
    const { tenant_id } = await form.validateFields(["tenant_id"]);
    setBusy("qr");
    problems.clear();
    setFailed(null);
    try {
      await startWeComSignIn(api, tenant_id.trim());
    } catch (error) {
      problems.onError(error);
      setBusy(null);
    }
  };
  const simulate = async () => {
    const { tenant_id, userid } = await form.validateFields(["tenant_id", "userid"]);
    setBusy("local");
    problems.clear();
    setFailed(null);
    try {
      signIn(await simulateWeComSignIn(api, config.apiBaseUrl, tenant_id.trim(), (userid ?? "").trim()));
      navigate("/", { replace: true });
    } catch (error) {
      setFailed(problemText(error));
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="wecom-sign-in">
      <Divider />
      <Typography.Title level={2} id="wecom-sign-in" style={{ fontSize: 16 }}>
        {t("signInWecomQr")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("signInWecomHint")}</Typography.Paragraph>
      <FormProblems messages={problems.general} />
      {failed && <Alert type="error" role="alert" title={failed} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" name="wecom-sign-in" onFinish={() => void scan()}>
        <Form.Item name="tenant_id" label={t("tenantId")} rules={required}>
          <Input autoComplete="organization" />
        </Form.Item>
        <Button htmlType="submit" block loading={busy === "qr"}>
          {t("scan")}
        </Button>
        {local && (
          <Flex vertical style={{ marginTop: 16 }}>
            <Typography.Title level={3} style={{ fontSize: 14 }}>
              {t("localSimulation")}
            </Typography.Title>
            <Typography.Paragraph type="secondary">{t("localSimulationHint")}</Typography.Paragraph>
            <Form.Item name="userid" label={t("userid")} rules={required}>
              <Input autoComplete="username" />
            </Form.Item>
            <Button block loading={busy === "local"} onClick={() => void simulate().catch(() => undefined)}>
              {t("simulateScan")}
            </Button>
          </Flex>
        )}
      </Form>
    </section>
  );
}
