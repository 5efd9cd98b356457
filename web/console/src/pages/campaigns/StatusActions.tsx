// Activate (or resume), pause and end, each after a confirmation, each only for the roles that may.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Space } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { useCommonT } from "../../components/messages";
import { useCampaignsT } from "./messages";
import { statusLabel, transitions } from "./view";
import { problemText } from "../../components/problems";

type Action = "activate" | "pause" | "end";

export function StatusActions({ campaign }: { campaign: Schemas["CampaignView"] }) {
  const t = useCampaignsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const client = useQueryClient();
  const { modal, message } = App.useApp();
  const path = { params: { path: { campaign_id: campaign.campaign_id } } };
  const change = useMutation({
    mutationFn: (action: Action) =>
      unwrap(
        action === "activate"
          ? api.POST("/v1/campaigns/{campaign_id}/activate", path)
          : action === "pause"
            ? api.POST("/v1/campaigns/{campaign_id}/pause", path)
            : api.POST("/v1/campaigns/{campaign_id}/end", path),
      ),
    onSuccess: (view) => {
      client.setQueryData(["campaign", view.campaign_id], view);
      void client.invalidateQueries({ queryKey: ["campaigns"] });
      void message.success(t("statusChanged", { status: statusLabel(t, view.status) }));
    },
    onError: (error) => void message.error(problemText(error)),
  });
  const resuming = campaign.status === "paused";
  const label = (action: Action) => (action === "activate" ? (resuming ? t("resume") : t("activate")) : t(action));
  const question = (action: Action) =>
    action === "activate" ? (resuming ? t("confirmResume", { name: campaign.name }) : t("confirmActivate", { name: campaign.name })) : action === "pause" ? t("confirmPause", { name: campaign.name }) : t("confirmEnd", { name: campaign.name });
  const allowed = transitions(campaign.status).filter((action) => can(`POST /v1/campaigns/{campaign_id}/${action}`));
  if (allowed.length === 0) return null;
  return (
    <Space wrap>
      {allowed.map((action) => (
        <Button
          key={action}
          type={action === "activate" ? "primary" : "default"}
          loading={change.isPending && change.variables === action}
          onClick={() =>
            void modal.confirm({
              title: question(action),
              okText: label(action),
              cancelText: common("cancel"),
              onOk: () => change.mutateAsync(action).catch(() => undefined),
            })
          }
        >
          {label(action)}
        </Button>
      ))}
    </Space>
  );
}
