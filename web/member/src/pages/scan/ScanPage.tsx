// The QR landing page: /m/scan?tenant=<tenant>&scene=<code>, what every channel code opens.
// Signs the member in (for the code's tenant), records the scan, shows the points as they arrive.
import Button from "antd-mobile/es/components/button";
import DotLoading from "antd-mobile/es/components/dot-loading";
import { useMemo } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { ApiError } from "@shared/api/client";
import { useMemberApp } from "../../app";
import { SignInCard } from "../../auth/SignInCard";
import { TopBar } from "../../layout/TopBar";
import { useScanT } from "./messages";
import { deviceId, openingOf } from "./opening";
import { useScanFlow } from "./useScanFlow";

export default function ScanPage() {
  const t = useScanT();
  const [params] = useSearchParams();
  const { session } = useMemberApp();
  const code = params.get("scene");
  const tenant = params.get("tenant") ?? session?.tenantId ?? null;
  const signedIn = session !== null && session.tenantId === tenant;

  return (
    <>
      <TopBar />
      <main className="m-page">
        <h1 className="m-title">{t("title")}</h1>
        {!code ? (
          <div className="m-card m-error" role="alert">
            {t("noCode")}
          </div>
        ) : signedIn ? (
          <ScanProgress code={code} />
        ) : (
          <SignInCard tenantId={tenant} />
        )}
      </main>
    </>
  );
}

function ScanProgress({ code }: { code: string }) {
  const t = useScanT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const opening = useMemo(() => openingOf(params, deviceId()), [params]);
  const { state, retry } = useScanFlow(code, opening);

  if (state.phase === "recording" || state.phase === "waiting") {
    return (
      <section className="m-card m-center" role="status" aria-live="polite">
        <p>
          {t(state.phase)}
          <DotLoading color="primary" />
        </p>
      </section>
    );
  }
  if (state.phase === "failed") {
    const invalid = state.error instanceof ApiError && state.error.status === 404;
    return (
      <section className="m-card m-stack" role="alert">
        <p className="m-error">{invalid ? t("invalidCode") : t("failed")}</p>
        {!invalid && (
          <Button color="primary" block onClick={retry}>
            {t("retry")}
          </Button>
        )}
        <Button block onClick={() => navigate("/")}>
          {t("myPoints")}
        </Button>
      </section>
    );
  }
  return (
    <section className="m-card m-center m-stack" role="status" aria-live="polite">
      {state.phase === "awarded" ? (
        <>
          <h2 className="m-subtitle">{t("awarded")}</h2>
          <div className="m-big m-plus">{t("awardedPoints", { points: state.entry.points })}</div>
          <p className="m-muted">{t("balance", { balance: state.entry.balance_after })}</p>
        </>
      ) : (
        <>
          <h2 className="m-subtitle">{t("none")}</h2>
          <p className="m-muted">{t("noneHint")}</p>
        </>
      )}
      <Button color="primary" block onClick={() => navigate("/")}>
        {t("myPoints")}
      </Button>
      <Button block onClick={() => navigate("/checkin")}>
        {t("checkin")}
      </Button>
    </section>
  );
}
