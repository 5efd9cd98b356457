import { describe, expect, it } from "vitest";
import { callbackUrl, formToWelcome, parseIds, previewText, reasonText, welcomeToForm } from "./view";

const t = ((key: string, values?: Record<string, unknown>) => (values ? `${key}:${JSON.stringify(values)}` : key)) as never;

describe("wecom view helpers", () => {
  it("says reasons in words and keeps unknown ones", () => {
    expect(reasonText(t, "transfer_limit")).toBe("reason_transfer_limit");
    expect(reasonText(t, "errcode_40096")).toBe('reason_errcode:{"code":"40096"}');
    expect(reasonText(t, "something_new")).toBe("something_new");
    expect(reasonText(t, null)).toBe("—");
  });

  it("previews the text with a name", () => {
    expect(previewText("你好 {name}，{name}!", "王芳")).toBe("你好 王芳，王芳!");
  });

  it("sends only the chosen attachment and no key for the tenant default", () => {
    const body = formToWelcome({ scope: "tenant", key: "x", text: " hi {name} ", attachment: "link", link_title: "店", link_url: "https://a.b", image_url: "https://img" });
    expect(body).toEqual({ scope: "tenant", key: null, message: { text: "hi {name}", link: { title: "店", url: "https://a.b", description: null, picture_url: null } } });
    expect(formToWelcome({ scope: "code", key: "C1", attachment: "none", text: "" })).toEqual({ scope: "code", key: "C1", message: { text: null } });
  });

  it("round-trips a stored welcome through the form", () => {
    const stored = { scope: "staff" as const, key: "lisi", updated_at: "", message: { text: "hi", image_url: "https://img/x.png" } };
    const form = welcomeToForm(stored);
    expect(form.attachment).toBe("image");
    expect(formToWelcome(form)).toEqual({ scope: "staff", key: "lisi", message: { text: "hi", image_media_id: null, image_url: "https://img/x.png" } });
  });

  it("parses ids and builds the callback URL", () => {
    expect(parseIds("a\nb, c  a")).toEqual(["a", "b", "c"]);
    expect(callbackUrl("", "/v1/channels/wecom/t1/callback", "http://localhost:8000")).toBe("http://localhost:8000/v1/channels/wecom/t1/callback");
    expect(callbackUrl("https://api.example.com/", "/p", "https://console.example.com")).toBe("https://api.example.com/p");
  });
});
