import { describe, expect, it } from "vitest";
import { hasFile, isFinished, jobPercent, pollInterval } from "./useJob";

const progress = (done: number, total: number | null = null) => ({ done, total, failed: 0 });

describe("following a job", () => {
  it("polls while it waits or runs and stops once it has succeeded, failed or been cancelled", () => {
    expect(pollInterval(undefined, 500)).toBe(500);
    for (const status of ["awaiting_upload", "queued", "running"] as const) expect(pollInterval({ status }, 500)).toBe(500);
    for (const status of ["succeeded", "failed", "cancelled"] as const) {
      expect(pollInterval({ status }, 500)).toBe(false);
      expect(isFinished({ status })).toBe(true);
    }
  });

  it("reads the percent from the counts, 100 for a finished job without any, and never above 100", () => {
    expect(jobPercent({ status: "running", progress: progress(1, 3) })).toBe(33);
    expect(jobPercent({ status: "running", progress: progress(0) })).toBe(0);
    expect(jobPercent({ status: "succeeded", progress: progress(0) })).toBe(100);
    expect(jobPercent({ status: "running", progress: progress(5, 4) })).toBe(100);
  });

  it("offers a file only for a succeeded export", () => {
    expect(hasFile({ status: "succeeded", kind: "contact_export" })).toBe(true);
    expect(hasFile({ status: "succeeded", kind: "segment_export" })).toBe(true);
    expect(hasFile({ status: "running", kind: "segment_export" })).toBe(false);
    expect(hasFile({ status: "succeeded", kind: "bulk_tag" })).toBe(false);
  });
});
