// Erasure (PIPL/GDPR): behind a confirmation that asks to type the contact's id; back to the list after.
import { DeleteOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Modal, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCommonT } from "../../components/messages";
import { useContactsT } from "./messages";

export function EraseContact({ contactId }: { contactId: string }) {
  const t = useContactsT();
  const common = useCommonT();
  const api = useApi();
  const client = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [form] = Form.useForm();
  const problems = useProblemForm(form);
  const erase = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/contacts/{contact_id}", { params: { path: { contact_id: contactId } } })),
    onSuccess: () => {
      setOpen(false);
      client.removeQueries({ queryKey: ["contact", contactId] });
      void client.invalidateQueries({ queryKey: ["contacts"] });
      void message.success(t("erased"));
      navigate("/contacts", { replace: true });
    },
    onError: (error) => problems.onError(error),
  });
  const close = () => {
    setOpen(false);
    setTyped("");
    problems.clear();
  };
  return (
    <>
      <Button icon={<DeleteOutlined />} onClick={() => setOpen(true)}>
        {t("erase")}
      </Button>
      <Modal
        open={open}
        title={t("eraseTitle")}
        onCancel={close}
        okText={t("eraseConfirm")}
        cancelText={common("cancel")}
        okButtonProps={{ disabled: typed.trim() !== contactId, loading: erase.isPending }}
        onOk={() => erase.mutate()}
        destroyOnHidden
      >
        <Typography.Paragraph>{t("eraseWarning")}</Typography.Paragraph>
        <FormProblems messages={problems.general} />
        <Form form={form} layout="vertical" onFinish={() => typed.trim() === contactId && erase.mutate()}>
          <Form.Item label={t("eraseConfirmLabel")} htmlFor="erase-contact-id" extra={t("eraseTypeId", { id: contactId })}>
            <Input id="erase-contact-id" value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" spellCheck={false} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
