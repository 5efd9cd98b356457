import { defineMessages } from "@shared/i18n";

// The words of a followed job (JobProgress): its status, progress and file.
export const useJobT = defineMessages(
  {
    status: "状态：",
    status_awaiting_upload: "等待上传",
    status_queued: "排队中",
    status_running: "进行中",
    status_succeeded: "已完成",
    status_failed: "失败",
    status_cancelled: "已取消",
    progress: "进度",
    progressCount: "已处理 {done} / {total}",
    download: "下载",
    downloadReady: "文件已生成：{name}",
    failedTitle: "任务失败",
    reason_job_unfinished: "任务尚未完成，完成后才能下载。",
    reason_job_failed: "任务失败，没有可下载的文件。",
  },
  {
    status: "Status: ",
    status_awaiting_upload: "Awaiting upload",
    status_queued: "Queued",
    status_running: "Running",
    status_succeeded: "Done",
    status_failed: "Failed",
    status_cancelled: "Cancelled",
    progress: "Progress",
    progressCount: "{done} of {total} processed",
    download: "Download",
    downloadReady: "File ready: {name}",
    failedTitle: "The job failed",
    reason_job_unfinished: "The job has not finished yet; its file can be downloaded once it has.",
    reason_job_failed: "The job failed, so there is no file to download.",
  },
);
