// One case as its member sees it: the details, the thread (what staff wrote to the member and
// what the member wrote; internal notes never reach this page), a reply, and the rating once resolved.
import Button from "antd-mobile/es/components/button";
import Form from "antd-mobile/es/components/form";
import TextArea from "antd-mobile/es/components/text-area";
import Toast from "antd-mobile/es/components/toast";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useLanguage } from "@shared/i18n";
import { useApi, useMemberApp } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { formatDateTime } from "../../format";
import { CaseStatus } from "./CaseStatus";
import { useCasesT } from "./messages";
import { StarRating } from "./StarRating";

type Detail = Schemas["MemberCaseDetail"];

export default function CasePage() {
  const t = useCasesT();
  const { caseId = "" } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const { session } = useMemberApp();
  const detail = useQuery({
    queryKey: ["me", session?.contactId, "cases", caseId],
    queryFn: () => unwrap(api.GET("/v1/me/cases/{case_id}", { params: { path: { case_id: caseId } } })),
  });
  return (
    <>
      <Button size="small" fill="none" onClick={() => navigate("/cases")} style={{ paddingLeft: 4 }}>
        ‹ {t("backToCases")}
      </Button>
      <QueryState query={detail}>{(data) => <CaseView data={data} />}</QueryState>
    </>
  );
}

function CaseView({ data }: { data: Detail }) {
  const t = useCasesT();
  const { language } = useLanguage();
  const messages = data.messages.filter((message) => message.kind !== "note");
  return (
    <>
      <h1 className="m-title">{data.subject}</h1>
      <section className="m-card m-stack">
        <div className="m-row">
          <span>{t(`ty_${data.type}`)}</span>
          <CaseStatus status={data.status} />
        </div>
        {data.order_id && <div>{t("orderLabel", { order: data.order_id })}</div>}
        {data.description && <p style={{ margin: 0, whiteSpace: "pre-wrap" }}>{data.description}</p>}
        <div className="m-muted">{t("created", { date: formatDateTime(data.created_at, language) })}</div>
      </section>
      <h2 className="m-subtitle">{t("thread")}</h2>
      {messages.length === 0 ? (
        <p className="m-card m-muted">{t("noMessages")}</p>
      ) : (
        <ol className="m-thread" aria-label={t("thread")}>
          {messages.map((message) => {
            const mine = message.kind === "inbound";
            return (
              <li key={message.message_id} className="m-bubble" data-mine={mine ? "true" : "false"}>
                <div className="m-bubble-meta">
                  {mine ? t("me") : t("agent")} · {formatDateTime(message.at, language)}
                </div>
                {message.body}
              </li>
            );
          })}
        </ol>
      )}
      {data.can_rate ? <RateForm caseId={data.case_id} /> : data.csat && <p className="m-card">{t("yourRating", { n: data.csat.rating })}</p>}
      {data.status !== "closed" && <ReplyForm caseId={data.case_id} />}
    </>
  );
}

/** A form's send in flight: the button shows it and a second tap sends nothing. */
function useBusy() {
  const [busy, setBusy] = useState(false);
  const running = useRef(false);
  async function run(send: () => Promise<void>) {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      await send();
    } finally {
      running.current = false;
      setBusy(false);
    }
  }
  return { busy, run };
}

function useRefresh() {
  const client = useQueryClient();
  const { session } = useMemberApp();
  return () => client.invalidateQueries({ queryKey: ["me", session?.contactId, "cases"] });
}

function ReplyForm({ caseId }: { caseId: string }) {
  const t = useCasesT();
  const api = useApi();
  const refresh = useRefresh();
  const [form] = Form.useForm<{ body: string }>();
  const problems = useProblemForm(form);
  const sending = useBusy();
  return (
    <section aria-labelledby="reply-title">
      <h2 id="reply-title" className="m-subtitle">
        {t("reply")}
      </h2>
      <FormProblems messages={problems.general} />
      <Form
        form={form}
        name="reply"
        mode="card"
        layout="vertical"
        initialValues={{ body: "" }}
        onFinish={(values: { body: string }) =>
          sending.run(async () => {
            problems.clear();
            try {
              await unwrap(
                api.POST("/v1/me/cases/{case_id}/messages", { params: { path: { case_id: caseId } }, body: { body: values.body.trim() } }),
              );
              form.resetFields();
              Toast.show({ content: t("sent") });
              await refresh();
            } catch (error) {
              problems.onError(error);
            }
          })
        }
        footer={
          <Button block type="submit" color="primary" loading={sending.busy} loadingText={t("send")}>
            {t("send")}
          </Button>
        }
      >
        <Form.Item
          name="body"
          label={t("replyLabel")}
          rules={[
            {
              validator: (_, value: string | undefined) =>
                value?.trim() ? Promise.resolve() : Promise.reject(new Error(t("required", { field: t("replyLabel") }))),
            },
          ]}
        >
          <TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </section>
  );
}

function RateForm({ caseId }: { caseId: string }) {
  const t = useCasesT();
  const api = useApi();
  const refresh = useRefresh();
  const [form] = Form.useForm<{ rating?: number; comment: string }>();
  const problems = useProblemForm(form);
  const sending = useBusy();
  return (
    <section aria-labelledby="rate-title">
      <h2 id="rate-title" className="m-subtitle">
        {t("rateTitle")}
      </h2>
      <FormProblems messages={problems.general} />
      <Form
        form={form}
        name="csat"
        mode="card"
        layout="vertical"
        initialValues={{ comment: "" }}
        onFinish={(values: { rating?: number; comment: string }) =>
          sending.run(async () => {
            problems.clear();
            try {
              await unwrap(
                api.POST("/v1/me/cases/{case_id}/csat", {
                  params: { path: { case_id: caseId } },
                  body: { rating: values.rating!, comment: values.comment.trim() || null },
                }),
              );
              Toast.show({ content: t("rated") });
              await refresh();
            } catch (error) {
              problems.onError(error);
            }
          })
        }
        footer={
          <Button block type="submit" color="primary" loading={sending.busy} loadingText={t("rateSubmit")}>
            {t("rateSubmit")}
          </Button>
        }
      >
        <Form.Item
          name="rating"
          rules={[
            {
              validator: (_, value: number | undefined) =>
                value ? Promise.resolve() : Promise.reject(new Error(t("pickRating"))),
            },
          ]}
        >
          <StarRating legend={t("rating")} />
        </Form.Item>
        <Form.Item name="comment" label={t("comment")}>
          <TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
    </section>
  );
}
