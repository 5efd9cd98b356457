import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConfigProvider, ErrorBlock } from "antd-mobile";
import enUS from "antd-mobile/es/locales/en-US";
import zhCN from "antd-mobile/es/locales/zh-CN";
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { loadConfig, type RuntimeConfig } from "@shared/config";
import { LanguageProvider, useLanguage } from "@shared/i18n";
import { MemberAppProvider } from "./app";
import type { MemberAuth } from "./auth/methods";
import { MemberRoutes } from "./routes";

const queries = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 5_000 } } });

function Localized({ children }: { children: ReactNode }) {
  const { language } = useLanguage();
  return <ConfigProvider locale={language === "en" ? enUS : zhCN}>{children}</ConfigProvider>;
}

export function MemberApp({ config }: { config: RuntimeConfig<MemberAuth> }) {
  return (
    <LanguageProvider storageKey="siyu.member.language">
      <Localized>
        <QueryClientProvider client={queries}>
          <MemberAppProvider config={config}>
            <BrowserRouter basename="/m">
              <MemberRoutes />
            </BrowserRouter>
          </MemberAppProvider>
        </QueryClientProvider>
      </Localized>
    </LanguageProvider>
  );
}

const root = createRoot(document.getElementById("root")!);
loadConfig<MemberAuth>(import.meta.env.BASE_URL)
  .then((config) =>
    root.render(
      <StrictMode>
        <MemberApp config={config} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => root.render(<ErrorBlock status="default" title="Siyu" description={String(error)} />));
