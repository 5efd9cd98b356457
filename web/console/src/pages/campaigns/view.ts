// How a campaign reads on the page.
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";
import type { useCampaignsT } from "./messages";

type T = ReturnType<typeof useCampaignsT>;
type Status = Schemas["CampaignView"]["status"];

export const STATUS_TONES: Record<Status, Tone> = { draft: "neutral", active: "success", paused: "warning", ended: "neutral" };

export function statusLabel(t: T, status: Status): string {
  return t(`status_${status}`);
}

/** The transitions the API allows from each status, in the order the buttons show. */
export function transitions(status: Status): ("activate" | "pause" | "end")[] {
  switch (status) {
    case "draft":
      return ["activate"];
    case "active":
      return ["pause", "end"];
    case "paused":
      return ["activate", "end"];
    default:
      return [];
  }
}
