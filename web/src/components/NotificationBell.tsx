import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { notificationsApi } from "../api/endpoints";
import { UNREAD_KEY, useNotificationSocket } from "../api/notificationSocket";
import { t } from "../i18n";

/** Bell with unread count: fetched once, then kept live over the WebSocket (slow poll as a fallback). */
export function NotificationBell({ live = true }: { live?: boolean }) {
  const { data } = useQuery({
    queryKey: UNREAD_KEY,
    queryFn: async ({ signal }) => {
      try {
        return await notificationsApi.unreadCount(signal);
      } catch {
        return null; // render 0 on error (e.g. notifications API not deployed yet)
      }
    },
    refetchInterval: 5 * 60_000,
    retry: false,
  });
  // Open the socket only where the notifications API answers (null = it failed).
  useNotificationSocket(live && data != null);
  const count = data ?? 0;
  // The visible badge text must be part of the accessible name (WCAG 2.5.3).
  const label = t("notifications.unread", { count: count > 99 ? "99+" : count });
  return (
    <Link
      to="/dashboard#notifications"
      className="relative inline-flex h-10 w-10 items-center justify-center rounded-full text-white hover:bg-blue-800"
      aria-label={label}
      title={label}
    >
      <svg viewBox="0 0 24 24" className="h-6 w-6" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
        <path d="M18 8a6 6 0 10-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.73 21a2 2 0 01-3.46 0" />
      </svg>
      <span
        data-testid="unread-badge"
        aria-hidden="true"
        className={`absolute -right-0.5 -top-0.5 min-w-5 rounded-full px-1 text-center text-xs font-bold leading-5 ${
          count > 0 ? "bg-red-600 text-white" : "bg-blue-950 text-blue-100"
        }`}
      >
        {count > 99 ? "99+" : count}
      </span>
    </Link>
  );
}
