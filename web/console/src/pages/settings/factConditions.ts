// Fact conditions ({field, op, value}) of auto-tag and scoring rules as a form edits them: the
// value as text (several values comma separated for `in`), numbers where the text is one.
import type { Schemas } from "@shared/api/client";

export type FactCondition = Schemas["FactCondition"];
export type FactType = Schemas["TagRuleWrite"]["on"];
export interface ConditionRow {
  field: string;
  op: FactCondition["op"];
  value: string;
}

export const FACT_TYPES: FactType[] = [
  "QrCodeScanned", "MemberLoggedIn", "ContactCreated", "ContactTagged", "ContactUntagged", "ContactOwnerChanged", "ContactsMerged",
  "CampaignConversionRecorded", "OrderPaid", "OrderRefunded", "PointsAwarded", "PointsReversed", "PointsExpired", "PointsAdjusted",
  "RewardRedeemed", "RedemptionFulfilled", "RedemptionCancelled", "TierChanged", "CaseOpened", "CaseStatusChanged", "CaseRated",
];
export const FACT_OPS: FactCondition["op"][] = ["eq", "ne", "in", "gt", "gte", "lt", "lte", "has"];

function scalar(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  return trimmed;
}

export function toConditions(rows: ConditionRow[] | undefined): FactCondition[] {
  return (rows ?? []).map((row) => ({
    field: row.field.trim(),
    op: row.op,
    value: row.op === "in" ? row.value.split(/[,，]/).map(scalar).filter((v) => v !== "") : scalar(row.value ?? ""),
  }));
}

export function fromConditions(conditions: FactCondition[] | undefined): ConditionRow[] {
  return (conditions ?? []).map((condition) => ({
    field: condition.field,
    op: condition.op,
    value: Array.isArray(condition.value) ? condition.value.join(", ") : condition.value === null ? "" : String(condition.value),
  }));
}

export function describeConditions(conditions: FactCondition[] | undefined, always: string): string {
  if (!conditions?.length) return always;
  return conditions.map((c) => `${c.field} ${c.op} ${Array.isArray(c.value) ? `[${c.value.join(", ")}]` : String(c.value)}`).join(" ∧ ");
}
