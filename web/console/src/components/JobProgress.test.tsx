import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JobProgress } from "./JobProgress";
import { fakeApi, renderInConsole } from "./testing";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

const job = (status: string, extra: object = {}) => ({
  job_id: "job_1",
  kind: "contact_export",
  status,
  progress: { total: 3, done: status === "succeeded" ? 3 : 1, failed: 0 },
  created_by: "s1",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  params: {},
  result: {},
  error: null,
  ...extra,
});

describe("a followed job", () => {
  it("is read until it has succeeded and no more, then offers its file; a 409 on download shows in words", async () => {
    const answers = [job("running"), job("succeeded", { result: { file_name: "contact-c1.json", key: "k" } })];
    const api = fakeApi({
      "GET /v1/jobs/{job_id}": () => [200, answers.shift() ?? answers[0] ?? job("succeeded")],
      "GET /v1/jobs/{job_id}/download": () => [409, { type: "about:blank", title: "Conflict", status: 409, detail: "The job is running", reason: "job_unfinished" }],
    });
    renderInConsole(<JobProgress jobId="job_1" every={20} />);
    expect(await screen.findByText("Done", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getByText("File ready: contact-c1.json")).toBeInTheDocument();
    const reads = () => api.requests.filter((request) => request.path === "/v1/jobs/job_1").length;
    const settled = reads();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(reads()).toBe(settled);
    expect(settled).toBe(2);
    await userEvent.click(screen.getByRole("button", { name: /Download/ }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The job has not finished yet");
  }, SLOW);

  it("shows why a failed job failed, and no download", async () => {
    fakeApi({ "GET /v1/jobs/{job_id}": () => [200, job("failed", { error: "past its deadline" })] });
    renderInConsole(<JobProgress jobId="job_1" every={20} />);
    expect(await screen.findByRole("alert", {}, { timeout: SLOW / 2 })).toHaveTextContent("past its deadline");
    await waitFor(() => expect(screen.queryByRole("button", { name: /Download/ })).not.toBeInTheDocument());
  }, SLOW);
});
