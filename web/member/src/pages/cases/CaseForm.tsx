// The complaint form: type, subject, order id, details. A 422's errors land on their fields.
import Button from "antd-mobile/es/components/button";
import Form from "antd-mobile/es/components/form";
import Input from "antd-mobile/es/components/input";
import TextArea from "antd-mobile/es/components/text-area";
import type { Schemas } from "@shared/api/client";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCasesT } from "./messages";

type CaseCreate = Schemas["MemberCaseCreate"];
export const MEMBER_CASE_TYPES = ["complaint", "inquiry", "after_sales", "feedback"] as const satisfies readonly CaseCreate["type"][];

interface Values {
  type: CaseCreate["type"];
  subject: string;
  order_id?: string;
  description?: string;
}

export function CaseForm({ onSubmit }: { onSubmit: (body: CaseCreate) => Promise<unknown> }) {
  const t = useCasesT();
  const [form] = Form.useForm<Values>();
  const problems = useProblemForm(form, (field, message) =>
    field === "order_id" && message.includes("pattern") ? t("orderIdFormat") : undefined,
  );

  async function finish(values: Values) {
    problems.clear();
    try {
      await onSubmit({
        type: values.type,
        subject: values.subject.trim(),
        order_id: values.order_id?.trim() || null,
        description: values.description?.trim() ?? "",
      });
    } catch (error) {
      problems.onError(error);
    }
  }

  return (
    <>
      <FormProblems messages={problems.general} />
      <Form
        form={form}
        name="case"
        layout="vertical"
        mode="card"
        initialValues={{ type: "complaint", subject: "", order_id: "", description: "" }}
        onFinish={(values: Values) => finish(values)}
        footer={
          <Button block type="submit" color="primary" size="large">
            {t("submit")}
          </Button>
        }
      >
        <Form.Item name="type" label={t("type")}>
          <select className="m-input">
            {MEMBER_CASE_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`ty_${type}`)}
              </option>
            ))}
          </select>
        </Form.Item>
        <Form.Item
          name="subject"
          label={t("subject")}
          rules={[
            {
              validator: (_, value: string | undefined) =>
                value?.trim() ? Promise.resolve() : Promise.reject(new Error(t("required", { field: t("subject") }))),
            },
          ]}
        >
          <Input placeholder={t("subjectPlaceholder")} maxLength={200} />
        </Form.Item>
        <Form.Item name="order_id" label={t("orderId")}>
          <Input placeholder={t("orderIdPlaceholder")} maxLength={128} />
        </Form.Item>
        <Form.Item name="description" label={t("description")}>
          <TextArea placeholder={t("descriptionPlaceholder")} rows={4} maxLength={4000} />
        </Form.Item>
      </Form>
    </>
  );
}
