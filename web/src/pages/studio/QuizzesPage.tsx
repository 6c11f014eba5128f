import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { coursesApi, quizzesApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import { Field } from "../../components/Field";
import { EmptyState, ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDuration } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";

function NewQuizForm({ courseId }: { courseId: string }) {
  const id = useId();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const course = useQuery({ queryKey: ["course", courseId, "edit"], queryFn: ({ signal }) => coursesApi.get(courseId, signal) });
  const quizzes = useQuery({ queryKey: ["studio", "quizzes", courseId], queryFn: ({ signal }) => quizzesApi.listForCourse(courseId, signal) });
  const [title, setTitle] = useState("");
  const [target, setTarget] = useState("");
  const sections = [...(course.data?.sections ?? [])].sort((a, b) => a.position - b.position);
  const used = new Set((quizzes.data ?? []).map((q) => q.lesson_id));
  const freeQuizLessons = sections.flatMap((s) => s.lessons.filter((l) => l.kind === "quiz" && !used.has(l.id)));
  const chosen = target || (sections[0] ? `section:${sections[0].id}` : "");
  const m = useMutation({
    mutationFn: () => {
      const [kind, ref] = chosen.split(":");
      return quizzesApi.create(courseId, {
        title: title.trim(),
        section_id: kind === "section" ? ref : null,
        lesson_id: kind === "lesson" ? ref : null,
      });
    },
    onSuccess: async (quiz) => {
      await Promise.all([qc.invalidateQueries({ queryKey: ["studio"] }), qc.invalidateQueries({ queryKey: ["course", courseId] })]);
      navigate(`/studio/courses/${courseId}/quizzes/${quiz.id}`);
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  if (course.isPending) return <LoadingState />;
  return (
    <form
      className="card flex flex-col gap-3"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (title.trim() && chosen) m.mutate();
      }}
    >
      <h2 className="text-xl font-bold">{t("studio.newQuiz")}</h2>
      {sections.length === 0 ? (
        <p className="text-slate-700">{t("studio.needSection")}</p>
      ) : (
        <>
          <Field label={t("studio.quizTitle")} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} error={err?.fieldError("title")} />
          <div>
            <label htmlFor={`${id}-target`} className="block text-sm font-medium text-slate-800">
              {t("studio.quizSection")}
            </label>
            <select id={`${id}-target`} className="select mt-1" value={chosen} onChange={(e) => setTarget(e.target.value)}>
              {sections.map((s) => (
                <option key={s.id} value={`section:${s.id}`}>
                  {s.title}
                </option>
              ))}
              {freeQuizLessons.length > 0 && (
                <optgroup label={t("studio.quizLesson")}>
                  {freeQuizLessons.map((l) => (
                    <option key={l.id} value={`lesson:${l.id}`}>
                      {l.title}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </div>
          {err && err.errors.length === 0 && <FormError error={err} />}
          <button type="submit" className="btn-primary w-fit" disabled={m.isPending || !title.trim()}>
            {m.isPending ? t("state.working") : t("studio.createQuiz")}
          </button>
        </>
      )}
    </form>
  );
}

export default function QuizzesPage() {
  const { id = "" } = useParams();
  useTitle(`${t("nav.studio")}: ${t("studio.quizzes")}`);
  const q = useQuery({ queryKey: ["studio", "quizzes", id], queryFn: ({ signal }) => quizzesApi.listForCourse(id, signal) });
  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{t("studio.quizzes")}</h1>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <EmptyState title={t("studio.noQuizzes")} />
      ) : (
        <ul className="flex flex-col gap-3">
          {q.data.map((quiz) => (
            <li key={quiz.id} className="card flex flex-wrap items-center gap-x-4 gap-y-1">
              <h2 className="flex-1 text-lg font-semibold">
                <Link to={`/studio/courses/${id}/quizzes/${quiz.id}`} className="link">
                  {quiz.title}
                </Link>
              </h2>
              <span className="text-sm text-slate-700">{t("quiz.questions", { n: quiz.question_count })}</span>
              <span className="text-sm text-slate-700">{t("quiz.points", { n: quiz.total_points })}</span>
              <span className="text-sm text-slate-700">{quiz.time_limit_seconds ? formatDuration(quiz.time_limit_seconds) : t("quiz.noTimeLimit")}</span>
              <span className="text-sm text-slate-700">{t("quiz.passMark", { pct: quiz.passing_percent })}</span>
            </li>
          ))}
        </ul>
      )}
      <NewQuizForm courseId={id} />
    </div>
  );
}
