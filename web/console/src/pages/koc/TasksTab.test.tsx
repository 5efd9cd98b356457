// The KOC tasks tab: the tasks in words (program by name, kind, target, reward, status, how each is
// verified); a writer creates one in a drawer (only referral programs offered, a review's target
// fixed at 1, the API's refusal on the field it names), ends an active one after a confirmation, and
// approves or rejects the reviews waiting, each shown with its link (a new tab) and note.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { fakeApi, formItem, renderInConsole } from "../../components/testing";
import KocPage from "./KocPage";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const task = (task_id: string, kind: "share_groups" | "bring_visitors" | "post_review", fields: object = {}) => ({
  task_id,
  campaign_id: "cmp_1",
  title: `任务 ${task_id}`,
  kind,
  target: kind === "post_review" ? 1 : 3,
  points: 30,
  status: "active",
  verification: kind === "post_review" ? "manager" : "events",
  created_at: "2026-03-01T08:00:00Z",
  ...fields,
});
const SHARE = task("kt_1", "share_groups", { title: "分享到 3 个群" });
const VISITORS = task("kt_2", "bring_visitors", { title: "带来新客", status: "ended", points: 1500 });
const REVIEW = task("kt_3", "post_review", { title: "发一篇点评", points: 80 });
const PROGRAM = { campaign_id: "cmp_1", name: "老带新", kind: "referral", status: "active", points_budget: 10_000, points_awarded: 1_200 };
const campaigns = [
  PROGRAM,
  { campaign_id: "cmp_2", name: "扫码有礼", kind: "standard", status: "active", points_budget: 100, points_awarded: 0 },
  { campaign_id: "cmp_3", name: "去年的裂变", kind: "referral", status: "ended", points_budget: 100, points_awarded: 0 },
  { campaign_id: "cmp_4", name: "秋季裂变", kind: "referral", status: "draft", points_budget: 500, points_awarded: 0 },
];

afterEach(() => vi.unstubAllGlobals());

const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].map((cell) => cell.textContent);
const rowOf = (text: string) => screen.getByText(text).closest("tr") as HTMLElement;
/** The open popconfirm's button (antd renders it in a portal). */
const confirmButton = async (name: string) => within(await screen.findByRole("tooltip")).getByRole("button", { name });

describe("the KOC tasks tab", () => {
  it("lists the tasks in words, and a writer ends one and approves a review", async () => {
    let ended = false;
    let queue = [
      { task_id: "kt_3", contact_id: "ct_K", progress: 0, status: "submitted", submission_url: "https://note.example/1", submission_note: "小红书笔记", submitted_at: "2026-03-02T08:00:00Z" },
    ];
    const api = fakeApi({
      "GET /v1/koc/tasks": () => [200, { items: [REVIEW, VISITORS, ended ? { ...SHARE, status: "ended" } : SHARE], next_cursor: null }],
      "GET /v1/campaigns/{campaign_id}": () => [200, PROGRAM],
      "POST /v1/koc/tasks/{task_id}/end": () => {
        ended = true;
        return [200, { ...SHARE, status: "ended" }];
      },
      "GET /v1/koc/tasks/{task_id}/submissions": () => [200, { items: queue, next_cursor: null }],
      "GET /v1/contacts/names": (request) => [200, { items: request.query.getAll("id").map((id) => ({ contact_id: id, survivor_id: id, display_name: id === "ct_K" ? "达人小K" : null })) }],
      "POST /v1/koc/tasks/{task_id}/submissions/{contact_id}/approve": () => {
        queue = [];
        return [204, undefined];
      },
    });
    renderInConsole(<KocPage />, { roles: ["manager"], url: "/koc?tab=tasks", path: "/koc" });
    await screen.findByText("分享到 3 个群", {}, { timeout: SLOW / 2 });
    await waitFor(() => expect(cells(rowOf("分享到 3 个群"))[1]).toBe("老带新")); // the program by its name
    expect(cells(rowOf("分享到 3 个群")).slice(0, 8)).toEqual(["分享到 3 个群", "老带新", "Share to groups", "3 groups", "30 points", "Active", "Automatic (activity)", expect.stringMatching(/^2026-03-01 /)]);
    expect(cells(rowOf("带来新客")).slice(2, 7)).toEqual(["Bring new contacts", "3 new contacts", "1,500 points", "Ended", "Automatic (activity)"]);
    expect(cells(rowOf("发一篇点评")).slice(2, 7)).toEqual(["Post a review", "1 review", "80 points", "Active", "Manager review"]);
    expect(within(rowOf("带来新客")).queryByRole("button", { name: /End/ })).not.toBeInTheDocument(); // ended already
    expect(within(rowOf("分享到 3 个群")).queryByRole("button", { name: /Review/ })).not.toBeInTheDocument(); // counted, not reviewed

    fireEvent.click(screen.getByLabelText("End the task “分享到 3 个群”"));
    fireEvent.click(await confirmButton("End"));
    expect(await screen.findByText("Task ended")).toBeInTheDocument();
    await waitFor(() => expect(cells(rowOf("分享到 3 个群"))[5]).toBe("Ended"));
    expect(api.requests.some((request) => request.method === "POST" && request.path === "/v1/koc/tasks/kt_1/end")).toBe(true);

    fireEvent.click(screen.getByLabelText("Review submissions for “发一篇点评”"));
    const drawer = await screen.findByRole("dialog", { name: "Review: 发一篇点评" });
    const link = await within(drawer).findByRole("link", { name: /https:\/\/note\.example\/1/ });
    expect(link).toHaveAttribute("href", "https://note.example/1");
    expect(link).toHaveAttribute("target", "_blank");
    expect(link.getAttribute("rel")).toContain("noopener");
    expect(within(drawer).getByText("小红书笔记")).toBeInTheDocument();
    // The contact by name, once read; the decision buttons are named for it too.
    expect(await within(drawer).findByRole("link", { name: "达人小K" })).toHaveAttribute("href", "/contacts/ct_K");
    fireEvent.click(within(drawer).getByLabelText("Approve the review of 达人小K"));
    fireEvent.click(await confirmButton("Approve"));
    expect(await screen.findByText("Approved: the KOC will get the points")).toBeInTheDocument();
    expect(await within(drawer).findByText("No reviews waiting")).toBeInTheDocument();
    expect(api.requests.some((request) => request.path === "/v1/koc/tasks/kt_3/submissions/ct_K/approve")).toBe(true);
  }, SLOW);

  it("says when a review was decided meanwhile", async () => {
    const waiting = { task_id: "kt_3", contact_id: "ct_K", progress: 0, status: "submitted", submission_url: "https://note.example/1", submission_note: null, submitted_at: "2026-03-02T08:00:00Z" };
    fakeApi({
      "GET /v1/koc/tasks": () => [200, { items: [REVIEW], next_cursor: null }],
      "GET /v1/campaigns/{campaign_id}": () => [200, PROGRAM],
      "GET /v1/koc/tasks/{task_id}/submissions": () => [200, { items: [waiting], next_cursor: null }],
      "POST /v1/koc/tasks/{task_id}/submissions/{contact_id}/reject": () => [409, { type: "about:blank", title: "Conflict", status: 409, detail: "The review was decided already, or never submitted." }],
    });
    renderInConsole(<KocPage />, { roles: ["admin"], url: "/koc?tab=tasks", path: "/koc" });
    fireEvent.click(await screen.findByLabelText("Review submissions for “发一篇点评”", {}, { timeout: SLOW / 2 }));
    const drawer = await screen.findByRole("dialog", { name: "Review: 发一篇点评" });
    expect(await within(drawer).findByText("No note")).toBeInTheDocument();
    fireEvent.click(within(drawer).getByLabelText("Reject the review of ct_K"));
    fireEvent.click(await confirmButton("Reject"));
    expect(await screen.findByText("The review was decided already, or never submitted.")).toBeInTheDocument();
  }, SLOW);

  it("creates a task on a referral program, a review's target fixed at 1 and the API's refusal on its field", async () => {
    const posts: unknown[] = [];
    const api = fakeApi({
      "GET /v1/koc/tasks": () => [200, { items: [], next_cursor: null }],
      "GET /v1/campaigns": () => [200, { items: campaigns, next_cursor: null }],
      "POST /v1/koc/tasks": (request) => {
        posts.push(request.body);
        return posts.length === 1
          ? [422, { type: "about:blank", title: "Unprocessable", status: 422, detail: "The reward is above the program's budget.", errors: [{ loc: ["body", "points"], msg: "over budget" }] }]
          : [201, { ...REVIEW, ...(request.body as object) }];
      },
    });
    renderInConsole(<KocPage />, { roles: ["manager"], url: "/koc?tab=tasks", path: "/koc" });
    expect(await screen.findByText("No KOC tasks yet", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: /New task/ }));
    const drawer = await screen.findByRole("dialog", { name: "New task" });

    // Nothing filled: each required field says so, nothing is sent.
    fireEvent.click(within(drawer).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(formItem("Referral program")).toHaveTextContent("Required"));
    expect(posts).toEqual([]);

    await waitFor(() => expect(api.requests.some((request) => request.path === "/v1/campaigns")).toBe(true));
    fireEvent.mouseDown(within(drawer).getByLabelText("Referral program"));
    expect(await screen.findByText("秋季裂变（Draft）")).toBeInTheDocument();
    expect(screen.queryByText("扫码有礼")).not.toBeInTheDocument(); // a standard campaign
    expect(screen.queryByText(/去年的裂变/)).not.toBeInTheDocument(); // an ended program
    fireEvent.click(screen.getByText("老带新"));
    expect(await within(drawer).findByText("The points come from this program's budget: 10000, 1200 paid so far.")).toBeInTheDocument();
    fireEvent.change(within(drawer).getByLabelText("Task name"), { target: { value: "发一篇点评" } });
    fireEvent.change(within(drawer).getByLabelText("Target"), { target: { value: "4" } });
    fireEvent.click(within(drawer).getByText("Post a review"));
    await waitFor(() => expect(within(drawer).getByLabelText("Target")).toBeDisabled());
    expect(within(drawer).getByLabelText("Target")).toHaveValue("1");
    expect(within(drawer).getByText("A review task's target is always 1 review.")).toBeInTheDocument();
    fireEvent.change(within(drawer).getByLabelText("Reward points"), { target: { value: "20000" } });
    fireEvent.click(within(drawer).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(formItem("Reward points")).toHaveTextContent("The reward is above the program's points budget"));
    expect(posts[0]).toEqual({ campaign_id: "cmp_1", title: "发一篇点评", kind: "post_review", target: 1, points: 20000 });

    fireEvent.change(within(drawer).getByLabelText("Reward points"), { target: { value: "80" } });
    fireEvent.click(within(drawer).getByRole("button", { name: "Create" }));
    expect(await screen.findByText("Task created")).toBeInTheDocument();
    expect(posts[1]).toEqual({ campaign_id: "cmp_1", title: "发一篇点评", kind: "post_review", target: 1, points: 80 });
    await waitFor(() => expect(api.requests.filter((request) => request.path === "/v1/koc/tasks" && request.method === "GET")).toHaveLength(2));
  }, SLOW);

  it("shows a failed load with a retry", async () => {
    let calls = 0;
    fakeApi({
      "GET /v1/koc/tasks": () => {
        calls += 1;
        return calls === 1 ? [500, { type: "about:blank", title: "Internal Server Error", status: 500, detail: "Something broke." }] : [200, { items: [SHARE], next_cursor: null }];
      },
      "GET /v1/campaigns/{campaign_id}": () => [200, PROGRAM],
    });
    renderInConsole(<KocPage />, { roles: ["manager"], url: "/koc?tab=tasks", path: "/koc" });
    expect(await screen.findByText("Something broke.", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByText("分享到 3 个群")).toBeInTheDocument();
  }, SLOW);
});
