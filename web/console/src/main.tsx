import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, Result } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, StrictMode, Suspense, useMemo, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { Skeleton } from "antd";
import { loadConfig, type RuntimeConfig } from "@shared/config";
import { LanguageProvider, useLanguage } from "@shared/i18n";
import { AppProvider, useApp } from "./app";
import type { ConsoleAuth } from "./auth/methods";
import { useCommonT } from "./components/messages";
import { AppLayout } from "./layout/AppLayout";
import { usePrefersReducedMotion } from "./reducedMotion";
import { PAGES, mayOpen, type PageRoute } from "./routes";

// Signing in is once a session: its form is its own chunk, not part of every page's first load.
const SignInPage = lazy(() => import("./auth/SignInPage").then((module) => ({ default: module.SignInPage })));
const CallbackPage = lazy(() => import("./auth/SignInPage").then((module) => ({ default: module.CallbackPage })));

const queries = new QueryClient({
  defaultOptions: { queries: { retry: (count, error) => count < 2 && !("status" in error && Number(error.status) >= 400 && Number(error.status) < 500), staleTime: 10_000 } },
});

// Ant Design's default secondary and placeholder greys fall below WCAG AA contrast on white, and its
// primary hover colour is a lighter tint that fails it under white button text: hover goes darker.
const THEME = {
  token: { colorPrimary: "#0a7b55", colorPrimaryHover: "#086b4a", colorPrimaryActive: "#065a3e", colorTextSecondary: "rgba(0, 0, 0, 0.65)", colorTextTertiary: "rgba(0, 0, 0, 0.6)", colorTextPlaceholder: "rgba(0, 0, 0, 0.55)", colorTextDescription: "rgba(0, 0, 0, 0.65)", colorLink: "#0a7b55", colorError: "#cf1322", colorLinkHover: "#065a3e", colorLinkActive: "#044a33" },
  components: { Menu: { itemSelectedBg: "#e3f2ec", itemSelectedColor: "#065a3e" } },
};

function Guarded({ page }: { page: PageRoute }) {
  const { can } = useApp();
  const t = useCommonT();
  if (!mayOpen(page, can)) return <Result status="403" title={t("forbidden")} subTitle={t("forbiddenDetail")} />;
  const Page = page.component;
  return (
    <Suspense fallback={<Skeleton active />}>
      <Page />
    </Suspense>
  );
}

function SignedIn({ children }: { children: ReactNode }) {
  const { session } = useApp();
  return session ? <>{children}</> : <Navigate to="/sign-in" replace />;
}

function NotFound() {
  const t = useCommonT();
  return <Result status="404" title={t("notFound")} />;
}

function Localized({ children }: { children: ReactNode }) {
  const { language } = useLanguage();
  // Dialogs zoom, drawers slide and menus fold unless the person asked their system for less motion.
  const still = usePrefersReducedMotion();
  const theme = useMemo(() => ({ ...THEME, token: { ...THEME.token, motion: !still } }), [still]);
  return (
    <ConfigProvider locale={language === "en" ? enUS : zhCN} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function ConsoleApp({ config }: { config: RuntimeConfig<ConsoleAuth> }) {
  return (
    <LanguageProvider storageKey="siyu.console.language">
      <Localized>
        <QueryClientProvider client={queries}>
          <AppProvider config={config}>
            <BrowserRouter basename="/console">
              <Routes>
                <Route path="/sign-in" element={<Suspense fallback={<Skeleton active />}><SignInPage /></Suspense>} />
                <Route path="/auth/callback" element={<Suspense fallback={<Skeleton active />}><CallbackPage /></Suspense>} />
                <Route
                  element={
                    <SignedIn>
                      <AppLayout />
                    </SignedIn>
                  }
                >
                  {PAGES.map((page) => (
                    <Route key={page.path} path={page.path} element={<Guarded page={page} />} />
                  ))}
                  <Route path="*" element={<NotFound />} />
                </Route>
              </Routes>
            </BrowserRouter>
          </AppProvider>
        </QueryClientProvider>
      </Localized>
    </LanguageProvider>
  );
}

const root = createRoot(document.getElementById("root")!);
loadConfig<ConsoleAuth>(import.meta.env.BASE_URL)
  .then((config) =>
    root.render(
      <StrictMode>
        <ConsoleApp config={config} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => root.render(<Result status="error" title="Siyu" subTitle={String(error)} />));
