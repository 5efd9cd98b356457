// Following a job (GET /v1/jobs/{job_id}): polled until it has finished (succeeded, failed or
// cancelled), then read no more; and the file an export job made (GET /v1/jobs/{job_id}/download),
// fetched when asked for and opened (the URL is short-lived, so it is never kept).
import { useMutation, useQuery } from "@tanstack/react-query";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../app";

export type Job = Schemas["JobView"];
export type JobStatus = Job["status"];

export const JOB_POLL_MS = 1000;
export const FINISHED: ReadonlySet<JobStatus> = new Set<JobStatus>(["succeeded", "failed", "cancelled"]);
/** The kinds whose job makes a file (GET /v1/jobs/{job_id}/download offers it once succeeded). */
export const FILE_KINDS: ReadonlySet<string> = new Set(["segment_export", "contact_export"]);

export function isFinished(job: Pick<Job, "status"> | undefined): boolean {
  return job ? FINISHED.has(job.status) : false;
}

/** How long until the next read: none once the job has finished. */
export function pollInterval(job: Pick<Job, "status"> | undefined, every = JOB_POLL_MS): number | false {
  return isFinished(job) ? false : every;
}

/** Percent done: from the counts once the total is known; 100 for a finished job without counts. */
export function jobPercent(job: Pick<Job, "status" | "progress">): number {
  const { total, done } = job.progress;
  if (total) return Math.min(100, Math.round((done / total) * 100));
  return isFinished(job) ? 100 : 0;
}

export function hasFile(job: Pick<Job, "status" | "kind">): boolean {
  return job.status === "succeeded" && FILE_KINDS.has(job.kind);
}

export const jobKey = (jobId: string) => ["jobs", jobId] as const;

/** The job, read every `every` ms until it has finished (nothing is read without an id). */
export function useJob(jobId: string | null | undefined, every = JOB_POLL_MS) {
  const api = useApi();
  return useQuery({
    queryKey: jobKey(jobId ?? ""),
    queryFn: () => unwrap(api.GET("/v1/jobs/{job_id}", { params: { path: { job_id: jobId ?? "" } } })),
    enabled: Boolean(jobId),
    refetchInterval: (query) => pollInterval(query.state.data, every),
  });
}

/** Asks for the job's file and opens its URL (the browser saves it: the answer is an attachment). */
export function useJobDownload(jobId: string, open: (url: string) => void = (url) => window.location.assign(url)) {
  const api = useApi();
  return useMutation({
    mutationFn: () => unwrap(api.GET("/v1/jobs/{job_id}/download", { params: { path: { job_id: jobId } } })),
    onSuccess: (file) => open(file.url),
  });
}
