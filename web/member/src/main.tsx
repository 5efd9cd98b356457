import "antd-mobile/es/global";
import ConfigProvider from "antd-mobile/es/components/config-provider";
import enUS from "antd-mobile/es/locales/en-US";
import zhCN from "antd-mobile/es/locales/zh-CN";
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { loadConfig, type RuntimeConfig } from "@shared/config";
import { LanguageProvider, useLanguage } from "@shared/i18n";
import { MemberAppProvider } from "./app";
import type { MemberAuth } from "./auth/methods";
import { followMotionPreference } from "./motion";
import { MemberRoutes } from "./routes";
import "./theme.css";

// The landing page (/m/scan) is what a scanned code opens: this entry carries only what it needs
// (no data-layer library, antd-mobile components imported one by one); every other page is a lazy
// chunk behind the member layout (routes.tsx), which brings React Query with it.

function Localized({ children }: { children: ReactNode }) {
  const { language } = useLanguage();
  return <ConfigProvider locale={language === "en" ? enUS : zhCN}>{children}</ConfigProvider>;
}

export function MemberApp({ config }: { config: RuntimeConfig<MemberAuth> }) {
  return (
    <LanguageProvider storageKey="siyu.member.language">
      <Localized>
        <MemberAppProvider config={config}>
          <BrowserRouter basename="/m">
            <MemberRoutes />
          </BrowserRouter>
        </MemberAppProvider>
      </Localized>
    </LanguageProvider>
  );
}

followMotionPreference();
const root = createRoot(document.getElementById("root")!);
loadConfig<MemberAuth>(import.meta.env.BASE_URL)
  .then((config) =>
    root.render(
      <StrictMode>
        <MemberApp config={config} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) =>
    root.render(
      <main className="m-page" role="alert">
        <h1 className="m-title">Siyu</h1>
        <p>{String(error)}</p>
      </main>,
    ),
  );
