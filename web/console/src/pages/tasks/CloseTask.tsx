// Complete or skip a task, with an optional note of what happened, in a modal; a 422 lands on the
// note, a task closed meanwhile (409) refreshes the list.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Form, Input, Modal } from "antd";
import { ApiError, unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCommonT } from "../../components/messages";
import { useTasksT } from "./messages";
import type { Task } from "./view";

export type Closing = { task: Task; action: "complete" | "skip" };

export function CloseTask({ closing, onClose }: { closing: Closing | null; onClose: () => void }) {
  const t = useTasksT();
  const common = useCommonT();
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ note: string }>();
  const problems = useProblemForm(form);
  const close = useMutation({
    mutationFn: ({ task, action, note }: Closing & { note: string }) => {
      const request = { params: { path: { task_id: task.task_id } }, body: { note: note.trim() || null } };
      return unwrap(action === "complete" ? api.POST("/v1/me/tasks/{task_id}/complete", request) : api.POST("/v1/me/tasks/{task_id}/skip", request));
    },
    onMutate: () => problems.clear(),
    onSuccess: (_, { action }) => {
      void client.invalidateQueries({ queryKey: ["my-tasks"] });
      void message.success(action === "complete" ? t("completed") : t("skipped"));
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        void client.invalidateQueries({ queryKey: ["my-tasks"] });
        void message.warning(t("alreadyClosed"));
        onClose();
        return;
      }
      problems.onError(error);
    },
  });
  const title = closing ? t(closing.action === "complete" ? "completeTitle" : "skipTitle", { title: closing.task.title }) : "";
  return (
    <Modal
      open={closing !== null}
      title={title}
      okText={closing?.action === "skip" ? t("skip") : t("complete")}
      cancelText={common("cancel")}
      confirmLoading={close.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
      forceRender
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ note: "" }}
        aria-label={title}
        onFinish={(values) => closing && close.mutate({ ...closing, note: values.note ?? "" })}
      >
        <FormProblems messages={problems.general} />
        <Form.Item name="note" label={t("outcomeNote")} extra={t("outcomeNoteHelp")}>
          <Input.TextArea rows={3} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
