import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { adminApi } from "../../api/endpoints";
import { Pagination } from "../../components/Pagination";
import { EmptyState, ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate, formatNumber } from "../../lib/format";
import { useTitle } from "../../lib/hooks";

function age(seconds: number | null): string {
  if (seconds == null) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export default function AdminEventsPage() {
  useTitle(t("admin.events"));
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const backlog = useQuery({ queryKey: ["admin", "events", "backlog"], queryFn: ({ signal }) => adminApi.eventBacklog(signal), refetchInterval: 10_000 });
  const consumers = useQuery({ queryKey: ["admin", "events", "consumers"], queryFn: ({ signal }) => adminApi.eventConsumers(signal), refetchInterval: 10_000 });
  const dead = useQuery({ queryKey: ["admin", "events", "dead", page], queryFn: ({ signal }) => adminApi.deadLetters(page, signal) });
  const replay = useMutation({
    mutationFn: (id: string) => adminApi.replayDeadLetter(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["admin", "events"] }),
  });

  return (
    <div>
      <h1 className="text-3xl font-bold">{t("admin.events")}</h1>

      <section aria-labelledby="backlog" className="mt-6">
        <h2 id="backlog" className="mb-3 text-xl font-semibold">
          {t("admin.backlog")}
        </h2>
        {backlog.isPending ? (
          <LoadingState />
        ) : backlog.isError ? (
          <ErrorState error={backlog.error} onRetry={() => void backlog.refetch()} />
        ) : (
          <dl className="grid grid-cols-2 gap-3 lg:grid-cols-5">
            {[
              [t("admin.broker"), backlog.data.broker],
              [t("admin.pending"), formatNumber(backlog.data.pending)],
              [t("admin.oldest"), age(backlog.data.oldest_pending_age_seconds)],
              [t("admin.dead"), formatNumber(backlog.data.dead)],
              [t("admin.lastHour"), formatNumber(backlog.data.published_last_hour)],
            ].map(([label, value]) => (
              <div key={label} className={`card p-4 ${label === t("admin.dead") && backlog.data.dead > 0 ? "border-red-300 bg-red-50" : ""}`}>
                <dt className="text-sm text-slate-700">{label}</dt>
                <dd className="mt-1 text-xl font-bold">{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section aria-labelledby="consumers" className="mt-8">
        <h2 id="consumers" className="mb-3 text-xl font-semibold">
          {t("admin.consumers")}
        </h2>
        {consumers.isPending ? (
          <LoadingState />
        ) : consumers.isError ? (
          <ErrorState error={consumers.error} onRetry={() => void consumers.refetch()} />
        ) : consumers.data.length === 0 ? (
          <EmptyState title={t("admin.noConsumers")} />
        ) : (
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-100">
                <tr>
                  <th scope="col" className="px-3 py-2">{t("admin.consumer")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.eventType")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.pending")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.lag")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {consumers.data.map((c) => (
                  <tr key={`${c.consumer}:${c.event_type}`}>
                    <td className="px-3 py-2 font-mono">{c.consumer}</td>
                    <td className="px-3 py-2 font-mono">{c.event_type}</td>
                    <td className="px-3 py-2">{c.pending ?? "—"}</td>
                    <td className="px-3 py-2">{c.lag ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="dead" className="mt-8">
        <h2 id="dead" className="mb-3 text-xl font-semibold">
          {t("admin.deadLetters")}
        </h2>
        <FormError error={replay.error} />
        {dead.isPending ? (
          <LoadingState />
        ) : dead.isError ? (
          <ErrorState error={dead.error} onRetry={() => void dead.refetch()} />
        ) : dead.data.items.length === 0 ? (
          <EmptyState title={t("admin.noDeadLetters")} />
        ) : (
          <>
            <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
              {dead.data.items.map((d) => (
                <li key={d.id} className="flex flex-col gap-2 p-4 sm:flex-row sm:items-start">
                  <div className="min-w-0 flex-1 text-sm">
                    <p className="font-mono font-semibold">
                      {d.event_type ?? "—"} {d.consumer && <span className="font-normal text-slate-700">→ {d.consumer}</span>}
                    </p>
                    <p className="mt-1 break-words text-red-800">{d.error}</p>
                    <p className="mt-1 text-slate-600">
                      {t("admin.attempts", { n: d.attempts })} · {d.source} · {formatDate(d.failed_at)}
                    </p>
                  </div>
                  <button type="button" className="btn-secondary px-3 py-1 text-sm" disabled={replay.isPending} onClick={() => replay.mutate(d.id)}>
                    {t("admin.replay")}
                    <span className="sr-only">: {d.event_type ?? d.id}</span>
                  </button>
                </li>
              ))}
            </ul>
            <Pagination page={dead.data.page} pageSize={dead.data.page_size} total={dead.data.total} onPage={setPage} />
          </>
        )}
      </section>
    </div>
  );
}
