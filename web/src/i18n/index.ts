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

/** The languages a user can choose, each named in its own language. */
export const LOCALES: { code: Locale; name: string }[] = [
  { code: "en", name: "English" },
  { code: "te", name: "తెలుగు" },
];

const STORAGE_KEY = "lms.locale";

function isLocale(value: string | null): value is Locale {
  return LOCALES.some((l) => l.code === value);
}

/** The language saved on this device, if one was chosen here. */
export function savedLocale(): Locale | null {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return isLocale(saved) ? saved : null;
  } catch {
    return null; // Storage blocked (private mode, policy).
  }
}

/** The chosen language: the one saved on this device, else Telugu for a browser set to Telugu, else English. */
export function preferredLocale(): Locale {
  const saved = savedLocale();
  if (saved) return saved;
  const browser = typeof navigator !== "undefined" ? navigator.languages ?? [navigator.language] : [];
  return browser.some((tag) => tag?.toLowerCase().startsWith("te")) ? "te" : "en";
}

/** Load the preferred language's messages (Telugu is a separate chunk, fetched only when chosen) and use it. */
export async function startLocale(): Promise<Locale> {
  const wanted = preferredLocale();
  if (wanted === "te") {
    try {
      const { te } = await import("./te");
      addMessages("te", te);
    } catch {
      // Offline before the chunk was ever cached: English rather than a blank page.
      setLocale("en");
      return "en";
    }
  }
  setLocale(wanted);
  return wanted;
}

/** Save a language choice on this device and reload, so every page renders in it. */
export function chooseLocale(next: Locale, reload: () => void = () => window.location.reload()): void {
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not saved; the reload below still shows the browser's default.
  }
  reload();
}

/** The current language's own message for `key` (never the English fallback; undefined in English). */
export function ownMessage(key: string): string | undefined {
  return locale === "en" ? undefined : dictionaries[locale][key as MessageKey];
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
