// What every member page reads: config, the member's session and the typed API client.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { createApi, type Api } from "@shared/api/client";
import type { RuntimeConfig } from "@shared/config";
import type { MemberAuth } from "./auth/methods";
import { storeMemberSession, storedMemberSession, type MemberSession } from "./auth/session";

interface MemberApp {
  config: RuntimeConfig<MemberAuth>;
  session: MemberSession | null;
  signIn: (session: MemberSession) => void;
  signOut: () => void;
  api: Api;
}

const Context = createContext<MemberApp | null>(null);

export function MemberAppProvider({ config, children }: { config: RuntimeConfig<MemberAuth>; children: ReactNode }) {
  const [session, setSession] = useState<MemberSession | null>(() => storedMemberSession());
  const signIn = useCallback((next: MemberSession) => {
    storeMemberSession(next);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    storeMemberSession(null);
    setSession(null);
  }, []);
  const api = useMemo(
    () => createApi(config.apiBaseUrl, () => storedMemberSession()?.token ?? null, signOut),
    [config.apiBaseUrl, signOut],
  );
  const value = useMemo(() => ({ config, session, signIn, signOut, api }), [config, session, signIn, signOut, api]);
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
