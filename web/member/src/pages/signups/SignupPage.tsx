// 群接龙 on the member H5 (/m/signups/:sheetId, the link staff share in a customer group): the
// sheet (places left, deadline), joining (the member's number) and withdrawing (after a confirm).
// A signed-out member signs in on this same address (the layout's sign-in; the link carries the
// tenant) and then sees the sheet.
import Button from "antd-mobile/es/components/button";
import Dialog from "antd-mobile/es/components/dialog";
import Tag from "antd-mobile/es/components/tag";
import Toast from "antd-mobile/es/components/toast";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useParams } from "react-router-dom";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { problemText } from "@shared/api/problems";
import { useLanguage } from "@shared/i18n";
import { useApi, useMemberApp } from "../../app";
import { QueryState } from "../../components/QueryState";
import { formatDateTime } from "../../format";
import { useCommonT } from "../../messages";
import { useSignupT } from "./messages";
import { refusalKey } from "./reasons";

type MySignup = Schemas["MySignupView"];

export default function SignupPage() {
  const t = useSignupT();
  const common = useCommonT();
  const api = useApi();
  const { session } = useMemberApp();
  const { language } = useLanguage();
  const sheetId = useParams().sheetId ?? "";
  const client = useQueryClient();
  const key = ["me", session?.contactId, "signups", sheetId];
  const [problem, setProblem] = useState<string | null>(null);
  const sheet = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET("/v1/me/signups/{sheet_id}", { params: { path: { sheet_id: sheetId } } })),
  });
  const refused = (error: unknown, action: "join" | "withdraw") => {
    const reason = refusalKey(error, action);
    setProblem(reason ? t(reason) : problemText(error, common("networkError")));
    void client.invalidateQueries({ queryKey: key });
  };
  const settle = (answer: MySignup) => client.setQueryData(key, answer);
  const join = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/me/signups/{sheet_id}/entries", { params: { path: { sheet_id: sheetId } } })),
    onMutate: () => setProblem(null),
    // The number itself appears on the page (announced: aria-live), no toast over it.
    onSuccess: settle,
    onError: (error) => refused(error, "join"),
  });
  const withdraw = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/me/signups/{sheet_id}/entries", { params: { path: { sheet_id: sheetId } } })),
    onMutate: () => setProblem(null),
    onSuccess: (answer) => {
      settle(answer);
      Toast.show({ content: t("withdrawn") });
    },
    onError: (error) => refused(error, "withdraw"),
  });
  async function confirmWithdraw() {
    const confirmed = await Dialog.confirm({ title: t("withdrawTitle"), content: t("withdrawConfirm"), confirmText: t("withdrawOk"), cancelText: t("keep") });
    if (confirmed) withdraw.mutate();
  }

  if (sheet.isError && sheet.error instanceof ApiError && sheet.error.status === 404) {
    return (
      <>
        <h1 className="m-title">{t("heading")}</h1>
        <div className="m-card m-center" role="alert">
          {t("notFound")}
        </div>
      </>
    );
  }
  return (
    <QueryState query={sheet}>
      {(data) => {
        const { sheet: info, my_entry: mine } = data;
        const full = info.places_left === 0;
        return (
          <>
            <h1 className="m-title">{info.title}</h1>
            <section className="m-card m-stack" aria-labelledby="signup-places">
              <div className="m-row">
                <span id="signup-places">{t("placesLeft")}</span>
                <Tag color={!info.open ? "default" : mine ? "primary" : full ? "warning" : "success"}>{!info.open ? t("closed") : mine ? t("joinedTag") : full ? t("full") : t("open")}</Tag>
              </div>
              <div className="m-big" data-testid="places-left">
                {info.places_left}
              </div>
              <p className="m-muted" style={{ margin: 0 }}>
                {t("ofCapacity", { capacity: info.capacity, taken: info.taken })}
              </p>
              <p className="m-muted" style={{ margin: 0 }}>
                {t("deadline", { at: formatDateTime(info.deadline, language) })}
              </p>
            </section>
            {mine ? (
              <section className="m-card m-stack m-center" aria-labelledby="signup-mine">
                <h2 id="signup-mine" className="m-subtitle" style={{ margin: 0 }}>
                  {t("myNumber")}
                </h2>
                <div className="m-big m-plus" data-testid="my-number" aria-live="polite">
                  {t("myNumberValue", { number: mine.number })}
                </div>
                <p className="m-muted" style={{ margin: 0 }}>
                  {t("joinedAt", { at: formatDateTime(mine.joined_at, language) })}
                </p>
                {info.open && (
                  <Button block color="danger" fill="outline" loading={withdraw.isPending} onClick={() => void confirmWithdraw()}>
                    {t("withdraw")}
                  </Button>
                )}
              </section>
            ) : (
              <section className="m-card m-stack">
                <Button block color="primary" size="large" disabled={!info.open || full} loading={join.isPending} loadingText={t("joining")} onClick={() => join.mutate()}>
                  {!info.open ? t("closed") : full ? t("full") : t("join")}
                </Button>
                {(!info.open || full) && (
                  <p className="m-muted m-center" style={{ margin: 0 }}>
                    {!info.open ? t("e_closed") : t("e_full")}
                  </p>
                )}
              </section>
            )}
            {problem && (
              <div className="m-card m-error" role="alert">
                {problem}
              </div>
            )}
          </>
        );
      }}
    </QueryState>
  );
}
