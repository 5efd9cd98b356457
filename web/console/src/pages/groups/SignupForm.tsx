// Posting a 群接龙 to a group: title, capacity and deadline; the API's 422s land on their fields.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, DatePicker, Form, Input, InputNumber, Modal } from "antd";
import type { Dayjs } from "dayjs";
import dayjs from "dayjs";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useGroupsT } from "./messages";

interface Values {
  title: string;
  capacity: number | null;
  deadline: Dayjs | null;
}

export function SignupForm({ chatId, open, onClose, onCreated }: { chatId: string; open: boolean; onClose: () => void; onCreated: (sheet: Schemas["SignupView"]) => void }) {
  const t = useGroupsT();
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const problems = useProblemForm(form);
  const create = useMutation({
    mutationFn: (values: Values) =>
      unwrap(
        api.POST("/v1/wecom/signups", {
          body: { chat_id: chatId, title: values.title, capacity: values.capacity ?? 0, deadline: values.deadline ? values.deadline.toISOString() : "" },
        }),
      ),
    onSuccess: (sheet) => {
      void client.invalidateQueries({ queryKey: ["wecom", "signups"] });
      void message.success(t("created"));
      form.resetFields();
      onCreated(sheet);
    },
    onError: problems.onError,
  });
  return (
    <Modal
      open={open}
      title={t("createSignup")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("newSignup")}
      confirmLoading={create.isPending}
      destroyOnHidden
      forceRender
    >
      <FormProblems messages={problems.general} />
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ title: "", capacity: 20, deadline: dayjs().add(7, "day").startOf("hour") }}
        onFinish={(values) => {
          problems.clear();
          create.mutate(values);
        }}
      >
        <Form.Item name="title" label={t("signupTitle")} rules={[{ required: true, whitespace: true, message: t("required") }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="capacity" label={t("capacity")} rules={[{ required: true, message: t("required") }]}>
          <InputNumber min={1} max={1000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="deadline" label={t("deadline")} rules={[{ required: true, message: t("required") }]}>
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
