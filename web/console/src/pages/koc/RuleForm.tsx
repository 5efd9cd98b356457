// The tenant's influence score weights and KOC rule as one form: admins replace it (PUT), managers
// read it. A 422 lands on the field it names, the rest above the form. Scores are computed with the
// rule when read, so a saved rule refreshes the KOC list and the network shown.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Flex, Form, InputNumber, Typography } from "antd";
import { unwrap } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { ruleBody, ruleValues, type KocRule, type RuleValues } from "./koc";
import { useKocT } from "./messages";

export const RULE_KEY = ["koc", "rule"] as const;

export function RuleSection() {
  const api = useApi();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: RULE_KEY, queryFn: () => unwrap(api.GET("/v1/koc/rule")) });
  const save = useMutation({
    mutationFn: (body: KocRule) => unwrap(api.PUT("/v1/koc/rule", { body })),
    onSuccess: (saved) => {
      queries.setQueryData(RULE_KEY, saved);
      void queries.invalidateQueries({ queryKey: ["koc", "list"] });
      void queries.invalidateQueries({ queryKey: ["koc", "network"] });
    },
  });
  return <QueryState query={query}>{(rule) => <RuleForm rule={rule} save={save.mutateAsync} saving={save.isPending} />}</QueryState>;
}

export function RuleForm({ rule, save, saving = false }: { rule: KocRule; save: (rule: KocRule) => Promise<KocRule>; saving?: boolean }) {
  const t = useKocT();
  const can = useCan();
  const { message } = App.useApp();
  const [form] = Form.useForm<RuleValues>();
  const problems = useProblemForm(form);
  const editable = can("PUT /v1/koc/rule");
  const required = { required: true, message: t("required") };
  const onFinish = async (values: RuleValues) => {
    problems.clear();
    try {
      const saved = await save(ruleBody(values));
      form.setFieldsValue(ruleValues(saved));
      void message.success(t("ruleSaved"));
    } catch (error) {
      problems.onError(error);
    }
  };
  // Fixed widths, so two fields share a row on a phone (a form item fills the row there otherwise).
  const item = { style: { width: 140 } };
  const weight = { min: 0, max: 1000, style: { width: "100%" } };
  return (
    <Form form={form} layout="vertical" initialValues={ruleValues(rule)} onFinish={onFinish} disabled={!editable} requiredMark={editable} aria-label={t("rule")}>
      <Typography.Paragraph type="secondary">{t("ruleHelp")}</Typography.Paragraph>
      {!editable && <Alert type="info" showIcon title={t("ruleReadOnly")} style={{ marginBottom: 16 }} />}
      <FormProblems messages={problems.general} />
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t("weights")}
      </Typography.Title>
      <Flex gap={16} wrap>
        <Form.Item {...item} name="direct_weight" label={t("directWeight")} rules={[required]}>
          <InputNumber {...weight} step={1} />
        </Form.Item>
        <Form.Item {...item} name="downstream_weight" label={t("downstreamWeight")} rules={[required]}>
          <InputNumber {...weight} step={1} />
        </Form.Item>
        <Form.Item {...item} name="gmv_weight" label={t("gmvWeight")} rules={[required]}>
          <InputNumber {...weight} step={0.01} />
        </Form.Item>
      </Flex>
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t("thresholds")}
      </Typography.Title>
      <Flex gap={16} wrap>
        <Form.Item {...item} name="min_downstream" label={t("minDownstream")} rules={[required]}>
          <InputNumber min={1} max={100_000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item {...item} name="window_days" label={t("windowDays")} rules={[required]}>
          <InputNumber min={1} max={365} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item {...item} name="min_score" label={t("minScore")} extra={t("minScoreHelp")}>
          <InputNumber min={0} max={1_000_000_000} placeholder={t("notUsed")} style={{ width: "100%" }} />
        </Form.Item>
      </Flex>
      {editable && (
        <FormActions
          saving={saving}
          onReset={() => {
            form.resetFields();
            problems.clear();
          }}
        />
      )}
    </Form>
  );
}
