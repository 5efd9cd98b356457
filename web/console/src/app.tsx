// What every page reads: the runtime config, the signed-in session, the typed API client and the
// access check — one context, set up once in main.tsx.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { createApi, type Api } from "@shared/api/client";
import { operations, type Operation } from "@shared/api/access";
import type { RuntimeConfig } from "@shared/config";
import type { ConsoleAuth, SignInMethod } from "./auth/methods";
import { signInMethod } from "./auth/methods";
import { storeSession, storedSession, type Role, type Session } from "./auth/session";

interface AppValue {
  config: RuntimeConfig<ConsoleAuth>;
  method: SignInMethod;
  session: Session | null;
  signIn: (session: Session) => void;
  signOut: () => void;
  api: Api;
  /** May the signed-in staff member call this operation? The API enforces it anyway. */
  can: (operation: Operation) => boolean;
}

const AppContext = createContext<AppValue | null>(null);

/** The roles the API admits on an operation, from the generated access table. */
export function allowed(operation: Operation, roles: readonly Role[]): boolean {
  const rule = operations[operation];
  if (rule.access === "public") return true;
  if (rule.access === "member") return false;
  return roles.some((role) => (rule.roles as readonly string[]).includes(role));
}

export function AppProvider({ config, children }: { config: RuntimeConfig<ConsoleAuth>; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => storedSession());
  // Whoever signs in next on this tab (another tenant, another role) must not see what the last
  // session read: every change of session empties the query cache.
  const queries = useQueryClient();
  const replaceSession = useCallback(
    (next: Session | null) => {
      queries.clear();
      storeSession(next);
      setSession(next);
    },
    [queries],
  );
  const signIn = useCallback((next: Session) => replaceSession(next), [replaceSession]);
  const method = useMemo(() => signInMethod(config.auth), [config.auth]);
  const signOut = useCallback(() => {
    replaceSession(null);
    const away = method.signOutUrl?.();
    if (away) window.location.assign(away);
  }, [method, replaceSession]);
  const api = useMemo(
    () => createApi(config.apiBaseUrl, () => storedSession()?.token ?? null, () => replaceSession(null)),
    [config.apiBaseUrl, replaceSession],
  );
  const can = useCallback((operation: Operation) => allowed(operation, session?.roles ?? []), [session]);
  const value = useMemo(
    () => ({ config, method, session, signIn, signOut, api, can }),
    [config, method, session, signIn, signOut, api, can],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside AppProvider");
  return value;
}

/** The typed client, for pages: `const api = useApi(); unwrap(api.GET("/v1/contacts", …))`. */
export function useApi(): Api {
  return useApp().api;
}

export function useSession(): Session {
  const session = useApp().session;
  if (!session) throw new Error("a page behind sign-in rendered without a session");
  return session;
}

export function useCan(): (operation: Operation) => boolean {
  return useApp().can;
}

/** Renders its children only when the role may call the operation. */
export function Can({ op, children }: { op: Operation; children: ReactNode }) {
  return useCan()(op) ? <>{children}</> : null;
}
