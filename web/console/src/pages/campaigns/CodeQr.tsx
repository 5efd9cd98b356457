// A code's QR preview and its PNG / SVG downloads. The images need the bearer token: fetched with
// the API client as blobs, shown and saved through object URLs.
import { DownloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { App, Button, Skeleton, Space, Typography } from "antd";
import { useState } from "react";
import { unwrap, type Api, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useObjectUrl } from "../../components/objectUrl";
import { useCampaignsT } from "./messages";
import { qrFileName, saveBlob, type QrKind } from "./qr";
import { problemText } from "../../components/problems";

export function fetchQr(api: Api, code: string, kind: QrKind): Promise<Blob> {
  const init = { params: { path: { code } }, parseAs: "blob" as const };
  return kind === "png" ? unwrap(api.GET("/v1/codes/{code}/qr.png", init)) : unwrap(api.GET("/v1/codes/{code}/qr.svg", init));
}

export function QrPreview({ code, size = 96 }: { code: string; size?: number }) {
  const t = useCampaignsT();
  const api = useApi();
  const image = useQuery({ queryKey: ["qr", code, "svg"], queryFn: () => fetchQr(api, code, "svg"), staleTime: Infinity });
  const url = useObjectUrl(image.data);
  if (image.isError) return <Typography.Text>{t("qrFailed")}</Typography.Text>;
  if (!url) return <Skeleton.Image active style={{ width: size, height: size }} />;
  return <img src={url} alt={t("qrAlt", { code })} width={size} height={size} style={{ display: "block", background: "#fff" }} />;
}

export function QrDownloads({ code, campaign, vertical = false }: { code: Schemas["CodeView"]; campaign: string; vertical?: boolean }) {
  const t = useCampaignsT();
  const api = useApi();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<QrKind | null>(null);
  const download = async (kind: QrKind) => {
    setBusy(kind);
    try {
      saveBlob(await fetchQr(api, code.code, kind), qrFileName({ campaign, ...code }, kind));
    } catch (error) {
      void message.error(problemText(error));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Space wrap orientation={vertical ? "vertical" : "horizontal"} size={4}>
      <Button icon={<DownloadOutlined />} size="small" loading={busy === "png"} onClick={() => void download("png")} aria-label={t("downloadPngOf", { code: code.code })}>
        {t("downloadPng")}
      </Button>
      <Button icon={<DownloadOutlined />} size="small" loading={busy === "svg"} onClick={() => void download("svg")} aria-label={t("downloadSvgOf", { code: code.code })}>
        {t("downloadSvg")}
      </Button>
    </Space>
  );
}
