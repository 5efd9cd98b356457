// @vitest-environment node
import { randomUuid } from "./uuid";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("randomUuid", () => {
  it("uses crypto.randomUUID where the page has it (a secure context)", () => {
    const randomUUID = vi.fn(() => "11111111-2222-4333-8444-555555555555" as const);
    expect(randomUuid({ randomUUID, getRandomValues: crypto.getRandomValues.bind(crypto) })).toBe("11111111-2222-4333-8444-555555555555");
    expect(randomUUID).toHaveBeenCalledOnce();
  });

  it("builds a v4 UUID from getRandomValues on plain http (no randomUUID)", () => {
    const plainHttp = { getRandomValues: crypto.getRandomValues.bind(crypto) };
    const made = new Set(Array.from({ length: 200 }, () => randomUuid(plainHttp)));
    expect(made.size).toBe(200);
    for (const uuid of made) expect(uuid).toMatch(V4);
  });

  it("sets the version and variant bits whatever the random bytes are", () => {
    const all = (value: number) => ({ getRandomValues: <T extends ArrayBufferView | null>(array: T) => (new Uint8Array((array as unknown as Uint8Array).buffer).fill(value), array) });
    expect(randomUuid(all(0xff))).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    expect(randomUuid(all(0x00))).toBe("00000000-0000-4000-8000-000000000000");
  });
});
