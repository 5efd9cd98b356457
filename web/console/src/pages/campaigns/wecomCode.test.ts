// @vitest-environment node
import type { Schemas } from "@shared/api/client";
import { codeBody, limitOf, qrImageUrl, rotationBody, staffIds, wayPolling, wayStatus } from "./wecomCode";

const way = (status: Schemas["ContactWayView"]["status"]): Schemas["ContactWayView"] => ({
  campaign_id: "cmp_1",
  channel: "poster",
  code: "c1",
  config_id: status === "ready" ? "cfg" : null,
  corp_id: "ww1",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  daily_add_limit: null,
  day: "2026-01-01",
  failure: status === "failed" ? "errcode_40001" : null,
  qr_code: status === "ready" ? "https://wework.qpic.cn/x.png" : null,
  serving: [],
  staff_ids: ["g1"],
  status,
  today: [],
});

describe("codeBody", () => {
  it("sends a plain code's staff_id and no wecom", () => {
    expect(codeBody({ channel: " poster ", store: "", staff_id: " s1 ", is_wecom: false, wecom: { staff_ids: ["g1"] } })).toEqual({
      channel: "poster",
      store: null,
      staff_id: "s1",
    });
  });
  it("sends a WeCom code's rotation and leaves staff_id out", () => {
    const body = codeBody({ channel: "企微", store: "sh-01", staff_id: "s1", is_wecom: true, wecom: { staff_ids: [" g1", "g2", "g1", ""], daily_add_limit: 20 } });
    expect(body).toEqual({ channel: "企微", store: "sh-01", wecom: { staff_ids: ["g1", "g2"], daily_add_limit: 20 } });
    expect("staff_id" in body).toBe(false);
  });
  it("sends no limit as null", () => {
    expect(codeBody({ channel: "c", is_wecom: true, wecom: { staff_ids: ["g1"] } }).wecom).toEqual({ staff_ids: ["g1"], daily_add_limit: null });
  });
});

describe("rotation", () => {
  it("trims, dedupes and keeps the order", () => {
    expect(staffIds(["b", " a ", "b"])).toEqual(["b", "a"]);
    expect(staffIds(undefined)).toEqual([]);
    expect(rotationBody({ staff_ids: ["g2"], daily_add_limit: undefined })).toEqual({ staff_ids: ["g2"], daily_add_limit: null });
    expect(limitOf(5)).toBe(5);
    expect(limitOf(Number.NaN)).toBeNull();
  });
});

describe("the contact way's state", () => {
  it("reads no answer yet as creating and polls until ready or failed", () => {
    expect(wayStatus(null)).toBe("creating");
    expect(wayPolling(null)).toBeGreaterThan(0);
    expect(wayPolling(way("creating"))).toBeGreaterThan(0);
    expect(wayPolling(way("ready"))).toBe(false);
    expect(wayPolling(way("failed"))).toBe(false);
    expect(wayStatus(way("failed"))).toBe("failed");
  });
});

describe("qrImageUrl", () => {
  it("loads WeCom's image over https, an inline PNG, and nothing else", () => {
    expect(qrImageUrl("https://wework.qpic.cn/a.png")).toBe("https://wework.qpic.cn/a.png");
    expect(qrImageUrl("http://p4.qpic.cn/wwpic/59111_x/0")).toBe("https://p4.qpic.cn/wwpic/59111_x/0");
    expect(qrImageUrl("data:image/png;base64,iVBORw0KGgo=")).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(qrImageUrl("data:text/html;base64,PHNjcmlwdD4=")).toBeNull();
    expect(qrImageUrl("javascript:alert(1)")).toBeNull();
    expect(qrImageUrl(null)).toBeNull();
  });
});
