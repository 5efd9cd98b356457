import { describe, expect, it } from "vitest";
import type { Problem } from "@shared/api/client";
import { insertAt, problemForForm, toBody, toForm, variableToken, type Template, type TemplateForm } from "./model";
import { rulesBody, rulesForm } from "./SendRules";
import { previewRequest } from "./TemplatePreview";

const saved = (channel: Template["channel"], content: Template["content"]): Template => ({
  template_id: "tpl_1", name: "N", channel, content, variables: [], version: 2, created_by: "s", created_at: "", updated_at: "",
});

describe("the template editor's values", () => {
  it("give a WeCom template back as the API wrote it, images by their source", () => {
    const content = {
      text: "{name|朋友}您好",
      images: [{ media_id: "M1" }, { pic_url: "https://x.test/a.png" }],
      links: [{ title: "去兑换", url: "https://shop.test/r", picurl: null, desc: null }],
      miniprograms: [{ title: "卡", appid: "wx1", page: "pages/a", pic_media_id: null }],
    };
    const form = toForm(saved("wecom_customer", content));
    expect(form.content.images).toEqual([{ source: "media_id", media_id: "M1" }, { source: "pic_url", pic_url: "https://x.test/a.png" }]);
    expect(toBody(form)).toEqual({ name: "N", channel: "wecom_customer", content });
  });

  it("send only the chosen channel's fields, keywords as the data object, blank rows left out", () => {
    const form: TemplateForm = {
      name: " 生日 ",
      channel: "wechat_template",
      content: { text: "left over", app_id: "wxA", wechat_template_id: "T1", data: [{ key: "thing1", value: "{name} 生日快乐" }, { key: "", value: "" }], url: "", mini_appid: "wxM", mini_pagepath: "pages/g" },
    };
    expect(toBody(form)).toEqual({
      name: "生日",
      channel: "wechat_template",
      content: { app_id: "wxA", wechat_template_id: "T1", data: { thing1: "{name} 生日快乐" }, url: null, miniprogram: { appid: "wxM", pagepath: "pages/g" } },
    });
  });

  it("put a 422 on a keyword onto the row holding that key", () => {
    const form: TemplateForm = { channel: "wechat_subscribe", content: { data: [{ key: "thing1", value: "a" }, { key: "bad key", value: "{nick}" }] } };
    const problem: Problem = {
      type: "about:blank", title: "Unprocessable", status: 422, detail: "",
      errors: [
        { loc: ["body", "content", "data", "bad key"], msg: "unknown variable {nick}" },
        { loc: ["body", "content", "data", "bad key", "[key]"], msg: "bad pattern" },
        { loc: ["body", "content", "text"], msg: "kept" },
      ],
    };
    expect(problemForForm(problem, form).errors?.map((error) => error.loc)).toEqual([
      ["body", "content", "data", "1", "value"],
      ["body", "content", "data", "1", "key"],
      ["body", "content", "text"],
    ]);
  });
});

describe("the variable picker", () => {
  it("puts the variable in place of the selection and the cursor after it", () => {
    expect(insertAt("您好，！", 3, 3, "{name}")).toEqual({ text: "您好，{name}！", cursor: 9 });
    expect(insertAt("ab XX cd", 3, 5, "{name}")).toEqual({ text: "ab {name} cd", cursor: 9 });
    expect(variableToken("name", " 朋友|{ ")).toBe("{name|朋友}");
    expect(variableToken("owner_name")).toBe("{owner_name}");
  });
});

describe("the sending rules", () => {
  it("turn quiet hours off as null and keep each family's caps, days-in-month included", () => {
    const settings = { time_zone: "Asia/Shanghai", quiet_hours: { start: "21:00", end: "09:00" }, caps: { wecom: { per_day: 1, per_month: "days_in_month" as const } }, version: 3 };
    const form = rulesForm(settings);
    expect(form.caps.wecom).toEqual({ per_day: 1, per_week: null, per_month: "days_in_month" });
    const body = rulesBody({ ...form, quiet_on: false }, settings.version);
    expect(body.quiet_hours).toBeNull();
    expect(body.version).toBe(3);
    expect(body.caps.wecom).toEqual({ per_day: 1, per_week: null, per_month: "days_in_month" });
    expect(body.caps.wechat_template).toEqual({ per_day: null, per_week: null, per_month: null });
  });

  it("a preview asks only for the samples typed", () => {
    expect(previewRequest({ sample: { name: "李雷", points_balance: " " }, contact_id: "" })).toEqual({ sample: { name: "李雷" }, contact_id: null });
  });
});
