import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";
import { rosterApi } from "../../api/endpoints";
import type { RosterEntry } from "../../api/types";
import { useSession } from "../../api/useSession";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { ProgressBar } from "../../components/ProgressBar";
import { EmptyState, ErrorState, FormError, FormSuccess, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";

class NoSuchUser extends Error {}

/** Admins enroll a student by email (looked up among the users; the API takes the user's id). */
function AddStudent({ courseId, onAdded }: { courseId: string; onAdded: () => Promise<void> }) {
  const id = useId();
  const [email, setEmail] = useState("");
  const m = useMutation({
    mutationFn: async (address: string) => {
      const user = await rosterApi.findUserByEmail(address);
      if (!user) throw new NoSuchUser(t("studio.noUserWithEmail", { email: address }));
      const { created } = await rosterApi.adminEnroll(user.id, courseId);
      return { name: user.full_name, created };
    },
    onSuccess: async () => {
      setEmail("");
      await onAdded();
    },
  });
  return (
    <form
      className="card flex flex-col gap-3"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (email.trim()) m.mutate(email.trim());
      }}
    >
      <h2 id={`${id}-h`} className="text-xl font-bold">
        {t("studio.addStudent")}
      </h2>
      <p className="text-sm text-slate-700">{t("studio.addStudentBlurb")}</p>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <Field className="sm:flex-1" label={t("studio.studentEmail")} type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        <button type="submit" className="btn-primary" disabled={m.isPending}>
          {m.isPending ? t("state.working") : t("studio.addStudentGo")}
        </button>
      </div>
      {m.isSuccess && (
        <FormSuccess>{t(m.data.created ? "studio.studentAdded" : "studio.studentAlreadyEnrolled", { name: m.data.name })}</FormSuccess>
      )}
      <FormError error={m.error} />
    </form>
  );
}

export default function RosterPage() {
  const { id = "" } = useParams();
  const { user } = useSession();
  const isAdmin = user?.role === "admin";
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const [removing, setRemoving] = useState<RosterEntry | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  useTitle(`${t("nav.studio")}: ${t("studio.roster")}`);
  const q = useQuery({ queryKey: ["studio", "roster", id, page], queryFn: ({ signal }) => rosterApi.list(id, page, signal) });
  const refresh = () => qc.invalidateQueries({ queryKey: ["studio", "roster", id] });
  const remove = useMutation({
    mutationFn: (r: RosterEntry) => rosterApi.adminRemove(r.id),
    onSuccess: async (_data, r) => {
      setRemoving(null);
      setRemoved(r.student.full_name);
      await refresh();
    },
  });
  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{t("studio.roster")}</h1>
      {removed && <FormSuccess>{t("studio.removed", { name: removed })}</FormSuccess>}
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={t("studio.rosterEmpty")} />
      ) : (
        <>
          <p className="text-sm text-slate-700">{t("course.enrolledCount", { n: q.data.total })}</p>
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full min-w-[36rem] text-left text-sm">
              <thead className="bg-slate-100">
                <tr>
                  <th scope="col" className="px-4 py-2">{t("studio.student")}</th>
                  <th scope="col" className="px-4 py-2">{t("studio.enrolled")}</th>
                  <th scope="col" className="px-4 py-2">{t("studio.lastActive")}</th>
                  <th scope="col" className="w-48 px-4 py-2">{t("studio.progress")}</th>
                  {isAdmin && (
                    <th scope="col" className="px-4 py-2">
                      <span className="sr-only">{t("admin.actions")}</span>
                    </th>
                  )}
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
                    {isAdmin && (
                      <td className="px-4 py-2">
                        <button
                          type="button"
                          className="btn-secondary px-2 py-0.5 text-red-800"
                          onClick={() => {
                            setRemoved(null);
                            setRemoving(r);
                          }}
                        >
                          {t("studio.remove")}
                          <span className="sr-only">: {t("studio.removeOf", { name: r.student.full_name })}</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      )}
      {isAdmin && (
        <>
          <AddStudent
            courseId={id}
            onAdded={async () => {
              setRemoved(null);
              await refresh();
            }}
          />
          <ConfirmDialog
            open={removing !== null}
            title={removing ? t("studio.removeTitle", { name: removing.student.full_name }) : ""}
            confirmLabel={t("studio.removeConfirm")}
            danger
            pending={remove.isPending}
            error={remove.error}
            onCancel={() => {
              remove.reset();
              setRemoving(null);
            }}
            onConfirm={() => removing && remove.mutate(removing)}
          >
            <p className="text-slate-800">{t("studio.removeBody")}</p>
          </ConfirmDialog>
        </>
      )}
    </div>
  );
}
