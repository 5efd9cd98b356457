// The signed-in staff member, whatever signed them in: the claims the API authorises by.
import { decodeJwtClaims } from "@shared/jwt";

export type Role = "admin" | "manager" | "agent" | "guide";
export const ROLES: readonly Role[] = ["admin", "manager", "agent", "guide"];

export interface Session {
  token: string;
  tenantId: string;
  staffId: string;
  roles: Role[];
  name?: string;
  expiresAt: number; // epoch seconds
}

/** A session from a staff token: Siyu-issued tokens carry tenant_id and roles; Cognito ID tokens
 * carry custom:tenant_id and cognito:groups. */
export function sessionFromToken(token: string): Session {
  const claims = decodeJwtClaims(token);
  const groups = (claims["roles"] ?? claims["cognito:groups"] ?? []) as string[];
  return {
    token,
    tenantId: String(claims["tenant_id"] ?? claims["custom:tenant_id"] ?? ""),
    staffId: String(claims["sub"] ?? ""),
    roles: groups.filter((g): g is Role => (ROLES as readonly string[]).includes(g)),
    name: typeof claims["email"] === "string" ? claims["email"] : undefined,
    expiresAt: Number(claims["exp"] ?? 0),
  };
}

const KEY = "siyu.console.session";

export function storedSession(): Session | null {
  const raw = localStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    return session.expiresAt * 1000 > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}
