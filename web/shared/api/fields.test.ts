// @vitest-environment node
import { fieldErrors, nearestControl, placeFieldErrors } from "./fields";

describe("fieldErrors", () => {
  it("puts each body error on its field and the rest above the form", () => {
    const { fields, general } = fieldErrors({
      type: "https://siyu.dev/problems/invalid",
      title: "Invalid",
      status: 422,
      detail: "2 invalid values",
      errors: [
        { loc: ["body", "name"], msg: "too long" },
        { loc: ["body", "limits", "0", "per_member"], msg: "must be ≥ 1" },
        { loc: ["query", "tag"], msg: "bad tag" },
      ],
    });
    expect(fields).toEqual([
      { name: ["name"], errors: ["too long"] },
      { name: ["limits", 0, "per_member"], errors: ["must be ≥ 1"] },
    ]);
    expect(general).toEqual(["tag: bad tag"]);
  });

  it("shows the detail when a problem names no field", () => {
    const { fields, general } = fieldErrors({ type: "x", title: "Conflict", status: 409, detail: "Already active.", reason: "state" });
    expect(fields).toEqual([]);
    expect(general).toEqual(["Already active."]);
  });
});

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
