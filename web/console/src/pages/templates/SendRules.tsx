// The tenant's sending rules (GET/PUT /v1/outreach/settings): time zone, quiet hours on or off with
// their start and end, and each channel family's caps per day, week and month (a month's may be
// "as many as the month has days"). Readable by the roles that write templates, saved by admins
// (PUT with the version read: a 409 offers to reload); a 422 lands on the field it names.
import { App, Button, Checkbox, Flex, Form, Input, InputNumber, Switch, Table, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { useTemplatesT } from "./messages";

type Settings = Schemas["OutreachSettings"];
type Change = Schemas["OutreachSettingsChange"];
type MonthCap = number | "days_in_month" | null;

export const FAMILIES = ["wecom", "wechat_template", "wechat_subscribe"] as const;
type Family = (typeof FAMILIES)[number];
const WINDOWS = ["per_day", "per_week", "per_month"] as const;

const SETTINGS_KEY = ["outreach-settings"] as const;

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "UTC"];
  }
})();

export interface RulesForm {
  time_zone: string;
  quiet_on: boolean;
  quiet_hours: { start: string; end: string };
  caps: Record<Family, { per_day?: number | null; per_week?: number | null; per_month?: MonthCap }>;
}

export function rulesForm(settings: Settings): RulesForm {
  const caps = settings.caps ?? {};
  return {
    time_zone: settings.time_zone,
    quiet_on: Boolean(settings.quiet_hours),
    quiet_hours: settings.quiet_hours ?? { start: "21:00", end: "09:00" },
    caps: Object.fromEntries(FAMILIES.map((family) => [family, { per_day: caps[family]?.per_day ?? null, per_week: caps[family]?.per_week ?? null, per_month: caps[family]?.per_month ?? null }])) as RulesForm["caps"],
  };
}

/** The form's values as the API's whole settings, on the version read. */
export function rulesBody(values: RulesForm, version: number): Change {
  const caps = Object.fromEntries(
    FAMILIES.map((family) => {
      const rule = values.caps?.[family] ?? {};
      return [family, { per_day: rule.per_day ?? null, per_week: rule.per_week ?? null, per_month: rule.per_month ?? null }];
    }),
  );
  return { time_zone: values.time_zone, quiet_hours: values.quiet_on ? { start: values.quiet_hours.start, end: values.quiet_hours.end } : null, caps, version };
}

export function SendRulesSection() {
  const t = useTemplatesT();
  const api = useApi();
  const query = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => unwrap(api.GET("/v1/outreach/settings")) });
  return (
    <Section id="send-rules-title" title={t("settingsTitle")}>
      <Typography.Paragraph>{t("settingsHint")}</Typography.Paragraph>
      <QueryState query={query}>{(settings) => <RulesEditor key={settings.version} settings={settings} />}</QueryState>
    </Section>
  );
}

function RulesEditor({ settings }: { settings: Settings }) {
  const t = useTemplatesT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<RulesForm>();
  const problems = useProblemForm(form);
  const editable = can("PUT /v1/outreach/settings");
  const quietOn = Form.useWatch("quiet_on", form) ?? Boolean(settings.quiet_hours);
  const save = useMutation({
    mutationFn: (body: Change) => unwrap(api.PUT("/v1/outreach/settings", { body })),
    onSuccess: (saved) => queries.setQueryData(SETTINGS_KEY, saved),
  });
  const conflict = save.error instanceof ApiError && save.error.status === 409;

  const onFinish = async (values: RulesForm) => {
    problems.clear();
    try {
      await save.mutateAsync(rulesBody(values, settings.version));
      void message.success(t("settingsSaved"));
    } catch (error) {
      problems.onError(error);
    }
  };

  return (
    <Form form={form} name="send-rules" layout="vertical" initialValues={rulesForm(settings)} onFinish={onFinish} onFinishFailed={() => problems.clear()} disabled={!editable} aria-label={t("settingsTitle")}>
      {!editable && <Typography.Paragraph strong>{t("settingsReadOnly")}</Typography.Paragraph>}
      <FormProblems messages={problems.general} />
      {conflict && (
        <Flex gap={8} align="center" wrap style={{ marginBottom: 16 }}>
          <span>{t("settingsConflict")}</span>
          <Button onClick={() => void queries.invalidateQueries({ queryKey: SETTINGS_KEY })}>{t("reload")}</Button>
        </Flex>
      )}
      <Flex gap={24} wrap>
        <Form.Item label={t("timeZone")} name="time_zone" style={{ flex: "0 1 260px" }}>
          <Input list="outreach-zones" />
        </Form.Item>
        <datalist id="outreach-zones">
          {ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <Form.Item label={t("quietHours")} name="quiet_on" valuePropName="checked" extra={t("quietHoursHint")} style={{ flex: "0 1 260px" }}>
          <Switch />
        </Form.Item>
        <Form.Item label={t("quietStart")} name={["quiet_hours", "start"]} hidden={!quietOn} style={{ flex: "0 1 140px" }}>
          <Input type="time" />
        </Form.Item>
        <Form.Item label={t("quietEnd")} name={["quiet_hours", "end"]} hidden={!quietOn} style={{ flex: "0 1 140px" }}>
          <Input type="time" />
        </Form.Item>
      </Flex>
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t("caps")}
      </Typography.Title>
      <Typography.Paragraph>{t("capsHint")}</Typography.Paragraph>
      <Table
        size="small"
        pagination={false}
        rowKey="family"
        scroll={{ x: 560 }}
        style={{ marginBottom: 16 }}
        dataSource={FAMILIES.map((family) => ({ family }))}
        columns={[
          { title: t("family"), dataIndex: "family", width: 150, render: (family: Family) => t(`family_${family}`) },
          ...WINDOWS.map((window) => ({
            title: t(window === "per_day" ? "perDay" : window === "per_week" ? "perWeek" : "perMonth"),
            key: window,
            render: (_: unknown, row: { family: Family }) => {
              const label = t("capFor", { window: t(window === "per_day" ? "perDay" : window === "per_week" ? "perWeek" : "perMonth"), family: t(`family_${row.family}`) });
              return (
                <Form.Item name={["caps", row.family, window]} style={{ margin: 0 }}>
                  {window === "per_month" ? <MonthCapInput label={label} daysLabel={t("daysInMonthFor", { family: t(`family_${row.family}`) })} /> : <InputNumber min={0} max={1000} precision={0} aria-label={label} style={{ width: 100 }} />}
                </Form.Item>
              );
            },
          })),
        ]}
      />
      {editable && (
        <FormActions
          saving={save.isPending}
          onReset={() => {
            form.resetFields();
            problems.clear();
          }}
        />
      )}
    </Form>
  );
}

/** A month's cap: a number, none (empty), or as many as the month has days. */
export function MonthCapInput({ value, onChange, label, daysLabel, disabled, id }: { value?: MonthCap; onChange?: (value: MonthCap) => void; label: string; daysLabel: string; disabled?: boolean; id?: string }) {
  const t = useTemplatesT();
  const byDays = value === "days_in_month";
  return (
    <Flex gap={8} align="center" wrap>
      <InputNumber id={id} min={0} max={1000} precision={0} aria-label={label} style={{ width: 100 }} disabled={disabled || byDays} value={byDays ? null : (value ?? null)} onChange={(next) => onChange?.(next ?? null)} />
      <Checkbox aria-label={daysLabel} checked={byDays} disabled={disabled} onChange={(event) => onChange?.(event.target.checked ? "days_in_month" : null)}>
        <span aria-hidden>{t("daysInMonth")}</span>
      </Checkbox>
    </Flex>
  );
}
