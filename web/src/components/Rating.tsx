import { formatNumber, formatRating } from "../lib/format";
import { t } from "../i18n";

export function Rating({ average, count }: { average: number | null; count: number }) {
  if (average == null || count === 0) {
    return <span className="text-sm text-slate-600">{t("rating.none")}</span>;
  }
  const full = Math.round(average);
  return (
    <span className="inline-flex items-center gap-1 text-sm">
      <span className="font-semibold text-amber-800">{formatRating(average)}</span>
      <span aria-hidden="true" className="text-amber-600">
        {"★".repeat(full)}
        <span className="text-slate-300">{"★".repeat(Math.max(0, 5 - full))}</span>
      </span>
      <span className="sr-only">{t("rating.outOf", { avg: formatRating(average) })}</span>
      <span className="text-slate-600">({t("rating.count", { count: formatNumber(count) })})</span>
    </span>
  );
}
