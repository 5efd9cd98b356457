// What staff do to a case besides writing: move its status (the moves the workflow allows from
// where it is), take / assign / unassign / transfer it, change its priority and tags.
import { unwrap } from "@shared/api/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, AutoComplete, Button, Card, Flex, Form, Select, Typography } from "antd";
import { useApi, useCan, useSession } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCommonT } from "../../components/messages";
import { AGENTS_KEY, useAgents, useQueues } from "../../components/queries";
import { WordsInput } from "../../components/WordsInput";
import { useCasesT } from "./messages";
import { PRIORITIES, keys, type CaseDetail, type CasePatch, type Priority } from "./model";
import { isOpen, statusActions } from "./workflow";

function usePatch(caseId: string, done: string, onError?: (error: unknown) => void) {
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  return useMutation({
    mutationFn: (body: CasePatch) => unwrap(api.PATCH("/v1/cases/{case_id}", { params: { path: { case_id: caseId } }, body })),
    onSuccess: () => {
      void message.success(done);
      void client.invalidateQueries({ queryKey: keys.case(caseId) });
      void client.invalidateQueries({ queryKey: keys.cases });
      void client.invalidateQueries({ queryKey: AGENTS_KEY });
    },
    onError: (error) => (onError ? onError(error) : void message.error(error.message)),
  });
}

function StatusActions({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  const patch = usePatch(item.case_id, t("statusChanged"));
  const actions = statusActions(item.status);
  return (
    <section aria-label={t("statusActions")}>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 0 }}>
        {t("statusActions")}
      </Typography.Title>
      {actions.length === 0 ? (
        <Typography.Text type="secondary">{t("noStatusActions")}</Typography.Text>
      ) : (
        <Flex wrap gap={8}>
          {actions.map((action) => (
            <Button
              key={action.name}
              type={action.primary ? "primary" : "default"}
              loading={patch.isPending && patch.variables?.status === action.to}
              disabled={patch.isPending}
              onClick={() => patch.mutate({ status: action.to })}
            >
              {t(`move_${action.name}`)}
            </Button>
          ))}
        </Flex>
      )}
    </section>
  );
}

function Assignment({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  const { staffId } = useSession();
  const [assignForm] = Form.useForm<{ assignee: string }>();
  const [transferForm] = Form.useForm<{ queue_id: string }>();
  const assignProblems = useProblemForm(assignForm);
  const transferProblems = useProblemForm(transferForm);
  const assign = usePatch(item.case_id, t("assigned"), assignProblems.onError);
  const transfer = usePatch(item.case_id, t("transferred"), transferProblems.onError);
  const agents = useAgents();
  const queues = useQueues();
  const open = isOpen(item.status);
  return (
    <section aria-label={t("assignment")}>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t("assignment")}
      </Typography.Title>
      <Flex vertical gap={8}>
        <Typography.Text>
          {t("assignee")}: {item.assignee ?? t("nobody")} · {t("queue")}: {item.queue_id ?? t("none")}
        </Typography.Text>
        {open && (
          <Flex wrap gap={8}>
            {item.assignee !== staffId && (
              <Button onClick={() => assign.mutate({ assignee: staffId })} loading={assign.isPending && assign.variables?.assignee === staffId}>
                {t("takeMine")}
              </Button>
            )}
            {item.assignee && (
              <Button onClick={() => assign.mutate({ assignee: null })} loading={assign.isPending && assign.variables?.assignee === null}>
                {t("unassign")}
              </Button>
            )}
          </Flex>
        )}
        {open && (
          <Form form={assignForm} layout="vertical" requiredMark={false} onFinish={(values) => assign.mutate({ assignee: values.assignee.trim() })}>
            <FormProblems messages={assignProblems.general} />
            <Flex gap={8} align="end">
              <Form.Item
                name="assignee"
                label={t("assignTo")}
                style={{ flex: 1, marginBottom: 0 }}
                rules={[{ validator: (_, value: string | undefined) => (value?.trim() ? Promise.resolve() : Promise.reject(new Error(t("assignToPlaceholder")))) }]}
              >
                <AutoComplete
                  placeholder={t("assignToPlaceholder")}
                  options={(agents.data?.items ?? []).map((agent) => ({ value: agent.staff_id, label: `${agent.staff_id} · ${t(`availability_${agent.availability}`)} · ${agent.open_cases}/${agent.capacity}` }))}
                  filterOption={(input, option) => String(option?.value ?? "").toLowerCase().includes(input.toLowerCase())}
                />
              </Form.Item>
              <Button htmlType="submit" loading={assign.isPending && typeof assign.variables?.assignee === "string" && assign.variables.assignee !== staffId}>
                {t("assign")}
              </Button>
            </Flex>
          </Form>
        )}
        {open && (
          <Form form={transferForm} layout="vertical" requiredMark={false} onFinish={(values) => transfer.mutate({ queue_id: values.queue_id })}>
            <FormProblems messages={transferProblems.general} />
            <Flex gap={8} align="end">
              <Form.Item
                name="queue_id"
                label={t("transferTo")}
                style={{ flex: 1, marginBottom: 0 }}
                rules={[{ validator: (_, value: string | undefined) => (value ? Promise.resolve() : Promise.reject(new Error(t("transferTo")))) }]}
              >
                <Select options={(queues.data?.items ?? []).map((queue) => ({ value: queue.queue_id, label: queue.name }))} />
              </Form.Item>
              <Button htmlType="submit" loading={transfer.isPending}>
                {t("transfer")}
              </Button>
            </Flex>
          </Form>
        )}
      </Flex>
    </section>
  );
}

function Details({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  const common = useCommonT();
  const [form] = Form.useForm<{ priority: Priority; tags: string[] }>();
  const problems = useProblemForm(form);
  const save = usePatch(item.case_id, t("saved"), problems.onError);
  return (
    <section aria-label={t("details")}>
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t("details")}
      </Typography.Title>
      <Form
        form={form}
        layout="vertical"
        key={item.version}
        initialValues={{ priority: item.priority, tags: item.tags }}
        onFinish={(values) => save.mutate({ priority: values.priority, tags: values.tags })}
      >
        <FormProblems messages={problems.general} />
        <Form.Item name="priority" label={t("priority")}>
          <Select options={PRIORITIES.map((priority) => ({ value: priority, label: t(`priority_${priority}`) }))} />
        </Form.Item>
        <Form.Item name="tags" label={t("tags")}>
          <WordsInput placeholder={t("tagsPlaceholder")} />
        </Form.Item>
        <Button htmlType="submit" loading={save.isPending}>
          {common("save")}
        </Button>
      </Form>
    </section>
  );
}

export function CaseActions({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  const can = useCan();
  if (!can("PATCH /v1/cases/{case_id}")) return null;
  return (
    <Card size="small" title={t("actions")}>
      <Flex vertical gap={8}>
        <StatusActions item={item} />
        <Assignment item={item} />
        {item.status !== "closed" && <Details item={item} />}
      </Flex>
    </Card>
  );
}
