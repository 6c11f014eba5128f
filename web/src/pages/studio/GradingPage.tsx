import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";
import { quizzesApi } from "../../api/endpoints";
import type { GradingQueueItem } from "../../api/types";
import { EmptyState, ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";

function GradeForm({ item, onGraded }: { item: GradingQueueItem; onGraded: () => void }) {
  const id = useId();
  const [scores, setScores] = useState<Record<string, { score: string; feedback: string }>>(
    Object.fromEntries(item.questions.map((q) => [q.question_id, { score: "", feedback: "" }])),
  );
  const m = useMutation({
    mutationFn: () =>
      quizzesApi.grade(
        item.attempt_id,
        item.questions.map((q) => ({ question_id: q.question_id, score: Number(scores[q.question_id]?.score || 0), feedback: scores[q.question_id]?.feedback ?? "" })),
      ),
    onSuccess: onGraded,
  });
  return (
    <form
      className="card flex flex-col gap-4"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <div className="flex flex-wrap items-baseline gap-2">
        <h2 id={`${id}-h`} className="flex-1 text-lg font-semibold">
          {item.student_name} · {item.quiz_title}
        </h2>
        <span className="text-sm text-slate-700">{formatDate(item.submitted_at)}</span>
      </div>
      {item.questions.map((q, i) => (
        <fieldset key={q.question_id} className="rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-semibold">{t("quiz.gotoQuestion", { n: i + 1 })}</legend>
          <div className="prose-lms" dangerouslySetInnerHTML={{ __html: q.stem_html }} />
          <p className="mt-2 text-sm font-semibold text-slate-800">{t("studio.answer")}</p>
          <p className="whitespace-pre-wrap rounded bg-slate-50 p-2 text-sm">{q.answer == null || q.answer === "" ? t("quiz.noAnswer") : String(q.answer)}</p>
          <div className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-[10rem_1fr]">
            <div>
              <label htmlFor={`${id}-${q.question_id}-s`} className="block text-sm font-medium text-slate-800">
                {t("studio.scoreOf", { max: q.max })}
              </label>
              <input
                id={`${id}-${q.question_id}-s`}
                type="number"
                min={0}
                max={q.max}
                step="any"
                required
                className="input mt-1"
                value={scores[q.question_id]?.score ?? ""}
                onChange={(e) => setScores({ ...scores, [q.question_id]: { ...scores[q.question_id]!, score: e.target.value } })}
              />
            </div>
            <div>
              <label htmlFor={`${id}-${q.question_id}-f`} className="block text-sm font-medium text-slate-800">
                {t("quiz.feedback")}
              </label>
              <input
                id={`${id}-${q.question_id}-f`}
                className="input mt-1"
                value={scores[q.question_id]?.feedback ?? ""}
                onChange={(e) => setScores({ ...scores, [q.question_id]: { ...scores[q.question_id]!, feedback: e.target.value } })}
              />
            </div>
          </div>
        </fieldset>
      ))}
      <FormError error={m.error} />
      <button type="submit" className="btn-primary w-fit" disabled={m.isPending}>
        {m.isPending ? t("state.saving") : t("studio.saveGrades")}
      </button>
    </form>
  );
}

export default function GradingPage() {
  const { id = "" } = useParams();
  const qc = useQueryClient();
  useTitle(`${t("nav.studio")}: ${t("studio.grading")}`);
  const q = useQuery({ queryKey: ["studio", "grading", id], queryFn: ({ signal }) => quizzesApi.gradingQueue(id, signal) });
  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{t("studio.grading")}</h1>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <EmptyState title={t("studio.gradingEmpty")} />
      ) : (
        <ul className="flex flex-col gap-4">
          {q.data.map((item) => (
            <li key={item.attempt_id}>
              <GradeForm item={item} onGraded={() => void qc.invalidateQueries({ queryKey: ["studio", "grading", id] })} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
