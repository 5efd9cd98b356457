// The tenant's points policy as one form: time zone, expiry, warnings, the check-in cycle, earning
// rules with caps, tiers and the tier window. PUT replaces it (admins); others see it read-only.
// A 422 lands on the field it names (`["body", "tiers", 1, "min_points"]` → that tier's threshold).
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, AutoComplete, Button, Flex, Form, Input, InputNumber, Select, Space, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { CardList } from "../../components/CardList";
import { QueryState } from "../../components/QueryState";
import { useCommonT } from "../../components/messages";
import { EARNING_SOURCES, usePointsT } from "./messages";

type Policy = Schemas["PointsPolicy"];

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "UTC"];
  }
})();

/** What the API wants from the form's values: expiry days only for "after_days". */
export function policyBody(values: Policy): Policy {
  const expiry = values.expiry ?? { rule: "end_of_year" };
  return {
    ...values,
    expiry: { rule: expiry.rule, days: expiry.rule === "after_days" ? (expiry.days ?? null) : null },
    checkin_cycle: values.checkin_cycle ?? [],
    earning_rules: (values.earning_rules ?? []).map((rule) => ({
      ...rule,
      brand: rule.brand || null,
      points_per_yuan: rule.points_per_yuan ?? null,
      caps: { day: rule.caps?.day ?? null, week: rule.caps?.week ?? null, month: rule.caps?.month ?? null },
    })),
    tiers: values.tiers ?? [],
  };
}

export function PolicyTab() {
  const api = useApi();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: ["points-policy"], queryFn: () => unwrap(api.GET("/v1/points/policy")) });
  const save = useMutation({
    mutationFn: (body: Policy) => unwrap(api.PUT("/v1/points/policy", { body })),
    onSuccess: (saved) => queries.setQueryData(["points-policy"], saved),
  });
  return <QueryState query={query}>{(policy) => <PolicyForm policy={policy} save={save.mutateAsync} saving={save.isPending} />}</QueryState>;
}

export function PolicyForm({ policy, save, saving = false }: { policy: Policy; save: (policy: Policy) => Promise<Policy>; saving?: boolean }) {
  const t = usePointsT();
  const common = useCommonT();
  const can = useCan();
  const { message } = App.useApp();
  const [form] = Form.useForm<Policy>();
  const problems = useProblemForm(form);
  const editable = can("PUT /v1/points/policy");
  const onFinish = async (values: Policy) => {
    problems.clear();
    try {
      const saved = await save(policyBody(values));
      form.setFieldsValue(saved);
      void message.success(common("saved"));
    } catch (error) {
      problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={policy} onFinish={onFinish} disabled={!editable} aria-label={t("tab_policy")}>
      <FormProblems messages={problems.general} />
      <Flex gap={16} wrap>
        <Form.Item label={t("timeZone")} name="time_zone" extra={t("timeZoneHint")}>
          <AutoComplete
            style={{ width: 260 }}
            options={ZONES.map((zone) => ({ value: zone }))}
            filterOption={(input, option) => String(option?.value ?? "").toLowerCase().includes(input.toLowerCase())}
          />
        </Form.Item>
        <Form.Item label={t("tierWindow")} name="tier_window">
          <Select
            style={{ width: 220 }}
            options={[
              { value: "lifetime", label: t("window_lifetime") },
              { value: "rolling_12_months", label: t("window_rolling_12_months") },
            ]}
          />
        </Form.Item>
      </Flex>

      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t("expiry")}
      </Typography.Title>
      <Flex gap={16} wrap>
        <Form.Item label={t("expiryRule")} name={["expiry", "rule"]}>
          <Select style={{ width: 220 }} options={(["end_of_year", "end_of_month", "after_days", "never"] as const).map((rule) => ({ value: rule, label: t(`expiry_${rule}`) }))} />
        </Form.Item>
        <Form.Item noStyle dependencies={[["expiry", "rule"]]}>
          {(f) =>
            f.getFieldValue(["expiry", "rule"]) === "after_days" ? (
              <Form.Item label={t("expiryDays")} name={["expiry", "days"]}>
                <InputNumber style={{ width: 140 }} />
              </Form.Item>
            ) : null
          }
        </Form.Item>
        <Form.Item label={t("warningDays")} name="expiry_warning_days" extra={t("warningDaysHint")}>
          <InputNumber style={{ width: 140 }} />
        </Form.Item>
      </Flex>

      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t("checkinCycle")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("checkinCycleHint")}</Typography.Paragraph>
      <Form.List name="checkin_cycle">
        {(fields, { add, remove }, { errors }) => (
          <>
            <Flex gap={8} wrap align="flex-end">
              {fields.map((field, index) => (
                <Space.Compact key={field.key}>
                  <Form.Item label={t("dayN", { n: index + 1 })} name={field.name} style={{ marginBottom: 8 }}>
                    <InputNumber style={{ width: 88 }} />
                  </Form.Item>
                  {editable && fields.length > 1 && (
                    <Button style={{ marginTop: 30 }} icon={<DeleteOutlined />} aria-label={t("removeDayN", { n: index + 1 })} onClick={() => remove(field.name)} />
                  )}
                </Space.Compact>
              ))}
              {editable && (
                <Button style={{ marginBottom: 8 }} icon={<PlusOutlined />} onClick={() => add(5)}>
                  {t("addDay")}
                </Button>
              )}
            </Flex>
            <Form.ErrorList errors={errors} />
          </>
        )}
      </Form.List>

      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
        {t("earningRules")}
      </Typography.Title>
      <CardList
        name="earning_rules"
        empty={t("noEarningRules")}
        itemTitle={(n) => t("earningRuleN", { n })}
        removeLabel={(n) => t("removeEarningRuleN", { n })}
        addLabel={t("addEarningRule")}
        newItem={() => ({ source: "order", caps: {} })}
        editable={editable}
      >
        {(field) => (
          <Flex gap={16} wrap>
            <Form.Item label={t("source")} name={[field.name, "source"]}>
              <Select style={{ width: 160 }} options={EARNING_SOURCES.map((source) => ({ value: source, label: t(`source_${source}`) }))} />
            </Form.Item>
            <Form.Item label={t("brand")} name={[field.name, "brand"]} extra={t("brandHint")}>
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item label={t("pointsPerYuan")} name={[field.name, "points_per_yuan"]} extra={t("pointsPerYuanHint")}>
              <InputNumber style={{ width: 140 }} />
            </Form.Item>
            <Form.Item label={t("capDay")} name={[field.name, "caps", "day"]}>
              <InputNumber style={{ width: 120 }} />
            </Form.Item>
            <Form.Item label={t("capWeek")} name={[field.name, "caps", "week"]}>
              <InputNumber style={{ width: 120 }} />
            </Form.Item>
            <Form.Item label={t("capMonth")} name={[field.name, "caps", "month"]}>
              <InputNumber style={{ width: 120 }} />
            </Form.Item>
          </Flex>
        )}
      </CardList>

      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>
        {t("tiers")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("tiersHint")}</Typography.Paragraph>
      <Form.List name="tiers">
        {(fields, { add, remove }, { errors }) => (
          <Flex vertical gap={4}>
            {fields.map((field, index) => (
              <Flex key={field.key} gap={12} wrap align="flex-end">
                <Form.Item label={t("tierNameN", { n: index + 1 })} name={[field.name, "name"]} style={{ marginBottom: 8 }}>
                  <Input style={{ width: 180 }} />
                </Form.Item>
                <Form.Item label={t("tierMinN", { n: index + 1 })} name={[field.name, "min_points"]} style={{ marginBottom: 8 }}>
                  <InputNumber style={{ width: 160 }} />
                </Form.Item>
                {editable && fields.length > 1 && (
                  <Button style={{ marginBottom: 8 }} icon={<DeleteOutlined />} aria-label={t("removeTierN", { n: index + 1 })} onClick={() => remove(field.name)} />
                )}
              </Flex>
            ))}
            <Form.ErrorList errors={errors} />
            {editable && (
              <Button icon={<PlusOutlined />} style={{ alignSelf: "flex-start" }} onClick={() => add({ name: "", min_points: 0 })}>
                {t("addTier")}
              </Button>
            )}
          </Flex>
        )}
      </Form.List>

      {editable && (
        <FormActions
          saving={saving}
          onReset={() => {
            form.resetFields();
            problems.clear();
          }}
          style={{ marginTop: 24 }}
        />
      )}
    </Form>
  );
}
