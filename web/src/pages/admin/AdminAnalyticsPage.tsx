import { useId, useState } from "react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { adminApi } from "../../api/endpoints";
import type { Granularity, SiteFigures } from "../../api/types";
import { ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatMoney, formatNumber } from "../../lib/format";
import { useTitle } from "../../lib/hooks";

const iso = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => iso(new Date(Date.now() - n * 86_400_000));

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div className="card p-4">
      <dt className="text-sm text-slate-700">{label}</dt>
      <dd className="mt-1 text-2xl font-bold text-slate-900">{value}</dd>
    </div>
  );
}

function pct(v: number | null): string {
  return v == null ? "—" : `${Math.round(v * 100)}%`;
}

function revenueText(f: SiteFigures): string {
  if (f.revenue.length === 0) return formatMoney({ amount: 0, currency: "INR" });
  return f.revenue.map((r) => formatMoney({ amount: r.amount, currency: r.currency })).join(" + ");
}

export default function AdminAnalyticsPage() {
  useTitle(t("admin.analytics"));
  const id = useId();
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(iso(new Date()));
  const [granularity, setGranularity] = useState<Granularity>("day");
  const params = { from, to, granularity };
  const q = useQuery({
    queryKey: ["admin", "analytics", params],
    queryFn: ({ signal }) => adminApi.analytics(params, signal),
    placeholderData: keepPreviousData,
  });
  const csv = useMutation({ mutationFn: () => adminApi.downloadAnalyticsCsv(params) });

  const currency = q.data?.totals.revenue[0]?.currency ?? "INR";
  const series =
    q.data?.series.map((p) => ({
      period: p.period,
      registrations: p.registrations,
      enrollments: p.enrollments,
      completions: p.completions,
      active: Math.round(p.active_users_avg),
      revenue: (p.revenue.find((r) => r.currency === currency)?.amount ?? 0) / 100,
    })) ?? [];

  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-3xl font-bold">{t("admin.analytics")}</h1>
        <button type="button" className="btn-secondary" onClick={() => csv.mutate()} disabled={csv.isPending}>
          {t("admin.exportCsv")}
        </button>
      </div>
      <FormError error={csv.error} />
      <form className="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-3" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor={`${id}-from`} className="block text-sm font-medium text-slate-800">
            {t("admin.from")}
          </label>
          <input id={`${id}-from`} type="date" className="input mt-1" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-to`} className="block text-sm font-medium text-slate-800">
            {t("admin.to")}
          </label>
          <input id={`${id}-to`} type="date" className="input mt-1" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-g`} className="block text-sm font-medium text-slate-800">
            {t("admin.granularity")}
          </label>
          <select id={`${id}-g`} className="select mt-1" value={granularity} onChange={(e) => setGranularity(e.target.value as Granularity)}>
            <option value="day">{t("admin.day")}</option>
            <option value="week">{t("admin.week")}</option>
            <option value="month">{t("admin.month")}</option>
          </select>
        </div>
      </form>

      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <div className="mt-6">
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        </div>
      ) : (
        <div aria-busy={q.isFetching}>
          <dl className="mt-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Tile label={t("admin.kpi.registrations")} value={formatNumber(q.data.totals.registrations)} />
            <Tile label={t("admin.kpi.enrollments")} value={formatNumber(q.data.totals.enrollments)} />
            <Tile label={t("admin.kpi.completions")} value={formatNumber(q.data.totals.completions)} />
            <Tile label={t("admin.kpi.revenue")} value={revenueText(q.data.totals)} />
            <Tile label={t("admin.kpi.activeAvg")} value={formatNumber(Math.round(q.data.totals.active_users_avg))} />
            <Tile label={t("admin.kpi.activePeak")} value={formatNumber(q.data.totals.active_users_peak)} />
            <Tile label={t("admin.kpi.passRate")} value={pct(q.data.totals.quiz_pass_rate)} />
            <Tile label={t("admin.kpi.certificates")} value={formatNumber(q.data.totals.certificates)} />
          </dl>

          <section aria-labelledby={`${id}-activity`} className="card mt-6">
            <h2 id={`${id}-activity`} className="mb-4 text-lg font-semibold">
              {t("admin.activity")}
            </h2>
            <div className="h-72" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart accessibilityLayer={false} data={series} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="period" tick={{ fontSize: 12, fill: "#334155" }} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: "#334155" }} width={40} />
                  <Tooltip />
                  <Legend />
                  <Line type="monotone" dataKey="registrations" name={t("admin.kpi.registrations")} stroke="#1e40af" strokeWidth={2} dot={false} />
                  <Line type="monotone" dataKey="enrollments" name={t("admin.kpi.enrollments")} stroke="#b45309" strokeWidth={2} dot={false} />
                  <Line type="monotone" dataKey="completions" name={t("admin.kpi.completions")} stroke="#15803d" strokeWidth={2} dot={false} />
                  <Line type="monotone" dataKey="active" name={t("admin.kpi.activeAvg")} stroke="#7c3aed" strokeWidth={2} dot={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </section>

          <section aria-labelledby={`${id}-revenue`} className="card mt-6">
            <h2 id={`${id}-revenue`} className="mb-4 text-lg font-semibold">
              {t("admin.revenueChart", { currency })}
            </h2>
            <div className="h-64" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart accessibilityLayer={false} data={series} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="period" tick={{ fontSize: 12, fill: "#334155" }} />
                  <YAxis tick={{ fontSize: 12, fill: "#334155" }} width={56} />
                  <Tooltip />
                  <Bar dataKey="revenue" name={t("admin.kpi.revenue")} fill="#1e3a8a" />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </section>

          {/* The same figures as a table, for screen readers and keyboard users. */}
          <details className="card mt-6">
            <summary className="cursor-pointer font-semibold">{t("admin.dataTable")}</summary>
            <div className="relative mt-3 overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead>
                  <tr className="border-b border-slate-200">
                    <th scope="col" className="py-1 pr-3">{t("admin.period")}</th>
                    <th scope="col" className="py-1 pr-3">{t("admin.kpi.registrations")}</th>
                    <th scope="col" className="py-1 pr-3">{t("admin.kpi.enrollments")}</th>
                    <th scope="col" className="py-1 pr-3">{t("admin.kpi.completions")}</th>
                    <th scope="col" className="py-1 pr-3">{t("admin.kpi.activeAvg")}</th>
                    <th scope="col" className="py-1 pr-3">{t("admin.kpi.revenue")}</th>
                  </tr>
                </thead>
                <tbody>
                  {series.map((p) => (
                    <tr key={p.period} className="border-b border-slate-100">
                      <th scope="row" className="py-1 pr-3 font-normal">{p.period}</th>
                      <td className="py-1 pr-3">{p.registrations}</td>
                      <td className="py-1 pr-3">{p.enrollments}</td>
                      <td className="py-1 pr-3">{p.completions}</td>
                      <td className="py-1 pr-3">{p.active}</td>
                      <td className="py-1 pr-3">{formatMoney({ amount: Math.round(p.revenue * 100), currency })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </div>
      )}
    </div>
  );
}
