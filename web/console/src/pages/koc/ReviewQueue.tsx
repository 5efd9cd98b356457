// A review task's queue, in a drawer: the reviews KOCs submitted and no manager decided yet, the
// earliest first, each with its KOC, its link (opened in a new tab, never followed here) and its
// note. A writer approves one (the task is done and its points paid) or rejects it (the KOC may
// submit again), after a confirmation; a review decided meanwhile (409) says so and leaves the queue.
import { ExportOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Drawer, Flex, Grid, Popconfirm, Typography } from "antd";
import { unwrap } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { CursorList, useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { EmptyState } from "../../components/QueryState";
import { useKocT } from "./messages";
import { ContactLink, useContactName } from "../../components/ContactLink";
import type { KocTask, Submission } from "./tasks";

const PAGE_SIZE = 20;

export function ReviewDrawer({ task, onClose }: { task: KocTask | null; onClose: () => void }) {
  const t = useKocT();
  const screens = Grid.useBreakpoint();
  return (
    <Drawer open={task !== null} onClose={onClose} title={task ? t("reviewTitle", { title: task.title }) : ""} size={screens.sm ? 560 : "100%"} destroyOnHidden>
      {task && <ReviewQueue task={task} />}
    </Drawer>
  );
}

type Decision = "approve" | "reject";

export function ReviewQueue({ task }: { task: KocTask }) {
  const t = useKocT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const key = ["koc", "tasks", task.task_id, "submissions"] as const;
  const pages = useCursorPages(key, (cursor) =>
    unwrap(api.GET("/v1/koc/tasks/{task_id}/submissions", { params: { path: { task_id: task.task_id }, query: { limit: PAGE_SIZE, cursor } } })),
  );
  const decide = useMutation({
    mutationFn: ({ contactId, decision }: { contactId: string; decision: Decision }) => {
      const path = { task_id: task.task_id, contact_id: contactId };
      return decision === "approve"
        ? unwrap(api.POST("/v1/koc/tasks/{task_id}/submissions/{contact_id}/approve", { params: { path } }))
        : unwrap(api.POST("/v1/koc/tasks/{task_id}/submissions/{contact_id}/reject", { params: { path } }));
    },
    onSettled: () => {
      void queries.invalidateQueries({ queryKey: key });
      void queries.invalidateQueries({ queryKey: ["campaign", task.campaign_id] }); // its points paid
    },
  });
  const run = async (contactId: string, decision: Decision) => {
    try {
      await decide.mutateAsync({ contactId, decision });
      void message.success(decision === "approve" ? t("approved") : t("rejected"));
    } catch (error) {
      void message.error(problemText(error));
    }
  };
  return (
    <Flex vertical gap={16}>
      <Typography.Text type="secondary">{t("reviewHelp", { points: task.points })}</Typography.Text>
      <CursorList pages={pages} empty={<EmptyState description={t("noSubmissions")} />}>
        {(submissions) => (
          <ul aria-label={t("submissions")} style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: 12 }}>
            {submissions.map((submission) => (
              <li key={submission.contact_id}>
                <SubmissionCard submission={submission} points={task.points} busy={decide.isPending} onDecide={(decision) => run(submission.contact_id, decision)} />
              </li>
            ))}
          </ul>
        )}
      </CursorList>
    </Flex>
  );
}

function SubmissionCard({ submission, points, busy, onDecide }: { submission: Submission; points: number; busy: boolean; onDecide: (decision: Decision) => Promise<void> }) {
  const t = useKocT();
  const common = useCommonT();
  const can = useCan();
  const id = submission.contact_id;
  const name = useContactName(id);
  const canDecide = can("POST /v1/koc/tasks/{task_id}/submissions/{contact_id}/approve");
  return (
    <Card size="small" title={<ContactLink id={id} />} extra={submission.submitted_at && <Typography.Text type="secondary">{t("submittedAt", { time: formatTime(submission.submitted_at) })}</Typography.Text>}>
      <Flex vertical gap={8}>
        <div>
          <Typography.Text type="secondary">{t("submissionLink")}</Typography.Text>
          {submission.submission_url ? (
            <a href={submission.submission_url} target="_blank" rel="noopener noreferrer nofollow" style={{ wordBreak: "break-all" }}>
              {submission.submission_url} <ExportOutlined aria-hidden />
              <span style={{ position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" }}>
                {t("opensInNewTab")}
              </span>
            </a>
          ) : (
            "—"
          )}
        </div>
        <div>
          <Typography.Text type="secondary">{t("submissionNote")}</Typography.Text>
          {submission.submission_note ? <Typography.Text style={{ whiteSpace: "pre-wrap" }}>{submission.submission_note}</Typography.Text> : <Typography.Text type="secondary">{t("noNote")}</Typography.Text>}
        </div>
        {canDecide && (
          <Flex gap={8} wrap>
            <Popconfirm title={t("approveConfirm", { points })} okText={t("approve")} cancelText={common("cancel")} onConfirm={() => onDecide("approve")}>
              <Button type="primary" disabled={busy} aria-label={t("approveOf", { name })}>
                {t("approve")}
              </Button>
            </Popconfirm>
            <Popconfirm title={t("rejectConfirm")} okText={t("reject")} okButtonProps={{ danger: true }} cancelText={common("cancel")} onConfirm={() => onDecide("reject")}>
              <Button danger disabled={busy} aria-label={t("rejectOf", { name })}>
                {t("reject")}
              </Button>
            </Popconfirm>
          </Flex>
        )}
      </Flex>
    </Card>
  );
}
