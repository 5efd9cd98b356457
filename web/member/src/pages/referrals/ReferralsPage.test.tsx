// 邀请有礼 on the H5: a program reads as its rules, the member's link and code, the stages reached
// and the next one, the rewards and the invitees in words (a reason or a reward the page does not
// know yet reads as a general one); the link is copied, or selected with a hint where there is no
// clipboard; no program running reads as a friendly message, and a failed load offers a retry.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import Toast from "antd-mobile/es/components/toast";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider } from "@shared/i18n";
import { MemberAppProvider } from "../../app";
import type { MemberAuth } from "../../auth/methods";
import { storeMemberSession } from "../../auth/session";
import ReferralsPage from "./ReferralsPage";

vi.mock("antd-mobile/es/components/toast", () => ({ default: { show: vi.fn(), clear: vi.fn() } }));

const SLOW = 20_000; // antd-mobile in jsdom on a busy 2-core runner
const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev", appId: "wx-dev" } };
const URL_ = "https://h5.example.com/m/scan?tenant=t-1&scene=INV42";
const reward = { campaign_id: "cp_1", contact_id: "c_1", invitee_id: "c_9", reward_id: "rw_1", rewarded: true, reversed_at: null, reversal_reason: null, unrewarded_reason: null };
// Every time is at noon UTC: the same day in whatever time zone the tests run.
const program = {
  campaign_id: "cp_1",
  name: "春季老带新",
  code: "INV42",
  url: URL_,
  poster_url: "/v1/me/referrals/poster.png?campaign_id=cp_1",
  ends_at: "2035-06-30T12:00:00Z",
  qualifying_action: "phone_bound",
  welcome_points: 20,
  stages: [
    { invitees: 1, points: 100 },
    { invitees: 3, points: 300 },
  ],
  qualified: 1,
  invitees: [
    { status: "pending", reason: null, invited_at: "2026-03-05T12:00:00Z", qualified_at: null },
    { status: "clawed_back", reason: "refunded", invited_at: "2026-03-04T12:00:00Z", qualified_at: "2026-03-04T12:00:00Z" },
    { status: "rejected", reason: "cycle", invited_at: "2026-03-03T12:00:00Z", qualified_at: null },
    { status: "rejected", reason: "device_farm", invited_at: "2026-03-02T12:00:00Z", qualified_at: null },
    { status: "rejected", reason: "self_invite", invited_at: "2026-03-02T12:00:00Z", qualified_at: null },
    { status: "qualified", reason: null, invited_at: "2026-03-01T12:00:00Z", qualified_at: "2026-03-01T12:00:00Z" },
  ],
  rewards: [
    { ...reward, kind: "stage", stage: 1, points: 100, earned_at: "2026-03-01T12:00:00Z" },
    { ...reward, reward_id: "rw_2", kind: "stage", stage: 1, points: 100, earned_at: "2026-03-02T12:00:00Z", reversed_at: "2026-03-04T12:00:00Z", reversal_reason: "deleted_staff" },
    { ...reward, reward_id: "rw_3", kind: "welcome", stage: null, points: 0, rewarded: false, earned_at: "2026-02-01T12:00:00Z", unrewarded_reason: "budget_exhausted" },
    { ...reward, reward_id: "rw_4", kind: "lottery", stage: null, points: 5, earned_at: "2026-01-01T12:00:00Z" },
  ],
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function stubApi(...answers: (() => Response)[]) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      calls.push(new URL(request.url).pathname);
      return (answers.length > 1 ? answers.shift()! : answers[0])();
    }),
  );
  return calls;
}

function renderPage() {
  storeMemberSession({ token: "e30.e30.sig", tenantId: "t-1", contactId: "c_1", expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  render(
    <LanguageProvider storageKey="test.language" initial="zh-CN">
      <MemberAppProvider config={config}>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <ReferralsPage />
        </QueryClientProvider>
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

function setClipboard(value: unknown) {
  Object.defineProperty(navigator, "clipboard", { value, configurable: true });
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.mocked(Toast.show).mockClear();
  Reflect.deleteProperty(navigator, "clipboard");
});

describe("ReferralsPage", () => {
  it("shows the program, the member's link, the stages reached, the rewards and the invitees in words", async () => {
    const calls = stubApi(() => json(200, { items: [program] }));
    renderPage();
    const article = await screen.findByRole("article", { name: "春季老带新" }, { timeout: SLOW / 2 });
    expect(calls).toEqual(["/v1/me/referrals"]);
    expect(within(article).getByText("活动截止 2035/06/30")).toBeInTheDocument();
    const rules = within(article).getByRole("list", { name: "活动规则" });
    expect(rules).toHaveTextContent("好友用你的链接注册并绑定手机号，即算邀请成功");
    expect(rules).toHaveTextContent("邀请成功的好友可得 20 积分新人礼");
    expect(screen.getByTestId("invite-link")).toHaveTextContent(URL_);
    expect(screen.getByTestId("invite-code")).toHaveTextContent("INV42");
    // The poster waits for the member to ask for it (PosterSection.test.tsx).
    const poster = within(article).getByTestId("poster");
    expect(poster).toHaveTextContent("我的海报");
    expect(within(poster).getByText("生成我的海报")).toBeInTheDocument();

    expect(screen.getByTestId("qualified")).toHaveTextContent("已有 1 位好友邀请成功");
    const bar = screen.getByRole("progressbar", { name: "邀请进度" });
    expect(bar).toHaveAttribute("aria-valuenow", "1");
    expect(bar).toHaveAttribute("aria-valuemax", "3");
    expect(screen.getByTestId("next-stage")).toHaveTextContent("再邀请 2 位好友，可得 300 积分");
    const stages = within(screen.getByRole("list", { name: "阶段奖励" })).getAllByRole("listitem");
    expect(stages.map((stage) => stage.dataset.reached)).toEqual(["true", "false"]);
    expect(stages[0]).toHaveTextContent("阶段 1：邀请 1 人+100 积分已达成");
    expect(stages[1]).toHaveTextContent("阶段 2：邀请 3 人+300 积分还差 2 人");

    const rewards = within(screen.getByRole("list", { name: "我的奖励" })).getAllByRole("listitem");
    expect(rewards.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/^阶段 1 奖励\+100 积分获得于 2026\/03\/02 .* · 好友删除了专属导购，奖励已收回已收回$/),
      expect.stringMatching(/^阶段 1 奖励\+100 积分获得于 2026\/03\/01 .*已发放$/),
      expect.stringMatching(/^新人礼获得于 2026\/02\/01 .* · 活动积分已发完未发放$/),
      expect.stringMatching(/^活动奖励\+5 积分获得于 2026\/01\/01 .*已发放$/),
    ]);

    const invitees = within(screen.getByRole("list", { name: "我邀请的好友" })).getAllByRole("listitem");
    const words = invitees.map((row) => row.textContent?.replace(/^受邀时间 [\d/]+ \d\d:\d\d/, ""));
    expect(words).toEqual([
      "等待好友绑定手机号待达成",
      "好友退款，邀请已收回已收回",
      "对方是邀请你加入的人，不能互相邀请未通过",
      "不符合活动规则未通过",
      "不能邀请自己哦未通过",
      expect.stringMatching(/^邀请成功 2026\/03\/01 \d\d:\d\d已成功$/),
    ]);
  }, SLOW);

  it("says when every stage is reached, and that there is nothing yet", async () => {
    stubApi(() => json(200, { items: [{ ...program, qualified: 3, invitees: [], rewards: [] }] }));
    renderPage();
    expect(await screen.findByTestId("next-stage")).toHaveTextContent("全部阶段已达成，感谢你的分享！");
    expect(screen.getByRole("progressbar", { name: "邀请进度" })).toHaveAttribute("aria-valuenow", "3");
    expect(screen.getByText("还没有奖励，邀请好友成功即可获得。")).toBeInTheDocument();
    expect(screen.getByText("还没有好友通过你的链接加入，快去邀请吧。")).toBeInTheDocument();
  });

  it("copies the invite link to the clipboard", async () => {
    const writeText = vi.fn(async () => undefined);
    setClipboard({ writeText });
    stubApi(() => json(200, { items: [program] }));
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "复制邀请链接" }));
    expect(writeText).toHaveBeenCalledWith(URL_);
    expect(Toast.show).toHaveBeenCalledWith({ content: "已复制，快发给好友吧" });
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("selects the link and says to copy it by hand where there is no clipboard or it refuses", async () => {
    setClipboard(undefined);
    stubApi(() => json(200, { items: [program] }));
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "复制邀请链接" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("无法自动复制，请长按上方链接手动复制。");
    expect(window.getSelection()?.toString()).toBe(URL_);
    expect(Toast.show).not.toHaveBeenCalled();

    setClipboard({ writeText: vi.fn(async () => Promise.reject(new DOMException("denied", "NotAllowedError"))) });
    window.getSelection()?.removeAllRanges();
    await userEvent.click(screen.getByRole("button", { name: "复制邀请链接" }));
    expect(screen.getByRole("alert")).toHaveTextContent("无法自动复制");
    expect(window.getSelection()?.toString()).toBe(URL_);
    expect(Toast.show).not.toHaveBeenCalled();
  });

  it("says so kindly when no program is running", async () => {
    stubApi(() => json(200, { items: [] }));
    renderPage();
    expect(await screen.findByText("暂时没有邀请活动，有新活动时这里会第一时间告诉你。")).toBeInTheDocument();
    expect(screen.queryByRole("article")).not.toBeInTheDocument();
  });

  it("offers a retry when the programs cannot be read", async () => {
    stubApi(
      () => json(500, { type: "about:blank", title: "Internal Server Error", status: 500, detail: "服务暂时不可用" }),
      () => json(200, { items: [program] }),
    );
    renderPage();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("出错了");
    await userEvent.click(within(alert).getByRole("button", { name: "重试" }));
    expect(await screen.findByRole("article", { name: "春季老带新" })).toBeInTheDocument();
  });
});
