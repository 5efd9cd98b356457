// A staff adjustment: credit or debit a contact's points with a reason. A debit that would take
// the balance below zero is refused by the API (409); the refusal is shown with the API's words.
import { Alert, App, Button, Form, Input, InputNumber, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, idempotencyKey, unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { usePointsT } from "./messages";

interface Values {
  contact_id: string;
  points: number | null;
  reason: string;
}

export function AdjustmentForm({ contactId = "" }: { contactId?: string }) {
  const t = usePointsT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const problems = useProblemForm(form);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [done, setDone] = useState<Schemas["AdjustmentDone"] | null>(null);
  // One key per intended adjustment: a retry after a lost answer does not adjust twice.
  const [key, setKey] = useState(idempotencyKey);
  const adjust = useMutation({
    mutationFn: ({ contact_id, points, reason }: Values) =>
      unwrap(
        api.POST("/v1/contacts/{contact_id}/points/adjustments", {
          params: { path: { contact_id } },
          body: { points: points as number, reason },
          headers: { "Idempotency-Key": key },
        }),
      ),
    onSuccess: (_, values) => queries.invalidateQueries({ queryKey: ["contact-points", values.contact_id] }),
  });
  const onFinish = async (values: Values) => {
    problems.clear();
    setRefusal(null);
    setDone(null);
    try {
      const answer = await adjust.mutateAsync({ ...values, contact_id: values.contact_id.trim() });
      setDone(answer);
      setKey(idempotencyKey());
      form.setFieldsValue({ points: null, reason: "" });
      void message.success(t("adjusted", { balance: answer.balance }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setRefusal(error.reason === "insufficient_points" ? t("insufficient") : error.message);
      else problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={{ contact_id: contactId, points: null, reason: "" }} onFinish={onFinish} style={{ maxWidth: 520 }} aria-label={t("tab_adjustments")}>
      <Typography.Paragraph type="secondary">{t("adjustHint")}</Typography.Paragraph>
      <FormProblems messages={problems.general} />
      {refusal && <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }} title={t("refused")} description={refusal} />}
      {done && <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t("adjusted", { balance: done.balance })} />}
      <Form.Item label={t("contactId")} name="contact_id" rules={[{ required: true, whitespace: true, message: t("required") }]}>
        <Input />
      </Form.Item>
      <Form.Item label={t("adjustPoints")} name="points" extra={t("adjustPointsHint")} rules={[{ required: true, message: t("required") }]}>
        <InputNumber style={{ width: 200 }} />
      </Form.Item>
      <Form.Item label={t("reason")} name="reason">
        <Input.TextArea rows={2} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={adjust.isPending}>
        {t("adjust")}
      </Button>
    </Form>
  );
}
