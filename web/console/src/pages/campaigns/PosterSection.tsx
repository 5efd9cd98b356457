// A referral program's poster (海报): a sample member's poster as members will get it (their own
// name and invite QR on the program's background), and, for the roles that may, a background to
// upload (a PNG or JPEG within the API's limits, checked here first and by the API, whose refusal
// shows as it says) or remove. The preview needs the bearer token, like the QR images: fetched with
// the API client as a blob and shown through an object URL, drawn again after each change.
import { DeleteOutlined, UploadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Flex, Popconfirm, Skeleton, Space, Spin, Typography, Upload } from "antd";
import { useState } from "react";
import { unwrap, type Api, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { useObjectUrl } from "../../components/objectUrl";
import { formatTime } from "../../components/format";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { ErrorState } from "../../components/QueryState";
import { useCampaignsT } from "./messages";

/** The API's limits on a background (it checks them again, by decoding the image). */
export const MAX_BACKGROUND_BYTES = 180 * 1024;
const TYPES = ["image/png", "image/jpeg"];
const EXTENSIONS = /\.(png|jpe?g)$/i;
const PREVIEW_WIDTH = 240;
const PREVIEW_HEIGHT = Math.round((PREVIEW_WIDTH * 1334) / 750);

/** Why a chosen file cannot be a background before it is sent (null: it may be). A file the
 * browser gives no type reads by its extension. */
export function backgroundProblem(file: Pick<File, "name" | "type" | "size">): "posterWrongType" | "posterTooLarge" | null {
  const typed = file.type ? TYPES.includes(file.type) : EXTENSIONS.test(file.name);
  if (!typed) return "posterWrongType";
  if (file.size > MAX_BACKGROUND_BYTES) return "posterTooLarge";
  return null;
}

/** The file's bytes in base64 (a data URL's payload, without its `data:…;base64,` head). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result ?? "");
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error("FileReader failed"));
    reader.readAsDataURL(file);
  });
}

export function fetchSamplePoster(api: Api, campaignId: string): Promise<Blob> {
  return unwrap(api.GET("/v1/campaigns/{campaign_id}/poster.png", { params: { path: { campaign_id: campaignId } }, parseAs: "blob" }));
}

type Refusal = { title: string; detail: string };

export function PosterSection({ campaign }: { campaign: Schemas["CampaignView"] }) {
  const t = useCampaignsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const campaignId = campaign.campaign_id;
  const key = ["campaign", campaignId, "poster"];
  const preview = useQuery({ queryKey: key, queryFn: () => fetchSamplePoster(api, campaignId) });
  const url = useObjectUrl(preview.data);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const path = { params: { path: { campaign_id: campaignId } } };

  // The preview is drawn again, and the program read again: it says whether it has a background.
  const changed = () =>
    Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: ["campaign", campaignId], exact: true })]);
  const upload = useMutation({
    mutationFn: async (file: File) => unwrap(api.PUT("/v1/campaigns/{campaign_id}/poster", { ...path, body: { image_base64: await readBase64(file) } })),
    onSuccess: () => {
      void message.success(t("posterSaved"));
      return changed();
    },
    onError: (error) => setRefusal({ title: t("posterRejected"), detail: problemText(error) }),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/campaigns/{campaign_id}/poster", path)),
    onSuccess: () => {
      void message.success(t("posterRemoved"));
      return changed();
    },
    onError: (error) => setRefusal({ title: t("posterRemoveFailed"), detail: problemText(error) }),
  });

  const choose = (file: File) => {
    setRefusal(null);
    const problem = backgroundProblem(file);
    if (problem) setRefusal({ title: t("posterRejected"), detail: t(problem, { name: file.name, size: Math.ceil(file.size / 1024) }) });
    else upload.mutate(file);
    return Upload.LIST_IGNORE;
  };

  const busy = upload.isPending || remove.isPending;
  const mayUpload = can("PUT /v1/campaigns/{campaign_id}/poster");
  const custom = Boolean(campaign.poster_set_at);
  const mayRemove = custom && can("DELETE /v1/campaigns/{campaign_id}/poster");
  const ended = campaign.status === "ended";

  return (
    <Flex wrap gap={24} align="flex-start">
      <div style={{ width: PREVIEW_WIDTH, maxWidth: "100%", flex: "0 0 auto" }}>
        {preview.isError ? (
          <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
        ) : url && !preview.isPending ? (
          <Spin spinning={preview.isFetching} description={common("loading")}>
            <img
              src={url}
              alt={t("posterPreviewAlt", { name: campaign.name })}
              width={PREVIEW_WIDTH}
              height={PREVIEW_HEIGHT}
              data-testid="poster-preview"
              style={{ display: "block", maxWidth: "100%", height: "auto", borderRadius: 8, boxShadow: "0 2px 10px rgba(0, 0, 0, 0.15)" }}
            />
          </Spin>
        ) : (
          // The poster's own shape while it is drawn: nothing moves when it arrives.
          <div role="status" aria-label={common("loading")}>
            <Skeleton.Image active style={{ width: PREVIEW_WIDTH, height: PREVIEW_HEIGHT, maxWidth: "100%" }} />
          </div>
        )}
      </div>
      <Flex vertical gap={12} style={{ flex: "1 1 280px", minWidth: 0 }}>
        <Typography.Paragraph style={{ margin: 0 }}>{t("posterHelp")}</Typography.Paragraph>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t("posterRules")}
        </Typography.Paragraph>
        <Typography.Text data-testid="poster-background">
          {campaign.poster_set_at ? t("posterCustom", { time: formatTime(campaign.poster_set_at) }) : t("posterDefault")}
        </Typography.Text>
        {(mayUpload || mayRemove) && ended && <Typography.Text type="secondary">{t("posterEnded")}</Typography.Text>}
        {(mayUpload || mayRemove) && !ended && (
          <Space wrap>
            {mayUpload && (
              <Upload accept=".png,.jpg,.jpeg,image/png,image/jpeg" showUploadList={false} maxCount={1} disabled={busy} beforeUpload={choose}>
                <Button type="primary" icon={<UploadOutlined />} loading={upload.isPending} disabled={remove.isPending}>
                  {t("posterUpload")}
                </Button>
              </Upload>
            )}
            {mayRemove && (
              <Popconfirm
                title={t("posterRemoveConfirm")}
                description={t("posterRemoveDescription")}
                okText={t("posterRemoveOk")}
                cancelText={common("cancel")}
                onConfirm={() => {
                  setRefusal(null);
                  return remove.mutateAsync().catch(() => undefined);
                }}
              >
                <Button icon={<DeleteOutlined />} loading={remove.isPending} disabled={upload.isPending}>
                  {t("posterRemove")}
                </Button>
              </Popconfirm>
            )}
          </Space>
        )}
        {refusal && <Alert type="error" showIcon role="alert" title={refusal.title} description={refusal.detail} closable={{ onClose: () => setRefusal(null) }} />}
      </Flex>
    </Flex>
  );
}
