import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { studioApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import { Field } from "../../components/Field";
import { EmptyState, ErrorState, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatMoney } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { StatusBadge } from "./StatusBadge";

function NewCourse() {
  const [title, setTitle] = useState("");
  const navigate = useNavigate();
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () =>
      studioApi.create({ title: title.trim(), subtitle: "", description: "", level: "all_levels", language: "en", tags: [], prerequisite_ids: [] }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ["studio"] });
      navigate(`/studio/courses/${c.id}`);
    },
  });
  const server = isApiError(m.error) ? m.error : undefined;
  return (
    <form
      className="card flex flex-col gap-3 sm:flex-row sm:items-end"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (title.trim()) m.mutate();
      }}
    >
      <Field
        className="flex-1"
        label={t("studio.newTitle")}
        value={title}
        maxLength={200}
        onChange={(e) => setTitle(e.target.value)}
        error={server?.fieldError("title") ?? (server ? server.message : undefined)}
      />
      <button type="submit" className="btn-primary" disabled={m.isPending || !title.trim()}>
        {t("studio.create")}
      </button>
    </form>
  );
}

export default function StudioHomePage() {
  useTitle(t("nav.studio"));
  const q = useQuery({ queryKey: ["studio", "mine"], queryFn: ({ signal }) => studioApi.myCourses(1, signal) });
  return (
    <div>
      <h1 className="text-3xl font-bold">{t("nav.studio")}</h1>
      <div className="mt-6">
        <NewCourse />
      </div>
      <section aria-labelledby="my-teaching" className="mt-8">
        <h2 id="my-teaching" className="mb-3 text-2xl font-bold">
          {t("studio.myCourses")}
        </h2>
        {q.isPending ? (
          <LoadingState />
        ) : q.isError ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : q.data.items.length === 0 ? (
          <EmptyState title={t("studio.none")} />
        ) : (
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {q.data.items.map((c) => (
              <li key={c.id} className="flex flex-col gap-1 p-4 sm:flex-row sm:items-center sm:gap-4">
                <div className="flex-1">
                  <Link to={`/studio/courses/${c.id}`} className="link font-semibold">
                    {c.title}
                  </Link>
                  <p className="text-sm text-slate-700">
                    {t("course.lessons", { n: c.lesson_count })} · {formatMoney(c.price)} · {t("course.enrolledCount", { n: c.enrollment_count })}
                  </p>
                </div>
                <StatusBadge status={c.status} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
