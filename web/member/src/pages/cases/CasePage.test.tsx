// A reply and a rating are sent once: the button is busy while the request runs, a second tap sends nothing.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider } from "@shared/i18n";
import { MemberAppProvider } from "../../app";
import type { MemberAuth } from "../../auth/methods";
import { storeMemberSession } from "../../auth/session";
import CasePage from "./CasePage";

vi.mock("antd-mobile/es/components/toast", () => ({ default: { show: vi.fn(), clear: vi.fn() } }));

const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev", appId: "wx-dev" } };
const detail = {
  case_id: "cs_1",
  type: "complaint",
  status: "resolved",
  subject: "积分没到账",
  description: "",
  order_id: null,
  attachments: [],
  created_at: "2025-03-12T01:00:00Z",
  updated_at: "2025-03-12T02:00:00Z",
  resolved_at: "2025-03-12T02:00:00Z",
  csat: null,
  can_rate: true,
  messages: [],
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** The API: the case's detail; each POST waits until the test answers it. */
function stubApi() {
  const posts: string[] = [];
  const answers: ((response: Response) => void)[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      if (request.method === "POST") {
        posts.push(new URL(request.url).pathname);
        return new Promise<Response>((resolve) => answers.push(resolve));
      }
      return json(200, detail);
    }),
  );
  return { posts, answer: (response: Response) => answers.shift()!(response) };
}

function renderPage() {
  storeMemberSession({ token: "e30.e30.sig", tenantId: "t-1", contactId: "c_1", expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  render(
    <LanguageProvider storageKey="test.language" initial="zh-CN">
      <MemberAppProvider config={config}>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <MemoryRouter initialEntries={["/cases/cs_1"]}>
            <Routes>
              <Route path="/cases/:caseId" element={<CasePage />} />
            </Routes>
          </MemoryRouter>
        </QueryClientProvider>
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

describe("CasePage", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it("sends a reply once however often the member taps, and is ready again after the answer", async () => {
    const api = stubApi();
    renderPage();
    await userEvent.type(await screen.findByLabelText("回复内容"), "还是没到账");
    const send = screen.getByRole("button", { name: "发送" });
    await userEvent.click(send);
    await waitFor(() => expect(api.posts).toEqual(["/v1/me/cases/cs_1/messages"]));
    expect(send).toBeDisabled();
    await userEvent.click(send);
    api.answer(json(201, { message_id: "m1" }));
    await waitFor(() => expect(send).toBeEnabled());
    expect(api.posts).toHaveLength(1);
  });

  it("sends a rating once", async () => {
    const api = stubApi();
    renderPage();
    const four = await screen.findByRole("radio", { name: "4 分" });
    await userEvent.click(four);
    const rate = screen.getByRole("button", { name: "提交评价" });
    await userEvent.click(rate);
    await waitFor(() => expect(api.posts).toEqual(["/v1/me/cases/cs_1/csat"]));
    expect(rate).toBeDisabled();
    await userEvent.click(rate);
    api.answer(json(422, { type: "x", title: "Invalid", status: 422, detail: "invalid", errors: [{ loc: ["body", "comment"], msg: "too long" }] }));
    await waitFor(() => expect(rate).toBeEnabled());
    expect(api.posts).toHaveLength(1);
  });
});
