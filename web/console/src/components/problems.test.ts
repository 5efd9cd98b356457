// @vitest-environment node
import { describe, expect, it } from "vitest";
import { ApiError } from "@shared/api/client";
import { nearestControl, placeFieldErrors, problemText } from "./problems";

const registered = [["business_hours", "holidays"], ["keyword_rules"], ["keyword_rules", 0, "keywords"], ["name"]];

describe("where a 422's field error shows", () => {
  it("on its own control when it has one, else the closest enclosing one, else nowhere on the form", () => {
    expect(nearestControl(["keyword_rules", 0, "keywords"], registered)).toEqual(["keyword_rules", 0, "keywords"]);
    expect(nearestControl(["keyword_rules", 0, "keywords", 3], registered)).toEqual(["keyword_rules", 0, "keywords"]);
    expect(nearestControl(["business_hours", "holidays", 2], registered)).toEqual(["business_hours", "holidays"]);
    expect(nearestControl(["keyword_rules", 1], registered)).toEqual(["keyword_rules"]);
    expect(nearestControl(["business_hours"], registered)).toBeNull();
  });

  it("gathers a control's own errors first, then those of the values inside it; the rest go above the form", () => {
    const placed = placeFieldErrors(
      [
        { name: ["keyword_rules", 0, "keywords", 1], errors: ["too long"] },
        { name: ["keyword_rules", 0, "keywords"], errors: ["at most 50 words"] },
        { name: ["name"], errors: ["required"] },
        { name: ["business_hours"], errors: ["closes before it opens", "unknown zone"] },
      ],
      registered,
    );
    expect(placed.onControls).toEqual([
      { name: ["keyword_rules", 0, "keywords"], errors: ["at most 50 words", "too long"] },
      { name: ["name"], errors: ["required"] },
    ]);
    expect(placed.above).toEqual(["business_hours: closes before it opens; unknown zone"]);
  });
});

describe("problemText", () => {
  it("says an API problem's detail, another error's message, anything else as text", () => {
    expect(problemText(new ApiError({ type: "x", title: "Conflict", status: 409, detail: "The campaign has ended." }))).toBe("The campaign has ended.");
    expect(problemText(new ApiError({ type: "x", title: "Forbidden", status: 403, detail: "" }))).toBe("Forbidden");
    expect(problemText(new Error("boom"))).toBe("boom");
    expect(problemText("plain")).toBe("plain");
  });
});
