// Create or edit a segment: name, kind, a template to start from, the rule builder (dynamic) or
// pasted contact ids (static), a live preview before saving; a 422 on the rule shows on the
// condition its loc names.
import { App, Alert, Button, Form, Input, Radio, Select, Space, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { problemText } from "../../components/problems";
import { useCommonT } from "../../components/messages";
import { useSegmentsT } from "./messages";
import { RuleBuilder } from "./RuleBuilder";
import { fromRule, newGroup, placeRuleErrors, toRule, type GroupNode, type PlacedErrors } from "./ruleModel";

type Segment = Schemas["SegmentView"];
export const SEGMENTS_KEY = ["segments"] as const;

export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((id) => id.trim()).filter(Boolean))];
}

export function SegmentForm({ segment, onDone }: { segment: Segment | null; onDone: (saved: Segment) => void }) {
  const t = useSegmentsT();
  const common = useCommonT();
  const api = useApi();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string; description: string; kind: "dynamic" | "static"; contact_ids: string }>();
  const problems = useProblemForm(form);
  const kind = Form.useWatch("kind", form) ?? segment?.kind ?? "dynamic";
  const [tree, setTree] = useState<GroupNode>(() => (segment?.rule ? fromRule(segment.rule) : newGroup()));
  const [ruleErrors, setRuleErrors] = useState<PlacedErrors>({ byCondition: {}, general: [] });
  const templates = useQuery({ queryKey: ["segment-templates"], queryFn: () => unwrap(api.GET("/v1/segment-templates")) });

  const showRuleProblem = (error: unknown, locs: ReturnType<typeof toRule>["locs"]): boolean => {
    if (!(error instanceof ApiError) || error.status !== 422) return false;
    const ruleOnes = (error.problem.errors ?? []).filter((e) => e.loc[0] === "body" && e.loc[1] === "rule");
    if (!ruleOnes.length) return false;
    setRuleErrors(placeRuleErrors(ruleOnes, locs));
    return ruleOnes.length === (error.problem.errors ?? []).length;
  };

  const preview = useMutation({
    mutationFn: () => {
      const { rule } = toRule(tree);
      return unwrap(api.POST("/v1/segments/preview", { body: { rule } }));
    },
    onMutate: () => setRuleErrors({ byCondition: {}, general: [] }),
    onError: (error) => showRuleProblem(error, toRule(tree).locs),
  });

  const save = useMutation({
    mutationFn: async (values: { name: string; description?: string; kind: "dynamic" | "static"; contact_ids?: string }) => {
      const body: Schemas["SegmentWrite"] = { name: values.name, description: values.description ?? "", kind: values.kind };
      if (values.kind === "dynamic") body.rule = toRule(tree).rule;
      else if (!segment) body.contact_ids = parseIds(values.contact_ids ?? "");
      return segment
        ? unwrap(api.PUT("/v1/segments/{segment_id}", { params: { path: { segment_id: segment.segment_id } }, body }))
        : unwrap(api.POST("/v1/segments", { body }));
    },
    onMutate: () => {
      problems.clear();
      setRuleErrors({ byCondition: {}, general: [] });
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: SEGMENTS_KEY });
      void message.success(common("saved"));
      onDone(saved);
    },
    onError: (error) => {
      if (!showRuleProblem(error, toRule(tree).locs)) problems.onError(error);
    },
  });

  const answer = preview.data;
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ name: segment?.name ?? "", description: segment?.description ?? "", kind: segment?.kind ?? "dynamic", contact_ids: "" }}
      onFinish={(values) => save.mutate(values)}
    >
      <FormProblems messages={problems.general} />
      <Form.Item name="name" label={t("name")} rules={[{ required: true, message: common("formInvalid") }]}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="description" label={t("description")}>
        <Input maxLength={500} />
      </Form.Item>
      <Form.Item name="kind" label={t("kind")}>
        <Radio.Group
          disabled={Boolean(segment)}
          options={[
            { value: "dynamic", label: t("kind_dynamic") },
            { value: "static", label: t("kind_static") },
          ]}
        />
      </Form.Item>
      {kind === "dynamic" ? (
        <>
          <Form.Item label={t("template")} htmlFor="segment-template">
            <Select
              id="segment-template"
              placeholder={t("templatePlaceholder")}
              loading={templates.isPending}
              options={(templates.data?.items ?? []).map((template) => ({ value: template.key, label: `${template.name} — ${template.description}` }))}
              onChange={(key: string) => {
                const template = templates.data?.items.find((item) => item.key === key);
                if (!template) return;
                setTree(fromRule(template.rule));
                if (!form.getFieldValue("name")) form.setFieldValue("name", template.name);
              }}
            />
          </Form.Item>
          <Typography.Title level={3} style={{ fontSize: 16 }}>
            {t("rule")}
          </Typography.Title>
          {ruleErrors.general.length > 0 && <FormProblems messages={ruleErrors.general} />}
          <RuleBuilder value={tree} onChange={setTree} errors={ruleErrors.byCondition} />
          <Space direction="vertical" style={{ width: "100%", margin: "8px 0 16px" }}>
            <Button onClick={() => preview.mutate()} loading={preview.isPending}>
              {t("preview")}
            </Button>
            {preview.isError && !(preview.error instanceof ApiError && preview.error.status === 422) && <Alert type="error" title={problemText(preview.error)} />}
            {answer && (
              <Alert
                type="info"
                role="status"
                title={
                  t("previewResult", { matched: answer.matched, sampled: answer.sampled, share: `${Math.round(answer.share * 1000) / 10}%` }) +
                  (answer.complete ? t("previewExact") : "")
                }
                description={
                  answer.sample.length ? (
                    <>
                      {t("previewSample")}:{" "}
                      {answer.sample.map((id) => (
                        <Link key={id} to={`/contacts/${id}`} style={{ marginRight: 8 }}>
                          {id}
                        </Link>
                      ))}
                    </>
                  ) : (
                    t("previewNone")
                  )
                }
              />
            )}
          </Space>
        </>
      ) : (
        !segment && (
          <Form.Item name="contact_ids" label={t("contactIds")}>
            <Input.TextArea rows={5} />
          </Form.Item>
        )
      )}
      <FormActions saving={save.isPending} />
    </Form>
  );
}
