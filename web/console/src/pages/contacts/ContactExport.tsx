// A personal-data (PIPL) export of one contact: what it is, a confirmation, then the job's progress
// (every service writes its part) and the bundle's download. An erased contact: the 409 in words.
import { ExportOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Flex, Popconfirm, Typography } from "antd";
import { useState } from "react";
import { ApiError, unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { JobProgress } from "../../components/JobProgress";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import type { Job } from "../../components/useJob";
import { useContactsT } from "./messages";

export function ContactExport({ contactId }: { contactId: string }) {
  const t = useContactsT();
  const common = useCommonT();
  const api = useApi();
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/contacts/{contact_id}/export", { params: { path: { contact_id: contactId } } })),
    onSuccess: (job) => setJobId(job.job_id),
  });
  const erased = start.error instanceof ApiError && start.error.status === 409 && start.error.reason === "contact_erased";
  return (
    <Flex vertical gap={12} align="stretch">
      <Typography.Paragraph style={{ margin: 0 }}>{t("exportHint")}</Typography.Paragraph>
      <div>
        <Popconfirm
          title={t("exportConfirm")}
          description={t("exportConfirmDetail")}
          okText={t("exportStart")}
          cancelText={common("cancel")}
          onConfirm={() => {
            setJobId(null);
            start.mutate();
          }}
        >
          <Button icon={<ExportOutlined />} loading={start.isPending}>
            {jobId ? t("exportAgain") : t("exportAction")}
          </Button>
        </Popconfirm>
      </div>
      {start.isError && <Alert type="error" showIcon role="alert" title={erased ? t("exportErased") : problemText(start.error)} />}
      {jobId && <JobProgress jobId={jobId} renderResult={(job) => <ExportParts job={job} />} />}
    </Flex>
  );
}

function ExportParts({ job }: { job: Job }) {
  const t = useContactsT();
  const received = job.result.received;
  const count = received && typeof received === "object" ? Object.keys(received).length : 0;
  return count ? <Typography.Text>{t("exportParts", { count })}</Typography.Text> : null;
}
