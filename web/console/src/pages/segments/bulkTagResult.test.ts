import { describe, expect, it } from "vitest";
import { bulkTagResult } from "./bulkTagResult";

describe("a bulk tagging result", () => {
  it("reads its counts and failures, zero for a count not there yet, and skips malformed failures", () => {
    expect(
      bulkTagResult({ tagged: 2, unchanged: 1, failures: [{ contact_id: "c9", reason: "not_found" }, "junk", { reason: "no id" }] }),
    ).toEqual({ counts: { tagged: 2, unchanged: 1, failed: 0 }, failures: [{ contact_id: "c9", reason: "not_found" }] });
    expect(bulkTagResult({})).toEqual({ counts: { tagged: 0, unchanged: 0, failed: 0 }, failures: [] });
  });
});
