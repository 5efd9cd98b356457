// A contact's tags: add and remove, each where the role may (guides may tag their own customers).
import { CloseOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Space, Tag, Typography } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useContactsT } from "./messages";

export function ContactTags({ contact }: { contact: Schemas["ContactView"] }) {
  const t = useContactsT();
  const api = useApi();
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ tag: string }>();
  const problems = useProblemForm(form);
  const path = { contact_id: contact.contact_id };
  const updated = (view: Schemas["ContactView"]) => {
    client.setQueryData(["contact", contact.contact_id], view);
    void client.invalidateQueries({ queryKey: ["contacts"] });
  };
  const add = useMutation({
    mutationFn: (tag: string) => unwrap(api.PUT("/v1/contacts/{contact_id}/tags/{tag}", { params: { path: { ...path, tag } } })),
    onSuccess: (view, tag) => {
      updated(view);
      form.resetFields();
      problems.clear();
      void message.success(t("tagAdded", { tag }));
    },
    onError: (error) => problems.onError(error),
  });
  const remove = useMutation({
    mutationFn: (tag: string) => unwrap(api.DELETE("/v1/contacts/{contact_id}/tags/{tag}", { params: { path: { ...path, tag } } })),
    onSuccess: (view, tag) => {
      updated(view);
      void message.success(t("tagRemoved", { tag }));
    },
    onError: (error) => problems.onError(error),
  });
  const canRemove = can("DELETE /v1/contacts/{contact_id}/tags/{tag}");
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {contact.tags.length === 0 ? (
        <Typography.Text type="secondary">{t("noTags")}</Typography.Text>
      ) : (
        <ul aria-label={t("tags")} style={{ listStyle: "none", padding: 0, margin: 0, display: "flex", flexWrap: "wrap", gap: 8 }}>
          {contact.tags.map((tag) => (
            <li key={tag}>
              <Tag style={{ marginInlineEnd: 0 }}>
                {tag}
                {canRemove && (
                  <Button
                    type="text"
                    size="small"
                    icon={<CloseOutlined />}
                    aria-label={t("removeTag", { tag })}
                    loading={remove.isPending && remove.variables === tag}
                    onClick={() => remove.mutate(tag)}
                    style={{ marginInlineStart: 4, width: 20, height: 20, minWidth: 20 }}
                  />
                )}
              </Tag>
            </li>
          ))}
        </ul>
      )}
      <FormProblems messages={problems.general} />
      {can("PUT /v1/contacts/{contact_id}/tags/{tag}") && (
        <Form form={form} layout="inline" onFinish={({ tag }) => add.mutate(tag.trim())} initialValues={{ tag: "" }}>
          <Form.Item name="tag" label={t("newTag")} rules={[{ required: true, whitespace: true, message: t("newTag") }]}>
            <Input maxLength={64} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item>
            <Button htmlType="submit" loading={add.isPending}>
              {t("addTag")}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Space>
  );
}
