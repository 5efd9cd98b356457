import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ReplyBox, withInserted } from "./ReplyBox";
import { fakeApi, renderInConsole, type FakeRoutes } from "../../components/testing";
import { AGENT } from "./fixtures";

const ARTICLE = {
  article_id: "kb_1",
  kind: "article",
  title: "Leaking cups",
  body: "Check the lid's seal; if it still leaks we replace the cup.",
  category: null,
  keywords: ["leak"],
  auto_reply: false,
  answer: null,
  created_at: "2025-03-01T00:00:00Z",
  updated_at: "2025-03-01T00:00:00Z",
  version: 1,
};

const routes: FakeRoutes = {
  "GET /v1/cases/{case_id}/suggestions": () => [200, { items: [{ article: ARTICLE, score: 8 }] }],
  "POST /v1/cases/{case_id}/messages": (request) => [
    201,
    { message_id: "msg_1", kind: "outbound", author_kind: "staff", author_id: "agent-1", body: (request.body as { body: string }).body, attachments: [], at: "2025-03-03T10:00:00Z", delivery: null },
  ],
};

function textbox(): HTMLTextAreaElement {
  return screen.getByRole("textbox", { name: /Reply|Note/ }) as HTMLTextAreaElement;
}

describe("the reply box", { timeout: 20_000 }, () => {
  afterEach(() => vi.unstubAllGlobals());

  it("inserts a suggestion's text and sends it as a reply to the member", async () => {
    const api = fakeApi(routes);
    renderInConsole(<ReplyBox caseId="case_1" closed={false} />, AGENT);
    fireEvent.click(await screen.findByRole("button", { name: "Insert “Leaking cups”" }));
    expect(textbox().value).toBe(ARTICLE.body);
    fireEvent.click(screen.getByRole("button", { name: "Send reply" }));
    await waitFor(() => expect(api.requests.filter((request) => request.method === "POST")).toHaveLength(1));
    const sent = api.requests.find((request) => request.method === "POST")!;
    expect(sent.path).toBe("/v1/cases/case_1/messages");
    expect(sent.body).toEqual({ body: ARTICLE.body, kind: "reply" });
    await waitFor(() => expect(textbox().value).toBe(""));
  });

  it("sends an internal note when the switch says note", async () => {
    const api = fakeApi(routes);
    renderInConsole(<ReplyBox caseId="case_1" closed={false} />, AGENT);
    fireEvent.click(screen.getByRole("radio", { name: "Internal note" }));
    const note = await screen.findByRole("textbox", { name: "Note (staff only)" });
    fireEvent.change(note, { target: { value: "Customer called twice" } });
    fireEvent.click(screen.getByRole("button", { name: "Add note" }));
    await waitFor(() => expect(api.requests.find((request) => request.method === "POST")?.body).toEqual({ body: "Customer called twice", kind: "note" }));
  });

  it("puts the API's 422 on the text field and sends nothing empty", async () => {
    const api = fakeApi({
      ...routes,
      "POST /v1/cases/{case_id}/messages": () => [
        422,
        { type: "about:blank", title: "Unprocessable", status: 422, detail: "invalid", errors: [{ loc: ["body", "body"], msg: "String should have at most 2000 characters", type: "string_too_long" }] },
      ],
    });
    renderInConsole(<ReplyBox caseId="case_1" closed={false} />, AGENT);
    fireEvent.click(screen.getByRole("button", { name: "Send reply" }));
    expect(await screen.findByText("Please write something")).toBeInTheDocument();
    expect(api.requests.some((request) => request.method === "POST")).toBe(false);
    fireEvent.change(textbox(), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Send reply" }));
    expect(await screen.findByText("String should have at most 2000 characters")).toBeInTheDocument();
    expect(textbox()).toHaveAttribute("aria-invalid", "true");
  });

  it("appends an inserted article after what is written", () => {
    expect(withInserted("Hello,  ", "Text")).toBe("Hello,\n\nText");
    expect(withInserted(undefined, "Text")).toBe("Text");
  });

  it("is not offered once the case is closed", async () => {
    fakeApi(routes);
    renderInConsole(<ReplyBox caseId="case_1" closed />, AGENT);
    expect(screen.getByText("The case is closed: no more replies.")).toBeVisible();
    expect(screen.queryByRole("button", { name: "Send reply" })).toBeNull();
  });
});
