// The template editor's form and the API's template: WeCom attachments as three lists (the API's
// own field names, so a 422 on `content.links.1.url` lands on that link's URL), a WeChat message's
// keywords as key/value rows (the API's `data` object: its errors name a key, mapped here to the
// row that holds it), an image's source as a choice between a media id and a URL.
import type { Problem } from "@shared/api/client";
import type { Schemas } from "@shared/api/client";

export type Template = Schemas["TemplateView"];
export type Channel = Template["channel"];
export type TemplateBody = Schemas["TemplateCreate"];
type WeComContent = Schemas["WeComContent"];
type WeChatTemplateContent = Schemas["WeChatTemplateContent"];
type WeChatSubscribeContent = Schemas["WeChatSubscribeContent"];

export const CHANNELS: readonly Channel[] = ["wecom_customer", "wecom_group", "wechat_template", "wechat_subscribe"];
export const MAX_ATTACHMENTS = 9;

/** The variables a template may use (services/outreach/logic/templates.py VARIABLES). */
export const VARIABLES = ["name", "points_balance", "points_expiring", "points_expiring_date", "owner_name", "lifecycle_stage"] as const;
export type Variable = (typeof VARIABLES)[number];

export const isWeCom = (channel: Channel) => channel === "wecom_customer" || channel === "wecom_group";

export interface ImageRow {
  source: "media_id" | "pic_url";
  media_id?: string;
  pic_url?: string;
}
export interface DataRow {
  key?: string;
  value?: string;
}

/** The editor's values: every channel's fields (only the chosen channel's are sent). */
export interface TemplateForm {
  name?: string;
  channel: Channel;
  content: {
    text?: string;
    images?: ImageRow[];
    links?: Schemas["WeComLink"][];
    miniprograms?: Schemas["WeComMiniProgram"][];
    app_id?: string;
    wechat_template_id?: string;
    data?: DataRow[];
    url?: string;
    page?: string;
    mini_appid?: string;
    mini_pagepath?: string;
  };
}

const blank = (value: string | null | undefined) => (value ?? "").trim() === "";
const orNull = (value: string | null | undefined) => (blank(value) ? null : (value as string).trim());

export function emptyForm(channel: Channel = "wecom_customer"): TemplateForm {
  return { channel, content: { text: "", images: [], links: [], miniprograms: [], data: [{ key: "", value: "" }] } };
}

/** A saved template as the editor's values. */
export function toForm(template: Template): TemplateForm {
  const form = emptyForm(template.channel);
  form.name = template.name;
  const content = template.content as Partial<WeComContent & WeChatTemplateContent & WeChatSubscribeContent>;
  if (isWeCom(template.channel)) {
    form.content.text = content.text ?? "";
    form.content.images = (content.images ?? []).map((image) =>
      image.media_id ? { source: "media_id", media_id: image.media_id } : { source: "pic_url", pic_url: image.pic_url ?? "" },
    );
    form.content.links = content.links ?? [];
    form.content.miniprograms = content.miniprograms ?? [];
  } else {
    form.content.app_id = content.app_id;
    form.content.wechat_template_id = content.wechat_template_id;
    form.content.data = Object.entries(content.data ?? {}).map(([key, value]) => ({ key, value }));
    form.content.url = content.url ?? undefined;
    form.content.page = content.page ?? undefined;
    form.content.mini_appid = content.miniprogram?.appid;
    form.content.mini_pagepath = content.miniprogram?.pagepath;
  }
  return form;
}

/** The editor's values as the API's template (only the chosen channel's fields; empty optional
 * fields left out, so the API's own checks speak for what is missing). */
export function toBody(form: TemplateForm): TemplateBody {
  const content = form.content;
  const name = (form.name ?? "").trim();
  if (isWeCom(form.channel)) {
    const wecom: WeComContent = {
      text: orNull(content.text),
      images: (content.images ?? []).map((image) => (image.source === "media_id" ? { media_id: orNull(image.media_id) } : { pic_url: orNull(image.pic_url) })),
      links: (content.links ?? []).map((link) => ({ title: link.title ?? "", url: link.url ?? "", picurl: orNull(link.picurl), desc: orNull(link.desc) })),
      miniprograms: (content.miniprograms ?? []).map((card) => ({ title: card.title ?? "", appid: card.appid ?? "", page: card.page ?? "", pic_media_id: orNull(card.pic_media_id) })),
    };
    return { name, channel: form.channel, content: wecom };
  }
  const data = Object.fromEntries((content.data ?? []).filter((row) => !blank(row.key) || !blank(row.value)).map((row) => [(row.key ?? "").trim(), row.value ?? ""]));
  const common = { app_id: (content.app_id ?? "").trim(), wechat_template_id: (content.wechat_template_id ?? "").trim(), data };
  if (form.channel === "wechat_subscribe") {
    const subscribe: WeChatSubscribeContent = { ...common, page: orNull(content.page) };
    return { name, channel: form.channel, content: subscribe };
  }
  const miniprogram = blank(content.mini_appid) && blank(content.mini_pagepath) ? null : { appid: (content.mini_appid ?? "").trim(), pagepath: (content.mini_pagepath ?? "").trim() };
  const message: WeChatTemplateContent = { ...common, url: orNull(content.url), miniprogram };
  return { name, channel: form.channel, content: message };
}

export function attachmentCount(content: TemplateForm["content"]): number {
  return (content.images?.length ?? 0) + (content.links?.length ?? 0) + (content.miniprograms?.length ?? 0);
}

/** The API's 422 locations in the editor's names: a keyword's error (`content.data.<key>`) on its
 * row's value (or key, for an error on the key itself), the mini-program link's on its fields. */
export function problemForForm(problem: Problem, form: TemplateForm): Problem {
  const rows = form.content.data ?? [];
  const errors = (problem.errors ?? []).map((error) => {
    const [where, first, second, third, ...rest] = error.loc.map(String);
    if (where !== "body" || first !== "content") return error;
    if (second === "data" && third !== undefined) {
      const index = rows.findIndex((row) => (row.key ?? "").trim() === third);
      if (index >= 0) return { ...error, loc: ["body", "content", "data", String(index), rest[0] === "[key]" ? "key" : "value"] };
    }
    if (second === "miniprogram" && (third === "appid" || third === "pagepath")) {
      return { ...error, loc: ["body", "content", third === "appid" ? "mini_appid" : "mini_pagepath"] };
    }
    return error;
  });
  return { ...problem, errors };
}

/** `text` with `token` put in place of its [start, end) selection, and where the cursor goes. */
export function insertAt(text: string, start: number, end: number, token: string): { text: string; cursor: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + token + text.slice(to), cursor: from + token.length };
}

/** The text a variable inserts: `{name}`, or `{name|fallback}`. */
export function variableToken(variable: Variable, fallback?: string): string {
  const alternative = (fallback ?? "").replace(/[{}|]/g, "").trim();
  return alternative ? `{${variable}|${alternative}}` : `{${variable}}`;
}
