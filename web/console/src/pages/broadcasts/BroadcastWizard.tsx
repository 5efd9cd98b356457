// The broadcast wizard, in a drawer: 1 audience (a segment or pasted contact ids; staff ids for
// customer groups), channel and template; 2 the preview's counts (reachable, skipped by reason, each
// staff member's share); 3 schedule (now or a time, moved out of quiet hours), name, tracked code —
// then create (one Idempotency-Key per wizard: a retried create makes one broadcast) or, for a
// scheduled broadcast, save the change on its version. A 422 goes onto its field, on its step.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, DatePicker, Drawer, Flex, Form, Grid, Input, Radio, Select, Spin, Steps } from "antd";
import dayjs from "dayjs";
import { useRef, useState } from "react";
import { ApiError, idempotencyKey, unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { formatTime } from "../../components/format";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { PreviewCounts } from "./Counts";
import { useBroadcastsT } from "./messages";
import {
  audienceBody,
  changeBody,
  channelLabel,
  CHANNELS,
  createBody,
  MAX_CONTACT_IDS,
  MAX_STAFF_IDS,
  newWizardValues,
  parseIds,
  postponed,
  STEP_FIELDS,
  stepOfField,
  wizardValues,
  type Broadcast,
  type WizardValues,
} from "./view";

function idsRule(t: ReturnType<typeof useBroadcastsT>, max: number) {
  return {
    validator: (_: unknown, value: string | undefined) => {
      const ids = parseIds(value);
      if (ids.length === 0) return Promise.reject(new Error(t("idsRequired")));
      if (ids.length > max) return Promise.reject(new Error(t("tooManyIds", { max })));
      return Promise.resolve();
    },
  };
}

function Wizard({ broadcast, onSaved, onCancel }: { broadcast?: Broadcast; onSaved: (view: Broadcast) => void; onCancel: () => void }) {
  const t = useBroadcastsT();
  const common = useCommonT();
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<WizardValues>();
  const problems = useProblemForm(form);
  const [step, setStep] = useState(0);
  const [checking, setChecking] = useState(false);
  const key = useRef(idempotencyKey()); // one broadcast per wizard, however often create is pressed
  const initial = broadcast ? wizardValues(broadcast) : newWizardValues();
  const channel = Form.useWatch("channel", form) ?? initial.channel;
  const audience = Form.useWatch("audience", form) ?? initial.audience;
  const when = Form.useWatch("when", form) ?? initial.when;
  const values = Form.useWatch([], { form, preserve: true }) as WizardValues | undefined;

  const segments = useQuery({ queryKey: ["segments"], queryFn: () => unwrap(api.GET("/v1/segments")) });
  const templates = useQuery({
    queryKey: ["templates", "channel", channel],
    queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { channel, limit: 100 } } })),
  });
  const body = values && step > 0 ? audienceBody({ ...initial, ...values }) : null;
  const previewKey = ["broadcast-preview", JSON.stringify(body)];
  const fetchPreview = (request: NonNullable<typeof body>) => unwrap(api.POST("/v1/broadcasts/preview", { body: request }));
  const preview = useQuery({ queryKey: previewKey, queryFn: () => fetchPreview(body!), enabled: body !== null, staleTime: 30_000 });

  /** A 422 naming a field of another step: go there, so the message is seen on its field. */
  const showError = (error: unknown) => {
    problems.onError(error);
    if (error instanceof ApiError) {
      const first = error.problem.errors?.find((item) => item.loc[0] === "body")?.loc[1];
      const target = stepOfField(first);
      if (target !== null) setStep(target);
    }
  };

  const toPreview = async () => {
    problems.clear();
    try {
      await form.validateFields([...STEP_FIELDS[0]]);
    } catch {
      return;
    }
    const request = audienceBody({ ...initial, ...form.getFieldsValue(true) });
    setChecking(true);
    try {
      await client.fetchQuery({ queryKey: ["broadcast-preview", JSON.stringify(request)], queryFn: () => fetchPreview(request), staleTime: 0 });
      setStep(1);
    } catch (error) {
      showError(error);
    } finally {
      setChecking(false);
    }
  };

  const save = useMutation({
    mutationFn: (all: WizardValues) =>
      broadcast
        ? unwrap(api.PUT("/v1/broadcasts/{broadcast_id}", { params: { path: { broadcast_id: broadcast.broadcast_id } }, body: changeBody(all, broadcast.version) }))
        : unwrap(api.POST("/v1/broadcasts", { body: createBody(all), headers: { "Idempotency-Key": key.current } })),
    onMutate: () => problems.clear(),
    onSuccess: (view) => {
      client.setQueryData(["broadcast", view.broadcast_id], view);
      void client.invalidateQueries({ queryKey: ["broadcasts"] });
      void message.success(broadcast ? t("saved") : t("created"));
      onSaved(view);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409 && broadcast) {
        void client.invalidateQueries({ queryKey: ["broadcast", broadcast.broadcast_id] });
      }
      showError(error);
    },
  });

  const required = { required: true, message: t("required") };
  const scheduledFor = preview.data?.scheduled_for;
  const sendAt = values?.when === "later" ? values.send_at?.toISOString() : undefined;
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={() => save.mutate({ ...initial, ...form.getFieldsValue(true) })} aria-label={broadcast ? t("editBroadcast") : t("newBroadcast")}>
      <Steps size="small" current={step} style={{ marginBottom: 24 }} items={[{ title: t("step_audience") }, { title: t("step_preview") }, { title: t("step_schedule") }]} />
      <FormProblems messages={problems.general} />
      <div hidden={step !== 0}>
        <Form.Item name="channel" label={t("channel")} rules={[required]}>
          <Select
            options={CHANNELS.map((value) => ({ value, label: channelLabel(t, value) }))}
            onChange={() => form.setFieldValue("template_id", undefined)}
          />
        </Form.Item>
        {channel === "wecom_group" ? (
          <Form.Item name="staff_ids" label={t("staffIds")} extra={t("staffIdsHelp")} rules={[idsRule(t, MAX_STAFF_IDS)]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="audience" label={t("audienceKind")}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: "segment", label: t("audience_segment") },
                  { value: "contacts", label: t("audience_contacts") },
                ]}
              />
            </Form.Item>
            {audience === "contacts" ? (
              <Form.Item name="contact_ids" label={t("contactIds")} extra={t("contactIdsHelp")} rules={[idsRule(t, MAX_CONTACT_IDS)]}>
                <Input.TextArea rows={4} />
              </Form.Item>
            ) : (
              <Form.Item name="segment_id" label={t("segment")} rules={[required]}>
                <Select
                  showSearch={{ optionFilterProp: "label" }}
                  loading={segments.isPending}
                  notFoundContent={segments.isError ? problemText(segments.error) : undefined}
                  options={(segments.data?.items ?? []).map((segment) => ({ value: segment.segment_id, label: t("segmentOption", { name: segment.name, count: segment.count }) }))}
                />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="template_id" label={t("template")} rules={[required]} extra={templates.data && templates.data.items.length === 0 ? t("noTemplates") : undefined}>
          <Select
            showSearch={{ optionFilterProp: "label" }}
            loading={templates.isPending}
            notFoundContent={templates.isError ? problemText(templates.error) : undefined}
            options={(templates.data?.items ?? []).map((template) => ({ value: template.template_id, label: template.name }))}
          />
        </Form.Item>
        <Flex gap={8}>
          <Button type="primary" loading={checking} onClick={() => void toPreview()}>
            {t("next")}
          </Button>
          <Button onClick={onCancel}>{common("cancel")}</Button>
        </Flex>
      </div>
      <div hidden={step !== 1}>
        {preview.isPending && body !== null ? <Spin aria-label={common("loading")} /> : null}
        {preview.isError && <Alert type="error" showIcon title={problemText(preview.error)} />}
        {preview.data && <PreviewCounts preview={preview.data} />}
        <Flex gap={8} style={{ marginTop: 16 }}>
          <Button onClick={() => setStep(0)}>{t("previous")}</Button>
          <Button type="primary" disabled={!preview.data} onClick={() => setStep(2)}>
            {t("next")}
          </Button>
        </Flex>
      </div>
      <div hidden={step !== 2}>
        <Form.Item name="when" label={t("whenToSend")}>
          <Radio.Group
            optionType="button"
            options={[
              { value: "now", label: t("sendNow") },
              { value: "later", label: t("sendLater") },
            ]}
          />
        </Form.Item>
        {when === "later" && (
          <Form.Item
            name="send_at"
            label={t("sendAt")}
            rules={[
              {
                validator: (_, value: WizardValues["send_at"]) => (value ? Promise.resolve() : Promise.reject(new Error(t("required")))),
              },
            ]}
          >
            <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" disabledDate={(day) => day.isBefore(dayjs(), "day")} />
          </Form.Item>
        )}
        {scheduledFor && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="scheduled-for"
            title={postponed(scheduledFor, sendAt) ? t("previewScheduled", { time: formatTime(scheduledFor) }) : t("previewNow", { time: formatTime(scheduledFor) })}
          />
        )}
        <Form.Item name="name" label={t("name")} rules={[{ ...required, whitespace: true }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="tracked_code" label={t("trackedCode")} extra={t("trackedCodeHelp")}>
          <Input maxLength={32} />
        </Form.Item>
        <Flex gap={8}>
          <Button onClick={() => setStep(1)}>{t("previous")}</Button>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {broadcast ? common("save") : t("create")}
          </Button>
        </Flex>
      </div>
    </Form>
  );
}

/** The drawer the list (create) and a scheduled broadcast's page (change) open. */
export function BroadcastWizard({ open, onClose, broadcast, onSaved }: { open: boolean; onClose: () => void; broadcast?: Broadcast; onSaved: (view: Broadcast) => void }) {
  const t = useBroadcastsT();
  const screens = Grid.useBreakpoint();
  return (
    <Drawer open={open} onClose={onClose} title={broadcast ? t("editBroadcast") : t("newBroadcast")} size={screens.sm ? 640 : "100%"} destroyOnHidden>
      <Wizard broadcast={broadcast} onSaved={onSaved} onCancel={onClose} />
    </Drawer>
  );
}
