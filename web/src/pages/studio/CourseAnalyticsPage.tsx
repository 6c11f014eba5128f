import { useId, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useParams } from "react-router";
import { courseAnalyticsApi } from "../../api/endpoints";
import type { Granularity } from "../../api/types";
import { ErrorState, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatMoney, formatNumber } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";

const iso = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => iso(new Date(Date.now() - n * 86_400_000));
const rate = (v: number | null) => (v == null ? "—" : `${Math.round(v * 100)}%`);

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div className="card p-4">
      <dt className="text-sm text-slate-700">{label}</dt>
      <dd className="mt-1 text-2xl font-bold text-slate-900">{value}</dd>
    </div>
  );
}

export default function CourseAnalyticsPage() {
  const { id = "" } = useParams();
  const fid = useId();
  useTitle(`${t("nav.studio")}: ${t("studio.analytics")}`);
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(iso(new Date()));
  const [granularity, setGranularity] = useState<Granularity>("day");
  const params = { from, to, granularity };
  const q = useQuery({
    queryKey: ["studio", "analytics", id, params],
    queryFn: ({ signal }) => courseAnalyticsApi.report(id, params, signal),
    placeholderData: keepPreviousData,
  });
  const series = q.data?.series.map((p) => ({ period: p.period, enrollments: p.enrollments, completions: p.completions, quiz: p.quiz_submissions })) ?? [];
  const revenue = q.data?.totals.revenue ?? [];

  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{t("studio.analytics")}</h1>
      <form className="grid grid-cols-1 gap-3 sm:grid-cols-3" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor={`${fid}-from`} className="block text-sm font-medium text-slate-800">
            {t("admin.from")}
          </label>
          <input id={`${fid}-from`} type="date" className="input mt-1" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${fid}-to`} className="block text-sm font-medium text-slate-800">
            {t("admin.to")}
          </label>
          <input id={`${fid}-to`} type="date" className="input mt-1" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${fid}-g`} className="block text-sm font-medium text-slate-800">
            {t("admin.granularity")}
          </label>
          <select id={`${fid}-g`} className="select mt-1" value={granularity} onChange={(e) => setGranularity(e.target.value as Granularity)}>
            <option value="day">{t("admin.day")}</option>
            <option value="week">{t("admin.week")}</option>
            <option value="month">{t("admin.month")}</option>
          </select>
        </div>
      </form>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <div aria-busy={q.isFetching} className="flex flex-col gap-6">
          <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Tile label={t("admin.kpi.enrollments")} value={formatNumber(q.data.totals.enrollments)} />
            <Tile label={t("admin.kpi.completions")} value={formatNumber(q.data.totals.completions)} />
            <Tile label={t("studio.completionRate")} value={rate(q.data.totals.completion_rate)} />
            <Tile label={t("admin.kpi.passRate")} value={rate(q.data.totals.quiz_pass_rate)} />
            <Tile label={t("admin.kpi.certificates")} value={formatNumber(q.data.totals.certificates)} />
            <Tile label={t("admin.kpi.revenue")} value={revenue.length ? revenue.map((r) => formatMoney(r)).join(" + ") : formatMoney({ amount: 0, currency: "INR" })} />
          </dl>
          <p className="text-sm text-slate-700">{t("studio.allTime", { enrollments: q.data.all_time.enrollments, completions: q.data.all_time.completions })}</p>
          <section aria-labelledby={`${fid}-act`} className="card">
            <h2 id={`${fid}-act`} className="mb-4 text-lg font-semibold">
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
                  <Line type="monotone" dataKey="enrollments" name={t("admin.kpi.enrollments")} stroke="#b45309" strokeWidth={2} dot={false} />
                  <Line type="monotone" dataKey="completions" name={t("admin.kpi.completions")} stroke="#15803d" strokeWidth={2} dot={false} />
                  <Line type="monotone" dataKey="quiz" name={t("studio.tab.quizzes")} stroke="#1e40af" strokeWidth={2} dot={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </section>
          <section aria-labelledby={`${fid}-dist`} className="card">
            <h2 id={`${fid}-dist`} className="mb-4 text-lg font-semibold">
              {t("studio.progressDistribution")}
            </h2>
            <div className="h-64" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart accessibilityLayer={false} data={q.data.progress_distribution} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="lessons_completed" tick={{ fontSize: 12, fill: "#334155" }} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: "#334155" }} width={40} />
                  <Tooltip />
                  <Bar dataKey="learners" name={t("studio.learners")} fill="#1e3a8a" />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <details className="mt-3">
              <summary className="cursor-pointer font-semibold">{t("admin.dataTable")}</summary>
              <table className="mt-2 text-left text-sm">
                <thead>
                  <tr>
                    <th scope="col" className="pr-4">{t("studio.lessonsCompleted")}</th>
                    <th scope="col">{t("studio.learners")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.data.progress_distribution.map((b) => (
                    <tr key={b.lessons_completed}>
                      <td className="pr-4">{b.lessons_completed}</td>
                      <td>{b.learners}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>
        </div>
      )}
    </div>
  );
}
