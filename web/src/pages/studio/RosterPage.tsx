import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { rosterApi } from "../../api/endpoints";
import { Pagination } from "../../components/Pagination";
import { ProgressBar } from "../../components/ProgressBar";
import { EmptyState, ErrorState, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";

export default function RosterPage() {
  const { id = "" } = useParams();
  const [page, setPage] = useState(1);
  useTitle(`${t("nav.studio")}: ${t("studio.roster")}`);
  const q = useQuery({ queryKey: ["studio", "roster", id, page], queryFn: ({ signal }) => rosterApi.list(id, page, signal) });
  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{t("studio.roster")}</h1>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={t("studio.rosterEmpty")} />
      ) : (
        <>
          <p className="text-sm text-slate-700">{t("course.enrolledCount", { n: q.data.total })}</p>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full min-w-[36rem] text-left text-sm">
              <thead className="bg-slate-100">
                <tr>
                  <th scope="col" className="px-4 py-2">{t("studio.student")}</th>
                  <th scope="col" className="px-4 py-2">{t("studio.enrolled")}</th>
                  <th scope="col" className="px-4 py-2">{t("studio.lastActive")}</th>
                  <th scope="col" className="w-48 px-4 py-2">{t("studio.progress")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {q.data.items.map((r) => (
                  <tr key={r.id}>
                    <td className="px-4 py-2">
                      <span className="block font-medium">{r.student.full_name}</span>
                      <span className="block text-slate-600">{r.student.email}</span>
                    </td>
                    <td className="px-4 py-2">{formatDate(r.enrolled_at)}</td>
                    <td className="px-4 py-2">{formatDate(r.last_accessed_at) || "—"}</td>
                    <td className="px-4 py-2">
                      <ProgressBar value={r.progress_percent} label={t("dashboard.progressOf", { title: r.student.full_name })} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}
