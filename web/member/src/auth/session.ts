// The signed-in member: a member token from POST /v1/auth/wechat, kept for this browser.
import { decodeJwtClaims } from "@shared/jwt";

export interface MemberSession {
  token: string;
  tenantId: string;
  contactId: string;
  expiresAt: number; // epoch seconds
}

export function memberSession(token: string): MemberSession {
  const c = decodeJwtClaims(token);
  return { token, tenantId: String(c["tenant_id"] ?? ""), contactId: String(c["sub"] ?? ""), expiresAt: Number(c["exp"] ?? 0) };
}

const KEY = "siyu.member.session";

export function storedMemberSession(): MemberSession | null {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) ?? "null") as MemberSession | null;
    return session && session.expiresAt * 1000 > Date.now() ? session : null;
  } catch {
    return null;
  }
}

const TENANT_KEY = "siyu.member.tenant";

export function storeMemberSession(session: MemberSession | null): void {
  if (session) {
    localStorage.setItem(KEY, JSON.stringify(session));
    localStorage.setItem(TENANT_KEY, session.tenantId);
  } else localStorage.removeItem(KEY);
}

/** The tenant this browser last signed in to: pages opened without a code's `?tenant=` sign in there. */
export function lastTenant(): string | null {
  return localStorage.getItem(TENANT_KEY);
}
