// The case's conversation: the member's request and messages on the left, replies on the right,
// internal notes set apart (dashed, yellow, labelled); each reply shows its delivery, and a held
// or failed one can be sent again.
import { LockOutlined } from "@ant-design/icons";
import { unwrap } from "@shared/api/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Flex, Typography } from "antd";
import type { CSSProperties, ReactNode } from "react";
import { useApi, useCan } from "../../app";
import { formatTime } from "../../components/format";
import { useCasesT } from "./messages";
import { keys, type CaseDetail, type MessageView } from "./model";
import { ToneTag } from "../../components/Tone";
import { DELIVERY_TONE } from "./tones";

// Replies the API will not send again (services/cases/logic/cases.py NOT_RETRIABLE).
const NOT_RETRIABLE = new Set(["blocked_sensitive_words", "no_channel"]);

export function canRetry(message: MessageView, closed: boolean): boolean {
  const delivery = message.delivery;
  if (closed || message.kind !== "outbound" || !delivery) return false;
  return (delivery.status === "held" || delivery.status === "failed") && !NOT_RETRIABLE.has(delivery.reason ?? "");
}

const BUBBLE: Record<MessageView["kind"], CSSProperties> = {
  inbound: { alignSelf: "flex-start", background: "#f5f5f5", border: "1px solid #e8e8e8" },
  outbound: { alignSelf: "flex-end", background: "#e3f2ec", border: "1px solid #b7dccb" },
  note: { alignSelf: "stretch", background: "#fffbe6", border: "1px dashed #ad8b00" },
};

function Bubble({ kind, who, at, children, footer }: { kind: MessageView["kind"]; who: ReactNode; at: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <article
      data-kind={kind}
      style={{ ...BUBBLE[kind], maxWidth: kind === "note" ? "100%" : "85%", padding: "8px 12px", borderRadius: 8 }}
    >
      <Flex gap={8} wrap align="center" style={{ marginBottom: 4, fontSize: 12 }}>
        {who}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatTime(at)}
        </Typography.Text>
      </Flex>
      <div style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{children}</div>
      {footer}
    </article>
  );
}

function RetryButton({ caseId, message }: { caseId: string; message: MessageView }) {
  const t = useCasesT();
  const api = useApi();
  const client = useQueryClient();
  const { message: toast } = App.useApp();
  const retry = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/v1/cases/{case_id}/messages/{message_id}/retry", { params: { path: { case_id: caseId, message_id: message.message_id } } })),
    onSuccess: () => {
      void toast.success(t("retried"));
      void client.invalidateQueries({ queryKey: keys.case(caseId) });
    },
    onError: (error) => void toast.error(error.message),
  });
  return (
    <Button size="small" loading={retry.isPending} onClick={() => retry.mutate()}>
      {t("retry")}
    </Button>
  );
}

export function Thread({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  const can = useCan();
  const closed = item.status === "closed";
  const messages = [...item.messages].sort((a, b) => a.at.localeCompare(b.at));
  const who = (message: MessageView) => {
    if (message.kind === "note")
      return (
        <>
          <ToneTag tone="note" icon={<LockOutlined />}>
            {t("internalNote")}
          </ToneTag>
          <Typography.Text strong>{t("staff", { id: message.author_id ?? "" })}</Typography.Text>
        </>
      );
    if (message.author_kind === "member") return <Typography.Text strong>{t("member")}</Typography.Text>;
    if (message.author_kind === "system") return <Typography.Text strong>{t("system")}</Typography.Text>;
    return <Typography.Text strong>{t("staff", { id: message.author_id ?? "" })}</Typography.Text>;
  };
  return (
    <Flex vertical gap={12} role="list" aria-label={t("thread")}>
      {(item.description || item.subject) && (
        <div role="listitem" style={{ display: "flex", flexDirection: "column" }}>
          <Bubble kind="inbound" who={<Typography.Text strong>{t("opening")}</Typography.Text>} at={item.created_at}>
            {item.description || item.subject}
          </Bubble>
        </div>
      )}
      {messages.map((message) => (
        <div role="listitem" key={message.message_id} style={{ display: "flex", flexDirection: "column" }}>
          <Bubble
            kind={message.kind}
            who={who(message)}
            at={message.at}
            footer={
              message.delivery && (
                <Flex gap={8} align="center" wrap style={{ marginTop: 6 }}>
                  <ToneTag tone={DELIVERY_TONE[message.delivery.status]} title={message.delivery.reason ?? undefined}>
                    {t(`delivery_${message.delivery.status}`)}
                    {message.delivery.reason ? ` · ${message.delivery.reason}` : ""}
                  </ToneTag>
                  {canRetry(message, closed) && can("POST /v1/cases/{case_id}/messages/{message_id}/retry") && (
                    <RetryButton caseId={item.case_id} message={message} />
                  )}
                </Flex>
              )
            }
          >
            {message.body}
          </Bubble>
        </div>
      ))}
    </Flex>
  );
}
