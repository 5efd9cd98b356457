// A campaign's channel codes: the list (a guide sees their own), each with its QR and downloads —
// a WeCom code (企业微信活码) tagged, its contact way in a drawer — and the create form for the
// roles that may (a WeCom code names its staff rotation and daily add limit instead of one staff id).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, InputNumber, Space, Switch, Typography } from "antd";
import { idempotencyKey, unwrap, type Schemas } from "@shared/api/client";
import { useRef, useState } from "react";
import { useApi, useCan } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { FormProblems, useProblemForm } from "../../components/forms";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { QrDownloads, QrPreview } from "./CodeQr";
import { ContactWayDrawer } from "./ContactWayDrawer";
import { useCampaignsT } from "./messages";
import { WeComStaffInput } from "./WeComStaffInput";
import { codeBody, type CodeValues } from "./wecomCode";
import { formatTime } from "../../components/format";

const PAGE_SIZE = 20;

function NewCode({ campaignId }: { campaignId: string }) {
  const t = useCampaignsT();
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<CodeValues>();
  const isWeCom = Form.useWatch("is_wecom", form) ?? false;
  const problems = useProblemForm(form);
  const key = useRef(idempotencyKey()); // one key per code: a retried submit creates it once
  const create = useMutation({
    mutationFn: (values: CodeValues) =>
      unwrap(
        api.POST("/v1/campaigns/{campaign_id}/codes", {
          params: { path: { campaign_id: campaignId }, header: { "Idempotency-Key": key.current } },
          body: codeBody(values),
        }),
      ),
    onMutate: () => problems.clear(),
    onSuccess: (code) => {
      key.current = idempotencyKey();
      form.resetFields();
      void client.invalidateQueries({ queryKey: ["campaign", campaignId, "codes"] });
      void message.success(t("codeCreated", { code: code.code }));
    },
    onError: (error) => problems.onError(error),
  });
  return (
    <>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t("newCode")}
      </Typography.Title>
      <FormProblems messages={problems.general} />
      <Form<CodeValues>
        form={form}
        layout="inline"
        initialValues={{ channel: "", store: "", staff_id: "", is_wecom: false, wecom: { staff_ids: [], daily_add_limit: null } }}
        onFinish={(values) => create.mutate(values)}
        onValuesChange={() => {
          key.current = idempotencyKey(); // a different code: a new key
        }}
        style={{ rowGap: 8 }}
      >
        <Form.Item name="channel" label={t("channel")} rules={[{ required: true, whitespace: true, message: t("channel") }]}>
          <Input maxLength={64} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="store" label={t("store")}>
          <Input maxLength={64} style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="is_wecom" label={t("wecomCode")} valuePropName="checked" tooltip={t("wecomCodeHelp")}>
          <Switch />
        </Form.Item>
        {isWeCom ? (
          <>
            <Form.Item
              name={["wecom", "staff_ids"]}
              label={t("wecomStaff")}
              rules={[
                {
                  validator: (_, ids: string[] | undefined) =>
                    !ids?.length ? Promise.reject(new Error(t("wecomStaffRequired"))) : ids.length > 100 ? Promise.reject(new Error(t("wecomStaffTooMany"))) : Promise.resolve(),
                },
              ]}
            >
              <WeComStaffInput />
            </Form.Item>
            <Form.Item name={["wecom", "daily_add_limit"]} label={t("wecomDailyLimit")}>
              <InputNumber min={1} max={10000} precision={0} placeholder={t("wecomNoLimit")} style={{ width: 120 }} />
            </Form.Item>
          </>
        ) : (
          <Form.Item name="staff_id" label={t("staff")}>
            <Input maxLength={128} style={{ width: 140 }} />
          </Form.Item>
        )}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t("newCode")}
          </Button>
        </Form.Item>
      </Form>
    </>
  );
}

export function CodesSection({ campaign }: { campaign: Schemas["CampaignView"] }) {
  const t = useCampaignsT();
  const api = useApi();
  const can = useCan();
  const campaignId = campaign.campaign_id;
  const [way, setWay] = useState<string | null>(null);
  const canReadWay = can("GET /v1/wecom/contact-ways/{code}");
  const pages = useCursorPages(["campaign", campaignId, "codes"], (cursor) =>
    unwrap(api.GET("/v1/campaigns/{campaign_id}/codes", { params: { path: { campaign_id: campaignId }, query: { limit: PAGE_SIZE, cursor } } })),
  );
  const columns = [
    { title: t("qr"), key: "qr", render: (_: unknown, code: Schemas["CodeView"]) => <QrPreview code={code.code} /> },
    {
      title: t("code"),
      key: "code",
      render: (_: unknown, code: Schemas["CodeView"]) => (
        <Space orientation="vertical" size={4} style={{ maxWidth: 300 }}>
          <Typography.Text code copyable>
            {code.code}
          </Typography.Text>
          <Typography.Text style={{ wordBreak: "break-all", fontSize: 12 }}>{code.url}</Typography.Text>
        </Space>
      ),
    },
    { title: t("channel"), dataIndex: "channel", key: "channel" },
    { title: t("store"), key: "store", render: (_: unknown, code: Schemas["CodeView"]) => code.store ?? "—" },
    {
      title: t("staff"),
      key: "staff",
      render: (_: unknown, code: Schemas["CodeView"]) =>
        code.wecom ? (
          <Space orientation="vertical" size={4} align="start">
            <ToneTag tone="info">{t("wecomTag")}</ToneTag>
            {canReadWay && (
              <Button size="small" onClick={() => setWay(code.code)} aria-label={t("wecomOpenOf", { code: code.code })}>
                {t("wecomOpen")}
              </Button>
            )}
          </Space>
        ) : (
          (code.staff_id ?? "—")
        ),
    },
    { title: t("createdAt"), key: "created", render: (_: unknown, code: Schemas["CodeView"]) => formatTime(code.created_at) },
    { title: t("downloads"), key: "downloads", render: (_: unknown, code: Schemas["CodeView"]) => <QrDownloads code={code} campaign={campaign.name} vertical /> },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <PagedTable pages={pages} rowKey="code" columns={columns} empty={<EmptyState description={t("noCodes")} />} scrollLabel={t("codesScroller")} />
      {can("POST /v1/campaigns/{campaign_id}/codes") && campaign.status !== "ended" && <NewCode campaignId={campaignId} />}
      <ContactWayDrawer code={way} onClose={() => setWay(null)} />
    </Space>
  );
}
