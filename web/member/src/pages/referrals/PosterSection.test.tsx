// 我的海报: the member types the name to draw (kept in this browser for them, and typed in already
// next time, when their poster shows straight away); the poster is fetched with the member's token
// and shown as a data: URL (what WeChat saves on a long press), replaced when drawn again; a poster
// that could not be drawn says why and offers a retry.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider, type Language } from "@shared/i18n";
import { MemberAppProvider } from "../../app";
import type { MemberAuth } from "../../auth/methods";
import { storeMemberSession } from "../../auth/session";
import { PosterSection } from "./PosterSection";
import type { Referral } from "./referral";

const SLOW = 20_000; // antd-mobile in jsdom on a busy 2-core runner
const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev", appId: "wx-dev" } };
const TOKEN = "e30.e30.sig";
const NAME_KEY = "siyu.member.posterName:t-1:c_1";
const referral = {
  campaign_id: "cp_1",
  name: "春季老带新",
  poster_url: "/v1/me/referrals/poster.png?campaign_id=cp_1",
} as Referral;

interface Asked {
  path: string;
  query: URLSearchParams;
  authorization: string | null;
}

// A string body: the Response is Node's, which does not take jsdom's Blob.
const png = (bytes: string) => new Response(bytes, { status: 200, headers: { "Content-Type": "image/png" } });
const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ type: "about:blank", title: "Unavailable", status, detail }), { status, headers: { "Content-Type": "application/problem+json" } });

function stubApi(...answers: (() => Response)[]) {
  const asked: Asked[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      asked.push({ path: url.pathname, query: url.searchParams, authorization: request.headers.get("Authorization") });
      return (answers.length > 1 ? answers.shift()! : answers[0])();
    }),
  );
  return asked;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

function renderSection(language: Language = "zh-CN") {
  storeMemberSession({ token: TOKEN, tenantId: "t-1", contactId: "c_1", expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  return render(
    <LanguageProvider storageKey="test.language" initial={language}>
      <MemberAppProvider config={config}>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <PosterSection referral={referral} />
        </QueryClientProvider>
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

/** What the poster shown holds: its data: URL's bytes, as text (the fake posters are text). */
function bytesOf(src: string | null): string {
  const [head, data] = (src ?? "").split(",");
  expect(head).toBe("data:image/png;base64");
  return new TextDecoder().decode(Uint8Array.from(atob(data), (char) => char.charCodeAt(0)));
}

async function shownBytes(): Promise<string> {
  const image = await screen.findByRole("img", { name: "「春季老带新」邀请海报" }, { timeout: SLOW / 2 });
  return bytesOf(image.getAttribute("src"));
}

describe("PosterSection", () => {
  it("draws the poster with the name the member types, with their token, and keeps the name for next time", async () => {
    const asked = stubApi(() => png("poster of 小王"));
    renderSection();
    const section = screen.getByRole("region", { name: "我的海报" });
    const field = within(section).getByLabelText("海报上的名字");
    expect(field).toHaveValue("");
    expect(field).toHaveAttribute("maxLength", "40");
    expect(within(section).queryByRole("img")).not.toBeInTheDocument();
    expect(asked).toEqual([]); // nothing drawn before the member asks

    await userEvent.type(field, "  小王 ");
    expect(localStorage.getItem(NAME_KEY)).toBe("  小王 ");
    await userEvent.click(within(section).getByRole("button", { name: "生成我的海报" }));
    expect(await shownBytes()).toBe("poster of 小王");
    expect(asked).toHaveLength(1);
    expect(asked[0].path).toBe("/v1/me/referrals/poster.png");
    expect(Object.fromEntries(asked[0].query)).toEqual({ campaign_id: "cp_1", name: "小王" });
    expect(asked[0].authorization).toBe(`Bearer ${TOKEN}`);
    expect(screen.getByRole("img", { name: "「春季老带新」邀请海报" })).toHaveAttribute("width", "750");
    expect(within(section).getByTestId("poster-hint")).toHaveTextContent("长按图片保存或转发给好友");
  }, SLOW);

  it("draws again for another name, showing the new poster in place of the old", async () => {
    const asked = stubApi(
      () => png("first"),
      () => png("second"),
    );
    renderSection();
    await userEvent.click(screen.getByRole("button", { name: "生成我的海报" }));
    expect(await shownBytes()).toBe("first");
    expect(asked[0].query.has("name")).toBe(false); // no name: the API draws "好友"

    await userEvent.type(screen.getByLabelText("海报上的名字"), "小李");
    await userEvent.click(screen.getByRole("button", { name: "重新生成海报" }));
    await vi.waitFor(() => expect(bytesOf(screen.getByRole("img", { name: "「春季老带新」邀请海报" }).getAttribute("src"))).toBe("second"), {
      timeout: SLOW / 2,
    });
    expect(asked[1].query.get("name")).toBe("小李");
  }, SLOW);

  it("shows the poster straight away, with the name typed in, to a member who typed one before", async () => {
    localStorage.setItem(NAME_KEY, "老王");
    const asked = stubApi(() => png("poster of 老王"));
    renderSection();
    expect(screen.getByLabelText("海报上的名字")).toHaveValue("老王");
    expect(screen.getByRole("status")).toHaveTextContent("海报生成中…");
    expect(await shownBytes()).toBe("poster of 老王");
    expect(asked[0].query.get("name")).toBe("老王");
    expect(screen.getByRole("button", { name: "重新生成海报" })).toBeInTheDocument();
  }, SLOW);

  it("says why a poster could not be drawn and draws it on a retry", async () => {
    stubApi(
      () => problem(503, "Posters cannot be drawn now: no font is installed."),
      () => png("drawn"),
    );
    renderSection();
    await userEvent.click(screen.getByRole("button", { name: "生成我的海报" }));
    const alert = await screen.findByRole("alert", {}, { timeout: SLOW / 2 });
    expect(alert).toHaveTextContent("海报没有生成成功");
    expect(alert).toHaveTextContent("Posters cannot be drawn now: no font is installed.");
    expect(screen.queryByTestId("poster-hint")).not.toBeInTheDocument();
    await userEvent.click(within(alert).getByRole("button", { name: "重试" }));
    expect(await shownBytes()).toBe("drawn");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  }, SLOW);

  it("speaks English", async () => {
    stubApi(() => png("poster"));
    renderSection("en");
    await userEvent.type(screen.getByLabelText("Name on the poster"), "Wang");
    await userEvent.click(screen.getByRole("button", { name: "Make my poster" }));
    expect(await screen.findByRole("img", { name: "Invitation poster for 春季老带新" }, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getByText("Press and hold the picture to save it or send it to friends")).toBeInTheDocument();
  }, SLOW);
});
