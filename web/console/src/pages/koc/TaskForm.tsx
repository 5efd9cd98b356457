// Create a KOC task in a drawer: the referral program (picked from the tenant's referral programs
// that have not ended, with what is left of its budget), a name, the kind, the target (fixed at 1 for
// a review) and the reward. The API's 422 lands on the field it names, in the console's words where
// it answers with a code (a program that is not a referral one, a reward over the budget).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Drawer, Flex, Form, Grid, Input, InputNumber, Radio, Select } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { useKocT } from "./messages";
import { KINDS, MAX_POINTS, MAX_TARGET, newTaskValues, referralPrograms, taskBody, taskProblem, targetFixed, type KocTask, type TaskValues } from "./tasks";

type Campaign = Schemas["CampaignView"];

/** Campaigns read for the picker: every page (a tenant keeps a few hundred at most), at most MAX_PAGES. */
const PAGE = 200;
const MAX_PAGES = 5;
export const PROGRAMS_KEY = ["campaigns", "referral-programs"] as const;

function usePrograms() {
  const api = useApi();
  return useQuery({
    queryKey: PROGRAMS_KEY,
    queryFn: async () => {
      const all: Campaign[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const answer = await unwrap(api.GET("/v1/campaigns", { params: { query: { limit: PAGE, cursor } } }));
        all.push(...answer.items);
        if (!answer.next_cursor) break;
        cursor = answer.next_cursor;
      }
      return referralPrograms(all);
    },
  });
}

export function TaskDrawer({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (task: KocTask) => void }) {
  const t = useKocT();
  const screens = Grid.useBreakpoint();
  return (
    <Drawer open={open} onClose={onClose} title={t("newTask")} size={screens.sm ? 520 : "100%"} destroyOnHidden>
      {open && <TaskForm onCancel={onClose} onCreated={onCreated} />}
    </Drawer>
  );
}

export function TaskForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (task: KocTask) => void }) {
  const t = useKocT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<TaskValues>();
  const problems = useProblemForm(form);
  const programs = usePrograms();
  const kind = Form.useWatch("kind", form) ?? "share_groups";
  const campaignId = Form.useWatch("campaign_id", form);
  const program = programs.data?.find((campaign) => campaign.campaign_id === campaignId);
  const words = { notReferral: t("notReferral"), overBudget: t("overBudget"), reviewTarget: t("reviewTarget") };
  const create = useMutation({
    mutationFn: (values: TaskValues) => unwrap(api.POST("/v1/koc/tasks", { body: taskBody(values) })),
    onMutate: () => problems.clear(),
    onError: (error) => problems.onError(taskProblem(error, words)),
    onSuccess: (task) => {
      void queries.invalidateQueries({ queryKey: ["koc", "tasks"] });
      void message.success(t("taskCreated"));
      onCreated(task);
    },
  });
  const required = { required: true, message: t("required") };
  const fixed = targetFixed(kind);
  // Fixed widths, so the two numbers share a row on a phone too (a form item fills the row there otherwise).
  const half = { style: { width: 160 } };
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={newTaskValues()}
      onValuesChange={(changed: Partial<TaskValues>) => {
        if (changed.kind && targetFixed(changed.kind)) form.setFieldValue("target", 1);
      }}
      onFinish={(values) => create.mutate({ ...newTaskValues(), ...values })}
      scrollToFirstError
      aria-label={t("newTask")}
    >
      <FormProblems messages={problems.general} />
      {programs.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("programsError", { detail: problemText(programs.error) })}
          action={
            <Button size="small" onClick={() => void programs.refetch()}>
              {common("retry")}
            </Button>
          }
        />
      )}
      {programs.data?.length === 0 && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t("noPrograms")} />}
      <Form.Item
        name="campaign_id"
        label={t("taskProgram")}
        rules={[required]}
        extra={program ? t("taskProgramHelp", { budget: program.points_budget, awarded: program.points_awarded }) : undefined}
      >
        <Select
          showSearch={{ optionFilterProp: "label" }}
          placeholder={programs.isPending ? t("programsLoading") : t("taskProgramPick")}
          loading={programs.isPending}
          options={(programs.data ?? []).map((campaign) => ({
            value: campaign.campaign_id,
            label: campaign.status === "active" ? campaign.name : `${campaign.name}（${t(`programStatus_${campaign.status}`)}）`,
          }))}
        />
      </Form.Item>
      <Form.Item name="title" label={t("taskName")} rules={[{ ...required, whitespace: true }]}>
        <Input maxLength={100} placeholder={t("taskNamePlaceholder")} />
      </Form.Item>
      <Form.Item name="kind" label={t("taskKind")} extra={t(`kindHelp_${kind}`)}>
        <Radio.Group aria-label={t("taskKind")} optionType="button" buttonStyle="solid" options={KINDS.map((value) => ({ value, label: t(`kind_${value}`) }))} />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item name="target" label={t("targetLabel")} rules={[required]} extra={fixed ? t("targetFixed") : t(`targetHelp_${kind as "share_groups" | "bring_visitors"}`)} {...half}>
          <InputNumber min={1} max={MAX_TARGET} precision={0} disabled={fixed} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="points" label={t("pointsLabel")} rules={[required]} extra={t("pointsHelp")} {...half}>
          <InputNumber min={1} max={MAX_POINTS} precision={0} style={{ width: "100%" }} />
        </Form.Item>
      </Flex>
      <Flex gap={8}>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {common("create")}
        </Button>
        <Button onClick={onCancel}>{common("cancel")}</Button>
      </Flex>
    </Form>
  );
}
