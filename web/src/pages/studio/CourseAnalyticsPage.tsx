import { useId } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useParams } from "react-router";
import { courseAnalyticsApi } from "../../api/endpoints";
import { ActivityChart, moneyTotal, PeriodFilter, percent, Tile, usePeriod } from "../../components/Analytics";
import { ErrorState, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatNumber } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";

export default function CourseAnalyticsPage() {
  const { id = "" } = useParams();
  const fid = useId();
  useTitle(`${t("nav.studio")}: ${t("studio.analytics")}`);
  const [params, setParams] = usePeriod();
  const q = useQuery({
    queryKey: ["studio", "analytics", id, params],
    queryFn: ({ signal }) => courseAnalyticsApi.report(id, params, signal),
    placeholderData: keepPreviousData,
  });
  const series = q.data?.series.map((p) => ({ period: p.period, enrollments: p.enrollments, completions: p.completions, quiz: p.quiz_submissions })) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{t("studio.analytics")}</h1>
      <PeriodFilter period={params} onChange={setParams} />
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <div aria-busy={q.isFetching} className="flex flex-col gap-6">
          <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Tile label={t("admin.kpi.enrollments")} value={formatNumber(q.data.totals.enrollments)} />
            <Tile label={t("admin.kpi.completions")} value={formatNumber(q.data.totals.completions)} />
            <Tile label={t("studio.completionRate")} value={percent(q.data.totals.completion_rate)} />
            <Tile label={t("admin.kpi.passRate")} value={percent(q.data.totals.quiz_pass_rate)} />
            <Tile label={t("admin.kpi.certificates")} value={formatNumber(q.data.totals.certificates)} />
            <Tile label={t("admin.kpi.revenue")} value={moneyTotal(q.data.totals.revenue)} />
          </dl>
          <p className="text-sm text-slate-700">{t("studio.allTime", { enrollments: q.data.all_time.enrollments, completions: q.data.all_time.completions })}</p>
          <ActivityChart
            title={t("admin.activity")}
            data={series}
            lines={[
              { key: "enrollments", name: t("admin.kpi.enrollments"), color: "#b45309" },
              { key: "completions", name: t("admin.kpi.completions"), color: "#15803d" },
              { key: "quiz", name: t("studio.tab.quizzes"), color: "#1e40af" },
            ]}
          />
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
