// KOC 任务 on the H5: each task with its progress bar, status in words and reward, the program by
// its name; sharing to a group records a share (channel group) and gives its link to paste (copied,
// or selected to copy by hand), the tasks read again; a review is submitted with its link (a link
// the API would refuse is caught first, the API's own 422 lands on the link), waits with the link
// shown, and is submitted again after a rejection; a member who is not a KOC reads how to become
// one; no task, and a failed load, say so.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import Toast from "antd-mobile/es/components/toast";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider, type Language } from "@shared/i18n";
import { MemberAppProvider } from "../../app";
import type { MemberAuth } from "../../auth/methods";
import { storeMemberSession } from "../../auth/session";
import KocTasksPage from "./KocTasksPage";

vi.mock("antd-mobile/es/components/toast", () => ({ default: { show: vi.fn(), clear: vi.fn() } }));

const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev", appId: "wx-dev" } };

const base = { campaign_id: "cp_1", status: "active", created_at: "2026-03-01T12:00:00Z", submission_url: null };
const SHARE = { ...base, task_id: "kt_1", title: "分享到 2 个群", kind: "share_groups", target: 2, points: 30, verification: "events", progress: 1, my_status: "in_progress" };
const VISITORS = { ...base, task_id: "kt_2", title: "带来 2 位新朋友", kind: "bring_visitors", target: 2, points: 50, verification: "events", progress: 2, my_status: "completed" };
const REVIEW = { ...base, task_id: "kt_3", title: "发一篇点评", kind: "post_review", target: 1, points: 80, verification: "manager", progress: 0, my_status: "in_progress" };
const PROGRAMS = { items: [{ campaign_id: "cp_1", name: "春季老带新" }] };

type Answer = [number, unknown];
interface Call {
  method: string;
  path: string;
  body: unknown;
}

function stubApi(routes: Record<string, (call: Call) => Answer>) {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const text = request.method === "GET" ? "" : await request.text();
      const call = { method: request.method, path: new URL(request.url).pathname, body: text ? JSON.parse(text) : undefined };
      calls.push(call);
      const route = routes[`${call.method} ${call.path}`];
      const [status, body] = route ? route(call) : [404, { type: "about:blank", title: "Not Found", status: 404, detail: "no fake" }];
      return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" } });
    }),
  );
  return calls;
}

function renderPage(language: Language = "zh-CN") {
  storeMemberSession({ token: "e30.e30.sig", tenantId: "t-1", contactId: "c_1", expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  render(
    <LanguageProvider storageKey="test.language" initial={language}>
      <MemberAppProvider config={config}>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <MemoryRouter initialEntries={["/koc-tasks"]}>
            <Routes>
              <Route path="/koc-tasks" element={<KocTasksPage />} />
              <Route path="/referrals" element={<h1>邀请有礼页</h1>} />
            </Routes>
          </MemoryRouter>
        </QueryClientProvider>
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

const card = (title: string) => screen.findByRole("article", { name: title });

afterEach(() => {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, "clipboard");
  vi.mocked(Toast.show).mockClear();
});

describe("KocTasksPage", () => {
  it("shows each task's progress, status and reward, and gives a link named for a share to a group", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const url = "https://h5.example/m/scan?tenant=t1&scene=K7&share=sh_1";
    const calls = stubApi({
      "GET /v1/me/koc-tasks": () => [200, { koc: true, items: [SHARE, VISITORS, REVIEW] }],
      "GET /v1/me/referrals": () => [200, PROGRAMS],
      "POST /v1/me/shares": () => [201, { share_id: "sh_1", campaign_id: "cp_1", channel: "group", shared_at: "2026-03-02T12:00:00Z", url }],
    });
    renderPage();
    const share = await card("分享到 2 个群");
    expect(within(share).getByText("把活动链接分享到 2 个微信群")).toBeInTheDocument();
    expect(await within(share).findByText("活动：春季老带新")).toBeInTheDocument();
    expect(within(share).getByText("奖励 30 积分")).toBeInTheDocument();
    expect(within(share).getByText("进行中")).toBeInTheDocument();
    const bar = within(share).getByRole("progressbar", { name: "分享到 2 个群 的进度" });
    expect(bar).toHaveAttribute("aria-valuenow", "1");
    expect(bar).toHaveAttribute("aria-valuemax", "2");
    expect(bar).toHaveTextContent("1/2");

    const visitors = await card("带来 2 位新朋友");
    expect(within(visitors).getByText("已完成")).toBeInTheDocument();
    expect(within(visitors).getByText("任务已完成，奖励积分发放后可在积分明细中查看。")).toBeInTheDocument();
    expect(within(visitors).queryByRole("button")).not.toBeInTheDocument();

    // The share is recorded and its link copied, to paste into a group; the tap itself counts nothing.
    await userEvent.click(within(share).getByRole("button", { name: "分享到群" }));
    expect(calls.find((call) => call.method === "POST")).toEqual({ method: "POST", path: "/v1/me/shares", body: { campaign_id: "cp_1", channel: "group" } });
    expect(await within(share).findByTestId("share-link")).toHaveTextContent(url);
    expect(writeText).toHaveBeenCalledWith(url);
    expect(Toast.show).toHaveBeenCalledWith({ content: "链接已复制" });
    expect(within(share).getByText("链接已复制，发到一个微信群吧：")).toBeInTheDocument();
    expect(within(share).getByRole("button", { name: "再分享到一个群" })).toBeInTheDocument();
    expect(bar).toHaveAttribute("aria-valuenow", "1");
  });

  it("selects a share's link to copy by hand where there is no clipboard", async () => {
    const url = "https://h5.example/m/scan?tenant=t1&scene=K7&share=sh_2";
    stubApi({
      "GET /v1/me/koc-tasks": () => [200, { koc: true, items: [SHARE] }],
      "GET /v1/me/referrals": () => [200, PROGRAMS],
      "POST /v1/me/shares": () => [201, { share_id: "sh_2", campaign_id: "cp_1", channel: "group", shared_at: "2026-03-02T12:00:00Z", url }],
    });
    renderPage();
    const share = await card("分享到 2 个群");
    await userEvent.click(within(share).getByRole("button", { name: "分享到群" }));
    expect(await within(share).findByText("长按下面的链接复制，发到一个微信群：")).toBeInTheDocument();
    const link = within(share).getByTestId("share-link");
    await waitFor(() => expect(window.getSelection()?.toString()).toBe(url));
    expect(link).toHaveTextContent(url);
    expect(Toast.show).not.toHaveBeenCalled();
  });

  it("says when the program no longer takes shares", async () => {
    stubApi({
      "GET /v1/me/koc-tasks": () => [200, { koc: true, items: [SHARE] }],
      "GET /v1/me/referrals": () => [200, { items: [] }],
      "POST /v1/me/shares": () => [404, { type: "about:blank", title: "Not Found", status: 404, detail: "No referral program open now has this id." }],
    });
    renderPage();
    await userEvent.click(within(await card("分享到 2 个群")).getByRole("button", { name: "分享到群" }));
    await waitFor(() => expect(Toast.show).toHaveBeenCalledWith({ content: "这个活动已暂停或结束，暂时不能分享。" }));
  });

  it("submits a review's link (a bad one caught first, the API's refusal on the link) and shows it while it waits", async () => {
    let mine: Record<string, unknown> = { ...REVIEW };
    const posted: unknown[] = [];
    stubApi({
      "GET /v1/me/koc-tasks": () => [200, { koc: true, items: [mine] }],
      "GET /v1/me/referrals": () => [200, PROGRAMS],
      "POST /v1/me/koc-tasks/kt_3/submissions": (call) => {
        posted.push(call.body);
        if (posted.length === 1) {
          return [422, { type: "about:blank", title: "Unprocessable", status: 422, detail: "1 invalid value", errors: [{ loc: ["body", "url"], msg: "String should match pattern" }] }];
        }
        mine = { ...REVIEW, my_status: "submitted", submission_url: (call.body as { url: string }).url };
        return [201, mine];
      },
    });
    renderPage();
    const review = await card("发一篇点评");
    const url = within(review).getByLabelText("点评链接");
    await userEvent.click(within(review).getByRole("button", { name: "提交审核" }));
    expect(await within(review).findByText("请填写点评链接")).toBeInTheDocument();
    await userEvent.type(url, "http://note.example/1");
    await userEvent.click(within(review).getByRole("button", { name: "提交审核" }));
    expect(await within(review).findByText("请填写以 https:// 开头的完整链接")).toBeInTheDocument();
    expect(posted).toEqual([]); // caught before it is sent

    await userEvent.clear(url);
    await userEvent.type(url, "https://note.example/1");
    await userEvent.type(within(review).getByLabelText("备注（选填）"), "小红书");
    await userEvent.click(within(review).getByRole("button", { name: "提交审核" }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(await within(review).findByText("请填写以 https:// 开头的完整链接")).toBeInTheDocument(); // the API's 422, on the link
    await userEvent.click(within(review).getByRole("button", { name: "提交审核" }));
    expect(await within(review).findByText("已提交，等待审核")).toBeInTheDocument();
    expect(posted[1]).toEqual({ url: "https://note.example/1", note: "小红书" });
    expect(within(review).getByText("审核中")).toBeInTheDocument();
    const link = within(review).getByRole("link", { name: /https:\/\/note\.example\/1/ });
    expect(link).toHaveAttribute("href", "https://note.example/1");
    expect(link).toHaveAttribute("target", "_blank");
    expect(within(review).queryByRole("button")).not.toBeInTheDocument();
  });

  it("asks for a review again after a rejection, and says when the task has ended meanwhile", async () => {
    stubApi({
      "GET /v1/me/koc-tasks": () => [200, { koc: true, items: [{ ...REVIEW, my_status: "rejected", submission_url: "https://note.example/old" }] }],
      "GET /v1/me/referrals": () => [200, PROGRAMS],
      "POST /v1/me/koc-tasks/kt_3/submissions": () => [404, { type: "about:blank", title: "Not Found", status: 404, detail: "No such task for you." }],
    });
    renderPage();
    const review = await card("发一篇点评");
    expect(within(review).getByText("未通过")).toBeInTheDocument();
    expect(within(review).getByText("点评未通过审核，请修改后重新提交。")).toBeInTheDocument();
    expect(within(review).getByRole("link", { name: /note\.example\/old/ })).toBeInTheDocument();
    await userEvent.type(within(review).getByLabelText("点评链接"), "https://note.example/new");
    await userEvent.click(within(review).getByRole("button", { name: "重新提交" }));
    expect(await within(review).findByRole("alert")).toHaveTextContent("这个任务已结束，或你暂时不能参与。");
  });

  it("tells a member who is not a KOC how to become one", async () => {
    const calls = stubApi({ "GET /v1/me/koc-tasks": () => [200, { koc: false, items: [] }] });
    renderPage();
    expect(await screen.findByRole("heading", { name: "成为 KOC 后可领取任务" })).toBeInTheDocument();
    expect(screen.queryByRole("article")).not.toBeInTheDocument();
    expect(calls.map((call) => call.path)).toEqual(["/v1/me/koc-tasks"]); // no program names needed
    await userEvent.click(screen.getByRole("button", { name: "去邀请好友" }));
    expect(await screen.findByRole("heading", { name: "邀请有礼页" })).toBeInTheDocument();
  });

  it("says when there is no task, in English too", async () => {
    stubApi({ "GET /v1/me/koc-tasks": () => [200, { koc: true, items: [] }] });
    renderPage("en");
    expect(await screen.findByRole("heading", { name: "KOC tasks", level: 1 })).toBeInTheDocument();
    expect(await screen.findByText("No tasks right now: new ones will show up here.")).toBeInTheDocument();
  });

  it("offers a retry when the tasks cannot be read", async () => {
    let calls = 0;
    stubApi({
      "GET /v1/me/koc-tasks": () => {
        calls += 1;
        return calls === 1 ? [500, { type: "about:blank", title: "Internal Server Error", status: 500, detail: "服务暂时不可用" }] : [200, { koc: true, items: [SHARE] }];
      },
      "GET /v1/me/referrals": () => [200, PROGRAMS],
    });
    renderPage();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("服务暂时不可用");
    await userEvent.click(within(alert).getByRole("button", { name: "重试" }));
    expect(await card("分享到 2 个群")).toBeInTheDocument();
  });
});
