// The template editor: name, channel and the channel's content form (a WeCom text with images,
// links and mini-program cards; a WeChat message's app, template id, keywords and link), the
// variable picker, save (POST, or PUT with the version read: a 409 offers to reload), and the
// preview of the saved template. A role that may not write sees it read-only, preview included.
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Divider, Flex, Form, Input, Select, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, idempotencyKey, unwrap } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { attachmentCount, CHANNELS, emptyForm, isWeCom, MAX_ATTACHMENTS, problemForForm, toBody, toForm, type Channel, type Template, type TemplateForm } from "./model";
import { useTemplatesT } from "./messages";
import { TemplatePreviewPanel } from "./TemplatePreview";
import { useVariableTarget, VariablePicker } from "./VariablePicker";

export const TEMPLATES_KEY = ["templates"] as const;

type FocusProps = ReturnType<ReturnType<typeof useVariableTarget>["focusProps"]>;
type Focusable = (name: (string | number)[], label: string) => FocusProps;

export function TemplateEditor({ template, onSaved }: { template: Template | null; onSaved?: (saved: Template) => void }) {
  const [current, setCurrent] = useState<Template | null>(template);
  return (
    <>
      <EditorForm template={current} onSaved={(saved) => { setCurrent(saved); onSaved?.(saved); }} onReloaded={setCurrent} />
      <Divider />
      {current ? <TemplatePreviewPanel key={`${current.template_id}:${current.version}`} template={current} /> : <PreviewLater />}
    </>
  );
}

function PreviewLater() {
  const t = useTemplatesT();
  return (
    <section aria-labelledby="template-preview-title">
      <Typography.Title level={3} id="template-preview-title" style={{ fontSize: 16 }}>
        {t("preview")}
      </Typography.Title>
      <Typography.Paragraph>{t("previewAfterSave")}</Typography.Paragraph>
    </section>
  );
}

function EditorForm({ template, onSaved, onReloaded }: { template: Template | null; onSaved: (saved: Template) => void; onReloaded: (fresh: Template) => void }) {
  const t = useTemplatesT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<TemplateForm>();
  const problems = useProblemForm(form);
  const picker = useVariableTarget(form);
  const [conflict, setConflict] = useState(false);
  const editable = template ? can("PUT /v1/templates/{template_id}") : can("POST /v1/templates");
  const channel: Channel = Form.useWatch("channel", form) ?? template?.channel ?? "wecom_customer";

  const save = useMutation({
    mutationFn: (values: TemplateForm) => {
      const body = toBody(values);
      return template
        ? unwrap(api.PUT("/v1/templates/{template_id}", { params: { path: { template_id: template.template_id } }, body: { ...body, version: template.version } }))
        : unwrap(api.POST("/v1/templates", { body, headers: { "Idempotency-Key": idempotencyKey() } }));
    },
    onSuccess: () => void queries.invalidateQueries({ queryKey: TEMPLATES_KEY }),
  });
  const reload = useMutation({
    mutationFn: () => unwrap(api.GET("/v1/templates/{template_id}", { params: { path: { template_id: template?.template_id ?? "" } } })),
    onSuccess: (fresh) => {
      setConflict(false);
      problems.clear();
      form.resetFields();
      form.setFieldsValue(toForm(fresh));
      onReloaded(fresh);
      void queries.invalidateQueries({ queryKey: TEMPLATES_KEY });
    },
  });

  const onFinish = async (values: TemplateForm) => {
    problems.clear();
    setConflict(false);
    try {
      const saved = await save.mutateAsync(values);
      void message.success(t("saved"));
      onSaved(saved);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setConflict(true);
      else problems.onError(error instanceof ApiError ? new ApiError(problemForForm(error.problem, form.getFieldsValue(true))) : error);
    }
  };

  return (
    <Form form={form} name="template" layout="vertical" initialValues={template ? toForm(template) : emptyForm()} onFinish={onFinish} onFinishFailed={() => problems.clear()} disabled={!editable} aria-label={t(template ? "editTemplate" : "newTemplate")}>
      <FormProblems messages={problems.general} />
      {conflict && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("conflict")}
          action={
            <Button size="small" disabled={reload.isPending} onClick={() => reload.mutate()}>
              {t("reload")}
            </Button>
          }
        />
      )}
      <Flex gap={16} wrap>
        <Form.Item label={t("name")} name="name" style={{ flex: "1 1 240px" }}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item label={t("channel")} name="channel" style={{ flex: "1 1 240px" }}>
          <Select options={CHANNELS.map((value) => ({ value, label: t(`channel_${value}`) }))} />
        </Form.Item>
      </Flex>
      {editable && <VariablePicker target={picker.label} onInsert={picker.insert} />}
      {isWeCom(channel) ? <WeComFields focus={picker.focusProps} /> : <WeChatFields channel={channel} focus={picker.focusProps} />}
      {editable && <FormActions saving={save.isPending} style={{ marginTop: 8 }} />}
    </Form>
  );
}

function WeComFields({ focus }: { focus: Focusable }) {
  const t = useTemplatesT();
  const content = Form.useWatch("content") as TemplateForm["content"] | undefined;
  const full = attachmentCount(content ?? {}) >= MAX_ATTACHMENTS;
  return (
    <>
      <Form.Item label={t("text")} name={["content", "text"]} extra={t("textHint")}>
        <Input.TextArea rows={4} maxLength={4000} {...focus(["content", "text"], t("text"))} />
      </Form.Item>
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t("attachments", { count: attachmentCount(content ?? {}) })}
      </Typography.Title>
      <Typography.Paragraph>{t("attachmentsHint")}</Typography.Paragraph>
      <Form.List name={["content", "images"]}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <AttachmentCard key={field.key} title={t("image", { n: index + 1 })} onRemove={() => remove(field.name)}>
                <ImageFields field={field.name} n={index + 1} />
              </AttachmentCard>
            ))}
            <AddButton disabled={full} onClick={() => add({ source: "pic_url", pic_url: "" })} label={t("addImage")} />
          </>
        )}
      </Form.List>
      <Form.List name={["content", "links"]}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <AttachmentCard key={field.key} title={t("link", { n: index + 1 })} onRemove={() => remove(field.name)}>
                <Flex gap={12} wrap>
                  <Form.Item label={t("linkTitle", { n: index + 1 })} name={[field.name, "title"]} style={{ flex: "1 1 220px" }}>
                    <Input {...focus(["content", "links", field.name, "title"], t("linkTitle", { n: index + 1 }))} />
                  </Form.Item>
                  <Form.Item label={t("linkUrl", { n: index + 1 })} name={[field.name, "url"]} style={{ flex: "1 1 220px" }}>
                    <Input placeholder="https://" />
                  </Form.Item>
                  <Form.Item label={t("linkDesc", { n: index + 1 })} name={[field.name, "desc"]} style={{ flex: "1 1 220px" }}>
                    <Input {...focus(["content", "links", field.name, "desc"], t("linkDesc", { n: index + 1 }))} />
                  </Form.Item>
                  <Form.Item label={t("linkPic", { n: index + 1 })} name={[field.name, "picurl"]} style={{ flex: "1 1 220px" }}>
                    <Input placeholder="https://" />
                  </Form.Item>
                </Flex>
              </AttachmentCard>
            ))}
            <AddButton disabled={full} onClick={() => add({ title: "", url: "" })} label={t("addLink")} />
          </>
        )}
      </Form.List>
      <Form.List name={["content", "miniprograms"]}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <AttachmentCard key={field.key} title={t("miniprogram", { n: index + 1 })} onRemove={() => remove(field.name)}>
                <Flex gap={12} wrap>
                  <Form.Item label={t("miniTitle", { n: index + 1 })} name={[field.name, "title"]} style={{ flex: "1 1 220px" }}>
                    <Input {...focus(["content", "miniprograms", field.name, "title"], t("miniTitle", { n: index + 1 }))} />
                  </Form.Item>
                  <Form.Item label={t("miniAppid", { n: index + 1 })} name={[field.name, "appid"]} style={{ flex: "1 1 220px" }}>
                    <Input />
                  </Form.Item>
                  <Form.Item label={t("miniPage", { n: index + 1 })} name={[field.name, "page"]} style={{ flex: "1 1 220px" }}>
                    <Input />
                  </Form.Item>
                  <Form.Item label={t("miniPic", { n: index + 1 })} name={[field.name, "pic_media_id"]} style={{ flex: "1 1 220px" }}>
                    <Input />
                  </Form.Item>
                </Flex>
              </AttachmentCard>
            ))}
            <AddButton disabled={full} onClick={() => add({ title: "", appid: "", page: "" })} label={t("addMiniprogram")} />
          </>
        )}
      </Form.List>
    </>
  );
}

function ImageFields({ field, n }: { field: number; n: number }) {
  const t = useTemplatesT();
  const source = (Form.useWatch(["content", "images", field, "source"]) as "media_id" | "pic_url" | undefined) ?? "pic_url";
  return (
    <Flex gap={12} wrap>
      <Form.Item label={t("imageSource", { n })} name={[field, "source"]} style={{ flex: "0 1 200px" }}>
        <Select options={(["pic_url", "media_id"] as const).map((value) => ({ value, label: t(`source_${value}`) }))} />
      </Form.Item>
      <Form.Item label={t("imageValue", { n, source: t(`source_${source}`) })} name={[field, source]} style={{ flex: "1 1 260px" }}>
        <Input placeholder={source === "pic_url" ? "https://" : undefined} />
      </Form.Item>
    </Flex>
  );
}

function AttachmentCard({ title, onRemove, children }: { title: string; onRemove: () => void; children: React.ReactNode }) {
  const t = useTemplatesT();
  return (
    <Card
      size="small"
      style={{ marginBottom: 12 }}
      title={<span style={{ fontWeight: 600 }}>{title}</span>}
      extra={<Button type="text" icon={<DeleteOutlined />} aria-label={t("remove", { what: title })} onClick={onRemove} />}
    >
      {children}
    </Card>
  );
}

function AddButton({ label, onClick, disabled }: { label: string; onClick: () => void; disabled: boolean }) {
  return (
    <Button type="dashed" icon={<PlusOutlined />} onClick={onClick} disabled={disabled} style={{ marginBottom: 12, marginRight: 8 }}>
      {label}
    </Button>
  );
}

function WeChatFields({ channel, focus }: { channel: Channel; focus: Focusable }) {
  const t = useTemplatesT();
  return (
    <>
      <Flex gap={16} wrap>
        <Form.Item label={t(channel === "wechat_template" ? "appIdOa" : "appIdMini")} name={["content", "app_id"]} style={{ flex: "1 1 220px" }}>
          <Input />
        </Form.Item>
        <Form.Item label={t("wechatTemplateId")} name={["content", "wechat_template_id"]} style={{ flex: "1 1 220px" }}>
          <Input />
        </Form.Item>
      </Flex>
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t("keywords")}
      </Typography.Title>
      <Typography.Paragraph>{t("keywordsHint")}</Typography.Paragraph>
      <Form.List name={["content", "data"]}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <Flex key={field.key} gap={8} align="start" wrap data-testid={`keyword-${index + 1}`}>
                <Form.Item label={t("keywordKey", { n: index + 1 })} name={[field.name, "key"]} style={{ flex: "0 1 160px" }}>
                  <Input placeholder="thing1" />
                </Form.Item>
                <Form.Item label={t("keywordValue", { n: index + 1 })} name={[field.name, "value"]} style={{ flex: "1 1 260px" }}>
                  <Input {...focus(["content", "data", field.name, "value"], t("keywordValue", { n: index + 1 }))} />
                </Form.Item>
                <Button type="text" icon={<DeleteOutlined />} aria-label={t("remove", { what: t("keywordKey", { n: index + 1 }) })} onClick={() => remove(field.name)} style={{ marginTop: 30 }} />
              </Flex>
            ))}
            <AddButton disabled={fields.length >= 20} onClick={() => add({ key: "", value: "" })} label={t("addKeyword")} />
          </>
        )}
      </Form.List>
      {channel === "wechat_template" ? (
        <Flex gap={16} wrap>
          <Form.Item label={t("url")} name={["content", "url"]} style={{ flex: "1 1 260px" }}>
            <Input placeholder="https://" />
          </Form.Item>
          <Form.Item label={t("miniAppidOptional")} name={["content", "mini_appid"]} style={{ flex: "1 1 200px" }}>
            <Input />
          </Form.Item>
          <Form.Item label={t("miniPagepathOptional")} name={["content", "mini_pagepath"]} style={{ flex: "1 1 200px" }}>
            <Input />
          </Form.Item>
        </Flex>
      ) : (
        <Form.Item label={t("page")} name={["content", "page"]}>
          <Input placeholder="pages/index/index" />
        </Form.Item>
      )}
    </>
  );
}
