import { useId, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { adminCatalogApi } from "../../api/endpoints";
import { Pagination } from "../../components/Pagination";
import { EmptyState, ErrorState, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatMoney, formatNumber } from "../../lib/format";
import { useDebounced, useTitle } from "../../lib/hooks";
import { StatusBadge } from "../studio/StatusBadge";

export default function AdminCoursesPage() {
  useTitle(t("admin.courses"));
  const id = useId();
  const [text, setText] = useState("");
  const [status, setStatus] = useState("");
  const [page, setPage] = useState(1);
  const q = useDebounced(text, 300);
  const params = { q: q || undefined, status: status || undefined, page };
  const res = useQuery({ queryKey: ["admin", "courses", params], queryFn: ({ signal }) => adminCatalogApi.courses(params, signal), placeholderData: keepPreviousData });
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-3xl font-bold">{t("admin.courses")}</h1>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_12rem]">
        <div>
          <label htmlFor={`${id}-q`} className="block text-sm font-medium text-slate-800">
            {t("admin.searchCourses")}
          </label>
          <input id={`${id}-q`} type="search" className="input mt-1" value={text} onChange={(e) => { setText(e.target.value); setPage(1); }} />
        </div>
        <div>
          <label htmlFor={`${id}-s`} className="block text-sm font-medium text-slate-800">
            {t("admin.status")}
          </label>
          <select id={`${id}-s`} className="select mt-1" value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
            <option value="">{t("admin.anyStatus")}</option>
            <option value="draft">{t("studio.draft")}</option>
            <option value="published">{t("studio.published")}</option>
            <option value="archived">{t("studio.archived")}</option>
          </select>
        </div>
      </div>
      {res.isPending ? (
        <LoadingState />
      ) : res.isError ? (
        <ErrorState error={res.error} onRetry={() => void res.refetch()} />
      ) : res.data.items.length === 0 ? (
        <EmptyState title={t("admin.noCourses")} />
      ) : (
        <>
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={res.isFetching}>
            <table className="w-full min-w-[40rem] text-left text-sm">
              <thead className="bg-slate-100">
                <tr>
                  <th scope="col" className="px-3 py-2">{t("admin.course")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.instructors")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.status")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.students")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.price")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {res.data.items.map((c) => (
                  <tr key={c.id}>
                    <td className="px-3 py-2">
                      <Link to={`/studio/courses/${c.id}`} className="link font-medium">
                        {c.title}
                      </Link>
                    </td>
                    <td className="px-3 py-2">{c.instructors.map((i) => i.full_name).join(", ")}</td>
                    <td className="px-3 py-2">
                      <StatusBadge status={c.status} />
                    </td>
                    <td className="px-3 py-2">{formatNumber(c.enrollment_count)}</td>
                    <td className="px-3 py-2">{formatMoney(c.price)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={res.data.page_size} total={res.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}
