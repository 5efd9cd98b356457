import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import { audienceBody, changeBody, createBody, newWizardValues, parseIds, postponed, progressPercent, skipRows, staffName, stepOfField, wizardValues, type Broadcast } from "./view";

const STATS = { targeted: 10, skipped: {}, queued: 8, sent: 0, delivered: 0, failed: 0, conversions: 0 };

describe("the broadcast wizard's values", () => {
  it("reads pasted ids one a line or separated by spaces and commas (Chinese ones too), each once", () => {
    expect(parseIds(" c1\nc2, c3，c4 c1;c5、\n")).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    expect(parseIds(undefined)).toEqual([]);
  });

  it("names exactly one audience: a segment, the pasted contacts, or staff for customer groups", () => {
    const base = { ...newWizardValues(), template_id: "tpl1", segment_id: "seg1", contact_ids: "c1 c2", staff_ids: "s1\ns2" };
    expect(audienceBody(base)).toEqual({ channel: "wecom_customer", template_id: "tpl1", segment_id: "seg1" });
    expect(audienceBody({ ...base, audience: "contacts" })).toEqual({ channel: "wecom_customer", template_id: "tpl1", contact_ids: ["c1", "c2"] });
    expect(audienceBody({ ...base, channel: "wecom_group", audience: "contacts" })).toEqual({ channel: "wecom_group", template_id: "tpl1", staff_ids: ["s1", "s2"] });
  });

  it("sends send_at only when sending later, and no tracked code when it is blank", () => {
    const at = dayjs("2030-05-01T10:00:00Z");
    const values = { ...newWizardValues(), template_id: "tpl1", segment_id: "seg1", name: " 会员日 ", send_at: at, tracked_code: "  " };
    expect(createBody(values)).toEqual({ channel: "wecom_customer", template_id: "tpl1", segment_id: "seg1", name: "会员日", tracked_code: null });
    expect(changeBody({ ...values, when: "later", tracked_code: "spring" }, 3)).toEqual({
      channel: "wecom_customer",
      template_id: "tpl1",
      segment_id: "seg1",
      send_at: "2030-05-01T10:00:00.000Z",
      name: "会员日",
      tracked_code: "spring",
      version: 3,
    });
  });

  it("reads a broadcast back into the wizard for a change", () => {
    const broadcast = { broadcast_id: "b1", name: "n", channel: "wechat_template", template_id: "tpl", segment_id: null, contact_ids: ["c1", "c2"], staff_ids: null, send_at: "2030-05-01T10:00:00Z", tracked_code: null } as Broadcast;
    const values = wizardValues(broadcast);
    expect(values).toMatchObject({ channel: "wechat_template", audience: "contacts", contact_ids: "c1\nc2", when: "later", tracked_code: "" });
    expect(audienceBody(values).contact_ids).toEqual(["c1", "c2"]);
  });

  it("sends a 422 back to the step of the field it names", () => {
    expect(stepOfField("segment_id")).toBe(0);
    expect(stepOfField("send_at")).toBe(2);
    expect(stepOfField("name")).toBe(2);
    expect(stepOfField(undefined)).toBeNull();
  });
});

describe("a broadcast's numbers", () => {
  it("names a sending staff member by the name outreach knows, else by id", () => {
    expect(staffName({ staff_id: "anna", staff_name: "安娜" })).toBe("安娜");
    expect(staffName({ staff_id: "ben", staff_name: null })).toBe("ben");
    expect(staffName({ staff_id: "cara", staff_name: "" })).toBe("cara");
  });

  it("lists skips largest first without zeros", () => {
    expect(skipRows({ no_consent: 2, cap_reached: 5, contact_gone: 0, no_wecom_relationship: 2 })).toEqual([
      { reason: "cap_reached", count: 5 },
      { reason: "no_consent", count: 2 },
      { reason: "no_wecom_relationship", count: 2 },
    ]);
  });

  it("counts progress as the queued recipients handled, full once completed", () => {
    expect(progressPercent({ status: "sending", stats: { ...STATS, sent: 3, failed: 1 } })).toBe(50);
    expect(progressPercent({ status: "planning", stats: { ...STATS, queued: 0 } })).toBe(0);
    expect(progressPercent({ status: "completed", stats: { ...STATS, queued: 0 } })).toBe(100);
  });

  it("says quiet hours moved the send only when it goes over a minute after the time asked", () => {
    const now = dayjs("2030-05-01T14:00:00Z");
    expect(postponed("2030-05-01T14:00:30Z", null, now)).toBe(false);
    expect(postponed("2030-05-02T01:00:00Z", null, now)).toBe(true);
    expect(postponed("2030-05-02T01:00:00Z", "2030-05-02T01:00:00Z", now)).toBe(false);
  });
});
