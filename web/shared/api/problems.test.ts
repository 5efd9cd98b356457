// @vitest-environment node
import { ApiError } from "./client";
import { problemText } from "./problems";

describe("problemText", () => {
  it("says an API problem's detail, else its title", () => {
    expect(problemText(new ApiError({ type: "x", title: "Conflict", status: 409, detail: "The campaign has ended." }))).toBe("The campaign has ended.");
    expect(problemText(new ApiError({ type: "x", title: "Forbidden", status: 403, detail: "" }), "offline")).toBe("Forbidden");
  });

  it("says the fallback when no answer came (a network failure), else what the failure said", () => {
    const lost = new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: "TypeError: Failed to fetch" });
    expect(problemText(lost, "网络不可用")).toBe("网络不可用");
    expect(problemText(lost)).toBe("TypeError: Failed to fetch");
  });

  it("says another error's message, anything else as text", () => {
    expect(problemText(new Error("boom"))).toBe("boom");
    expect(problemText(new Error(""), "fallback")).toBe("fallback");
    expect(problemText("plain")).toBe("plain");
  });
});
