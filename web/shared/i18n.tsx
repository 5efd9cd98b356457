// Chinese (zh-CN) first, English on a switch. The language lives in one context; each area of an
// app defines its own messages next to its pages (zh-CN is the source of the keys, and English
// must have every one of them: the compiler says when a key is missing), so no file is shared by
// every page. The choice is remembered per app.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

export type Language = "zh-CN" | "en";

interface LanguageValue {
  language: Language;
  setLanguage: (language: Language) => void;
}

const LanguageContext = createContext<LanguageValue | null>(null);

export function LanguageProvider({
  children,
  storageKey,
  initial,
}: {
  children: ReactNode;
  storageKey: string;
  initial?: Language;
}) {
  const [language, setState] = useState<Language>(() => {
    if (initial) return initial;
    const stored = localStorage.getItem(storageKey);
    return stored === "en" || stored === "zh-CN" ? stored : "zh-CN";
  });
  const setLanguage = useCallback(
    (next: Language) => {
      localStorage.setItem(storageKey, next);
      setState(next);
    },
    [storageKey],
  );
  document.documentElement.lang = language;
  const value = useMemo(() => ({ language, setLanguage }), [language, setLanguage]);
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useLanguage(): LanguageValue {
  const value = useContext(LanguageContext);
  if (!value) throw new Error("useLanguage outside LanguageProvider");
  return value;
}

export type Translate<K extends string> = (key: K, values?: Record<string, string | number>) => string;

/** One area's messages: `const useT = defineMessages({...zh}, {...en})`, then `const t = useT()`. */
export function defineMessages<D extends Record<string, string>>(zh: D, en: { [K in keyof D]: string }) {
  type Key = Extract<keyof D, string>;
  return function useT(): Translate<Key> {
    const { language } = useLanguage();
    return useCallback<Translate<Key>>(
      (key, values) => {
        const dictionary: Record<string, string> = language === "en" ? en : zh;
        return (dictionary[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) =>
          values && name in values ? String(values[name]) : whole,
        );
      },
      [language],
    );
  };
}
