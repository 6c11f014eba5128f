import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { enrollmentsApi } from "../api/endpoints";
import type { Enrollment } from "../api/types";
import { useSession } from "../api/useSession";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CourseThumb } from "../components/CourseCard";
import { NotificationList } from "../components/NotificationList";
import { ProgressBar } from "../components/ProgressBar";
import { RequireAuth } from "../components/RequireAuth";
import { EmptyState, ErrorState, FormSuccess, LoadingState } from "../components/states";
import { t, type MessageKey } from "../i18n";
import { formatDate } from "../lib/format";
import { useTitle } from "../lib/hooks";

function learnLink(e: Enrollment): string {
  return e.last_lesson_id ? `/learn/${e.course.slug}/${e.last_lesson_id}` : `/learn/${e.course.slug}`;
}

const ENDED: Record<string, MessageKey> = {
  dropped: "dashboard.status.dropped",
  removed: "dashboard.status.removed",
  ended: "dashboard.status.ended",
};

function EnrollmentCard({ e, onLeave }: { e: Enrollment; onLeave: (e: Enrollment) => void }) {
  const active = e.status === "active";
  return (
    <article className="relative flex flex-col overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm focus-within:ring-2 focus-within:ring-blue-700">
      <CourseThumb url={e.course.thumbnail_url} title={e.course.title} />
      <div className="flex flex-1 flex-col gap-2 p-4">
        <h3 className="font-semibold">
          <Link to={learnLink(e)} className="after:absolute after:inset-0 focus:outline-none">
            {e.course.title}
          </Link>
        </h3>
        <p className="text-xs text-slate-600">{t("dashboard.enrolledOn", { date: formatDate(e.enrolled_at) })}</p>
        <div className="mt-auto">
          <ProgressBar value={e.progress_percent} label={t("dashboard.progressOf", { title: e.course.title })} />
        </div>
        {e.completed_at && (
          <span className="w-fit rounded bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-900">
            {t("dashboard.completed")}
          </span>
        )}
        {!active && ENDED[e.status] && (
          <span className="w-fit rounded bg-slate-200 px-2 py-0.5 text-xs font-semibold text-slate-800">{t(ENDED[e.status])}</span>
        )}
        {active && (
          // Above the card-wide link overlay, so it gets its own clicks and focus.
          <button type="button" className="relative z-10 w-fit text-sm font-medium text-red-800 underline underline-offset-2 hover:text-red-950" onClick={() => onLeave(e)}>
            {t("dashboard.leave")}
            <span className="sr-only">: {e.course.title}</span>
          </button>
        )}
      </div>
    </article>
  );
}

function Dashboard() {
  const { user } = useSession();
  useTitle(t("nav.dashboard"));
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["enrollments", "me"],
    queryFn: ({ signal }) => enrollmentsApi.mine(1, signal),
  });
  const [leaving, setLeaving] = useState<Enrollment | null>(null);
  const [left, setLeft] = useState<string | null>(null);
  const leave = useMutation({
    mutationFn: (e: Enrollment) => enrollmentsApi.drop(e.id),
    onSuccess: async (_data, e) => {
      setLeaving(null);
      setLeft(e.course.title);
      await qc.invalidateQueries({ queryKey: ["enrollments"] });
      await qc.invalidateQueries({ queryKey: ["course"] });
    },
  });

  let resume: Enrollment | undefined;
  if (q.data) {
    // "Continue where you left off": an unfinished course with a last lesson, else any unfinished one.
    const active = q.data.items.filter((e) => e.status === "active" && !e.completed_at && e.progress_percent < 100);
    resume = active.find((e) => e.last_lesson_id) ?? active[0];
  }

  return (
    <div>
      <h1 className="text-3xl font-bold">{t("dashboard.greeting", { name: user?.full_name.split(" ")[0] ?? "" })}</h1>
      {left && (
        <div className="mt-4">
          <FormSuccess>{t("dashboard.left", { title: left })}</FormSuccess>
        </div>
      )}
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <div className="mt-6">
          <EmptyState title={t("dashboard.noCourses")}>
            <Link to="/courses" className="btn-primary mt-3">
              {t("home.browse")}
            </Link>
          </EmptyState>
        </div>
      ) : (
        <>
          {resume && (
            <section aria-labelledby="resume" className="mt-6 rounded-xl bg-blue-900 p-6 text-white">
              <h2 id="resume" className="text-sm font-semibold uppercase tracking-wide text-blue-200">
                {t("dashboard.continue")}
              </h2>
              <p className="mt-1 text-2xl font-bold">{resume.course.title}</p>
              <div className="mt-3 max-w-md [&_p]:text-blue-100">
                <ProgressBar value={resume.progress_percent} />
              </div>
              <Link to={learnLink(resume)} className="btn-accent mt-4">
                {t("dashboard.resume")}
              </Link>
            </section>
          )}
          <section aria-labelledby="my-courses" className="mt-8">
            <h2 id="my-courses" className="mb-4 text-2xl font-bold">
              {t("dashboard.myCourses")}
            </h2>
            <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {q.data.items.map((e) => (
                <li key={e.id}>
                  <EnrollmentCard
                    e={e}
                    onLeave={(x) => {
                      setLeft(null);
                      setLeaving(x);
                    }}
                  />
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
      <ConfirmDialog
        open={leaving !== null}
        title={leaving ? t("dashboard.leaveTitle", { title: leaving.course.title }) : ""}
        confirmLabel={t("dashboard.leave")}
        danger
        pending={leave.isPending}
        error={leave.error}
        onCancel={() => {
          leave.reset();
          setLeaving(null);
        }}
        onConfirm={() => leaving && leave.mutate(leaving)}
      >
        <p className="text-slate-800">{t("dashboard.leaveBody")}</p>
      </ConfirmDialog>
      <section id="notifications" aria-labelledby="notif" className="mt-10">
        <h2 id="notif" className="mb-2 text-2xl font-bold">
          {t("dashboard.notifications")}
        </h2>
        <NotificationList />
      </section>
    </div>
  );
}

export default function DashboardPage() {
  return (
    <RequireAuth>
      <Dashboard />
    </RequireAuth>
  );
}
