// @vitest-environment node
import { qrFileName } from "./qr";

describe("qrFileName", () => {
  it("names the file after the campaign, channel, store, staff and code", () => {
    expect(qrFileName({ campaign: "春季拉新", channel: "poster", store: "sh-01", staff_id: "s1", code: "AbC123" }, "png")).toBe("qr_春季拉新_poster_sh-01_s1_AbC123.png");
  });

  it("leaves out what a code does not have and makes names safe on every system", () => {
    expect(qrFileName({ campaign: 'Spring / "VIP" sale: 50%', channel: "wx group", store: null, staff_id: "", code: "x_1" }, "svg")).toBe("qr_Spring-VIP-sale-50_wx-group_x_1.svg");
  });

  it("keeps the code verbatim and whole, however long the words before it", () => {
    expect(qrFileName({ channel: "poster", code: "-ab--cd-" }, "png")).toBe("qr_poster_-ab--cd-.png");
    const long = qrFileName({ campaign: "长".repeat(200), channel: "poster", code: "7axXEMowGm--bDXDh1Pf6A" }, "png");
    expect(long.endsWith("_7axXEMowGm--bDXDh1Pf6A.png")).toBe(true);
    expect(long.length).toBeLessThanOrEqual(124);
  });
});
