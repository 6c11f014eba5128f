import { useId, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Granularity } from "../api/types";
import { t } from "../i18n";
import { formatMoney } from "../lib/format";

const iso = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => iso(new Date(Date.now() - n * 86_400_000));

export interface Period {
  from: string;
  to: string;
  granularity: Granularity;
}

/** The reporting period of an analytics page: the last 30 days by day, until the user changes it. */
export function usePeriod(): [Period, (next: Partial<Period>) => void] {
  const [period, setPeriod] = useState<Period>(() => ({ from: daysAgo(29), to: iso(new Date()), granularity: "day" }));
  return [period, (next) => setPeriod((p) => ({ ...p, ...next }))];
}

/** From/to dates and the grouping of an analytics page. An emptied date field keeps the last date. */
export function PeriodFilter({ period, onChange }: { period: Period; onChange: (next: Partial<Period>) => void }) {
  const id = useId();
  return (
    <form className="grid grid-cols-1 gap-3 sm:grid-cols-3" onSubmit={(e) => e.preventDefault()}>
      <div>
        <label htmlFor={`${id}-from`} className="block text-sm font-medium text-slate-800">
          {t("admin.from")}
        </label>
        <input
          id={`${id}-from`}
          type="date"
          className="input mt-1"
          value={period.from}
          max={period.to}
          onChange={(e) => e.target.value && onChange({ from: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor={`${id}-to`} className="block text-sm font-medium text-slate-800">
          {t("admin.to")}
        </label>
        <input
          id={`${id}-to`}
          type="date"
          className="input mt-1"
          value={period.to}
          min={period.from}
          onChange={(e) => e.target.value && onChange({ to: e.target.value })}
        />
      </div>
      <div>
        <label htmlFor={`${id}-g`} className="block text-sm font-medium text-slate-800">
          {t("admin.granularity")}
        </label>
        <select
          id={`${id}-g`}
          className="select mt-1"
          value={period.granularity}
          onChange={(e) => onChange({ granularity: e.target.value as Granularity })}
        >
          <option value="day">{t("admin.day")}</option>
          <option value="week">{t("admin.week")}</option>
          <option value="month">{t("admin.month")}</option>
        </select>
      </div>
    </form>
  );
}

/** One headline figure. */
export function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div className="card p-4">
      <dt className="text-sm text-slate-700">{label}</dt>
      <dd className="mt-1 text-2xl font-bold text-slate-900">{value}</dd>
    </div>
  );
}

/** A 0–1 rate as a whole percentage, or a dash when there is nothing to divide. */
export function percent(v: number | null): string {
  return v == null ? "—" : `${Math.round(v * 100)}%`;
}

/** Revenue in each currency it came in, joined ("₹1,200 + $40"); nothing yet reads ₹0. */
export function moneyTotal(revenue: { amount: number; currency: string }[]): string {
  if (revenue.length === 0) return formatMoney({ amount: 0, currency: "INR" });
  return revenue.map((r) => formatMoney(r)).join(" + ");
}

export interface ChartLine {
  key: string;
  name: string;
  color: string;
}

/** Counts per period as lines, in a titled card. The chart is hidden from screen readers: the tiles above
    it carry the same totals as text. */
export function ActivityChart({ title, data, lines, className = "" }: { title: string; data: object[]; lines: ChartLine[]; className?: string }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`card ${className}`}>
      <h2 id={id} className="mb-4 text-lg font-semibold">
        {title}
      </h2>
      <div className="h-72" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart accessibilityLayer={false} data={data} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="period" tick={{ fontSize: 12, fill: "#334155" }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: "#334155" }} width={40} />
            <Tooltip />
            <Legend />
            {lines.map((l) => (
              <Line key={l.key} type="monotone" dataKey={l.key} name={l.name} stroke={l.color} strokeWidth={2} dot={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
