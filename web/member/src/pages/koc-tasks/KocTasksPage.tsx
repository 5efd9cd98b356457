// KOC 任务: the tasks the brand set for its KOCs, each with the member's progress as a bar, its
// status and reward, and what to do next — share the program to a group (a link named for the
// share, copied to paste into a group; it counts once someone opens it there), bring friends through the invite link (邀请有礼), or
// submit a review's link and wait for a manager (again after a rejection). A member who is not a
// KOC reads how to become one.
import Button from "antd-mobile/es/components/button";
import ProgressBar from "antd-mobile/es/components/progress-bar";
import Tag from "antd-mobile/es/components/tag";
import Toast from "antd-mobile/es/components/toast";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, unwrap } from "@shared/api/client";
import { fieldErrors } from "@shared/api/fields";
import { problemText } from "@shared/api/problems";
import { useApi, useMemberApp } from "../../app";
import { copyText } from "../../components/clipboard";
import { FormProblems } from "../../components/forms";
import { EmptyState, QueryState } from "../../components/QueryState";
import { useCommonT } from "../../messages";
import { isReviewUrl, nextStep, percent, STATUS_COLOR, type MyKocTask } from "./kocTasks";
import { useKocTasksT } from "./messages";

function useTasksKey() {
  const { session } = useMemberApp();
  return ["me", session?.contactId, "koc-tasks"] as const;
}

export default function KocTasksPage() {
  const t = useKocTasksT();
  const api = useApi();
  const key = useTasksKey();
  const tasks = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET("/v1/me/koc-tasks")) });
  const programName = useProgramNames(Boolean(tasks.data?.items.length));
  return (
    <>
      <h1 className="m-title">{t("title")}</h1>
      <QueryState query={tasks}>
        {(data) =>
          !data.koc ? (
            <NotKoc />
          ) : data.items.length === 0 ? (
            <EmptyState>{t("noTasks")}</EmptyState>
          ) : (
            <>
              <p className="m-muted" style={{ margin: "0 4px 12px" }}>
                {t("intro")}
              </p>
              {data.items.map((task) => (
                <TaskCard key={task.task_id} task={task} programName={programName(task.campaign_id)} />
              ))}
            </>
          )
        }
      </QueryState>
    </>
  );
}

/** The names of the referral programs open now (tasks name theirs by id): none while unknown. */
function useProgramNames(enabled: boolean): (campaignId: string) => string | undefined {
  const api = useApi();
  const { session } = useMemberApp();
  const programs = useQuery({
    queryKey: ["me", session?.contactId, "koc-tasks", "programs"],
    queryFn: () => unwrap(api.GET("/v1/me/referrals")),
    enabled,
    staleTime: 60_000,
  });
  const names = useMemo(() => new Map((programs.data?.items ?? []).map((program) => [program.campaign_id, program.name])), [programs.data]);
  return (campaignId) => names.get(campaignId);
}

function NotKoc() {
  const t = useKocTasksT();
  const navigate = useNavigate();
  return (
    <section className="m-card m-stack m-center" aria-labelledby="not-koc-title">
      <h2 id="not-koc-title" className="m-subtitle" style={{ margin: 0 }}>
        {t("notKocTitle")}
      </h2>
      <p className="m-muted" style={{ textAlign: "left", lineHeight: 1.6 }}>
        {t("notKocText")}
      </p>
      <Button color="primary" block onClick={() => navigate("/referrals")}>
        {t("goInvite")}
      </Button>
    </section>
  );
}

function TaskCard({ task, programName }: { task: MyKocTask; programName?: string }) {
  const t = useKocTasksT();
  const id = useId();
  const step = nextStep(task);
  return (
    <article className="m-card" aria-labelledby={`${id}-title`} data-testid="koc-task">
      <div className="m-row" style={{ alignItems: "flex-start" }}>
        <h2 id={`${id}-title`} className="m-subtitle" style={{ margin: 0, wordBreak: "break-word" }}>
          {task.title}
        </h2>
        <Tag color={STATUS_COLOR[task.my_status]} fill="outline" style={{ flex: "0 0 auto", marginTop: 2 }}>
          {t(`st_${task.my_status}`)}
        </Tag>
      </div>
      <p style={{ margin: "8px 0 4px", lineHeight: 1.5 }}>{t(`kind_${task.kind}`, { n: task.target })}</p>
      <p className="m-row m-muted" style={{ margin: "0 0 12px" }}>
        <span>{programName ? t("program", { name: programName }) : ""}</span>
        <strong className="m-plus" style={{ fontSize: 14, flex: "0 0 auto" }}>
          {t("reward", { points: task.points })}
        </strong>
      </p>
      <div
        role="progressbar"
        aria-label={t("progress", { title: task.title })}
        aria-valuemin={0}
        aria-valuemax={task.target}
        aria-valuenow={Math.min(task.progress, task.target)}
        aria-valuetext={t("progressValue", { progress: task.progress, target: task.target })}
        style={{ margin: "0 0 12px" }}
      >
        <ProgressBar percent={percent(task)} text={t("progressText", { progress: Math.min(task.progress, task.target), target: task.target })} />
      </div>
      {step === "done" && (
        <p className="m-muted" style={{ margin: 0 }}>
          {t("completed")}
        </p>
      )}
      {step === "share" && <ShareAction task={task} />}
      {step === "invite" && <InviteAction />}
      {step === "wait" && (
        <div className="m-stack">
          <p style={{ margin: 0, fontWeight: 600 }}>{t("waiting")}</p>
          {task.submission_url && <SubmittedLink label={t("submittedLink")} url={task.submission_url} />}
        </div>
      )}
      {(step === "submit" || step === "resubmit") && <ReviewForm task={task} again={step === "resubmit"} />}
    </article>
  );
}

function SubmittedLink({ label, url }: { label: string; url: string }) {
  const t = useKocTasksT();
  return (
    <p className="m-muted" style={{ margin: 0, wordBreak: "break-all" }}>
      {label}
      <a href={url} target="_blank" rel="noopener noreferrer nofollow" style={{ color: "var(--adm-color-primary)" }}>
        {url}
        <span className="m-sr">{t("opensInNewTab")}</span>
      </a>
    </p>
  );
}

/** A share to a group: the member's invite link, named for this share, to paste into one group;
 * the share counts once someone else opens it there (a tap alone proves nothing). */
function ShareAction({ task }: { task: MyKocTask }) {
  const t = useKocTasksT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const key = useTasksKey();
  const link = useRef<HTMLParagraphElement>(null);
  const [shared, setShared] = useState<{ url: string; copied: boolean } | null>(null);
  const share = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/me/shares", { body: { campaign_id: task.campaign_id, channel: "group" } })),
    onSuccess: async ({ url }) => {
      const copied = await copyText(url);
      setShared({ url, copied });
      if (copied) Toast.show({ content: t("shared") });
      // Not copied: selected, the link is one long press away from the system's copy menu.
      else requestAnimationFrame(() => link.current && window.getSelection()?.selectAllChildren(link.current));
    },
    onError: (error) =>
      Toast.show({ content: error instanceof ApiError && error.status === 404 ? t("programClosed") : problemText(error, common("networkError")) }),
    onSettled: () => queries.invalidateQueries({ queryKey: key }),
  });
  return (
    <div className="m-stack">
      <p className="m-muted" style={{ margin: 0 }}>
        {t("shareHint")}
      </p>
      {shared && (
        <div className="m-stack" role="status">
          <p className="m-muted" style={{ margin: 0 }}>
            {shared.copied ? t("sharedCopied") : t("sharedCopyByHand")}
          </p>
          <p ref={link} className="m-invite-link" data-testid="share-link">
            {shared.url}
          </p>
        </div>
      )}
      <Button color="primary" block loading={share.isPending} onClick={() => share.mutate()}>
        {shared ? t("shareAgain") : t("share")}
      </Button>
    </div>
  );
}

function InviteAction() {
  const t = useKocTasksT();
  const navigate = useNavigate();
  return (
    <div className="m-stack">
      <p className="m-muted" style={{ margin: 0 }}>
        {t("visitorsHint")}
      </p>
      <Button color="primary" fill="outline" block onClick={() => navigate("/referrals")}>
        {t("goInvite")}
      </Button>
    </div>
  );
}

function ReviewForm({ task, again }: { task: MyKocTask; again: boolean }) {
  const t = useKocTasksT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const key = useTasksKey();
  const id = useId();
  const [url, setUrl] = useState("");
  const [note, setNote] = useState("");
  const [urlError, setUrlError] = useState<string | null>(null);
  const [general, setGeneral] = useState<string[]>([]);
  const submit = useMutation({
    mutationFn: (body: { url: string; note: string }) =>
      unwrap(api.POST("/v1/me/koc-tasks/{task_id}/submissions", { params: { path: { task_id: task.task_id } }, body })),
    onMutate: () => {
      setUrlError(null);
      setGeneral([]);
    },
    onSuccess: (updated) => {
      queries.setQueryData(key, (current: { koc: boolean; items: MyKocTask[] } | undefined) =>
        current ? { ...current, items: current.items.map((item) => (item.task_id === updated.task_id ? updated : item)) } : current,
      );
      Toast.show({ content: t("submitted") });
      void queries.invalidateQueries({ queryKey: key });
    },
    onError: (error) => {
      if (!(error instanceof ApiError) || error.status === 0) {
        setGeneral([problemText(error, common("networkError"))]);
        return;
      }
      // An ended task, or one completed meanwhile: said in the page's words, and the list read again.
      if (error.status === 404 || error.status === 409) {
        setGeneral([error.status === 404 ? t("taskGone") : t("alreadyDone")]);
        void queries.invalidateQueries({ queryKey: key });
        return;
      }
      // A 422 on the link shows under the link, in the page's words; anything else above the form.
      const { fields, general: rest } = fieldErrors(error.problem);
      if (fields.some((field) => field.name[0] === "url")) setUrlError(t("urlInvalid"));
      const others = fields.filter((field) => field.name[0] !== "url").map((field) => `${field.name.join(".")}: ${field.errors.join("; ")}`);
      setGeneral([...rest, ...others]);
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const link = url.trim();
    if (!link || !isReviewUrl(link)) {
      setUrlError(link ? t("urlInvalid") : t("urlRequired"));
      return;
    }
    submit.mutate({ url: link, note: note.trim() });
  };
  return (
    <div className="m-stack">
      {again && (
        <p className="m-error" style={{ margin: 0, fontSize: 14 }}>
          {t("rejectedText")}
        </p>
      )}
      {again && task.submission_url && <SubmittedLink label={t("lastLink")} url={task.submission_url} />}
      <FormProblems messages={general} />
      <form className="m-stack" onSubmit={onSubmit} noValidate aria-label={t("reviewForm", { title: task.title })}>
        <div>
          <label className="m-label" htmlFor={`${id}-url`}>
            {t("url")}
          </label>
          <input
            id={`${id}-url`}
            className="m-input"
            type="url"
            inputMode="url"
            autoComplete="url"
            placeholder={t("urlPlaceholder")}
            maxLength={500}
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            aria-invalid={urlError ? true : undefined}
            aria-describedby={urlError ? `${id}-url-error` : undefined}
          />
          {urlError && (
            <div id={`${id}-url-error`} className="m-error" style={{ marginTop: 6 }}>
              {urlError}
            </div>
          )}
        </div>
        <div>
          <label className="m-label" htmlFor={`${id}-note`}>
            {t("note")}
          </label>
          <textarea
            id={`${id}-note`}
            className="m-input"
            rows={2}
            maxLength={500}
            placeholder={t("notePlaceholder")}
            value={note}
            onChange={(event) => setNote(event.target.value)}
            style={{ resize: "vertical", fontFamily: "inherit", lineHeight: 1.5 }}
          />
        </div>
        <Button block type="submit" color="primary" loading={submit.isPending}>
          {again ? t("resubmit") : t("submit")}
        </Button>
      </form>
    </div>
  );
}
