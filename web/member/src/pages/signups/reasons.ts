// What a refused join or withdrawal says to the member: the API's 409 reasons (and a 404 on a
// withdrawal: no place held) as message keys; anything else is shown as the API said it.
import { ApiError } from "@shared/api/client";

export const REASONS = ["full", "closed", "already_joined", "busy"] as const;
export type ReasonKey = `e_${(typeof REASONS)[number]}` | "e_not_joined";

export function refusalKey(error: unknown, action: "join" | "withdraw"): ReasonKey | null {
  if (!(error instanceof ApiError)) return null;
  if (action === "withdraw" && error.status === 404) return "e_not_joined";
  const reason = REASONS.find((known) => known === error.reason);
  return reason && error.status === 409 ? `e_${reason}` : null;
}
