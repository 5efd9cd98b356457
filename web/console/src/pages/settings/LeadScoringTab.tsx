// Lead scoring: rules (fact type, conditions, points, daily cap), half-life and grade thresholds.
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Flex, Form, Input, InputNumber, Select, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { QueryState } from "../../components/QueryState";
import { useContactSettingsT } from "./contactSettingsMessages";
import { FactConditionsEditor } from "./FactConditionsEditor";
import { FACT_TYPES, fromConditions, toConditions, type ConditionRow } from "./factConditions";

type Scoring = Schemas["LeadScoring"];
type RuleValues = Omit<Schemas["ScoreRule"], "when"> & { when: ConditionRow[] };
type Values = Omit<Scoring, "rules"> & { rules: RuleValues[] };
const KEY = ["lead-scoring"] as const;

export function LeadScoringTab() {
  const t = useContactSettingsT();
  const api = useApi();
  const query = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET("/v1/lead-scoring")) });
  return (
    <>
      <TitleBar level={2} title={t("tab_scoring")} />
      <Typography.Paragraph>{t("scoringHint")}</Typography.Paragraph>
      <QueryState query={query}>{(scoring) => <ScoringForm scoring={scoring} />}</QueryState>
    </>
  );
}

function ScoringForm({ scoring }: { scoring: Scoring }) {
  const t = useContactSettingsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const problems = useProblemForm(form);
  const writable = can("PUT /v1/lead-scoring");
  const save = useMutation({
    mutationFn: (values: Values) =>
      unwrap(
        api.PUT("/v1/lead-scoring", {
          body: {
            half_life_days: values.half_life_days,
            grades: values.grades,
            rules: (values.rules ?? []).map((rule) => ({ ...rule, daily_cap: rule.daily_cap ?? null, when: toConditions(rule.when) })),
          },
        }),
      ),
    onMutate: () => problems.clear(),
    onSuccess: (saved) => {
      queries.setQueryData(KEY, saved);
      void message.success(common("saved"));
    },
    onError: problems.onError,
  });
  const initial: Values = {
    half_life_days: scoring.half_life_days,
    grades: scoring.grades ?? { A: 80, B: 50, C: 20 },
    rules: (scoring.rules ?? []).map((rule) => ({ ...rule, when: fromConditions(rule.when) })),
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={(values) => save.mutate(values)} disabled={!writable}>
      <FormProblems messages={problems.general} />
      <Flex wrap gap={16}>
        <Form.Item name="half_life_days" label={t("half_life_days")}>
          <InputNumber min={0} precision={0} style={{ width: 140 }} />
        </Form.Item>
        {(["A", "B", "C"] as const).map((grade) => (
          <Form.Item key={grade} name={["grades", grade]} label={t(`grade${grade}`)}>
            <InputNumber precision={0} style={{ width: 120 }} />
          </Form.Item>
        ))}
      </Flex>
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t("scoreRules")}
      </Typography.Title>
      <Form.List name="rules">
        {(rows, { add, remove }) => (
          <>
            {rows.map((row, index) => {
              const n = index + 1;
              return (
                <Card key={row.key} size="small" style={{ marginBottom: 12 }} title={t("scoreRuleNumber", { n })} extra={<Button icon={<DeleteOutlined />} aria-label={t("removeScoreRule", { n })} onClick={() => remove(row.name)} />}>
                  <Flex wrap gap={8}>
                    <Form.Item name={[row.name, "rule_id"]} label={t("scoreRuleId", { n })} rules={[{ required: true, message: t("required") }]} style={{ flex: "1 1 140px" }}>
                      <Input />
                    </Form.Item>
                    <Form.Item name={[row.name, "name"]} label={t("scoreRuleName", { n })} rules={[{ required: true, message: t("required") }]} style={{ flex: "1 1 160px" }}>
                      <Input />
                    </Form.Item>
                    <Form.Item name={[row.name, "on"]} label={t("scoreRuleOn", { n })} style={{ flex: "1 1 200px" }}>
                      <Select showSearch options={FACT_TYPES.map((type) => ({ value: type, label: type }))} />
                    </Form.Item>
                    <Form.Item name={[row.name, "points"]} label={t("scoreRulePoints", { n })} style={{ flex: "0 1 110px" }}>
                      <InputNumber precision={0} style={{ width: "100%" }} />
                    </Form.Item>
                    <Form.Item name={[row.name, "daily_cap"]} label={t("scoreRuleCap", { n })} style={{ flex: "0 1 120px" }}>
                      <InputNumber min={0} precision={0} style={{ width: "100%" }} />
                    </Form.Item>
                  </Flex>
                  <FactConditionsEditor name={[row.name, "when"]} prefix={`${n}.`} />
                </Card>
              );
            })}
            {writable && (
              <Button icon={<PlusOutlined />} onClick={() => add({ rule_id: "", name: "", on: "OrderPaid", points: 10, daily_cap: null, when: [] })} style={{ marginBottom: 16 }}>
                {t("addScoreRule")}
              </Button>
            )}
          </>
        )}
      </Form.List>
      {writable && <FormActions saving={save.isPending} onReset={() => form.resetFields()} />}
    </Form>
  );
}
