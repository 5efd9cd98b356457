// Lifecycle rules: when a contact grows, matures, goes dormant and churns.
import { App, Form, InputNumber, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { QueryState } from "../../components/QueryState";
import { useContactSettingsT } from "./contactSettingsMessages";

type Rules = Schemas["LifecycleRules"];
const KEY = ["lifecycle-rules"] as const;
const FIELDS = ["growing_after_points", "mature_after_orders", "dormant_after_days", "churned_after_days"] as const;

export function LifecycleRulesTab() {
  const t = useContactSettingsT();
  const api = useApi();
  const query = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET("/v1/lifecycle-rules")) });
  return (
    <>
      <TitleBar level={2} title={t("tab_lifecycle")} />
      <Typography.Paragraph>{t("lifecycleHint")}</Typography.Paragraph>
      <QueryState query={query}>{(rules) => <LifecycleForm rules={rules} />}</QueryState>
    </>
  );
}

function LifecycleForm({ rules }: { rules: Rules }) {
  const t = useContactSettingsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Rules>();
  const problems = useProblemForm(form);
  const writable = can("PUT /v1/lifecycle-rules");
  const save = useMutation({
    mutationFn: (body: Rules) => unwrap(api.PUT("/v1/lifecycle-rules", { body })),
    onMutate: () => problems.clear(),
    onSuccess: (saved) => {
      queries.setQueryData(KEY, saved);
      void message.success(common("saved"));
    },
    onError: problems.onError,
  });
  return (
    <Form form={form} layout="vertical" initialValues={rules} onFinish={(values) => save.mutate(values)} disabled={!writable} style={{ maxWidth: 520 }}>
      <FormProblems messages={problems.general} />
      {FIELDS.map((field) => (
        <Form.Item key={field} name={field} label={t(field)}>
          <InputNumber min={0} precision={0} style={{ width: 160 }} />
        </Form.Item>
      ))}
      {writable && <FormActions saving={save.isPending} onReset={() => form.resetFields()} />}
    </Form>
  );
}
