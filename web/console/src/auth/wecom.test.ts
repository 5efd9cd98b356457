import { afterEach, describe, expect, it, vi } from "vitest";
import { createApi } from "@shared/api/client";
import { fakeApi } from "../components/testing";
import { completeWeComSignIn, isWeComCallback, simulateWeComSignIn, startWeComSignIn } from "./wecom";

const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "");
const TOKEN = `${part({ alg: "none" })}.${part({ sub: "zhangsan", tenant_id: "t1", roles: ["guide"], exp: 4102444800 })}.sig`;
const URL_ANSWER = { url: "https://login.work.weixin.qq.com/wwlogin/sso/login?appid=ww1&state=s".padEnd(80, "x"), state: "state-0123456789abcdef", expires_at: "" };

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("WeCom sign-in", () => {
  it("goes to WeCom with this origin's callback and completes with the code it brings back", async () => {
    const fake = fakeApi({
      "GET /v1/auth/wecom/login-url": () => [200, URL_ANSWER],
      "POST /v1/auth/wecom": () => [200, { token: TOKEN, staff_id: "zhangsan", roles: ["guide"], expires_at: "" }],
    });
    const api = createApi("http://api.test", () => null);
    const go = vi.fn();
    await startWeComSignIn(api, "t1", go);
    expect(go).toHaveBeenCalledWith(URL_ANSWER.url);
    expect(fake.requests[0].query.get("redirect_uri")).toBe(`${window.location.origin}/console/auth/callback`);
    const back = new URL(`${window.location.origin}/console/auth/callback?code=abc&state=${URL_ANSWER.state}`);
    expect(isWeComCallback(back)).toBe(true);
    const session = await completeWeComSignIn(api, back);
    expect(session).toMatchObject({ tenantId: "t1", staffId: "zhangsan", roles: ["guide"] });
    expect(fake.requests[1].body).toEqual({ tenant_id: "t1", code: "abc", state: URL_ANSWER.state });
    expect(isWeComCallback(back)).toBe(false); // the state is used once
  });

  it("refuses a callback whose state this tab did not start", async () => {
    fakeApi({});
    const api = createApi("http://api.test", () => null);
    await expect(completeWeComSignIn(api, new URL("http://x/console/auth/callback?code=a&state=other"))).rejects.toThrow("incomplete");
  });

  it("simulates the scan locally with the fake WeCom's code for the corp of the login URL", async () => {
    const fake = fakeApi({
      "GET /v1/auth/wecom/login-url": () => [200, URL_ANSWER],
      "POST /v1/dev/wecom/login-codes": () => [200, { code: "login-1" }],
      "POST /v1/auth/wecom": () => [200, { token: TOKEN, staff_id: "zhangsan", roles: ["guide"], expires_at: "" }],
    });
    const session = await simulateWeComSignIn(createApi("http://api.test", () => null), "http://api.test", "t1", "zhangsan");
    expect(session.staffId).toBe("zhangsan");
    expect(fake.requests[1].body).toEqual({ corp_id: "ww1", userid: "zhangsan" });
    expect(fake.requests[2].body).toEqual({ tenant_id: "t1", code: "login-1", state: URL_ANSWER.state });
  });
});
