// @vitest-environment node
import { groupReasonText } from "./groupsView";

// A stand-in for useWeComT's t: the key and its values, so the test sees which words were chosen.
const t = ((key: string, values?: Record<string, string>) => (values ? `${key}:${JSON.stringify(values)}` : key)) as unknown as Parameters<typeof groupReasonText>[0];

describe("groupReasonText", () => {
  it("names the known reasons, WeCom's errcodes by number and passes others through", () => {
    expect(groupReasonText(t, "owner_not_departed")).toBe("groupReason_owner_not_departed");
    expect(groupReasonText(t, "not_a_customer_group")).toBe("groupReason_not_a_customer_group");
    expect(groupReasonText(t, "wecom_not_configured")).toBe("groupReason_wecom_not_configured");
    expect(groupReasonText(t, "errcode_90505")).toBe('reason_errcode:{"code":"90505"}');
    expect(groupReasonText(t, "something_new")).toBe("something_new");
    expect(groupReasonText(t, null)).toBe("—");
  });
});
