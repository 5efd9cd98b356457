// How a task reads: the views the guide switches between, and the tone of a task's state.
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";

export type Task = Schemas["TaskItem"];
export type TaskView = "today" | "overdue" | "open" | "closed";
export const VIEWS: readonly TaskView[] = ["today", "overdue", "open", "closed"];

export function isView(value: string | null): value is TaskView {
  return value !== null && (VIEWS as readonly string[]).includes(value);
}

/** A task's tag: overdue (danger) before open; done and skipped as they are. */
export function taskState(task: Pick<Task, "status" | "overdue">): { key: "overdue" | "status_open" | "status_done" | "status_skipped"; tone: Tone } {
  if (task.status === "open") return task.overdue ? { key: "overdue", tone: "danger" } : { key: "status_open", tone: "info" };
  return task.status === "done" ? { key: "status_done", tone: "success" } : { key: "status_skipped", tone: "neutral" };
}
