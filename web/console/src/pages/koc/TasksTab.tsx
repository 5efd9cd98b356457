// The KOC tasks tab: the tenant's tasks, newest first, in the API's cursor pages — each with its
// program, kind and target in words, reward, status and how it is verified; writers create one (a
// drawer), end an active one after a confirmation, and review the submissions of a review task (a
// drawer).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Flex, Popconfirm, Space, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { CreateButton } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { PagedTable } from "../../components/PagedTable";
import { problemText } from "../../components/problems";
import { EmptyState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { ToneTag } from "../../components/Tone";
import { useKocT } from "./messages";
import { useProgramNames } from "./NetworkSection";
import { ReviewDrawer } from "./ReviewQueue";
import { TaskDrawer } from "./TaskForm";
import { STATUS_TONES, type KocTask } from "./tasks";

const PAGE_SIZE = 20;
export const TASKS_KEY = ["koc", "tasks"] as const;

/** The tab; its drawers (create, review) are the page's (TaskDrawers), opened from here. */
export function TasksTab({ onCreate, onReview }: { onCreate: () => void; onReview: (task: KocTask) => void }) {
  const t = useKocT();
  const can = useCan();
  const writer = can("POST /v1/koc/tasks");
  return (
    <Section id="koc-tasks" title={t("tasks")}>
      <Flex vertical gap={12}>
        <Flex wrap gap={12} justify="space-between" align="flex-start">
          <Typography.Text type="secondary" style={{ flex: "1 1 320px" }}>
            {t("tasksHelp")}
          </Typography.Text>
          <CreateButton op="POST /v1/koc/tasks" onClick={onCreate}>
            {t("newTask")}
          </CreateButton>
        </Flex>
        {!writer && <Alert type="info" showIcon title={t("tasksReadOnly")} />}
        <TaskList onReview={onReview} />
      </Flex>
    </Section>
  );
}

/** Which of the tasks' drawers is open, kept by the page above its tabs: a tab's content is built
 * afresh when the screen crosses the phone breakpoint (LinkedTabs swaps its tab bar for a select),
 * and a drawer kept in the tab would close then, losing what was typed in it. */
export function useTaskDrawers() {
  const [creating, setCreating] = useState(false);
  const [reviewing, setReviewing] = useState<KocTask | null>(null);
  const drawers = (
    <>
      <TaskDrawer open={creating} onClose={() => setCreating(false)} onCreated={() => setCreating(false)} />
      <ReviewDrawer task={reviewing} onClose={() => setReviewing(null)} />
    </>
  );
  return { create: () => setCreating(true), review: setReviewing, drawers };
}

function TaskList({ onReview }: { onReview: (task: KocTask) => void }) {
  const t = useKocT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const pages = useCursorPages(TASKS_KEY, (cursor) => unwrap(api.GET("/v1/koc/tasks", { params: { query: { limit: PAGE_SIZE, cursor } } })));
  const items = pages.query.data?.items;
  const programName = useProgramNames(useMemo(() => (items ?? []).map((task) => task.campaign_id), [items]));
  const end = useMutation({
    mutationFn: (task: KocTask) => unwrap(api.POST("/v1/koc/tasks/{task_id}/end", { params: { path: { task_id: task.task_id } } })),
    onSettled: () => queries.invalidateQueries({ queryKey: TASKS_KEY }),
  });
  const endTask = async (task: KocTask) => {
    try {
      await end.mutateAsync(task);
      void message.success(t("taskEnded"));
    } catch (error) {
      void message.error(problemText(error));
    }
  };
  const canEnd = can("POST /v1/koc/tasks/{task_id}/end");
  const canReview = can("GET /v1/koc/tasks/{task_id}/submissions");
  const columns: ColumnsType<KocTask> = [
    { title: t("taskTitle"), dataIndex: "title", key: "title", render: (title: string) => <Typography.Text strong>{title}</Typography.Text> },
    {
      title: t("taskProgram"),
      key: "program",
      render: (_: unknown, task) => <Link to={`/campaigns/${encodeURIComponent(task.campaign_id)}`}>{programName(task.campaign_id)}</Link>,
    },
    { title: t("taskKind"), key: "kind", render: (_: unknown, task) => t(`kind_${task.kind}`) },
    { title: t("taskTarget"), key: "target", align: "right", render: (_: unknown, task) => t(`target_${task.kind}`, { n: task.target }) },
    { title: t("taskPoints"), key: "points", align: "right", render: (_: unknown, task) => t("pointsN", { points: task.points.toLocaleString("en-US") }) },
    { title: t("taskStatus"), key: "status", render: (_: unknown, task) => <ToneTag tone={STATUS_TONES[task.status]}>{t(`status_${task.status}`)}</ToneTag> },
    { title: t("taskVerification"), key: "verification", render: (_: unknown, task) => t(`verification_${task.verification}`) },
    { title: t("taskCreatedAt"), key: "created", render: (_: unknown, task) => formatTime(task.created_at) },
    {
      title: t("actions"),
      key: "actions",
      render: (_: unknown, task) => (
        <Space size={8}>
          {task.kind === "post_review" && canReview && (
            <Button size="small" aria-label={t("reviewOf", { title: task.title })} onClick={() => onReview(task)}>
              {t("review")}
            </Button>
          )}
          {task.status === "active" && canEnd && (
            <Popconfirm
              title={t("endConfirm", { title: task.title })}
              okText={t("endTask")}
              okButtonProps={{ danger: true }}
              cancelText={common("cancel")}
              onConfirm={() => endTask(task)}
            >
              <Button size="small" danger aria-label={t("endTaskOf", { title: task.title })}>
                {t("endTask")}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];
  return (
    <PagedTable<KocTask> pages={pages} rowKey="task_id" columns={columns} empty={<EmptyState description={t("noTasks")} />} scrollLabel={t("tasksScroller")} />
  );
}
