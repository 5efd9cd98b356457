// A contact's owners (per brand, "*" for every brand) and, for the roles that may, the change form.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Descriptions, Form, Input, Space, Typography } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useContactsT } from "./messages";

interface OwnerValues {
  brand: string;
  staff_id: string;
}

export function ContactOwner({ contact }: { contact: Schemas["ContactView"] }) {
  const t = useContactsT();
  const api = useApi();
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<OwnerValues>();
  const problems = useProblemForm(form);
  const change = useMutation({
    mutationFn: (values: OwnerValues) =>
      unwrap(
        api.PUT("/v1/contacts/{contact_id}/owner", {
          params: { path: { contact_id: contact.contact_id } },
          body: { brand: values.brand.trim() || "*", staff_id: values.staff_id.trim() || null },
        }),
      ),
    onSuccess: (view) => {
      client.setQueryData(["contact", contact.contact_id], view);
      void client.invalidateQueries({ queryKey: ["contacts"] });
      problems.clear();
      form.setFieldValue("staff_id", "");
      void message.success(t("ownerChanged"));
    },
    onError: (error) => problems.onError(error),
  });
  const owners = Object.entries(contact.owners);
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {owners.length === 0 ? (
        <Typography.Text type="secondary">{t("noOwner")}</Typography.Text>
      ) : (
        <Descriptions column={1} size="small">
          {owners.map(([brand, staff]) => (
            <Descriptions.Item key={brand} label={brand === "*" ? t("allBrands") : brand}>
              {staff}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      {can("PUT /v1/contacts/{contact_id}/owner") && (
        <>
          <FormProblems messages={problems.general} />
          <Form form={form} layout="vertical" initialValues={{ brand: "*", staff_id: "" }} onFinish={(values) => change.mutate(values)}>
            <Form.Item name="brand" label={t("brand")} extra={t("brandHelp")}>
              <Input maxLength={64} />
            </Form.Item>
            <Form.Item name="staff_id" label={t("ownerStaff")} extra={t("ownerStaffHelp")}>
              <Input maxLength={128} />
            </Form.Item>
            <Button htmlType="submit" loading={change.isPending}>
              {t("changeOwner")}
            </Button>
          </Form>
        </>
      )}
    </Space>
  );
}
