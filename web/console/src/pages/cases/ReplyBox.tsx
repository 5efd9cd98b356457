// The reply box: reply to the member or add an internal note (one switch), and the knowledge
// base's suggestions for the case, each inserted into the text with one button.
import { FileTextOutlined } from "@ant-design/icons";
import { unwrap } from "@shared/api/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Flex, Form, Input, Radio, Typography } from "antd";
import { useId } from "react";
import { useApi, useCan } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { EmptyState, QueryState } from "../../components/QueryState";
import { useCasesT } from "./messages";
import { keys, type StaffMessage } from "./model";

interface Values {
  kind: StaffMessage["kind"];
  body: string;
}

/** The reply text with an article's text added (after what is written already). */
export function withInserted(current: string | undefined, text: string): string {
  const before = (current ?? "").trimEnd();
  return before ? `${before}\n\n${text}` : text;
}

export function Suggestions({ caseId, onInsert }: { caseId: string; onInsert: (text: string) => void }) {
  const t = useCasesT();
  const api = useApi();
  const query = useQuery({
    queryKey: keys.suggestions(caseId),
    queryFn: () => unwrap(api.GET("/v1/cases/{case_id}/suggestions", { params: { path: { case_id: caseId } } })),
  });
  return (
    <section aria-label={t("suggestions")}>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 0 }}>
        <FileTextOutlined /> {t("suggestions")}
      </Typography.Title>
      <QueryState query={query} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("noSuggestions")} />}>
        {(data) => (
          <Flex vertical gap={8}>
            {data.items.map(({ article }) => (
              <Card key={article.article_id} size="small" title={article.title} extra={
                <Button size="small" onClick={() => onInsert(article.body)} aria-label={t("insertNamed", { title: article.title })}>
                  {t("insert")}
                </Button>
              }>
                <Typography.Paragraph ellipsis={{ rows: 3 }} style={{ margin: 0 }}>
                  {article.body}
                </Typography.Paragraph>
              </Card>
            ))}
          </Flex>
        )}
      </QueryState>
    </section>
  );
}

export function ReplyBox({ caseId, closed }: { caseId: string; closed: boolean }) {
  const t = useCasesT();
  const api = useApi();
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const problems = useProblemForm(form);
  const kind = Form.useWatch("kind", form) ?? "reply";
  const modeLabel = useId();
  const send = useMutation({
    mutationFn: (values: Values) =>
      unwrap(api.POST("/v1/cases/{case_id}/messages", { params: { path: { case_id: caseId } }, body: { body: values.body, kind: values.kind } })),
    onSuccess: (_, values) => {
      void message.success(values.kind === "note" ? t("noteAdded") : t("sent"));
      form.setFieldValue("body", "");
      problems.clear();
      void client.invalidateQueries({ queryKey: keys.case(caseId) });
      void client.invalidateQueries({ queryKey: keys.cases });
    },
    onError: problems.onError,
  });
  if (!can("POST /v1/cases/{case_id}/messages")) return null;
  const insert = (text: string) => {
    form.setFieldValue("body", withInserted(form.getFieldValue("body") as string | undefined, text));
    form.validateFields(["body"]).catch(() => undefined);
  };
  return (
    <Card title={t("composer")} size="small">
      {closed ? (
        <Alert type="info" showIcon title={t("closedNoReply")} />
      ) : (
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={{ kind: "reply", body: "" }}
          onFinish={(values) => send.mutate(values)}
          requiredMark={false}
        >
          <FormProblems messages={problems.general} />
          <Form.Item name="kind" label={<span id={modeLabel}>{t("composeMode")}</span>}>
            <Radio.Group
              aria-labelledby={modeLabel}
              optionType="button"
              options={[
                { value: "reply", label: t("modeReply") },
                { value: "note", label: t("modeNote") },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="body"
            label={kind === "note" ? t("noteLabel") : t("replyLabel")}
            rules={[{ validator: (_, value: string | undefined) => (value && value.trim() ? Promise.resolve() : Promise.reject(new Error(t("bodyRequired")))) }]}
          >
            <Input.TextArea
              autoSize={{ minRows: 4, maxRows: 12 }}
              maxLength={2000}
              showCount
              style={kind === "note" ? { background: "#fffbe6" } : undefined}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={send.isPending}>
            {kind === "note" ? t("addNote") : t("sendReply")}
          </Button>
        </Form>
      )}
      {!closed && can("GET /v1/cases/{case_id}/suggestions") && (
        <div style={{ marginTop: 16 }}>
          <Suggestions caseId={caseId} onInsert={insert} />
        </div>
      )}
    </Card>
  );
}
