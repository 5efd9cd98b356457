// Redeeming a reward: one Idempotency-Key per reward until the API answered it (success or a 4xx),
// so a retry after a lost answer cannot redeem twice; the button is busy while the request runs.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { RuntimeConfig } from "@shared/config";
import { LanguageProvider } from "@shared/i18n";
import { MemberAppProvider } from "../../app";
import type { MemberAuth } from "../../auth/methods";
import { storeMemberSession } from "../../auth/session";
import RewardsPage from "./RewardsPage";

vi.mock("antd-mobile/es/components/dialog", () => ({ default: { confirm: vi.fn(async () => true) } }));
vi.mock("antd-mobile/es/components/toast", () => ({ default: { show: vi.fn(), clear: vi.fn() } }));

const config: RuntimeConfig<MemberAuth> = { apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev", appId: "wx-dev" } };
const reward = { reward_id: "rw_1", name: "保温杯", description: null, cost: 100, stock: 20, per_member_limit: null, valid_until: null };

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** The API; each POST /v1/me/redemptions takes the next of `answers` (a Response, "lost" for a
 * network failure, or a promise the test settles). */
function stubApi(answers: (Response | "lost" | Promise<Response>)[]) {
  const keys: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === "/v1/me/redemptions") {
        keys.push(request.headers.get("Idempotency-Key") ?? "");
        const answer = answers.shift()!;
        if (answer === "lost") throw new TypeError("Failed to fetch");
        return answer;
      }
      if (path === "/v1/me/points") return json(200, { balance: 500 });
      if (path === "/v1/rewards") return json(200, { items: [reward], next_cursor: null });
      return json(200, { items: [], next_cursor: null });
    }),
  );
  return keys;
}

const redeemed = () => json(201, { redemption_id: "rd_1", balance: 400 });

function renderPage() {
  storeMemberSession({ token: "e30.e30.sig", tenantId: "t-1", contactId: "c_1", expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  render(
    <LanguageProvider storageKey="test.language" initial="zh-CN">
      <MemberAppProvider config={config}>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <RewardsPage />
        </QueryClientProvider>
      </MemberAppProvider>
    </LanguageProvider>,
  );
}

async function redeem(keys: string[], count: number) {
  const button = await screen.findByRole("button", { name: "兑换 保温杯" });
  await waitFor(() => expect(button).toBeEnabled());
  await userEvent.click(button);
  await waitFor(() => expect(keys).toHaveLength(count));
  await waitFor(() => expect(screen.getByRole("button", { name: "兑换 保温杯" })).toBeEnabled());
}

describe("RewardsPage redemption", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it("retries a lost answer with the same key; a new key after a success or a refusal", async () => {
    const keys = stubApi([
      "lost",
      json(502, { type: "about:blank", title: "Bad Gateway", status: 502, detail: "upstream" }),
      redeemed(),
      json(409, { type: "x", title: "Conflict", status: 409, detail: "Out of stock.", reason: "out_of_stock" }),
      redeemed(),
    ]);
    renderPage();
    for (let n = 1; n <= 5; n += 1) await redeem(keys, n);
    const [lost, gateway, done, refused, next] = keys;
    expect(gateway).toBe(lost); // no answer, then a 5xx: the outcome is unknown, the same key again
    expect(done).toBe(lost);
    expect(refused).not.toBe(done); // after a success, a new redemption
    expect(next).not.toBe(refused); // after a 4xx, a new key
    expect(new Set(keys).size).toBe(3);
  });

  it("shows the button busy while the request runs, and a second tap sends nothing", async () => {
    let answer!: (response: Response) => void;
    const keys = stubApi([new Promise<Response>((resolve) => (answer = resolve))]);
    renderPage();
    const button = await screen.findByRole("button", { name: "兑换 保温杯" });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);
    await waitFor(() => expect(keys).toHaveLength(1));
    expect(button).toBeDisabled();
    await userEvent.click(button);
    answer(redeemed());
    await waitFor(() => expect(button).toBeEnabled());
    expect(keys).toHaveLength(1);
  });
});
