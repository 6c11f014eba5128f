import { useId } from "react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { adminApi } from "../../api/endpoints";
import { ActivityChart, moneyTotal, PeriodFilter, percent, Tile, usePeriod } from "../../components/Analytics";
import { ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatMoney, formatNumber } from "../../lib/format";
import { useTitle } from "../../lib/hooks";

export default function AdminAnalyticsPage() {
  useTitle(t("admin.analytics"));
  const id = useId();
  const [params, setParams] = usePeriod();
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
      <div className="mt-4">
        <PeriodFilter period={params} onChange={setParams} />
      </div>

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
            <Tile label={t("admin.kpi.revenue")} value={moneyTotal(q.data.totals.revenue)} />
            <Tile label={t("admin.kpi.activeAvg")} value={formatNumber(Math.round(q.data.totals.active_users_avg))} />
            <Tile label={t("admin.kpi.activePeak")} value={formatNumber(q.data.totals.active_users_peak)} />
            <Tile label={t("admin.kpi.passRate")} value={percent(q.data.totals.quiz_pass_rate)} />
            <Tile label={t("admin.kpi.certificates")} value={formatNumber(q.data.totals.certificates)} />
          </dl>

          <ActivityChart
            className="mt-6"
            title={t("admin.activity")}
            data={series}
            lines={[
              { key: "registrations", name: t("admin.kpi.registrations"), color: "#1e40af" },
              { key: "enrollments", name: t("admin.kpi.enrollments"), color: "#b45309" },
              { key: "completions", name: t("admin.kpi.completions"), color: "#15803d" },
              { key: "active", name: t("admin.kpi.activeAvg"), color: "#7c3aed" },
            ]}
          />

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
