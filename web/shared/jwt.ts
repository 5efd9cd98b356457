// A JWT's claims, unverified: the API verifies every token; the frontends only read whom a token is
// for (tenant, subject, roles, expiry) to show and keep the session.
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const payload = (token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "="));
  const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  if (!claims || typeof claims !== "object" || Array.isArray(claims)) throw new Error("The token's payload is not a JSON object.");
  return claims as Record<string, unknown>;
}
