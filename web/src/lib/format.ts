/** Integer minor units with an ISO currency code. */
interface Money {
  amount: number;
  currency: string;
}
import { intlLocale, t } from "../i18n";

export function formatMoney(price: Money | null | undefined): string {
  if (!price) return t("price.free");
  try {
    return new Intl.NumberFormat(intlLocale(), {
      style: "currency",
      currency: price.currency || "INR",
      minimumFractionDigits: price.amount % 100 === 0 ? 0 : 2,
      maximumFractionDigits: 2,
    }).format(price.amount / 100);
  } catch {
    return `${(price.amount / 100).toFixed(2)} ${price.currency}`;
  }
}

export function formatDuration(seconds: number | null | undefined): string {
  if (!seconds || seconds <= 0) return "";
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  if (h > 0) return m > 0 ? t("duration.hm", { h, m }) : t("duration.h", { h });
  return t("duration.m", { m: Math.max(1, m) });
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(intlLocale(), { notation: n >= 10000 ? "compact" : "standard" }).format(n);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: "medium" }).format(d);
}

export function formatRating(avg: number | null | undefined): string {
  if (avg == null) return "";
  return avg.toFixed(1);
}

const LEVELS: Record<string, Parameters<typeof t>[0]> = {
  beginner: "level.beginner",
  intermediate: "level.intermediate",
  advanced: "level.advanced",
  all: "level.all",
  all_levels: "level.all",
};

export function levelLabel(level: string | null | undefined): string {
  if (!level) return "";
  const key = LEVELS[level];
  return key ? t(key) : level;
}

const LANGS: Record<string, string> = { en: "English", te: "తెలుగు (Telugu)", hi: "हिन्दी (Hindi)" };
export function languageLabel(code: string | null | undefined): string {
  if (!code) return "";
  return LANGS[code] ?? code;
}

const KINDS: Record<string, Parameters<typeof t>[0]> = {
  video: "lesson.kind.video",
  text: "lesson.kind.text",
  file: "lesson.kind.file",
  link: "lesson.kind.link",
  quiz: "lesson.kind.quiz",
};
export function kindLabel(kind: string): string {
  const key = KINDS[kind];
  return key ? t(key) : kind;
}
