// WeChat sign-in never loops: the page goes to WeChat on its own once per tab (until a sign-in
// works); a token the API refuses right after sign-in shows an error and a button; after the
// member signs out, the page waits for a tap.
import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useEffect } from "react";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider } from "@shared/i18n";
import { MemberAppProvider, useApi, useMemberApp } from "../app";
import { TopBar } from "../layout/TopBar";
import type { MemberAuth } from "./methods";
import { storeMemberSession } from "./session";
import { navigation } from "./signIn";
import { SignInCard } from "./SignInCard";

const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "wechat", appId: "wx-app" } };

function token(contact: string): string {
  const payload = btoa(JSON.stringify({ sub: contact, tenant_id: "t-1", exp: Math.floor(Date.now() / 1000) + 3600 }));
  return `e30.${payload.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.sig`;
}

/** The API: POST /v1/auth/wechat hands out a token; the member's own calls answer `me`. */
function stubApi(me: 200 | 401) {
  const fetch = vi.fn(async (request: Request) => {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    if (request.url.endsWith("/v1/auth/wechat")) return json(200, { token: token("c_1"), contact_id: "c_1", tenant_id: "t-1" });
    return me === 200 ? json(200, { items: [] }) : json(401, { type: "about:blank", title: "Unauthorized", status: 401, detail: "Invalid token." });
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

function Probe() {
  const api = useApi();
  useEffect(() => void api.GET("/v1/me/points/entries", { params: { query: { limit: 1 } } }), [api]);
  return <p>signed in</p>;
}

function Page() {
  const { session } = useMemberApp();
  return (
    <>
      <TopBar />
      {session ? <Probe /> : <SignInCard tenantId="t-1" />}
    </>
  );
}

/** One page load at `path`. */
function load(path: string) {
  window.history.replaceState(null, "", path);
  return render(
    <LanguageProvider storageKey="test.language" initial="zh-CN">
      <MemberAppProvider config={config}>
        <Page />
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

/** WeChat's answer: back to the page with a code and the state the page sent. */
function returnFromWechat(url: string): string {
  const state = new URL(new URL(url).searchParams.get("redirect_uri")!).searchParams.get("scene");
  expect(state).toBe("K7");
  return `/m/scan?tenant=t-1&scene=K7&code=dev:alice&state=${new URL(url).searchParams.get("state")}`;
}

describe("WeChat sign-in", () => {
  let assign: ReturnType<typeof vi.fn<(url: string) => void>>;
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
    assign = vi.fn<(url: string) => void>();
    vi.spyOn(navigation, "assign").mockImplementation(assign);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it("goes to WeChat once; a fresh token the API refuses shows an error and a button, also after a reload", async () => {
    stubApi(401);
    const first = load("/m/scan?tenant=t-1&scene=K7");
    expect(assign).toHaveBeenCalledOnce();
    expect(assign.mock.calls[0][0]).toMatch(/^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=wx-app&/);
    first.unmount();

    const back = load(returnFromWechat(assign.mock.calls[0][0]));
    expect(await screen.findByRole("alert")).toHaveTextContent("登录没有成功，请稍后再试。");
    expect(screen.getByRole("button", { name: "微信登录" })).toBeVisible();
    expect(assign).toHaveBeenCalledOnce();
    back.unmount();

    load("/m/scan?tenant=t-1&scene=K7"); // the member reloads
    expect(screen.getByText("点击下方按钮，用微信登录。")).toBeVisible();
    expect(assign).toHaveBeenCalledOnce();
    await userEvent.click(screen.getByRole("button", { name: "微信登录" }));
    expect(assign).toHaveBeenCalledTimes(2); // a tap always goes
  });

  it("after a sign-in the API accepted, an expired session goes to WeChat on its own again", async () => {
    const fetch = stubApi(200);
    const first = load("/m/scan?tenant=t-1&scene=K7");
    first.unmount();
    const back = load(returnFromWechat(assign.mock.calls[0][0]));
    expect(await screen.findByText("signed in")).toBeVisible();
    await act(async () => void (await fetch.mock.results.at(-1)!.value));
    expect(sessionStorage.getItem("siyu.member.oauth-auto")).toBeNull();
    back.unmount();

    localStorage.clear(); // the session expired
    load("/m/scan?tenant=t-1&scene=K7");
    expect(assign).toHaveBeenCalledTimes(2);
  });

  it("after the member signs out, waits for a tap, also after a reload", async () => {
    stubApi(200);
    storeMemberSession({ token: token("c_1"), tenantId: "t-1", contactId: "c_1", expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const page = load("/m/?tenant=t-1");
    expect(screen.getByText("signed in")).toBeVisible();
    await userEvent.click(screen.getByRole("button", { name: "退出" }));
    expect(screen.getByRole("button", { name: "微信登录" })).toBeVisible();
    page.unmount();
    load("/m/?tenant=t-1");
    expect(screen.getByRole("button", { name: "微信登录" })).toBeVisible();
    expect(assign).not.toHaveBeenCalled();
  });
});
