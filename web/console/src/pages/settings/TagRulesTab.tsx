// Auto-tag rules: a fact of type `on` meeting every condition of `when` tags its contact.
import { App, Button, Flex, Form, Input, Popconfirm, Select, Switch, Table, Tag, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { CreateButton, TitleBar } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { EmptyState, QueryState } from "../../components/QueryState";
import { WordsInput } from "../../components/WordsInput";
import { useContactSettingsT } from "./contactSettingsMessages";
import { FactConditionsEditor } from "./FactConditionsEditor";
import { describeConditions, FACT_TYPES, fromConditions, toConditions, type ConditionRow } from "./factConditions";

type Rule = Schemas["TagRule"];
type Values = Omit<Schemas["TagRuleWrite"], "when"> & { when: ConditionRow[] };
const KEY = ["tag-rules"] as const;

export function TagRulesTab() {
  const t = useContactSettingsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const { message } = App.useApp();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET("/v1/tag-rules")) });
  const [editing, setEditing] = useState<Editing<Rule>>(null);
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/tag-rules/{rule_id}", { params: { path: { rule_id: id } } })),
    onSuccess: () => {
      void message.success(t("deleted"));
      void queries.invalidateQueries({ queryKey: KEY });
    },
  });
  const writes = can("PUT /v1/tag-rules/{rule_id}") || can("DELETE /v1/tag-rules/{rule_id}");
  return (
    <>
      <TitleBar level={2} title={t("tab_tagRules")} extra={<CreateButton op="POST /v1/tag-rules" onClick={() => setEditing("new")}>{t("newTagRule")}</CreateButton>} />
      <Typography.Paragraph>{t("tagRulesHint")}</Typography.Paragraph>
      <QueryState query={query} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("noRules")} />}>
        {(data) => (
          <Table
            rowKey="rule_id"
            pagination={false}
            scroll={{ x: true }}
            dataSource={data.items}
            columns={[
              { title: t("ruleName"), dataIndex: "name" },
              { title: t("on"), dataIndex: "on" },
              { title: t("when"), dataIndex: "when", render: (when: Rule["when"]) => describeConditions(when, t("always")) },
              { title: t("addTags"), dataIndex: "add_tags", render: (tags: string[]) => tags.map((tag) => <Tag key={tag}>{tag}</Tag>) },
              { title: t("enabled"), dataIndex: "enabled", render: (on: boolean) => (on ? common("yes") : common("no")) },
              ...(writes
                ? [
                    {
                      title: common("actions"),
                      render: (_: unknown, rule: Rule) => (
                        <Flex gap={8}>
                          {can("PUT /v1/tag-rules/{rule_id}") && <Button aria-label={`${common("edit")} ${rule.name}`} onClick={() => setEditing(rule)}>{common("edit")}</Button>}
                          {can("DELETE /v1/tag-rules/{rule_id}") && (
                            <Popconfirm title={t("deleteConfirm", { name: rule.name })} onConfirm={() => remove.mutate(rule.rule_id)} okText={common("delete")} cancelText={common("cancel")}>
                              <Button danger aria-label={`${common("delete")} ${rule.name}`}>{common("delete")}</Button>
                            </Popconfirm>
                          )}
                        </Flex>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </QueryState>
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newTagRule")} editTitle={t("editTagRule")}>
        {(rule) => <TagRuleForm rule={rule} onDone={() => setEditing(null)} />}
      </EditDrawer>
    </>
  );
}

function TagRuleForm({ rule, onDone }: { rule: Rule | null; onDone: () => void }) {
  const t = useContactSettingsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: (values: Values) => {
      const body: Schemas["TagRuleWrite"] = { ...values, add_tags: values.add_tags ?? [], when: toConditions(values.when) };
      return rule
        ? unwrap(api.PUT("/v1/tag-rules/{rule_id}", { params: { path: { rule_id: rule.rule_id } }, body }))
        : unwrap(api.POST("/v1/tag-rules", { body }));
    },
    onMutate: () => problems.clear(),
    onSuccess: () => {
      void message.success(common("saved"));
      void queries.invalidateQueries({ queryKey: KEY });
      onDone();
    },
    onError: problems.onError,
  });
  const initial: Values = rule
    ? { name: rule.name, on: rule.on as Values["on"], enabled: rule.enabled, add_tags: rule.add_tags, when: fromConditions(rule.when) }
    : { name: "", on: "OrderPaid", enabled: true, add_tags: [], when: [] };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={(values) => save.mutate(values)}>
      <FormProblems messages={problems.general} />
      <Form.Item name="name" label={t("ruleName")} rules={[{ required: true, message: t("required") }]}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="on" label={t("on")}>
        <Select showSearch options={FACT_TYPES.map((type) => ({ value: type, label: type }))} />
      </Form.Item>
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t("when")}
      </Typography.Title>
      <FactConditionsEditor name="when" />
      <Form.Item name="add_tags" label={t("addTags")} extra={t("tagsHint")}>
        <WordsInput />
      </Form.Item>
      <Form.Item name="enabled" label={t("enabled")} valuePropName="checked">
        <Switch />
      </Form.Item>
      <FormActions saving={save.isPending} onCancel={onDone} />
    </Form>
  );
}
