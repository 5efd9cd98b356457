// A saved template filled by the API (POST /v1/templates/{id}/preview), so the preview follows the
// very rules a send does: with each variable's example at first, then with the sample values typed
// here and/or a customer's facts. Shows the filled message as the customer would get it.
import { Button, Card, Descriptions, Flex, Form, Input, Typography } from "antd";
import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { ErrorState } from "../../components/QueryState";
import type { Template } from "./model";
import { isWeCom } from "./model";
import { useTemplatesT } from "./messages";

type Preview = Schemas["TemplatePreview"];
type Request = Schemas["TemplatePreviewRequest"];

/** What the preview form's values ask the API: only the samples typed, the contact when given. */
export function previewRequest(values: { sample?: Record<string, string | undefined>; contact_id?: string }): Request {
  const sample = Object.fromEntries(Object.entries(values.sample ?? {}).filter((entry): entry is [string, string] => (entry[1] ?? "").trim() !== ""));
  const contact = (values.contact_id ?? "").trim();
  return { sample: Object.keys(sample).length ? sample : null, contact_id: contact || null };
}

export function TemplatePreviewPanel({ template }: { template: Template }) {
  const t = useTemplatesT();
  const api = useApi();
  const [form] = Form.useForm();
  const problems = useProblemForm(form);
  const preview = useMutation({
    mutationFn: (body: Request) => unwrap(api.POST("/v1/templates/{template_id}/preview", { params: { path: { template_id: template.template_id } }, body })),
  });
  const { mutate } = preview;
  useEffect(() => mutate({}), [mutate]);

  const onFinish = async (values: { sample?: Record<string, string>; contact_id?: string }) => {
    problems.clear();
    try {
      await preview.mutateAsync(previewRequest(values));
    } catch (error) {
      problems.onError(error);
    }
  };

  return (
    <section aria-labelledby="template-preview-title">
      <Typography.Title level={3} id="template-preview-title" style={{ fontSize: 16 }}>
        {t("preview")}
      </Typography.Title>
      <Typography.Paragraph>{t("previewHint")}</Typography.Paragraph>
      <Form form={form} name="template-preview" layout="vertical" onFinish={onFinish} aria-label={t("preview")}>
        <FormProblems messages={problems.general} />
        {template.variables.length === 0 ? (
          <Typography.Paragraph>{t("noVariables")}</Typography.Paragraph>
        ) : (
          <Flex gap={12} wrap>
            {template.variables.map((variable) => (
              <Form.Item key={variable} label={t("sampleFor", { variable: `{${variable}}` })} name={["sample", variable]} style={{ flex: "1 1 180px" }}>
                <Input />
              </Form.Item>
            ))}
          </Flex>
        )}
        <Flex gap={12} wrap align="end">
          <Form.Item label={t("contactId")} name="contact_id" extra={t("contactIdHint")} style={{ flex: "1 1 240px" }}>
            <Input />
          </Form.Item>
          <Form.Item>
            <Button htmlType="submit" disabled={preview.isPending}>
              {t("runPreview")}
            </Button>
          </Form.Item>
        </Flex>
      </Form>
      <div aria-live="polite" data-testid="template-preview">
        {preview.data ? <FilledMessage preview={preview.data} /> : preview.isError && !problems.general.length ? <ErrorState error={preview.error} /> : null}
      </div>
    </section>
  );
}

function FilledMessage({ preview }: { preview: Preview }) {
  const t = useTemplatesT();
  const values = Object.entries(preview.values);
  return (
    <Card size="small" title={t("previewResult")} style={{ background: "#f5f7fa" }}>
      {isWeCom(preview.channel) ? <WeComMessage content={preview.content as Schemas["WeComContent"]} /> : <WeChatMessage content={preview.content as Schemas["WeChatTemplateContent"] & Schemas["WeChatSubscribeContent"]} />}
      {values.length > 0 && (
        <Descriptions size="small" column={1} title={<span style={{ fontSize: 14 }}>{t("filledWith")}</span>} style={{ marginTop: 12 }} items={values.map(([name, value]) => ({ key: name, label: `{${name}}`, children: value || "—" }))} />
      )}
    </Card>
  );
}

function WeComMessage({ content }: { content: Schemas["WeComContent"] }) {
  const t = useTemplatesT();
  return (
    <Flex vertical gap={8}>
      {content.text && <div style={{ whiteSpace: "pre-wrap", background: "#fff", padding: "8px 12px", borderRadius: 8, maxWidth: 480 }}>{content.text}</div>}
      {(content.images ?? []).map((image, index) => (
        <div key={`i${index}`}>
          {t("image", { n: index + 1 })}: {image.pic_url ?? image.media_id}
        </div>
      ))}
      {(content.links ?? []).map((link, index) => (
        <Card key={`l${index}`} size="small" style={{ maxWidth: 480 }}>
          <Typography.Text strong>{link.title}</Typography.Text>
          {link.desc && <div>{link.desc}</div>}
          <div style={{ wordBreak: "break-all" }}>{link.url}</div>
        </Card>
      ))}
      {(content.miniprograms ?? []).map((card, index) => (
        <Card key={`m${index}`} size="small" style={{ maxWidth: 480 }}>
          <Typography.Text strong>{card.title}</Typography.Text>
          <div>
            {card.appid} · {card.page}
          </div>
        </Card>
      ))}
    </Flex>
  );
}

function WeChatMessage({ content }: { content: Schemas["WeChatTemplateContent"] & Schemas["WeChatSubscribeContent"] }) {
  const t = useTemplatesT();
  const rows = Object.entries(content.data ?? {}).map(([key, value]) => ({ key, label: key, children: value }));
  const target = content.url ?? content.page ?? (content.miniprogram ? `${content.miniprogram.appid} · ${content.miniprogram.pagepath}` : null);
  if (target) rows.push({ key: "__target", label: t(content.url ? "url" : "page"), children: target });
  return <Descriptions size="small" column={1} bordered style={{ background: "#fff", maxWidth: 480 }} items={rows} />;
}
