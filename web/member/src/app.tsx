// What every member page reads: config, the member's session and the typed API client.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { createApi, type Api } from "@shared/api/client";
import type { RuntimeConfig } from "@shared/config";
import type { MemberAuth } from "./auth/methods";
import { storeMemberSession, storedMemberSession, type MemberSession } from "./auth/session";
import { rememberSignedOut, signInAccepted } from "./auth/signIn";

/** Why there is no session (null: none yet): the member signed out; the API refused a token it had
 * never accepted (a sign-in that just happened: going to WeChat again would loop); or refused one
 * it had accepted before (it expired or was revoked: signing in again is what the member needs). */
export type SignedOut = "by-member" | "refused-fresh" | "refused" | null;

interface MemberApp {
  config: RuntimeConfig<MemberAuth>;
  session: MemberSession | null;
  signedOut: SignedOut;
  signIn: (session: MemberSession) => void;
  signOut: () => void;
  api: Api;
}

const Context = createContext<MemberApp | null>(null);

export function MemberAppProvider({ config, children }: { config: RuntimeConfig<MemberAuth>; children: ReactNode }) {
  const [session, setSession] = useState<MemberSession | null>(() => storedMemberSession());
  const [signedOut, setSignedOut] = useState<SignedOut>(null);
  // The token of a sign-in on this page that the API has not accepted yet.
  const fresh = useRef<string | null>(null);
  const accepted = useRef<string | null>(null);

  const end = useCallback((reason: Exclude<SignedOut, null>) => {
    storeMemberSession(null);
    setSignedOut(reason);
    setSession(null);
  }, []);
  const signIn = useCallback((next: MemberSession) => {
    storeMemberSession(next);
    rememberSignedOut(false);
    fresh.current = next.token;
    setSignedOut(null);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    rememberSignedOut(true);
    end("by-member");
  }, [end]);
  const onUnauthorized = useCallback(
    (token: string | null) => {
      // Only about the current session: a late 401 for an earlier token, or for a call that sent none, changes nothing.
      if (!token || token !== storedMemberSession()?.token) return;
      end(token === fresh.current ? "refused-fresh" : "refused");
    },
    [end],
  );
  const onAccepted = useCallback((token: string) => {
    if (accepted.current === token) return;
    accepted.current = token;
    if (fresh.current === token) fresh.current = null;
    signInAccepted();
  }, []);
  const api = useMemo(
    () => createApi(config.apiBaseUrl, () => storedMemberSession()?.token ?? null, onUnauthorized, onAccepted),
    [config.apiBaseUrl, onUnauthorized, onAccepted],
  );
  const value = useMemo(
    () => ({ config, session, signedOut, signIn, signOut, api }),
    [config, session, signedOut, signIn, signOut, api],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useMemberApp(): MemberApp {
  const value = useContext(Context);
  if (!value) throw new Error("useMemberApp outside MemberAppProvider");
  return value;
}

export function useApi(): Api {
  return useMemberApp().api;
}
