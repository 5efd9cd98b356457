// A followed job: its status and progress (polled until finished), the error of a failed job, what
// the caller makes of the result once it has succeeded, and for a job that makes a file a "下载"
// button (asks for a short-lived URL and opens it; a 409 shows its reason in words).
import { DownloadOutlined } from "@ant-design/icons";
import { Alert, Button, Flex, Progress, Typography } from "antd";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { ApiError } from "@shared/api/client";
import { problemText } from "./problems";
import { QueryState } from "./QueryState";
import { useJobT } from "./jobMessages";
import { hasFile, isFinished, jobPercent, useJob, useJobDownload, type Job } from "./useJob";

export interface JobProgressProps {
  jobId: string;
  /** What the succeeded job's result says (counts, failures …). */
  renderResult?: (job: Job) => ReactNode;
  /** Called once when the job has finished (e.g. to refresh what it changed). */
  onFinished?: (job: Job) => void;
  /** Poll interval in ms (tests). */
  every?: number;
}

export function JobProgress({ jobId, renderResult, onFinished, every }: JobProgressProps) {
  const t = useJobT();
  const job = useJob(jobId, every);
  const labelId = useId();
  const reported = useRef<string | null>(null);
  const data = job.data;
  useEffect(() => {
    if (data && isFinished(data) && reported.current !== data.job_id) {
      reported.current = data.job_id;
      onFinished?.(data);
    }
  }, [data, onFinished]);
  return (
    <QueryState query={job}>
      {(current) => {
        const finished = isFinished(current);
        const { total, done } = current.progress;
        return (
          <Flex vertical gap={8} data-testid="job-progress" data-status={current.status}>
            <span id={labelId}>
              {t("status")}<strong data-testid="job-status">{t(`status_${current.status}`)}</strong>
              {total ? ` · ${t("progressCount", { done, total })}` : null}
            </span>
            <Progress
              aria-labelledby={labelId}
              percent={jobPercent(current)}
              status={finished ? (current.status === "succeeded" ? "success" : "exception") : "active"}
            />
            {current.status === "failed" && <Alert type="error" showIcon role="alert" title={t("failedTitle")} description={current.error ?? undefined} />}
            {current.status === "succeeded" && renderResult?.(current)}
            {hasFile(current) && <DownloadButton jobId={current.job_id} fileName={String(current.result.file_name ?? "")} />}
          </Flex>
        );
      }}
    </QueryState>
  );
}

function DownloadButton({ jobId, fileName }: { jobId: string; fileName: string }) {
  const t = useJobT();
  const download = useJobDownload(jobId);
  return (
    <Flex vertical gap={8} align="flex-start">
      {fileName && <Typography.Text>{t("downloadReady", { name: fileName })}</Typography.Text>}
      <Button type="primary" icon={<DownloadOutlined />} loading={download.isPending} onClick={() => download.mutate()}>
        {t("download")}
      </Button>
      {download.isError && <Alert type="error" showIcon role="alert" title={downloadProblem(download.error, t)} />}
    </Flex>
  );
}

/** A 409's reason in words (the job has not finished, or failed); anything else as the API said it. */
export function downloadProblem(error: unknown, t: ReturnType<typeof useJobT>): string {
  if (error instanceof ApiError && error.status === 409 && (error.reason === "job_unfinished" || error.reason === "job_failed")) {
    return t(`reason_${error.reason}`);
  }
  return problemText(error);
}
