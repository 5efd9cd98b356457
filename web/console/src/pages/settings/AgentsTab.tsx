// Agents: their queues, availability and capacity (PUT /v1/agents/{staff_id} creates or replaces
// one), and the handover when one leaves: offline, and their open cases to a successor or back
// to their queues.
import { App, Button, Flex, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { AVAILABILITIES } from "../../components/caseVocabulary";
import { AGENTS_KEY, useAgents, useQueues } from "../../components/queries";
import { CreateButton, TitleBar } from "../../components/headings";
import { QueryState } from "../../components/QueryState";
import { ToneTag, type Tone } from "../../components/Tone";
import { useCommonT } from "../../components/messages";
import { useSettingsT } from "./messages";

type Agent = Schemas["AgentView"];
type AgentValues = Schemas["AgentPut"] & { staff_id: string };

const AVAILABILITY_TONE: Record<Agent["availability"], Tone> = { online: "success", away: "warning", offline: "neutral" };

export function AgentsTab() {
  const t = useSettingsT();
  const common = useCommonT();
  const can = useCan();
  const query = useAgents();
  const [editing, setEditing] = useState<Agent | "new" | null>(null);
  const [leaving, setLeaving] = useState<Agent | null>(null);
  return (
    <>
      <TitleBar
        level={2}
        title={t("tab_agents")}
        extra={
          <CreateButton op="PUT /v1/agents/{staff_id}" onClick={() => setEditing("new")}>
            {t("newAgent")}
          </CreateButton>
        }
      />
      <Typography.Paragraph type="secondary">{t("agentsHint")}</Typography.Paragraph>
      <QueryState query={query} isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <Table
            rowKey="staff_id"
            pagination={false}
            scroll={{ x: true }}
            dataSource={data.items}
            columns={[
              { title: t("staffId"), dataIndex: "staff_id" },
              { title: t("availability"), dataIndex: "availability", render: (value: Agent["availability"]) => <ToneTag tone={AVAILABILITY_TONE[value]}>{t(`availability_${value}`)}</ToneTag> },
              { title: t("load"), render: (_: unknown, agent: Agent) => `${agent.open_cases} / ${agent.capacity}` },
              { title: t("tab_queues"), dataIndex: "queues", render: (queues: string[]) => queues.map((q) => <Tag key={q}>{q}</Tag>) },
              { title: t("managerId"), dataIndex: "manager_id", render: (value: string | null) => value ?? "—" },
              {
                title: common("actions"),
                render: (_: unknown, agent: Agent) => (
                  <Space>
                    {can("PUT /v1/agents/{staff_id}") && (
                      <Button onClick={() => setEditing(agent)} aria-label={`${common("edit")} ${agent.staff_id}`}>
                        {common("edit")}
                      </Button>
                    )}
                    {can("POST /v1/agents/{staff_id}/handover") && (
                      <Button danger onClick={() => setLeaving(agent)} aria-label={`${t("handover")} ${agent.staff_id}`}>
                        {t("handover")}
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </QueryState>
      <Modal open={editing !== null} title={editing === "new" ? t("newAgent") : t("editAgent")} onCancel={() => setEditing(null)} footer={null} destroyOnHidden>
        {editing !== null && <AgentForm agent={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <Modal open={leaving !== null} title={t("handoverTitle", { staff: leaving?.staff_id ?? "" })} onCancel={() => setLeaving(null)} footer={null} destroyOnHidden>
        {leaving && <HandoverForm agent={leaving} agents={query.data?.items ?? []} onDone={() => setLeaving(null)} />}
      </Modal>
    </>
  );
}

function AgentForm({ agent, onDone }: { agent: Agent | null; onDone: () => void }) {
  const t = useSettingsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const queues = useQueues();
  const { message } = App.useApp();
  const [form] = Form.useForm<AgentValues>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: ({ staff_id, ...body }: AgentValues) => unwrap(api.PUT("/v1/agents/{staff_id}", { params: { path: { staff_id } }, body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: AGENTS_KEY }),
  });
  const initial: AgentValues = agent
    ? { staff_id: agent.staff_id, queues: agent.queues, availability: agent.availability, capacity: agent.capacity, manager_id: agent.manager_id }
    : { staff_id: "", queues: [], availability: "online", capacity: 5, manager_id: null };
  const onFinish = async (values: AgentValues) => {
    problems.clear();
    try {
      await save.mutateAsync({ ...values, staff_id: agent?.staff_id ?? values.staff_id, manager_id: values.manager_id || null });
      void message.success(common("saved"));
      onDone();
    } catch (error) {
      problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish}>
      <FormProblems messages={problems.general} />
      <Form.Item label={t("staffId")} name="staff_id" rules={[{ required: true, message: t("required") }]}>
        <Input disabled={agent !== null} />
      </Form.Item>
      <Form.Item label={t("tab_queues")} name="queues">
        <Select mode="multiple" options={(queues.data?.items ?? []).map((q) => ({ value: q.queue_id, label: q.name }))} loading={queues.isPending} />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item label={t("availability")} name="availability">
          <Select style={{ width: 160 }} options={AVAILABILITIES.map((a) => ({ value: a, label: t(`availability_${a}`) }))} />
        </Form.Item>
        <Form.Item label={t("capacity")} name="capacity" extra={t("capacityHint")}>
          <InputNumber style={{ width: 120 }} />
        </Form.Item>
      </Flex>
      <Form.Item label={t("managerId")} name="manager_id" extra={t("managerHint")}>
        <Input />
      </Form.Item>
      <FormActions saving={save.isPending} onCancel={onDone} />
    </Form>
  );
}

function HandoverForm({ agent, agents, onDone }: { agent: Agent; agents: Agent[]; onDone: () => void }) {
  const t = useSettingsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ successor_id?: string | null }>();
  const problems = useProblemForm(form);
  const handOver = useMutation({
    mutationFn: (body: Schemas["Handover"]) => unwrap(api.POST("/v1/agents/{staff_id}/handover", { params: { path: { staff_id: agent.staff_id } }, body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: AGENTS_KEY }),
  });
  const onFinish = async (values: { successor_id?: string | null }) => {
    problems.clear();
    try {
      const report = await handOver.mutateAsync({ successor_id: values.successor_id || null });
      void message.success(t("handedOver", { moved: report.moved }));
      onDone();
    } catch (error) {
      problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={{ successor_id: null }} onFinish={onFinish}>
      <Typography.Paragraph>{t("handoverHint")}</Typography.Paragraph>
      <FormProblems messages={problems.general} />
      <Form.Item label={t("successor")} name="successor_id">
        <Select
          allowClear
          placeholder={t("backToQueues")}
          options={agents.filter((a) => a.staff_id !== agent.staff_id).map((a) => ({ value: a.staff_id, label: a.staff_id }))}
        />
      </Form.Item>
      <Flex gap={8}>
        <Button type="primary" danger htmlType="submit" loading={handOver.isPending}>
          {t("handover")}
        </Button>
        <Button onClick={onDone}>{common("cancel")}</Button>
      </Flex>
    </Form>
  );
}
