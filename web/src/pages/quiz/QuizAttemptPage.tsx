import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { coursesApi, quizzesApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { AnswerValue, Attempt, PublicQuestion, QuestionResult } from "../../api/types";
import { RequireAuth } from "../../components/RequireAuth";
import { ErrorState, FormError, LoadingState, errorMessage } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { pct } from "./QuizIntro";

type SaveState = "saved" | "dirty" | "saving" | "error";

export function isAnswered(v: AnswerValue | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === "string") return v.trim() !== "";
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/**
 * Debounced autosave of answers: only the questions changed since the last successful save are sent.
 * A failed save is retried; a 409 (attempt closed or time over) is reported through onClosed.
 */
export function useAutosave(attemptId: string, initial: Record<string, AnswerValue>, onClosed: () => void, delayMs = 700) {
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>(initial);
  const [state, setState] = useState<SaveState>("saved");
  const [error, setError] = useState<unknown>(null);
  const latest = useRef(answers);
  const dirty = useRef(new Set<string>());
  const inflight = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const closed = useRef(false);

  const flush = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    if (inflight.current) await inflight.current;
    if (dirty.current.size === 0 || closed.current) return;
    const sent: Record<string, AnswerValue> = {};
    for (const id of dirty.current) sent[id] = latest.current[id] ?? null;
    setState("saving");
    let failed = false;
    const run = (async () => {
      try {
        await quizzesApi.saveAnswers(attemptId, sent);
        for (const [id, v] of Object.entries(sent)) if (latest.current[id] === v) dirty.current.delete(id);
        setError(null);
        setState(dirty.current.size ? "dirty" : "saved");
      } catch (e) {
        failed = true;
        setError(e);
        if (isApiError(e) && (e.status === 409 || e.status === 410)) {
          closed.current = true;
          onClosed();
          return;
        }
        setState("error");
        if (!(isApiError(e) && e.status >= 400 && e.status < 500 && e.status !== 429)) {
          timer.current = setTimeout(() => void flush(), 3000);
        }
      }
    })();
    inflight.current = run;
    await run;
    inflight.current = null;
    if (!failed && dirty.current.size && !closed.current) timer.current = setTimeout(() => void flush(), delayMs);
  }, [attemptId, onClosed, delayMs]);

  const setAnswer = useCallback(
    (questionId: string, value: AnswerValue) => {
      latest.current = { ...latest.current, [questionId]: value };
      dirty.current.add(questionId);
      setAnswers(latest.current);
      setState("dirty");
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), delayMs);
    },
    [flush, delayMs],
  );

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (dirty.current.size) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
      clearTimeout(timer.current);
    };
  }, []);

  return { answers, setAnswer, flush, state, error };
}

function SaveIndicator({ state, error }: { state: SaveState; error: unknown }) {
  const text =
    state === "saved"
      ? t("quiz.saved")
      : state === "saving"
        ? t("quiz.saving")
        : state === "dirty"
          ? t("quiz.unsaved")
          : t("quiz.saveFailed", { message: errorMessage(error) });
  const color = state === "error" ? "text-red-800" : state === "saved" ? "text-green-800" : "text-slate-700";
  return (
    <p role="status" aria-live="polite" className={`text-sm ${color}`} data-save-state={state}>
      {state === "saved" ? "✓ " : ""}
      {text}
    </p>
  );
}

function Timer({ endsAt, onExpire }: { endsAt: number; onExpire: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const fired = useRef(false);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = Math.max(0, Math.ceil((endsAt - now) / 1000));
  useEffect(() => {
    if (left === 0 && !fired.current) {
      fired.current = true;
      onExpire();
    }
  }, [left, onExpire]);
  const urgent = left <= 60;
  return (
    <div>
      <p
        role="timer"
        aria-label={t("quiz.timeLeft")}
        className={`rounded-md px-3 py-1 font-mono text-lg font-bold tabular-nums ${urgent ? "bg-red-100 text-red-900" : "bg-slate-100 text-slate-900"}`}
      >
        <span aria-hidden="true">⏱ </span>
        {formatClock(left)}
      </p>
      {/* Announced once each, not every second. */}
      <p className="sr-only" aria-live="assertive">
        {left <= 60 && left > 0 ? t("quiz.timeAlmostUp") : left <= 300 && left > 60 ? t("quiz.timeLeftValue", { time: "5:00" }) : ""}
      </p>
    </div>
  );
}

function QuestionInput({
  question,
  value,
  onChange,
}: {
  question: PublicQuestion;
  value: AnswerValue | undefined;
  onChange: (v: AnswerValue) => void;
}) {
  const id = useId();
  const stem = <div className="prose-lms" dangerouslySetInnerHTML={{ __html: question.stem_html }} />;
  const optionRow = "flex cursor-pointer items-start gap-3 rounded-md border border-slate-200 p-3 hover:bg-slate-50 has-[:checked]:border-blue-700 has-[:checked]:bg-blue-50";

  if (question.kind === "single" || question.kind === "multiple") {
    const multi = question.kind === "multiple";
    const selected = new Set(Array.isArray(value) ? value : typeof value === "string" ? [value] : []);
    return (
      <fieldset>
        <legend className="mb-3 w-full">{stem}</legend>
        <div className="flex flex-col gap-2">
          {question.options.map((o) => (
            <label key={o.id} className={optionRow}>
              <input
                type={multi ? "checkbox" : "radio"}
                name={`${id}-q`}
                className="mt-1 h-5 w-5 shrink-0 accent-blue-800"
                checked={selected.has(o.id)}
                onChange={(e) => {
                  if (!multi) return onChange(o.id);
                  const next = new Set(selected);
                  if (e.target.checked) next.add(o.id);
                  else next.delete(o.id);
                  onChange(next.size ? [...next] : null);
                }}
              />
              <span className="prose-lms [&>*]:my-0" dangerouslySetInnerHTML={{ __html: o.text_html }} />
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  if (question.kind === "true_false") {
    return (
      <fieldset>
        <legend className="mb-3 w-full">{stem}</legend>
        <div className="flex flex-col gap-2 sm:flex-row">
          {[true, false].map((b) => (
            <label key={String(b)} className={`${optionRow} sm:flex-1`}>
              <input type="radio" name={`${id}-tf`} className="h-5 w-5 accent-blue-800" checked={value === b} onChange={() => onChange(b)} />
              {b ? t("quiz.true") : t("quiz.false")}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  const text = typeof value === "string" || typeof value === "number" ? String(value) : "";
  return (
    <div>
      <div id={`${id}-stem`} className="mb-3">
        {stem}
      </div>
      <label htmlFor={`${id}-a`} className="block text-sm font-medium text-slate-800">
        {t("quiz.yourAnswer")}
      </label>
      {question.kind === "essay" ? (
        <textarea id={`${id}-a`} aria-describedby={`${id}-stem`} className="input mt-1 min-h-48" value={text} onChange={(e) => onChange(e.target.value || null)} />
      ) : (
        <input
          id={`${id}-a`}
          aria-describedby={`${id}-stem`}
          className="input mt-1 max-w-md"
          inputMode={question.kind === "numeric" ? "decimal" : undefined}
          placeholder={question.kind === "numeric" ? t("quiz.numberHint") : undefined}
          autoComplete="off"
          value={text}
          onChange={(e) => onChange(e.target.value.trim() === "" ? null : e.target.value)}
        />
      )}
    </div>
  );
}

function TakeAttempt({ attempt, onFinished }: { attempt: Attempt; onFinished: (a: Attempt) => void }) {
  const qc = useQueryClient();
  const questions = attempt.questions ?? [];
  const [current, setCurrent] = useState(0);
  const dialog = useRef<HTMLDialogElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const refetch = useCallback(() => void qc.invalidateQueries({ queryKey: ["attempt", attempt.id] }), [qc, attempt.id]);
  const { answers, setAnswer, flush, state, error } = useAutosave(attempt.id, attempt.answers ?? {}, refetch);
  const endsAt = useMemo(
    () => (attempt.seconds_left != null ? Date.now() + attempt.seconds_left * 1000 : null),
    [attempt.seconds_left],
  );
  const submit = useMutation({
    mutationFn: async () => {
      await flush();
      return quizzesApi.submit(attempt.id);
    },
    onSuccess: (a) => {
      dialog.current?.close();
      void qc.invalidateQueries({ queryKey: ["quiz"] });
      void qc.invalidateQueries({ queryKey: ["progress"] });
      onFinished(a);
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 409) refetch();
    },
  });
  const onExpire = useCallback(() => submit.mutate(), [submit]);
  const answeredCount = questions.filter((q) => isAnswered(answers[q.id])).length;
  const q = questions[current];

  function go(i: number) {
    setCurrent(i);
    requestAnimationFrame(() => headingRef.current?.focus());
  }

  if (!q) return <p className="text-slate-700">{t("quiz.notReady")}</p>;
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[1fr_16rem]">
      <div className="min-w-0">
        <div className="card">
          <h2 ref={headingRef} tabIndex={-1} className="text-sm font-semibold uppercase tracking-wide text-slate-700 focus:outline-none">
            {t("quiz.questionOf", { n: current + 1, total: questions.length })} · {t("quiz.points", { n: q.points })}
          </h2>
          <div className="mt-3">
            <QuestionInput key={q.id} question={q} value={answers[q.id]} onChange={(v) => setAnswer(q.id, v)} />
          </div>
          <div className="mt-6 flex flex-wrap justify-between gap-2">
            <button type="button" className="btn-secondary" disabled={current === 0} onClick={() => go(current - 1)}>
              ← {t("quiz.prev")}
            </button>
            {current < questions.length - 1 ? (
              <button type="button" className="btn-primary" onClick={() => go(current + 1)}>
                {t("quiz.next")} →
              </button>
            ) : (
              <button type="button" className="btn-accent" onClick={() => dialog.current?.showModal()}>
                {t("quiz.submit")}
              </button>
            )}
          </div>
        </div>
      </div>
      <aside className="flex flex-col gap-4 lg:sticky lg:top-4 lg:self-start" aria-label={t("quiz.status")}>
        {endsAt != null && <Timer endsAt={endsAt} onExpire={onExpire} />}
        <SaveIndicator state={state} error={error} />
        <nav aria-label={t("quiz.navigator")}>
          <h2 className="text-sm font-semibold text-slate-800">{t("quiz.navigator")}</h2>
          <ol className="mt-2 grid grid-cols-6 gap-2 sm:grid-cols-8 lg:grid-cols-5">
            {questions.map((item, i) => {
              const done = isAnswered(answers[item.id]);
              return (
                <li key={item.id}>
                  <button
                    type="button"
                    onClick={() => go(i)}
                    aria-current={i === current ? "step" : undefined}
                    className={`h-10 w-10 rounded-md border text-sm font-semibold ${
                      i === current ? "ring-2 ring-blue-700 ring-offset-1" : ""
                    } ${done ? "border-blue-800 bg-blue-800 text-white" : "border-slate-300 bg-white text-slate-900"}`}
                  >
                    {i + 1}
                    <span className="sr-only">
                      {" "}
                      {t("quiz.gotoQuestion", { n: i + 1 })}, {done ? t("quiz.answered") : t("quiz.unanswered")}
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>
        <button type="button" className="btn-accent" onClick={() => dialog.current?.showModal()}>
          {t("quiz.submit")}
        </button>
      </aside>
      <dialog ref={dialog} aria-labelledby="submit-title" className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-6 shadow-xl backdrop:bg-slate-900/50">
        <h2 id="submit-title" className="text-xl font-bold">
          {t("quiz.confirmTitle")}
        </h2>
        <p className="mt-2 text-slate-800">{t("quiz.confirmBody", { answered: answeredCount, total: questions.length })}</p>
        <div className="mt-3">
          <FormError error={submit.error} />
        </div>
        <div className="mt-5 flex flex-wrap justify-end gap-2">
          <button type="button" className="btn-secondary" onClick={() => dialog.current?.close()}>
            {t("quiz.keepWorking")}
          </button>
          <button type="button" className="btn-accent" disabled={submit.isPending} onClick={() => submit.mutate()}>
            {submit.isPending ? t("state.working") : t("quiz.confirmSubmit")}
          </button>
        </div>
      </dialog>
    </div>
  );
}

function describeAnswer(question: PublicQuestion | undefined, v: unknown): string {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return t("quiz.noAnswer");
  const optionText = (id: unknown) => {
    const html = question?.options.find((o) => o.id === id)?.text_html ?? String(id);
    return new DOMParser().parseFromString(html, "text/html").body.textContent?.trim() ?? "";
  };
  if (typeof v === "boolean") return v ? t("quiz.true") : t("quiz.false");
  if (question && (question.kind === "single" || question.kind === "multiple")) {
    return (Array.isArray(v) ? v : [v]).map(optionText).join("; ");
  }
  if (Array.isArray(v)) return v.map(String).join(" / ");
  if (typeof v === "object") {
    const n = v as { value?: number; tolerance?: number };
    return n.tolerance ? `${n.value} ± ${n.tolerance}` : String(n.value);
  }
  return String(v);
}

function ResultRow({ result, question }: { result: QuestionResult; question: PublicQuestion | undefined }) {
  const verdict = result.pending
    ? { text: t("quiz.pending"), cls: "bg-slate-100 text-slate-900" }
    : result.correct
      ? { text: t("quiz.correct"), cls: "bg-green-100 text-green-900" }
      : (result.score ?? 0) > 0
        ? { text: t("quiz.partly"), cls: "bg-amber-100 text-amber-950" }
        : { text: t("quiz.incorrect"), cls: "bg-red-100 text-red-900" };
  return (
    <li className="card">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-semibold">{t("quiz.gotoQuestion", { n: question?.number ?? "?" })}</h3>
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${verdict.cls}`}>{verdict.text}</span>
        <span className="ml-auto text-sm text-slate-700">
          {result.score ?? "—"} / {result.max}
        </span>
      </div>
      {question && <div className="prose-lms mt-2" dangerouslySetInnerHTML={{ __html: question.stem_html }} />}
      <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="font-semibold text-slate-800">{t("quiz.yourAnswer")}</dt>
        <dd className="whitespace-pre-wrap">{describeAnswer(question, result.your_answer)}</dd>
        {result.correct_answer != null && (
          <>
            <dt className="font-semibold text-slate-800">{t("quiz.correctAnswer")}</dt>
            <dd>{describeAnswer(question, result.correct_answer)}</dd>
          </>
        )}
        {result.feedback && (
          <>
            <dt className="font-semibold text-slate-800">{t("quiz.feedback")}</dt>
            <dd>{result.feedback}</dd>
          </>
        )}
      </dl>
    </li>
  );
}

function AttemptResults({ attempt, courseSlug, lessonId }: { attempt: Attempt; courseSlug?: string; lessonId?: string | null }) {
  const byId = new Map((attempt.questions ?? []).map((q) => [q.id, q]));
  const pending = attempt.status === "pending_review";
  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby="results" className="card">
        <h2 id="results" className="text-xl font-bold">
          {t("quiz.results")}
        </h2>
        {attempt.auto_submitted && <p className="mt-2 text-slate-800">{t("quiz.autoSubmitted")}</p>}
        {attempt.score != null && attempt.max_score != null && (
          <p className="mt-2 text-2xl font-extrabold">
            {t("quiz.score", { score: attempt.score, max: attempt.max_score, pct: pct(attempt.score_percent) })}
          </p>
        )}
        {pending ? (
          <p className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3">{t("quiz.pendingBody")}</p>
        ) : attempt.passed != null ? (
          <p
            role="status"
            className={`mt-3 rounded-md border p-3 text-lg font-semibold ${attempt.passed ? "border-green-300 bg-green-50 text-green-900" : "border-amber-300 bg-amber-50 text-amber-950"}`}
          >
            {attempt.passed ? `✓ ${t("quiz.passed")}` : t("quiz.failed")}
          </p>
        ) : null}
        {courseSlug && (
          <Link to={lessonId ? `/learn/${courseSlug}/${lessonId}` : `/courses/${courseSlug}`} className="btn-secondary mt-4">
            {t("quiz.backToCourse")}
          </Link>
        )}
      </section>
      <section aria-labelledby="review">
        <h2 id="review" className="text-xl font-bold">
          {t("quiz.review")}
        </h2>
        {attempt.results ? (
          <ol className="mt-3 flex flex-col gap-3">
            {attempt.results.map((r) => (
              <ResultRow key={r.question_id} result={r} question={byId.get(r.question_id)} />
            ))}
          </ol>
        ) : (
          <p className="mt-2 text-slate-700">{t("quiz.reviewHidden")}</p>
        )}
      </section>
    </div>
  );
}

function AttemptScreen() {
  const { attemptId = "" } = useParams();
  const qc = useQueryClient();
  const attempt = useQuery({
    queryKey: ["attempt", attemptId],
    queryFn: ({ signal }) => quizzesApi.attempt(attemptId, signal),
    refetchOnWindowFocus: false,
    staleTime: 0,
  });
  const quizId = attempt.data?.quiz_id;
  const quiz = useQuery({ queryKey: ["quiz", quizId], queryFn: ({ signal }) => quizzesApi.get(quizId!, signal), enabled: !!quizId });
  const course = useQuery({
    queryKey: ["course", attempt.data?.course_id, "brief"],
    queryFn: ({ signal }) => coursesApi.get(attempt.data!.course_id, signal),
    enabled: !!attempt.data?.course_id,
  });
  useTitle(quiz.data?.title ?? t("quiz.results"));

  if (attempt.isPending) return <LoadingState />;
  if (attempt.isError) return <ErrorState error={attempt.error} onRetry={() => void attempt.refetch()} />;
  const a = attempt.data;
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label={t("nav.breadcrumb")} className="text-sm">
        {course.data && (
          <Link to={quiz.data?.lesson_id ? `/learn/${course.data.slug}/${quiz.data.lesson_id}` : `/courses/${course.data.slug}`} className="link">
            {course.data.title}
          </Link>
        )}
      </nav>
      <h1 className="text-3xl font-bold">
        {quiz.data?.title ?? "…"}
        <span className="ml-2 text-base font-normal text-slate-700">{t("quiz.attemptNo", { n: a.attempt_no })}</span>
      </h1>
      {a.status === "in_progress" ? (
        <TakeAttempt
          key={a.id}
          attempt={a}
          onFinished={(done) => {
            // The submit answer carries no questions; keep the ones on screen, then reload the full view.
            qc.setQueryData(["attempt", attemptId], { ...done, questions: done.questions ?? a.questions });
            void qc.invalidateQueries({ queryKey: ["attempt", attemptId] });
          }}
        />
      ) : (
        <AttemptResults attempt={a} courseSlug={course.data?.slug} lessonId={quiz.data?.lesson_id} />
      )}
    </div>
  );
}

export default function QuizAttemptPage() {
  return (
    <RequireAuth>
      <AttemptScreen />
    </RequireAuth>
  );
}
