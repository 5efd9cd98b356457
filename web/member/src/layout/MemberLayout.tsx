// Every page but the landing: React Query, sign-in when needed, the top bar and the tab bar.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { unstableSetRender } from "antd-mobile/es/utils/unstable-render";
import Toast from "antd-mobile/es/components/toast";
import { Suspense, useEffect } from "react";
import { createRoot, type Root } from "react-dom/client";
import { NavLink, Outlet, useLocation, useSearchParams } from "react-router-dom";
import { useMemberApp } from "../app";
import { SignInCard } from "../auth/SignInCard";
import { lastTenant } from "../auth/session";
import { useCommonT } from "../messages";
import { PageLoading } from "../components/PageLoading";
import { TopBar } from "./TopBar";

// antd-mobile's Toast and Dialog.confirm render outside the tree; with React 19 they need createRoot.
unstableSetRender((node, container) => {
  const host = container as Element & { _siyuRoot?: Root };
  host._siyuRoot ??= createRoot(host);
  const root = host._siyuRoot;
  root.render(node);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    root.unmount();
    delete host._siyuRoot;
  };
});

const queries = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 5_000 } } });

const TABS = [
  { to: "/", key: "tabPoints", icon: "◎", end: true },
  { to: "/checkin", key: "tabCheckin", icon: "✓", end: false },
  { to: "/rewards", key: "tabRewards", icon: "❖", end: false },
  { to: "/cases", key: "tabCases", icon: "✉", end: false },
] as const;

export default function MemberLayout() {
  const t = useCommonT();
  const { session } = useMemberApp();
  const [params] = useSearchParams();
  const tenant = params.get("tenant") ?? session?.tenantId ?? lastTenant();
  const { pathname } = useLocation();
  useEffect(() => Toast.clear(), [pathname]); // a page's toast does not follow the member to the next
  return (
    <QueryClientProvider client={queries}>
      <TopBar onSignOut={() => queries.clear()} />
      {session ? (
        <>
          <main className="m-page">
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          </main>
          <nav className="m-tabbar" aria-label={t("mainNav")}>
            <div className="m-tabbar-inner">
              {TABS.map((tab) => (
                <NavLink key={tab.to} to={tab.to} end={tab.end} className="m-tab">
                  <span className="m-tab-icon" aria-hidden="true">
                    {tab.icon}
                  </span>
                  {t(tab.key)}
                </NavLink>
              ))}
            </div>
          </nav>
        </>
      ) : (
        <main className="m-page">
          <h1 className="m-title">{t("appName")}</h1>
          <SignInCard tenantId={tenant} />
        </main>
      )}
    </QueryClientProvider>
  );
}
