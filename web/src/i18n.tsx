// Korean by default, English on request (remembered in localStorage): one
// typed dictionary per language, `t("key", { n: 3 })` fills `{n}`.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { en } from "./messages/en.ts";
import { ko } from "./messages/ko.ts";

export type Lang = "ko" | "en";
export type MessageKey = keyof typeof ko;
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { ko, en };
const LANG_KEY = "alimi.lang";

interface I18n {
  lang: Lang;
  /** The BCP 47 tag for Intl formatting. */
  locale: string;
  t: Translate;
  setLang(lang: Lang): void;
}

const Context = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "ko";
  } catch {
    return "ko";
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    document.documentElement.lang = next;
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // Storage refused: the choice lasts until a reload.
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const dictionary = DICTIONARIES[lang];
    const t: Translate = (key, values) => {
      const text = dictionary[key] ?? key;
      if (!values) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in values ? String(values[name]) : whole,
      );
    };
    document.documentElement.lang = lang;
    return { lang, locale: lang === "ko" ? "ko-KR" : "en-US", t, setLang };
  }, [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
