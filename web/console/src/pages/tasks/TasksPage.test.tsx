import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import TasksPage from "./TasksPage";
import { taskState, type Task } from "./view";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const TASK: Task = {
  task_id: "tk1",
  contact_id: "c1",
  staff_id: "g1",
  title: "回访",
  status: "open",
  overdue: true,
  due_at: "2030-05-01T02:00:00Z",
  created_at: "2030-04-30T02:00:00Z",
  updated_at: "2030-04-30T02:00:00Z",
  suggested_message: "王芳您好，周末到店有礼",
  customer: { contact_id: "c1", name: "王芳", lifecycle_stage: "dormant", points_balance: 320, tags: ["VIP"] },
};

afterEach(() => vi.unstubAllGlobals());

describe("the guide's tasks", () => {
  it("reads a task's state: overdue before open, then done or skipped", () => {
    expect(taskState(TASK).key).toBe("overdue");
    expect(taskState({ ...TASK, overdue: false }).key).toBe("status_open");
    expect(taskState({ ...TASK, status: "skipped" }).key).toBe("status_skipped");
  });

  it("shows the customer's context and the suggested message, and skips the task with the note written", async () => {
    let open = [TASK];
    const api = fakeApi({
      "GET /v1/me/tasks": () => [200, { items: open, next_cursor: null }],
      "POST /v1/me/tasks/{task_id}/skip": () => {
        open = [];
        return [200, { ...TASK, status: "skipped" }];
      },
    });
    renderInConsole(<TasksPage />, { roles: ["guide"], url: "/tasks?view=overdue" });
    const card = await screen.findByTestId("task", {}, { timeout: SLOW / 2 });
    expect(card).toHaveTextContent("王芳");
    expect(card).toHaveTextContent("dormant");
    expect(card).toHaveTextContent("320");
    expect(screen.getByTestId("suggested-message")).toHaveTextContent("王芳您好，周末到店有礼");
    expect(api.requests[0].query.get("view")).toBe("overdue");
    fireEvent.click(screen.getByText("Skip"));
    fireEvent.change(await screen.findByLabelText("Note (optional)"), { target: { value: " not reachable " } });
    fireEvent.click(screen.getAllByText("Skip").at(-1)!);
    await waitFor(() => expect(api.requests.some((request) => request.method === "POST")).toBe(true));
    const skipped = api.requests.find((request) => request.method === "POST")!;
    expect(skipped.path).toBe("/v1/me/tasks/tk1/skip");
    expect(skipped.body).toEqual({ note: "not reachable" });
    expect(await screen.findByText("Nothing overdue")).toBeInTheDocument();
  }, SLOW);
});
