// One section of the tenant's case settings (business hours, SLA, keyword rules, sensitive words):
// its own form, which writes the whole settings document back (PUT with the version read), so a
// save never loses another section; a 422 lands on the section's fields, a 409 says to reload.
import { App, Button, Form, InputNumber, Select, Table, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { useCommonT } from "../../components/messages";
import { BusinessHoursFields, hhmm } from "./BusinessHoursEditor";
import { KeywordRulesEditor } from "./KeywordRulesEditor";
import { PRIORITIES, useSettingsT } from "./messages";
import { WordsInput } from "../../components/WordsInput";

type Settings = Schemas["CaseSettings"];
export type SectionKey = "hours" | "sla" | "keywords" | "sensitive";

const SETTINGS_KEY = ["case-settings"] as const;

export function useCaseSettings() {
  const api = useApi();
  return useQuery({ queryKey: SETTINGS_KEY, queryFn: () => unwrap(api.GET("/v1/case-settings")) });
}

/** The form's values for a section: the settings' own field names, so errors map by name. */
export function sectionValues(section: SectionKey, settings: Settings): Partial<Settings> {
  switch (section) {
    case "hours": {
      const hours = settings.business_hours;
      return { business_hours: hours && { ...hours, opens: hhmm(hours.opens), closes: hhmm(hours.closes) } };
    }
    case "sla":
      return { sla: settings.sla, auto_close_days: settings.auto_close_days, reopen_on_rating_at_most: settings.reopen_on_rating_at_most };
    case "keywords":
      return { keyword_rules: settings.keyword_rules ?? [] };
    case "sensitive":
      return { sensitive_words: settings.sensitive_words ?? { words: [], action: "flag" } };
  }
}

export function CaseSettingsSection({ section }: { section: SectionKey }) {
  const query = useCaseSettings();
  return <QueryState query={query}>{(settings) => <SectionForm key={settings.version} section={section} settings={settings} />}</QueryState>;
}

function SectionForm({ section, settings }: { section: SectionKey; settings: Settings }) {
  const t = useSettingsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const problems = useProblemForm(form);
  const editable = can("PUT /v1/case-settings");
  const save = useMutation({
    mutationFn: (body: Schemas["SettingsPut"]) => unwrap(api.PUT("/v1/case-settings", { body })),
    onSuccess: (saved) => queries.setQueryData(SETTINGS_KEY, saved),
  });
  const conflict = save.error instanceof ApiError && save.error.status === 409;

  const onFinish = async (values: Partial<Settings>) => {
    problems.clear();
    try {
      await save.mutateAsync({ ...settings, ...values, version: settings.version });
      void message.success(common("saved"));
    } catch (error) {
      problems.onError(error);
    }
  };

  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={sectionValues(section, settings)}
      onFinish={onFinish}
      onFinishFailed={() => problems.clear()}
      disabled={!editable}
      aria-label={t(`tab_${section}`)}
    >
      <FormProblems messages={problems.general} />
      {conflict && (
        <Button style={{ marginBottom: 16 }} onClick={() => void queries.invalidateQueries({ queryKey: SETTINGS_KEY })}>
          {t("reloadSettings")}
        </Button>
      )}
      {section === "hours" && <BusinessHoursFields />}
      {section === "sla" && <SlaFields />}
      {section === "keywords" && <KeywordRulesEditor />}
      {section === "sensitive" && <SensitiveWordsFields />}
      {editable && (
        <FormActions
          saving={save.isPending}
          onReset={() => {
            form.resetFields();
            problems.clear();
          }}
          style={{ marginTop: 16 }}
        />
      )}
    </Form>
  );
}

function SlaFields() {
  const t = useSettingsT();
  return (
    <>
      <Typography.Paragraph type="secondary">{t("slaHint")}</Typography.Paragraph>
      <Table
        size="small"
        pagination={false}
        rowKey="priority"
        style={{ maxWidth: 640, marginBottom: 24 }}
        dataSource={PRIORITIES.map((priority) => ({ priority }))}
        columns={[
          { title: t("priority"), dataIndex: "priority", render: (p: (typeof PRIORITIES)[number]) => t(`priority_${p}`) },
          {
            title: t("firstResponseMinutes"),
            render: (_: unknown, row: { priority: string }) => (
              <Form.Item name={["sla", row.priority, "first_response_minutes"]} style={{ margin: 0 }}>
                <InputNumber aria-label={t("firstResponseFor", { priority: t(`priority_${row.priority as "low"}`) })} style={{ width: 140 }} />
              </Form.Item>
            ),
          },
          {
            title: t("resolutionMinutes"),
            render: (_: unknown, row: { priority: string }) => (
              <Form.Item name={["sla", row.priority, "resolution_minutes"]} style={{ margin: 0 }}>
                <InputNumber aria-label={t("resolutionFor", { priority: t(`priority_${row.priority as "low"}`) })} style={{ width: 140 }} />
              </Form.Item>
            ),
          },
        ]}
      />
      <Form.Item label={t("autoCloseDays")} name="auto_close_days" extra={t("autoCloseHint")}>
        <InputNumber style={{ width: 140 }} />
      </Form.Item>
      <Form.Item label={t("reopenAtMost")} name="reopen_on_rating_at_most" extra={t("reopenHint")}>
        <InputNumber style={{ width: 140 }} />
      </Form.Item>
    </>
  );
}

function SensitiveWordsFields() {
  const t = useSettingsT();
  return (
    <>
      <Form.Item label={t("sensitiveWords")} name={["sensitive_words", "words"]} extra={t("wordsHint")}>
        <WordsInput />
      </Form.Item>
      <Form.Item label={t("sensitiveAction")} name={["sensitive_words", "action"]}>
        <Select
          style={{ width: 280 }}
          options={[
            { value: "flag", label: t("action_flag") },
            { value: "block", label: t("action_block") },
          ]}
        />
      </Form.Item>
    </>
  );
}
