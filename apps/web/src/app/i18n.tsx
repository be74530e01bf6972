import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { dictionaries, format, type Lang, type MessageKey } from "./messages";

const STORAGE_KEY = "certhall.lang";

export function initialLang(stored: string | null | undefined): Lang {
  // Chinese first: only an explicit earlier choice of English switches the UI.
  return stored === "en" ? "en" : "zh";
}

function readStoredLang(): Lang {
  try {
    return initialLang(localStorage.getItem(STORAGE_KEY));
  } catch {
    return "zh";
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18nValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(readStoredLang);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);

  const value = useMemo<I18nValue>(() => {
    const dict = dictionaries[lang];
    return { lang, setLang, t: (key, vars) => format(dict[key], vars) };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n must be used inside <I18nProvider>");
  return value;
}
