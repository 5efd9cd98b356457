// The guide's tasks (journeys' reminders): due today, overdue, all open or closed — the view in the
// URL — each with its customer's context and a suggested message; complete or skip with a note.
import { Card, Flex, Segmented } from "antd";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { CursorList, useCursorPages } from "../../components/cursor";
import { TitleBar } from "../../components/headings";
import { EmptyState } from "../../components/QueryState";
import { CloseTask, type Closing } from "./CloseTask";
import { useTasksT } from "./messages";
import { TaskCard } from "./TaskCard";
import { isView, VIEWS, type TaskView } from "./view";

const PAGE_SIZE = 20;

export default function TasksPage() {
  const t = useTasksT();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const asked = params.get("view");
  const view: TaskView = isView(asked) ? asked : "open";
  const [closing, setClosing] = useState<Closing | null>(null);
  const pages = useCursorPages(["my-tasks", view], (cursor) => unwrap(api.GET("/v1/me/tasks", { params: { query: { view, limit: PAGE_SIZE, cursor } } })));
  return (
    <Flex vertical gap={16}>
      <TitleBar
        title={t("title")}
        extra={
          <Segmented
            aria-label={t("view")}
            value={view}
            onChange={(next) => setParams(next === "open" ? {} : { view: next }, { replace: true })}
            options={VIEWS.map((value) => ({ value, label: t(`view_${value}`) }))}
          />
        }
      />
      <CursorList
        pages={pages}
        empty={
          <Card>
            <EmptyState description={t(`empty_${view}`)} />
          </Card>
        }
      >
        {(tasks) => (
          <Flex vertical gap={12}>
            {tasks.map((task) => (
              <TaskCard key={task.task_id} task={task} onClose={(action) => setClosing({ task, action })} />
            ))}
          </Flex>
        )}
      </CursorList>
      <CloseTask closing={closing} onClose={() => setClosing(null)} />
    </Flex>
  );
}
