// How a referral (裂变) program reads on its campaign's page: its rules in words, the invitations'
// status filter (kept in the URL, so the fraud review queue — the rejected and clawed-back ones — can
// be linked to), their tones, and the leaderboard's ranks across cursor pages.
import type { Schemas } from "@shared/api/client";
import type { Tone } from "../../components/Tone";

export type InvitationStatus = Schemas["InvitationView"]["status"];
export type InvitationFilter = InvitationStatus | "all";

export const INVITATION_FILTERS: readonly InvitationFilter[] = ["all", "pending", "qualified", "rejected", "clawed_back"];
export const INVITATION_TONES: Record<InvitationStatus, Tone> = { pending: "info", qualified: "success", rejected: "danger", clawed_back: "warning" };
/** The URL parameter the filter lives in. */
export const INVITATIONS_PARAM = "invitations";

/** The filter the URL asks for; anything else is all of them. */
export function invitationFilter(value: string | null): InvitationFilter {
  return INVITATION_FILTERS.find((filter) => filter === value) ?? "all";
}

/** The status to ask the API for (none: every status). */
export function statusQuery(filter: InvitationFilter): InvitationStatus | undefined {
  return filter === "all" ? undefined : filter;
}

/** The invitees an inviter may count at most: the program's cap, or the last stage's invitees. */
export function effectiveCap(rules: Schemas["ReferralRules"]): number {
  return rules.per_inviter_cap ?? rules.stages[rules.stages.length - 1]?.invitees ?? 0;
}

/** The stage an inviter with this many counted invitees has reached (1-based; 0: none yet). */
export function stageReached(rules: Schemas["ReferralRules"], qualified: number): number {
  return rules.stages.filter((stage) => stage.invitees <= qualified).length;
}

/** A leaderboard row's rank: its place on the page after the pages before it (page from 1). */
export function rankOf(page: number, pageSize: number, index: number): number {
  return (page - 1) * pageSize + index + 1;
}
