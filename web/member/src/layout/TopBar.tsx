// The bar on top of every page: the app's name, the language switch and, signed in, sign-out.
import { useLanguage } from "@shared/i18n";
import { useMemberApp } from "../app";
import { useCommonT } from "../messages";

export function TopBar({ onSignOut }: { onSignOut?: () => void }) {
  const t = useCommonT();
  const { language, setLanguage } = useLanguage();
  const { session, signOut } = useMemberApp();
  return (
    <header className="m-topbar">
      <div className="m-topbar-inner">
        <span className="m-brand">{t("appName")}</span>
        <span>
          <button
            type="button"
            className="m-link-button"
            lang={language === "en" ? "zh-CN" : "en"}
            onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}
          >
            {t("switchLanguage")}
          </button>
          {session && (
            <button
              type="button"
              className="m-link-button"
              onClick={() => {
                signOut();
                onSignOut?.();
              }}
            >
              {t("signOut")}
            </button>
          )}
        </span>
      </div>
    </header>
  );
}
