import { en, type MessageKey } from "./en";

export type { MessageKey };
export type Dictionary = Partial<Record<MessageKey, string>>;
export type Locale = "en" | "te";

/** Locales other than English are partial; any missing key falls back to English. */
const dictionaries: Record<Locale, Dictionary> = { en, te: {} };

let locale: Locale = "en";

export function setLocale(next: Locale): void {
  locale = next;
  if (typeof document !== "undefined") document.documentElement.lang = next;
}

export function getLocale(): Locale {
  return locale;
}

/** Register (or extend) a dictionary, e.g. a lazily loaded Telugu one. */
export function addMessages(l: Locale, messages: Dictionary): void {
  dictionaries[l] = { ...dictionaries[l], ...messages };
}

/** Translate `key`, replacing `{name}` placeholders with `vars.name`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const template = dictionaries[locale][key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m,
  );
}

/** Locale tag for Intl formatters. */
export function intlLocale(): string {
  return locale === "te" ? "te-IN" : "en-IN";
}
