import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { notificationsApi } from "../api/endpoints";
import { UNREAD_KEY } from "../api/notificationSocket";
import type { Notification } from "../api/types";
import { t } from "../i18n";
import { formatDate } from "../lib/format";
import { EmptyState, FormError, LoadingState } from "./states";

function isInternal(link: string): boolean {
  return link.startsWith("/") && !link.startsWith("//");
}

export function NotificationList({ pageSize = 5 }: { pageSize?: number }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["notifications", "list", pageSize],
    queryFn: ({ signal }) => notificationsApi.list({ page: 1, page_size: pageSize }, signal),
    retry: false,
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["notifications", "list"] });
  };
  const markOne = useMutation({
    mutationFn: (id: string) => notificationsApi.markRead(id),
    onSuccess: () => {
      refresh();
      void qc.invalidateQueries({ queryKey: UNREAD_KEY });
    },
  });
  const markAll = useMutation({
    mutationFn: () => notificationsApi.markAllRead(),
    onSuccess: (r) => {
      qc.setQueryData(UNREAD_KEY, r.unread_count);
      refresh();
    },
  });

  if (q.isPending) return <LoadingState />;
  // Notifications are secondary on the dashboard: an error shows as "none yet", not a red box.
  if (q.isError || q.data.items.length === 0) return <EmptyState title={t("dashboard.notificationsSoon")} />;
  const anyUnread = q.data.items.some((n) => !n.read_at);

  return (
    <div>
      {anyUnread && (
        <button type="button" className="btn-secondary mb-3" onClick={() => markAll.mutate()} disabled={markAll.isPending}>
          {t("notifications.markAll")}
        </button>
      )}
      <FormError error={markAll.error ?? markOne.error} />
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {q.data.items.map((n: Notification) => (
          <li key={n.id} className={`flex flex-col gap-1 p-4 sm:flex-row sm:items-start sm:gap-4 ${n.read_at ? "" : "bg-blue-50"}`}>
            <div className="flex-1">
              <p className="font-semibold text-slate-900">
                {!n.read_at && <span className="sr-only">{t("notifications.unreadItem")} </span>}
                {n.link && isInternal(n.link) ? (
                  <Link to={n.link} className="link" onClick={() => !n.read_at && markOne.mutate(n.id)}>
                    {n.title}
                  </Link>
                ) : (
                  n.title
                )}
              </p>
              {n.body && <p className="text-sm text-slate-700">{n.body}</p>}
              <p className="text-xs text-slate-600">{formatDate(n.created_at)}</p>
            </div>
            {!n.read_at && (
              <button type="button" className="link text-sm" onClick={() => markOne.mutate(n.id)} disabled={markOne.isPending}>
                {t("notifications.markRead")}
                <span className="sr-only">: {n.title}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
