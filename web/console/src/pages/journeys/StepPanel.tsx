// The side panel's forms: one per step type (each change updates the graph at once), the trigger
// and rules, and the step's add / insert / delete actions. Disabled when viewing an old version.
import { DeleteOutlined, MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Flex, Form, Input, InputNumber, Radio, Select, Space, Typography } from "antd";
import { useState } from "react";
import { STEP_TYPES, type Definition, type Step, type StepType } from "./graph";
import { useJourneysT, type JourneysT } from "./messages";
import { settingsOfValues, stepOfValues, valuesOfSettings, valuesOfStep, type SettingsValues, type StepValues } from "./stepForm";
import { EVENTS, STAGES } from "./view";

export interface Choice {
  value: string;
  label: string;
}

function WhereRows({ name, t, label }: { name: string; t: JourneysT; label: string }) {
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <div role="group" aria-label={label} style={{ marginBottom: 16 }}>
          <Typography.Text>{label}</Typography.Text>
          {fields.map((field, index) => (
            <Flex key={field.key} gap={8} align="start" style={{ marginTop: 8 }}>
              <Form.Item name={[field.name, "key"]} style={{ marginBottom: 0, flex: 1 }}>
                <Input aria-label={t("filterKey", { n: index + 1 })} placeholder="to_status" />
              </Form.Item>
              <Form.Item name={[field.name, "value"]} style={{ marginBottom: 0, flex: 1 }}>
                <Input aria-label={t("filterValue", { n: index + 1 })} placeholder="resolved" />
              </Form.Item>
              <Button type="text" icon={<MinusCircleOutlined />} aria-label={t("removeFilter", { n: index + 1 })} onClick={() => remove(field.name)} />
            </Flex>
          ))}
          <Button size="small" icon={<PlusOutlined />} style={{ marginTop: 8 }} onClick={() => add({ key: "", value: "" })}>
            {t("addFilter")}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

const eventOptions = EVENTS.map((event) => ({ value: event, label: event }));

export function StepForm({
  step,
  steps,
  templates,
  segments,
  readOnly,
  problems,
  onChange,
}: {
  step: Step;
  steps: Step[];
  templates: Choice[];
  segments: Choice[];
  readOnly: boolean;
  problems: string[];
  onChange: (step: Step) => void;
}) {
  const t = useJourneysT();
  const [form] = Form.useForm<StepValues>();
  const mode = Form.useWatch("mode", form);
  const kind = Form.useWatch("kind", form);
  const timeout = Form.useWatch("timeout_minutes", form);
  const targets = steps.filter((other) => other.id !== step.id).map((other) => ({ value: other.id, label: `${other.id} · ${t(`step_${other.type}`)}` }));
  const target = (name: keyof StepValues, label: string, allowClear = false) => (
    <Form.Item name={name} label={label} rules={allowClear ? [] : [{ required: true, message: t("required") }]}>
      <Select options={targets} allowClear={allowClear} />
    </Form.Item>
  );
  return (
    <Form
      form={form}
      layout="vertical"
      disabled={readOnly}
      initialValues={valuesOfStep(step)}
      onValuesChange={() => onChange(stepOfValues(step, form.getFieldsValue(true) as StepValues))}
    >
      {problems.length > 0 && <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }} title={problems.join("；")} />}
      <Typography.Paragraph>
        {t("stepType")}: <strong>{t(`step_${step.type}`)}</strong> · {t("stepId")}: <code>{step.id}</code>
      </Typography.Paragraph>
      {step.type === "wait" && (
        <>
          <Form.Item name="mode" label={t("waitMode")}>
            <Radio.Group options={(["minutes", "until_time", "until_event"] as const).map((m) => ({ value: m, label: t(`mode_${m}`) }))} />
          </Form.Item>
          {(mode ?? "minutes") === "minutes" && (
            <Form.Item name="minutes" label={t("minutesLabel")} rules={[{ required: true, message: t("required") }]}>
              <InputNumber min={1} style={{ width: "100%" }} />
            </Form.Item>
          )}
          {mode === "until_time" && (
            <Form.Item name="until_time" label={t("untilTime")} rules={[{ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t("timeFormat") }]}>
              <Input placeholder="09:00" />
            </Form.Item>
          )}
          {mode === "until_event" && (
            <>
              <Form.Item name="event" label={t("event")}>
                <Select options={eventOptions} />
              </Form.Item>
              <WhereRows name="where" t={t} label={t("filter")} />
              <Form.Item name="timeout_minutes" label={t("timeoutMinutes")}>
                <InputNumber min={1} style={{ width: "100%" }} />
              </Form.Item>
              {Boolean(timeout) && target("timeout_next", t("timeoutNext"), true)}
            </>
          )}
          {target("next", t("next"))}
        </>
      )}
      {step.type === "branch" && (
        <>
          <Form.Item name="kind" label={t("conditionKind")}>
            <Radio.Group options={(["segment", "attribute", "event"] as const).map((k) => ({ value: k, label: t(`cond_${k}`) }))} />
          </Form.Item>
          {kind === "segment" && (
            <Form.Item name="segment_id" label={t("segment")} rules={[{ required: true, message: t("required") }]}>
              <Select options={segments} showSearch optionFilterProp="label" />
            </Form.Item>
          )}
          {kind === "attribute" && (
            <>
              <Form.Item name="attribute" label={t("attribute")}>
                <Select options={(["lifecycle_stage", "tag", "points_balance", "has_wecom_friend"] as const).map((a) => ({ value: a, label: t(`attr_${a}`) }))} />
              </Form.Item>
              <Form.Item name="op" label={t("op")}>
                <Select options={(["eq", "ne", "gte", "lte", "has"] as const).map((o) => ({ value: o, label: t(`op_${o}`) }))} />
              </Form.Item>
              <Form.Item name="value" label={t("value")} rules={[{ required: true, message: t("required") }]}>
                <Input />
              </Form.Item>
            </>
          )}
          {kind === "event" && (
            <>
              <Form.Item name="event" label={t("event")}>
                <Select options={eventOptions} />
              </Form.Item>
              <WhereRows name="where" t={t} label={t("filter")} />
            </>
          )}
          {target("yes", t("yes"))}
          {target("no", t("no"))}
        </>
      )}
      {step.type === "send" && (
        <>
          <Form.Item name="template_id" label={t("template")} rules={[{ required: true, message: t("required") }]}>
            <Select options={templates} showSearch optionFilterProp="label" placeholder={t("templateMissing")} />
          </Form.Item>
          {target("next", t("next"))}
        </>
      )}
      {step.type === "tag" && (
        <>
          <Form.Item name="action" label={t("tagAction")}>
            <Radio.Group options={(["add", "remove"] as const).map((a) => ({ value: a, label: t(`action_${a}`) }))} />
          </Form.Item>
          <Form.Item name="tag" label={t("tag")} rules={[{ required: true, message: t("required") }]}>
            <Input />
          </Form.Item>
          {target("next", t("next"))}
        </>
      )}
      {step.type === "award_points" && (
        <>
          <Form.Item name="points" label={t("points")} rules={[{ required: true, message: t("required") }]}>
            <InputNumber min={1} style={{ width: "100%" }} />
          </Form.Item>
          {target("next", t("next"))}
        </>
      )}
      {step.type === "task" && (
        <>
          <Form.Item name="title" label={t("taskTitleLabel")} rules={[{ required: true, message: t("required") }]}>
            <Input />
          </Form.Item>
          <Form.Item name="note" label={t("note")}>
            <Input.TextArea autoSize={{ minRows: 2 }} />
          </Form.Item>
          <Form.Item name="template_id" label={t("suggestedTemplate")}>
            <Select options={templates} allowClear showSearch optionFilterProp="label" />
          </Form.Item>
          <Form.Item name="due_in_minutes" label={t("dueInMinutes")}>
            <InputNumber min={1} style={{ width: "100%" }} />
          </Form.Item>
          {target("next", t("next"))}
        </>
      )}
    </Form>
  );
}

export function StepActions({ step, onAddAfter, onAddBefore, onDelete }: { step: Step; onAddAfter: (type: StepType) => void; onAddBefore: (type: Exclude<StepType, "exit">) => void; onDelete: () => void }) {
  const t = useJourneysT();
  const [after, setAfter] = useState<StepType>("wait");
  const [before, setBefore] = useState<Exclude<StepType, "exit">>("wait");
  const options = STEP_TYPES.map((type) => ({ value: type, label: t(`step_${type}`) }));
  return (
    <Space orientation="vertical" style={{ width: "100%", marginTop: 8 }}>
      {step.type !== "exit" && (
        <Flex gap={8} wrap>
          <Select aria-label={t("addAfter")} value={after} onChange={setAfter} options={options} style={{ minWidth: 140 }} />
          <Button icon={<PlusOutlined />} onClick={() => onAddAfter(after)}>
            {t("addAfter")}
          </Button>
        </Flex>
      )}
      <Flex gap={8} wrap>
        <Select aria-label={t("addBefore")} value={before} onChange={setBefore} options={options.filter((o) => o.value !== "exit")} style={{ minWidth: 140 }} />
        <Button icon={<PlusOutlined />} onClick={() => onAddBefore(before)}>
          {t("addBefore")}
        </Button>
      </Flex>
      <Button danger icon={<DeleteOutlined />} onClick={onDelete}>
        {t("deleteStep")}
      </Button>
    </Space>
  );
}

export function SettingsForm({ definition, segments, readOnly, onChange }: { definition: Definition; segments: Choice[]; readOnly: boolean; onChange: (definition: Definition) => void }) {
  const t = useJourneysT();
  const [form] = Form.useForm<SettingsValues>();
  const kind = Form.useWatch("kind", form);
  const reentry = Form.useWatch("reentry_mode", form);
  const goal = Form.useWatch("goal_event", form);
  return (
    <Form form={form} layout="vertical" disabled={readOnly} initialValues={valuesOfSettings(definition)} onValuesChange={() => onChange(settingsOfValues(definition, form.getFieldsValue(true) as SettingsValues))}>
      <Form.Item name="name" label={t("name")} rules={[{ required: true, message: t("required") }]}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="kind" label={t("triggerKind")}>
        <Select options={(["event", "segment_entered", "lifecycle_changed", "date"] as const).map((k) => ({ value: k, label: t(`trigger_${k}`) }))} />
      </Form.Item>
      {kind === "event" && (
        <>
          <Form.Item name="event" label={t("event")}>
            <Select options={eventOptions} />
          </Form.Item>
          <WhereRows name="where" t={t} label={t("filter")} />
        </>
      )}
      {kind === "segment_entered" && (
        <Form.Item name="segment_id" label={t("segment")} rules={[{ required: true, message: t("required") }]}>
          <Select options={segments} showSearch optionFilterProp="label" />
        </Form.Item>
      )}
      {kind === "lifecycle_changed" && (
        <Form.Item name="to_stage" label={t("toStage")}>
          <Select options={STAGES.map((s) => ({ value: s, label: t(`stage_${s}`) }))} />
        </Form.Item>
      )}
      {kind === "date" && (
        <Form.Item name="at" label={t("at")} rules={[{ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t("timeFormat") }]}>
          <Input placeholder="09:00" />
        </Form.Item>
      )}
      <Form.Item name="reentry_mode" label={t("reentry")}>
        <Radio.Group options={(["once", "after_days"] as const).map((m) => ({ value: m, label: t(`reentry_${m}`) }))} />
      </Form.Item>
      {reentry === "after_days" && (
        <Form.Item name="reentry_days" label={t("reentryDays")}>
          <InputNumber min={1} max={3650} style={{ width: "100%" }} />
        </Form.Item>
      )}
      <Form.Item name="goal_event" label={t("goal")}>
        <Select options={eventOptions} allowClear placeholder={t("noGoal")} />
      </Form.Item>
      {goal && <WhereRows name="goal_where" t={t} label={t("filter")} />}
    </Form>
  );
}
