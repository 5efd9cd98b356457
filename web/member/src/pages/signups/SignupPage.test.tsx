// 群接龙 on the H5: joining shows the member's number; a 409's reason reads as words; withdrawing
// asks first and then gives the place back.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider } from "@shared/i18n";
import { MemberAppProvider } from "../../app";
import type { MemberAuth } from "../../auth/methods";
import { storeMemberSession } from "../../auth/session";
import SignupPage from "./SignupPage";

vi.mock("antd-mobile/es/components/toast", () => ({ default: { show: vi.fn(), clear: vi.fn() } }));
const confirm = vi.fn(async () => true);
vi.mock("antd-mobile/es/components/dialog", () => ({ default: { confirm: () => confirm() } }));

const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev", appId: "wx-dev" } };
const sheet = { sheet_id: "su_1", title: "周六徒步", capacity: 2, deadline: "2036-03-12T01:00:00Z", taken: 1, places_left: 1, open: true };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function stubApi(answers: Record<string, () => Response>) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      calls.push(request.method);
      return answers[request.method]();
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
          <MemoryRouter initialEntries={["/signups/su_1"]}>
            <Routes>
              <Route path="/signups/:sheetId" element={<SignupPage />} />
            </Routes>
          </MemoryRouter>
        </QueryClientProvider>
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  confirm.mockClear();
});

describe("SignupPage", () => {
  it("joins and shows the member's number", async () => {
    stubApi({
      GET: () => json(200, { sheet, my_entry: null }),
      POST: () => json(201, { sheet: { ...sheet, taken: 2, places_left: 0 }, my_entry: { number: 2, joined_at: "2026-03-01T01:00:00Z" } }),
    });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "我要报名" }));
    expect(await screen.findByTestId("my-number")).toHaveTextContent("第 2 号");
    expect(screen.getByTestId("places-left")).toHaveTextContent("0");
  });

  it("says why a join was refused", async () => {
    stubApi({
      GET: () => json(200, { sheet, my_entry: null }),
      POST: () => json(409, { type: "about:blank", title: "Conflict", status: 409, detail: "The sign-up sheet is full.", reason: "full" }),
    });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "我要报名" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("名额已满，下次早点来哦。");
  });

  it("withdraws only after the member confirms", async () => {
    const calls = stubApi({
      GET: () => json(200, { sheet, my_entry: { number: 1, joined_at: "2026-03-01T01:00:00Z" } }),
      DELETE: () => json(200, { sheet: { ...sheet, taken: 0, places_left: 2 }, my_entry: null }),
    });
    renderPage();
    confirm.mockResolvedValueOnce(false);
    await userEvent.click(await screen.findByRole("button", { name: "取消报名" }));
    expect(calls).not.toContain("DELETE");
    await userEvent.click(screen.getByRole("button", { name: "取消报名" }));
    expect(await screen.findByRole("button", { name: "我要报名" })).toBeEnabled();
    expect(calls).toContain("DELETE");
  });

  it("says a missing sheet is not found", async () => {
    stubApi({ GET: () => json(404, { type: "about:blank", title: "Not Found", status: 404, detail: "no such sheet" }) });
    renderPage();
    expect(await screen.findByRole("alert")).toHaveTextContent("找不到这个接龙");
  });
});
