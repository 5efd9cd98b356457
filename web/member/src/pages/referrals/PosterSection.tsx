// 我的海报: the member's poster of a program, drawn by the API with the name the member types (kept
// in this browser, so it is typed once) and the QR of their invite link, to long-press and save or
// send in WeChat. The poster needs the member's token: fetched as a blob and shown as a data: URL
// (WeChat saves and recognises those on a long press). It is drawn when the member asks, or
// straight away for a member who typed a name before.
import Button from "antd-mobile/es/components/button";
import DotLoading from "antd-mobile/es/components/dot-loading";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import { unwrap } from "@shared/api/client";
import { problemText } from "@shared/api/problems";
import { useApi, useMemberApp } from "../../app";
import { useCommonT } from "../../messages";
import { useReferralsT } from "./messages";
import { dataUrlOf, MAX_POSTER_NAME, posterName, posterQuery, storedPosterName, storePosterName } from "./poster";
import type { Referral } from "./referral";

// 750 x 1334, shown at most this wide: a whole poster on a phone's screen, not a wall on a laptop's.
const POSTER_WIDTH = 750;
const POSTER_HEIGHT = 1334;
const SHOWN_WIDTH = 320;

/** The blob as a data: URL while it is shown. A data: image, not a blob: one, is what WeChat's web
 * view offers to save or recognise on a long press. */
function useDataUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    setUrl(null);
    if (!blob) return;
    let shown = true; // a poster replaced meanwhile is not shown
    void dataUrlOf(blob).then((made) => shown && setUrl(made));
    return () => {
      shown = false;
    };
  }, [blob]);
  return url;
}

const frame = {
  width: "100%",
  maxWidth: SHOWN_WIDTH,
  margin: "0 auto",
  aspectRatio: `${POSTER_WIDTH} / ${POSTER_HEIGHT}`,
  borderRadius: 8,
  overflow: "hidden",
  boxSizing: "border-box",
} as const;

export function PosterSection({ referral }: { referral: Referral }) {
  const t = useReferralsT();
  const common = useCommonT();
  const api = useApi();
  const { session } = useMemberApp();
  const id = useId();
  const [name, setName] = useState(() => storedPosterName(session));
  // The name of the poster asked for (null: none yet); a member who typed one before sees theirs.
  const [drawn, setDrawn] = useState<{ name: string | undefined } | null>(() => {
    const stored = posterName(storedPosterName(session));
    return stored ? { name: stored } : null;
  });
  const poster = useQuery({
    queryKey: ["me", session?.contactId, "referrals", referral.campaign_id, "poster", drawn?.name ?? ""],
    queryFn: () =>
      unwrap(api.GET("/v1/me/referrals/poster.png", { params: { query: posterQuery(referral, drawn?.name) }, parseAs: "blob" })),
    enabled: drawn !== null,
    // The same name draws the same poster; the API lets it be kept five minutes.
    staleTime: 5 * 60_000,
    retry: false,
  });
  const url = useDataUrl(poster.data);

  function change(value: string) {
    setName(value);
    storePosterName(session, value);
  }

  function draw(event: FormEvent) {
    event.preventDefault();
    const next = posterName(name);
    if (drawn && drawn.name === next) void poster.refetch();
    else setDrawn({ name: next });
  }

  return (
    <section className="m-card" aria-labelledby={`${id}-title`} data-testid="poster">
      <h3 id={`${id}-title`} className="m-subtitle">
        {t("poster")}
      </h3>
      <form onSubmit={draw} noValidate>
        <label className="m-label" htmlFor={`${id}-name`}>
          {t("posterName")}
        </label>
        <input
          id={`${id}-name`}
          className="m-input"
          value={name}
          maxLength={MAX_POSTER_NAME}
          autoComplete="nickname"
          placeholder={t("posterNamePlaceholder")}
          aria-describedby={`${id}-name-hint`}
          onChange={(event) => change(event.target.value)}
        />
        <p id={`${id}-name-hint`} className="m-muted" style={{ margin: "6px 0 10px" }}>
          {t("posterNameHint", { max: MAX_POSTER_NAME })}
        </p>
        <Button type="submit" color="primary" fill={drawn ? "outline" : "solid"} block loading={poster.isFetching}>
          {drawn ? t("redrawPoster") : t("drawPoster")}
        </Button>
      </form>
      {drawn && (
        <div style={{ marginTop: 12 }}>
          {poster.isError ? (
            <div className="m-center" role="alert" style={{ ...frame, aspectRatio: "auto", padding: "24px 12px", background: "var(--adm-color-background-body)" }}>
              <p style={{ margin: "0 0 4px", fontWeight: 600 }}>{t("posterFailed")}</p>
              <p className="m-muted" style={{ margin: "0 0 12px" }}>
                {problemText(poster.error, common("networkError"))}
              </p>
              <Button size="small" onClick={() => void poster.refetch()}>
                {common("retry")}
              </Button>
            </div>
          ) : url && !poster.isPending ? (
            <>
              <div style={{ ...frame, boxShadow: "0 2px 12px rgba(0, 0, 0, 0.12)", opacity: poster.isFetching ? 0.6 : 1 }}>
                <img
                  src={url}
                  alt={t("posterAlt", { name: referral.name })}
                  width={POSTER_WIDTH}
                  height={POSTER_HEIGHT}
                  data-testid="poster-image"
                  style={{ display: "block", width: "100%", height: "auto" }}
                />
              </div>
              <p className="m-muted m-center" style={{ margin: "10px 0 0" }} data-testid="poster-hint">
                {t("posterHint")}
              </p>
            </>
          ) : (
            <div
              className="m-center"
              role="status"
              style={{ ...frame, display: "flex", flexDirection: "column", alignItems: "center", justifyContent: "center", background: "var(--adm-color-background-body)" }}
            >
              <span className="m-muted">{t("posterDrawing")}</span>
              <DotLoading color="primary" />
            </div>
          )}
        </div>
      )}
    </section>
  );
}
