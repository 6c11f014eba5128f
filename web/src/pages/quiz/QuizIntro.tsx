import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { quizzesApi } from "../../api/endpoints";
import type { Attempt } from "../../api/types";
import { ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate, formatDuration } from "../../lib/format";

export function attemptStatusLabel(a: Pick<Attempt, "status">): string {
  if (a.status === "in_progress") return t("quiz.inProgress");
  if (a.status === "pending_review") return t("quiz.pendingReview");
  return t("quiz.graded");
}

export const pct = (n: number | null | undefined) => (n == null ? "—" : String(Math.round(n * 10) / 10));

/** The quiz lesson in the player: settings, the student's attempts, start or resume. */
export function QuizIntro({ lessonId }: { lessonId: string }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const quiz = useQuery({ queryKey: ["quiz", "lesson", lessonId], queryFn: ({ signal }) => quizzesApi.forLesson(lessonId, signal), retry: false });
  const quizId = quiz.data?.id;
  const attempts = useQuery({
    queryKey: ["quiz", quizId, "attempts"],
    queryFn: ({ signal }) => quizzesApi.myAttempts(quizId!, signal),
    enabled: !!quizId,
  });
  const start = useMutation({
    mutationFn: () => quizzesApi.start(quizId!),
    onSuccess: (attempt) => {
      qc.setQueryData(["attempt", attempt.id], attempt);
      navigate(`/quiz/attempts/${attempt.id}`);
    },
  });

  if (quiz.isPending) return <LoadingState />;
  if (quiz.isError) return <ErrorState error={quiz.error} onRetry={() => void quiz.refetch()} />;
  const q = quiz.data;
  const list = attempts.data ?? [];
  const open = list.find((a) => a.status === "in_progress");
  const used = q.attempts_used ?? list.length;
  const exhausted = q.attempts_allowed != null && used >= q.attempts_allowed && !open;

  return (
    <section aria-labelledby="quiz-title" className="mt-4 flex flex-col gap-4">
      <div className="card">
        <h2 id="quiz-title" className="text-xl font-bold">
          {q.title}
        </h2>
        {q.description_html && <div className="prose-lms mt-2" dangerouslySetInnerHTML={{ __html: q.description_html }} />}
        <ul className="mt-3 grid grid-cols-1 gap-1 text-sm text-slate-800 sm:grid-cols-2">
          <li>{t("quiz.questions", { n: q.pool_size ?? q.question_count })}</li>
          <li>{q.time_limit_seconds ? t("quiz.timeLimit", { duration: formatDuration(q.time_limit_seconds) }) : t("quiz.noTimeLimit")}</li>
          <li>{t("quiz.passMark", { pct: q.passing_percent })}</li>
          <li>
            {q.attempts_allowed != null
              ? t("quiz.attemptsLeft", { used, allowed: q.attempts_allowed })
              : t("quiz.attemptsUnlimited", { used })}
          </li>
          {q.best_percent != null && <li>{t("quiz.best", { pct: pct(q.best_percent) })}</li>}
        </ul>
        {q.passed != null && (
          <p className={`mt-3 inline-block rounded px-2 py-0.5 text-sm font-semibold ${q.passed ? "bg-green-100 text-green-900" : "bg-amber-100 text-amber-950"}`}>
            {q.passed ? t("quiz.passedBadge") : t("quiz.notPassedBadge")}
          </p>
        )}
        <div className="mt-4 flex flex-wrap gap-2">
          {q.question_count === 0 ? (
            <p className="text-slate-700">{t("quiz.notReady")}</p>
          ) : open ? (
            <Link to={`/quiz/attempts/${open.id}`} className="btn-primary">
              {t("quiz.resume")}
            </Link>
          ) : exhausted ? (
            <p className="text-slate-700">{t("quiz.noAttemptsLeft")}</p>
          ) : (
            <button type="button" className="btn-primary" disabled={start.isPending} onClick={() => start.mutate()}>
              {start.isPending ? t("state.working") : used > 0 ? t("quiz.tryAgain") : t("quiz.start")}
            </button>
          )}
        </div>
        <div className="mt-3">
          <FormError error={start.error} />
        </div>
      </div>
      {list.length > 0 && (
        <div className="card">
          <h3 className="font-semibold">{t("quiz.pastAttempts")}</h3>
          <ul className="mt-2 divide-y divide-slate-100">
            {list.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-2 text-sm">
                <span className="font-medium">{t("quiz.attemptNo", { n: a.attempt_no })}</span>
                <span className="text-slate-700">{formatDate(a.submitted_at ?? a.started_at)}</span>
                <span>{attemptStatusLabel(a)}</span>
                {a.score_percent != null && <span>{pct(a.score_percent)}%</span>}
                <Link to={`/quiz/attempts/${a.id}`} className="link ml-auto">
                  {a.status === "in_progress" ? t("quiz.resume") : t("quiz.viewResult")}
                  <span className="sr-only">: {t("quiz.attemptNo", { n: a.attempt_no })}</span>
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
