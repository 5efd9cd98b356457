// @vitest-environment node
import { fieldErrors } from "./fields";

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
