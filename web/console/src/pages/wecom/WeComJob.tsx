// A wecom job (directory sync, reconciliation) followed until it has finished: GET
// /v1/wecom/jobs/{job_id} read every second (the shared useJob reads contacts' /v1/jobs, whose job
// has other statuses), its status, progress and result — a reconciliation's repairs in words.
import { useQuery } from "@tanstack/react-query";
import { Alert, Flex, Progress, Typography } from "antd";
import { useEffect, useId } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { QueryState } from "../../components/QueryState";
import { useWeComT } from "./messages";

export type WeComJobView = Schemas["WeComJobView"];
const FINISHED = new Set<WeComJobView["status"]>(["succeeded", "failed"]);

export function jobPercent(job: Pick<WeComJobView, "status" | "progress">): number {
  const { total, done } = job.progress;
  if (total) return Math.min(100, Math.round(((done ?? 0) / total) * 100));
  return FINISHED.has(job.status) ? 100 : 0;
}

export function WeComJob({ jobId, every = 1000, onFinished }: { jobId: string; every?: number; onFinished?: () => void }) {
  const t = useWeComT();
  const api = useApi();
  const labelId = useId();
  const job = useQuery({
    queryKey: ["wecom", "job", jobId],
    queryFn: () => unwrap(api.GET("/v1/wecom/jobs/{job_id}", { params: { path: { job_id: jobId } } })),
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.status) ? false : every),
  });
  const finished = job.data ? FINISHED.has(job.data.status) : false;
  useEffect(() => {
    if (finished) onFinished?.();
  }, [finished, onFinished]);
  return (
    <QueryState query={job}>
      {(current) => {
        const { total, done } = current.progress;
        const repairs = current.kind.includes("reconcil");
        const result = Object.entries(current.result).filter(([, value]) => typeof value === "number" || typeof value === "string");
        return (
          <Flex vertical gap={8} data-testid="wecom-job" data-status={current.status}>
            <span id={labelId}>
              {t(current.kind.includes("reconcil") ? "jobTitle_reconcile" : "jobTitle_sync")}：<strong>{t(`job_${current.status}`)}</strong>
              {total ? ` · ${t("jobProgress", { done: done ?? 0, total })}` : null}
            </span>
            <Progress aria-labelledby={labelId} percent={jobPercent(current)} status={finished ? (current.status === "succeeded" ? "success" : "exception") : "active"} />
            {current.status === "failed" && <Alert type="error" showIcon role="alert" title={t("job_failed")} description={current.error ?? undefined} />}
            {current.status === "succeeded" &&
              (repairs ? (
                <Typography.Text data-testid="repairs">{t("repairs", { added: Number(current.result.added ?? 0), removed: Number(current.result.removed ?? 0) })}</Typography.Text>
              ) : (
                result.length > 0 && <Typography.Text>{result.map(([key, value]) => `${key}: ${String(value)}`).join(" · ")}</Typography.Text>
              ))}
          </Flex>
        );
      }}
    </QueryState>
  );
}

