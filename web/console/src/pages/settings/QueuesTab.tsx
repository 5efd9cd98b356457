// Queues: each with its assignment policy, rank (lower ranks' rules are tried first), whether it is
// the default, and its routing rules. PUT /v1/queues/{queue_id} creates or replaces one.
import { App, Button, Flex, Form, Input, InputNumber, Select, Switch, Table, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { QUEUES_KEY, useQueues } from "../../components/queries";
import { CreateButton, TitleBar } from "../../components/headings";
import { QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useCommonT } from "../../components/messages";
import { useSettingsT } from "./messages";
import { describeRule, RoutingRulesEditor } from "./RoutingRulesEditor";

type Queue = Schemas["QueueView"];
type QueueValues = Schemas["QueuePut"] & { queue_id: string };

export function QueuesTab() {
  const t = useSettingsT();
  const common = useCommonT();
  const can = useCan();
  const query = useQueues();
  const [editing, setEditing] = useState<Editing<Queue>>(null);
  return (
    <>
      <TitleBar
        level={2}
        title={t("tab_queues")}
        extra={
          <CreateButton op="PUT /v1/queues/{queue_id}" onClick={() => setEditing("new")}>
            {t("newQueue")}
          </CreateButton>
        }
      />
      <Typography.Paragraph type="secondary">{t("queuesHint")}</Typography.Paragraph>
      <QueryState query={query} isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <Table
            rowKey="queue_id"
            pagination={false}
            scroll={{ x: true }}
            dataSource={[...data.items].sort((a, b) => a.rank - b.rank)}
            columns={[
              { title: t("queueId"), dataIndex: "queue_id" },
              { title: t("queueName"), dataIndex: "name", render: (name: string, queue: Queue) => <>{name} {queue.is_default && <ToneTag tone="success">{t("default")}</ToneTag>}</> },
              { title: t("policy"), dataIndex: "policy", render: (policy: Queue["policy"]) => t(`policy_${policy}`) },
              { title: t("rank"), dataIndex: "rank" },
              {
                title: t("rules"),
                render: (_: unknown, queue: Queue) =>
                  queue.rules?.length ? (
                    <ul style={{ margin: 0, paddingLeft: 16 }}>
                      {queue.rules.map((rule, index) => (
                        <li key={index}>{describeRule(rule, queue.name, t)}</li>
                      ))}
                    </ul>
                  ) : (
                    t("noRules")
                  ),
              },
              ...(can("PUT /v1/queues/{queue_id}")
                ? [{ title: common("actions"), render: (_: unknown, queue: Queue) => <Button onClick={() => setEditing(queue)} aria-label={`${common("edit")} ${queue.name}`}>{common("edit")}</Button> }]
                : []),
            ]}
          />
        )}
      </QueryState>
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newQueue")} editTitle={t("editQueue")}>
        {(item) => <QueueForm queue={item} onDone={() => setEditing(null)} />}
      </EditDrawer>
    </>
  );
}

export function QueueForm({ queue, onDone }: { queue: Queue | null; onDone: () => void }) {
  const t = useSettingsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<QueueValues>();
  const problems = useProblemForm(form);
  const name = Form.useWatch("name", form) ?? "";
  const save = useMutation({
    mutationFn: ({ queue_id, ...body }: QueueValues) => unwrap(api.PUT("/v1/queues/{queue_id}", { params: { path: { queue_id } }, body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: QUEUES_KEY }),
  });
  const initial: QueueValues = queue
    ? { queue_id: queue.queue_id, name: queue.name, policy: queue.policy, rank: queue.rank, is_default: queue.is_default, rules: queue.rules ?? [] }
    : { queue_id: "", name: "", policy: "round_robin", rank: 100, is_default: false, rules: [] };
  const onFinish = async (values: QueueValues) => {
    problems.clear();
    try {
      await save.mutateAsync({ ...values, queue_id: queue?.queue_id ?? values.queue_id, rules: values.rules ?? [] });
      void message.success(common("saved"));
      onDone();
    } catch (error) {
      problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish}>
      <FormProblems messages={problems.general} />
      <Form.Item label={t("queueId")} name="queue_id" extra={t("queueIdHint")} rules={[{ required: true, message: t("required") }]}>
        <Input disabled={queue !== null} />
      </Form.Item>
      <Form.Item label={t("queueName")} name="name" rules={[{ required: true, message: t("required") }]}>
        <Input />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item label={t("policy")} name="policy">
          <Select
            style={{ width: 200 }}
            options={[
              { value: "round_robin", label: t("policy_round_robin") },
              { value: "least_loaded", label: t("policy_least_loaded") },
            ]}
          />
        </Form.Item>
        <Form.Item label={t("rank")} name="rank" extra={t("rankHint")}>
          <InputNumber style={{ width: 120 }} />
        </Form.Item>
        <Form.Item label={t("isDefault")} name="is_default" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Flex>
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t("rules")}
      </Typography.Title>
      <RoutingRulesEditor queueName={name} />
      <FormActions saving={save.isPending} onCancel={onDone} style={{ marginTop: 24 }} />
    </Form>
  );
}
