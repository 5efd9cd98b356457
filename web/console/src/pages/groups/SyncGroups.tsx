// The admin's "同步客户群": starts a group sync job and follows it until it has finished, then
// refreshes what it changed (the groups, their activity).
import { SyncOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Flex, Progress } from "antd";
import { useEffect, useState } from "react";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems } from "../../components/forms";
import { problemText } from "../../components/problems";
import { useJobT } from "../../components/jobMessages";
import { isFinished, jobPercent, pollInterval } from "../../components/useJob";
import { useGroupsT } from "./messages";

export function SyncGroups({ every }: { every?: number }) {
  const t = useGroupsT();
  const jobT = useJobT();
  const api = useApi();
  const client = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/wecom/groups/syncs")),
    onSuccess: (job) => setJobId(job.job_id),
  });
  const job = useQuery({
    queryKey: ["wecom", "jobs", jobId ?? ""],
    queryFn: () => unwrap(api.GET("/v1/wecom/jobs/{job_id}", { params: { path: { job_id: jobId ?? "" } } })),
    enabled: Boolean(jobId),
    refetchInterval: (query) => pollInterval(query.state.data, every),
  });
  const finished = isFinished(job.data);
  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: ["wecom", "groups"] }).then(() => client.invalidateQueries({ queryKey: ["wecom", "group-activity"] }));
  }, [finished, client]);
  const running = start.isPending || (Boolean(jobId) && !finished && !job.isError);
  return (
    <Flex vertical gap={8} style={{ minWidth: 0 }}>
      <Button icon={<SyncOutlined />} loading={running} onClick={() => start.mutate()}>
        {t("sync")}
      </Button>
      {start.isError && <FormProblems messages={[problemText(start.error)]} />}
      {job.isError && <FormProblems messages={[problemText(job.error)]} />}
      {job.data && (
        <div data-testid="group-sync" data-status={job.data.status} aria-live="polite">
          <span>
            {jobT("status")}
            <strong>{jobT(`status_${job.data.status}`)}</strong>
          </span>
          <Progress aria-label={t("syncTitle")} percent={jobPercent(job.data)} size="small" status={finished ? (job.data.status === "succeeded" ? "success" : "exception") : "active"} />
          {job.data.status === "failed" && <Alert type="error" showIcon role="alert" title={jobT("failedTitle")} description={job.data.error ?? undefined} />}
        </div>
      )}
    </Flex>
  );
}
