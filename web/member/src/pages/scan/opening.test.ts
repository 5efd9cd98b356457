// @vitest-environment node
import { describe, expect, it } from "vitest";
import { DEVICE_KEY, deviceId, openingOf } from "./opening";

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

describe("openingOf", () => {
  it("reads the share and where WeChat says the link was opened", () => {
    const params = new URLSearchParams("tenant=t1&scene=K7&share=sh_01ABC&from=groupmessage&isappinstalled=0");
    expect(openingOf(params, "h5-device-1")).toEqual({ share_id: "sh_01ABC", opened_in: "group", device_id: "h5-device-1" });
    expect(openingOf(new URLSearchParams("from=singlemessage"), undefined)).toEqual({ opened_in: "chat" });
    expect(openingOf(new URLSearchParams("from=timeline"), undefined)).toEqual({ opened_in: "moments" });
  });

  it("leaves out what it does not know or what is malformed", () => {
    expect(openingOf(new URLSearchParams("scene=K7"), undefined)).toEqual({});
    expect(openingOf(new URLSearchParams("share=has space&from=elsewhere"), undefined)).toEqual({});
    expect(openingOf(new URLSearchParams(`share=${"x".repeat(65)}`), undefined)).toEqual({});
  });
});

describe("deviceId", () => {
  it("is made once and then kept", () => {
    const storage = memoryStorage();
    const first = deviceId(storage);
    expect(first).toMatch(/^h5-[0-9a-f-]{36}$/);
    expect(deviceId(storage)).toBe(first);
    expect(storage.values.get(DEVICE_KEY)).toBe(first);
  });

  it("replaces a kept value the API would refuse, and is none where storage is refused", () => {
    const storage = memoryStorage({ [DEVICE_KEY]: "bad id" });
    expect(deviceId(storage)).toMatch(/^h5-/);
    const refusing = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => undefined,
    };
    expect(deviceId(refusing)).toBeUndefined();
  });
});
