// 设置 (admins): the tenant's WeCom corps — a form to set one up or change it (secrets are
// write-only: never prefilled, the list says which are stored), the callback URL to give WeCom —
// and the welcome messages (per tenant, staff member or code; text with {name} and one attachment).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Descriptions, Drawer, Flex, Form, Input, InputNumber, Popconfirm, Radio, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi, useApp } from "../../app";
import { formatTime } from "../../components/format";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useWeComT } from "./messages";
import { callbackUrl, formToWelcome, previewText, welcomeToForm, type Welcome, type WelcomeForm } from "./view";

type Corp = Schemas["CorpView"];
const SECRETS = ["contact", "agent", "directory"] as const;
const SETTINGS_KEY = ["wecom", "settings"] as const;
const WELCOME_KEY = ["wecom", "welcome"] as const;

interface CorpForm {
  corp_id: string;
  agent_id?: number | null;
  brand?: string;
  token?: string;
  encoding_aes_key?: string;
  secret_contact?: string;
  secret_agent?: string;
  secret_directory?: string;
}

const blank = (value: string | undefined) => (value && value.trim() ? value.trim() : undefined);

function CorpFormView({ corp, onDone }: { corp: Corp | null; onDone: () => void }) {
  const t = useWeComT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<CorpForm>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: (values: CorpForm) => {
      const secrets = Object.fromEntries(SECRETS.map((name) => [name, blank(values[`secret_${name}`])]).filter(([, v]) => v));
      return unwrap(
        api.PUT("/v1/wecom/settings", {
          body: {
            corp_id: values.corp_id.trim(),
            agent_id: values.agent_id ?? null,
            brand: blank(values.brand) ?? null,
            token: blank(values.token),
            encoding_aes_key: blank(values.encoding_aes_key),
            ...(Object.keys(secrets).length ? { secrets } : {}),
          },
        }),
      );
    },
    onSuccess: (settings) => {
      queries.setQueryData(SETTINGS_KEY, settings);
      void message.success(t("updatedAt"));
      onDone();
    },
    onError: (error) => {
      // The secrets' errors come back as secrets.<name>: onto their own fields.
      problems.onError(error);
    },
  });
  return (
    <>
      <FormProblems messages={problems.general} />
      <Form<CorpForm>
        form={form}
        layout="vertical"
        autoComplete="off"
        initialValues={corp ? { corp_id: corp.corp_id, agent_id: corp.agent_id, brand: corp.brand ?? undefined } : {}}
        onFinish={(values) => {
          problems.clear();
          save.mutate(values);
        }}
      >
        <Form.Item name="corp_id" label={t("corpId")} rules={[{ required: true, whitespace: true, message: t("required") }]}>
          <Input disabled={corp !== null} />
        </Form.Item>
        <Form.Item name="agent_id" label={t("agentId")}>
          <InputNumber min={1} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="brand" label={t("brand")}>
          <Input />
        </Form.Item>
        <Form.Item name="token" label={t("token")} extra={corp ? t("secretHint") : undefined}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="encoding_aes_key" label={t("encodingAesKey")} extra={corp ? t("secretHint") : undefined}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {SECRETS.map((name) => (
          <Form.Item key={name} name={`secret_${name}`} label={t(`secret_${name}`)} extra={t("secretHint")}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        ))}
        <FormActions saving={save.isPending} onCancel={onDone} />
      </Form>
    </>
  );
}

function Corps() {
  const t = useWeComT();
  const api = useApi();
  const { config } = useApp();
  const [editing, setEditing] = useState<Corp | "new" | null>(null);
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => unwrap(api.GET("/v1/wecom/settings")) });
  return (
    <Card title={<TitleBar level={3} title={t("corps")} extra={<Button type="primary" onClick={() => setEditing("new")}>{t("setUpCorp")}</Button>} />} style={{ marginBottom: 16 }}>
      <QueryState query={settings} isEmpty={(data) => data.corps.length === 0} empty={<EmptyState description={t("noCorps")} />}>
        {(data) => (
          <Flex vertical gap={16}>
            {data.corps.map((corp) => (
              <Descriptions
                key={corp.corp_id}
                bordered
                size="small"
                column={1}
                title={corp.brand ? `${corp.corp_id} · ${corp.brand}` : corp.corp_id}
                extra={<Button aria-label={`${t("editCorp")} ${corp.corp_id}`} onClick={() => setEditing(corp)}>{t("editCorp")}</Button>}
              >
                <Descriptions.Item label={t("agentId")}>{corp.agent_id ?? "—"}</Descriptions.Item>
                <Descriptions.Item label={t("secretsSet")}>
                  {corp.secrets_set.length ? corp.secrets_set.map((name) => <ToneTag key={name} tone="success">{SECRETS.includes(name as (typeof SECRETS)[number]) ? t(`secret_${name as (typeof SECRETS)[number]}`) : name}</ToneTag>) : t("noSecrets")}
                </Descriptions.Item>
                <Descriptions.Item label={t("callbackUrl")}>
                  <Typography.Text copyable style={{ wordBreak: "break-all" }}>
                    {callbackUrl(config.apiBaseUrl, corp.callback_path, window.location.origin)}
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t("updatedAt")}>{formatTime(corp.updated_at)}</Descriptions.Item>
              </Descriptions>
            ))}
          </Flex>
        )}
      </QueryState>
      <Drawer open={editing !== null} onClose={() => setEditing(null)} title={editing === "new" ? t("setUpCorp") : t("editCorp")} size="large" destroyOnHidden>
        {editing !== null && <CorpFormView corp={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Drawer>
    </Card>
  );
}

function WelcomeFormView({ welcome, onDone }: { welcome: Welcome | null; onDone: () => void }) {
  const t = useWeComT();
  const api = useApi();
  const queries = useQueryClient();
  const [form] = Form.useForm<WelcomeForm>();
  const problems = useProblemForm(form);
  const scope = Form.useWatch("scope", form);
  const attachment = Form.useWatch("attachment", form);
  const text = Form.useWatch("text", form);
  const save = useMutation({
    mutationFn: (values: WelcomeForm) => unwrap(api.PUT("/v1/wecom/welcome-messages", { body: formToWelcome(values) })),
    onSuccess: (list) => {
      queries.setQueryData(WELCOME_KEY, list);
      onDone();
    },
    onError: problems.onError,
  });
  const required = [{ required: true, whitespace: true, message: t("required") }];
  return (
    <>
      <FormProblems messages={problems.general} />
      <Form<WelcomeForm>
        form={form}
        layout="vertical"
        initialValues={welcomeToForm(welcome)}
        onFinish={(values) => {
          problems.clear();
          save.mutate(values);
        }}
      >
        <Form.Item name="scope" label={t("scope")}>
          <Select disabled={welcome !== null} options={(["tenant", "staff", "code"] as const).map((s) => ({ value: s, label: t(`scope_${s}`) }))} />
        </Form.Item>
        {scope && scope !== "tenant" && (
          <Form.Item name="key" label={t("key")} rules={required}>
            <Input disabled={welcome !== null} />
          </Form.Item>
        )}
        <Form.Item name="text" label={t("text")} extra={t("textHint")}>
          <Input.TextArea rows={3} maxLength={4000} />
        </Form.Item>
        <div aria-live="polite" style={{ marginBottom: 16 }}>
          <Typography.Text strong>{t("preview")}：</Typography.Text>
          <Typography.Paragraph data-testid="welcome-preview" style={{ whiteSpace: "pre-wrap", background: "#f5f5f5", padding: 8, borderRadius: 6 }}>
            {previewText(text, t("sampleName")) || "—"}
          </Typography.Paragraph>
        </div>
        <Form.Item name="attachment" label={t("attachment")}>
          <Radio.Group options={(["none", "image", "link", "mini_program"] as const).map((a) => ({ value: a, label: t(`attachment_${a}`) }))} />
        </Form.Item>
        {attachment === "image" && (
          <>
            <Form.Item name="image_media_id" label={t("imageMediaId")} extra={t("imageEither")}>
              <Input />
            </Form.Item>
            <Form.Item name="image_url" label={t("imageUrl")}>
              <Input />
            </Form.Item>
          </>
        )}
        {attachment === "link" && (
          <>
            <Form.Item name="link_title" label={t("linkTitle")} rules={required}>
              <Input />
            </Form.Item>
            <Form.Item name="link_url" label={t("linkUrl")} rules={required}>
              <Input />
            </Form.Item>
            <Form.Item name="link_description" label={t("linkDescription")}>
              <Input />
            </Form.Item>
            <Form.Item name="link_picture_url" label={t("linkPicture")}>
              <Input />
            </Form.Item>
          </>
        )}
        {attachment === "mini_program" && (
          <>
            <Form.Item name="mp_title" label={t("mpTitle")} rules={required}>
              <Input />
            </Form.Item>
            <Form.Item name="mp_app_id" label={t("mpAppId")} rules={required}>
              <Input />
            </Form.Item>
            <Form.Item name="mp_page" label={t("mpPage")} rules={required}>
              <Input />
            </Form.Item>
            <Form.Item name="mp_picture_media_id" label={t("mpPicture")} rules={required}>
              <Input />
            </Form.Item>
          </>
        )}
        <FormActions saving={save.isPending} onCancel={onDone} />
      </Form>
    </>
  );
}

export function WelcomeMessages() {
  const t = useWeComT();
  const api = useApi();
  const queries = useQueryClient();
  const [editing, setEditing] = useState<Welcome | "new" | null>(null);
  const list = useQuery({ queryKey: WELCOME_KEY, queryFn: () => unwrap(api.GET("/v1/wecom/welcome-messages")) });
  const remove = useMutation({
    mutationFn: (welcome: Welcome) => unwrap(api.PUT("/v1/wecom/welcome-messages", { body: { scope: welcome.scope, key: welcome.key, message: null } })),
    onSuccess: (data) => queries.setQueryData(WELCOME_KEY, data),
  });
  const columns = [
    { title: t("scope"), dataIndex: "scope", render: (s: Welcome["scope"]) => t(`scope_${s}`) },
    { title: t("key"), dataIndex: "key", render: (k: string | null) => k ?? "—" },
    { title: t("text"), key: "text", render: (_: unknown, row: Welcome) => row.message.text ?? "—" },
    { title: t("updatedAt"), dataIndex: "updated_at", render: formatTime },
    {
      title: t("editWelcome"),
      key: "actions",
      render: (_: unknown, row: Welcome) => {
        const name = `${t(`scope_${row.scope}`)} ${row.key ?? ""}`.trim();
        return (
          <Space>
            <Button size="small" onClick={() => setEditing(row)} aria-label={`${t("editCorp")} ${name}`}>
              {t("editCorp")}
            </Button>
            <Popconfirm title={t("removeWelcomeConfirm")} onConfirm={() => remove.mutate(row)}>
              <Button size="small" danger aria-label={`${t("removeWelcome")} ${name}`}>
                {t("removeWelcome")}
              </Button>
            </Popconfirm>
          </Space>
        );
      },
    },
  ];
  return (
    <Card title={<TitleBar level={3} title={t("welcome")} extra={<Can op="PUT /v1/wecom/welcome-messages"><Button type="primary" onClick={() => setEditing("new")}>{t("newWelcome")}</Button></Can>} />}>
      <QueryState query={list} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("noWelcome")} />}>
        {(data) => <Table<Welcome> rowKey={(row) => `${row.scope}/${row.key ?? ""}`} dataSource={data.items} columns={columns} pagination={false} size="small" scroll={{ x: "max-content" }} />}
      </QueryState>
      <Drawer open={editing !== null} onClose={() => setEditing(null)} title={editing === "new" ? t("newWelcome") : t("editWelcome")} size="large" destroyOnHidden>
        {editing !== null && <WelcomeFormView welcome={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Drawer>
    </Card>
  );
}

export function SettingsTab() {
  const t = useWeComT();
  return (
    <>
      <TitleBar level={2} title={t("tab_settings")} style={{ marginBottom: 16 }} />
      <Corps />
      <WelcomeMessages />
    </>
  );
}
