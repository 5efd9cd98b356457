// Pure helpers of the WeCom page: tones of statuses, reasons in words, the welcome message's form
// values to and from the API's content, and the list of ids a transfer names.
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";
import type { useWeComT } from "./messages";

type T = ReturnType<typeof useWeComT>;
export type Relationship = Schemas["RelationshipView"];
export type Welcome = Schemas["WelcomeMessageView"];
export type WelcomeContent = Schemas["WelcomeContent"];

export const RELATIONSHIP_TONES: Record<Relationship["status"], Tone> = { active: "success", pending: "warning", removed: "danger" };
export const STAFF_TONES: Record<Schemas["StaffView"]["status"], Tone> = { active: "success", disabled: "neutral", inactive: "warning", departed: "danger" };
export const TRANSFER_TONES: Record<Schemas["TransferView"]["status"], Tone> = { sending: "info", waiting: "warning", done: "success", failed: "danger" };
export const OUTCOME_TONES: Record<Schemas["TransferCustomer"]["outcome"], Tone> = { waiting: "warning", succeeded: "success", failed: "danger", skipped: "neutral" };

const KNOWN_REASONS = new Set(["transfer_limit", "transfer_in_progress", "not_a_customer", "customer_refused", "takeover_limit"]);

/** A transfer outcome's reason in words ("90天内已转移两次"); an unknown one as the API said it. */
export function reasonText(t: T, reason: string | null | undefined): string {
  if (!reason) return "—";
  if (KNOWN_REASONS.has(reason)) return t(`reason_${reason}` as Parameters<T>[0]);
  const errcode = /^errcode_(\d+)$/.exec(reason);
  return errcode ? t("reason_errcode", { code: errcode[1] }) : reason;
}

/** The welcome text as a customer named `name` reads it. */
export function previewText(text: string | null | undefined, name: string): string {
  return (text ?? "").replace(/\{name\}/g, name);
}

export type AttachmentKind = "none" | "image" | "link" | "mini_program";

export interface WelcomeForm {
  scope: Welcome["scope"];
  key?: string;
  text?: string;
  attachment: AttachmentKind;
  image_media_id?: string;
  image_url?: string;
  link_title?: string;
  link_url?: string;
  link_description?: string;
  link_picture_url?: string;
  mp_title?: string;
  mp_app_id?: string;
  mp_page?: string;
  mp_picture_media_id?: string;
}

const blank = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null);

export function attachmentOf(message: WelcomeContent): AttachmentKind {
  if (message.mini_program) return "mini_program";
  if (message.link) return "link";
  if (message.image_media_id || message.image_url) return "image";
  return "none";
}

/** The form's values for a stored welcome (or a new one). */
export function welcomeToForm(welcome: Welcome | null): WelcomeForm {
  if (!welcome) return { scope: "tenant", attachment: "none", text: "" };
  const { message } = welcome;
  return {
    scope: welcome.scope,
    key: welcome.key ?? undefined,
    text: message.text ?? "",
    attachment: attachmentOf(message),
    image_media_id: message.image_media_id ?? undefined,
    image_url: message.image_url ?? undefined,
    link_title: message.link?.title,
    link_url: message.link?.url,
    link_description: message.link?.description ?? undefined,
    link_picture_url: message.link?.picture_url ?? undefined,
    mp_title: message.mini_program?.title,
    mp_app_id: message.mini_program?.app_id,
    mp_page: message.mini_program?.page,
    mp_picture_media_id: message.mini_program?.picture_media_id,
  };
}

/** The PUT body for the form: the text and the one attachment chosen (the others left out). */
export function formToWelcome(form: WelcomeForm): Schemas["WelcomeMessageRequest"] {
  const message: WelcomeContent = { text: blank(form.text) };
  if (form.attachment === "image") {
    message.image_media_id = blank(form.image_media_id);
    message.image_url = blank(form.image_url);
  } else if (form.attachment === "link") {
    message.link = { title: form.link_title?.trim() ?? "", url: form.link_url?.trim() ?? "", description: blank(form.link_description), picture_url: blank(form.link_picture_url) };
  } else if (form.attachment === "mini_program") {
    message.mini_program = {
      title: form.mp_title?.trim() ?? "",
      app_id: form.mp_app_id?.trim() ?? "",
      page: form.mp_page?.trim() ?? "",
      picture_media_id: form.mp_picture_media_id?.trim() ?? "",
    };
  }
  return { scope: form.scope, key: form.scope === "tenant" ? null : blank(form.key), message };
}

/** The external_userids a transfer names: one a line (commas and spaces also separate), no repeats. */
export function parseIds(text: string | undefined): string[] {
  return [...new Set((text ?? "").split(/[\s,，]+/).filter(Boolean))];
}

/** The callback URL to give WeCom: the API's origin (this page's when the API is on it) + the path. */
export function callbackUrl(apiBaseUrl: string, path: string, origin: string): string {
  const base = apiBaseUrl ? new URL(apiBaseUrl, origin).origin : origin;
  return `${base}${path}`;
}
