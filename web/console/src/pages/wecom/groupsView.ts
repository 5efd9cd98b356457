// How a departed transfer's customer groups read: each group's outcome tone and a failure's reason
// in words (WeCom's errcodes of groupchat/transfer, as the wecom service names them).
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";
import type { useWeComT } from "./messages";

type T = ReturnType<typeof useWeComT>;
export type TransferGroup = Schemas["TransferGroup"];
export type GroupOutcome = TransferGroup["outcome"];

export const GROUP_OUTCOMES: GroupOutcome[] = ["moved", "failed"];
export const GROUP_OUTCOME_TONES: Record<GroupOutcome, Tone> = { moved: "success", failed: "danger" };

const GROUP_REASONS = [
  "owner_not_departed",
  "not_a_customer_group",
  "owner_departed",
  "group_full",
  "inheritance_in_progress",
  "already_inherited",
  "wecom_not_configured",
] as const;
type GroupReason = (typeof GROUP_REASONS)[number];

const isGroupReason = (reason: string): reason is GroupReason => (GROUP_REASONS as readonly string[]).includes(reason);

/** A group's failure reason in words ("群主未离职"); WeCom's other errcodes by number; an unknown one as said. */
export function groupReasonText(t: T, reason: string | null | undefined): string {
  if (!reason) return "—";
  if (isGroupReason(reason)) return t(`groupReason_${reason}`);
  const errcode = /^errcode_(\d+)$/.exec(reason);
  return errcode ? t("reason_errcode", { code: errcode[1] }) : reason;
}
