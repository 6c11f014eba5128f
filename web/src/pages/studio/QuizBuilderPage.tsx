import { useId, useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "react-router";
import { quizzesApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { Question, QuestionIn, Quiz, ReviewPolicy } from "../../api/types";
import { Field } from "../../components/Field";
import { SortableList } from "../../components/SortableList";
import { ErrorState, FormError, FormSuccess, LoadingState } from "../../components/states";
import { t, type MessageKey } from "../../i18n";
import { useTitle } from "../../lib/hooks";
import { pct } from "../quiz/QuizIntro";
import { CourseTabs } from "./CourseTabs";
import { QuestionEditor, blankQuestion, kindName, toInput } from "./QuestionEditor";

const POLICIES: ReviewPolicy[] = ["after_submission", "after_close", "never"];
const numOrNull = (s: string) => (s.trim() === "" ? null : Number(s));
/** <input type="datetime-local"> value (local time) <-> ISO with zone. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : null);

function SettingsForm({ quiz }: { quiz: Quiz }) {
  const id = useId();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [s, setS] = useState({
    title: quiz.title,
    description: quiz.description,
    minutes: quiz.time_limit_seconds ? String(Math.round(quiz.time_limit_seconds / 60)) : "",
    attempts: quiz.attempts_allowed == null ? "" : String(quiz.attempts_allowed),
    passing: String(quiz.passing_percent),
    pool: quiz.pool_size == null ? "" : String(quiz.pool_size),
    is_required: quiz.is_required,
    shuffle_questions: quiz.shuffle_questions,
    shuffle_options: quiz.shuffle_options,
    review_policy: quiz.review_policy,
    from: toLocalInput(quiz.available_from),
    until: toLocalInput(quiz.available_until),
  });
  const m = useMutation({
    mutationFn: () =>
      quizzesApi.update(quiz.id, {
        title: s.title.trim(),
        description: s.description,
        time_limit_seconds: s.minutes ? Math.round(Number(s.minutes) * 60) : null,
        attempts_allowed: numOrNull(s.attempts),
        passing_percent: Number(s.passing) || 0,
        pool_size: numOrNull(s.pool),
        is_required: s.is_required,
        shuffle_questions: s.shuffle_questions,
        shuffle_options: s.shuffle_options,
        review_policy: s.review_policy,
        available_from: fromLocalInput(s.from),
        available_until: fromLocalInput(s.until),
      }),
    onSuccess: (q) => qc.setQueryData(["studio", "quiz", quiz.id], q),
  });
  const del = useMutation({
    mutationFn: () => quizzesApi.remove(quiz.id),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["studio"] });
      await qc.invalidateQueries({ queryKey: ["course", quiz.course_id] });
      navigate(`/studio/courses/${quiz.course_id}/quizzes`);
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  const check = (key: "is_required" | "shuffle_questions" | "shuffle_options", label: MessageKey) => (
    <label className="flex items-center gap-2">
      <input type="checkbox" className="h-5 w-5 accent-blue-800" checked={s[key]} onChange={(e) => setS({ ...s, [key]: e.target.checked })} />
      {t(label)}
    </label>
  );
  return (
    <form
      className="card flex flex-col gap-4"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <h2 className="text-xl font-bold">{t("studio.quizSettings")}</h2>
      {m.isSuccess && <FormSuccess>{t("profile.saved")}</FormSuccess>}
      <Field label={t("studio.quizTitle")} value={s.title} maxLength={200} onChange={(e) => setS({ ...s, title: e.target.value })} error={err?.fieldError("title")} />
      <div>
        <label htmlFor={`${id}-desc`} className="block text-sm font-medium text-slate-800">
          {t("studio.description")}
        </label>
        <textarea id={`${id}-desc`} className="input mt-1 min-h-20 font-mono text-sm" value={s.description} onChange={(e) => setS({ ...s, description: e.target.value })} />
      </div>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field label={t("studio.timeLimitMin")} type="number" min={1} value={s.minutes} onChange={(e) => setS({ ...s, minutes: e.target.value })} hint={t("studio.timeLimitHint")} error={err?.fieldError("time_limit_seconds")} />
        <Field label={t("studio.attemptsAllowed")} type="number" min={1} value={s.attempts} onChange={(e) => setS({ ...s, attempts: e.target.value })} hint={t("studio.attemptsHint")} error={err?.fieldError("attempts_allowed")} />
        <Field label={t("studio.passingPercent")} type="number" min={0} max={100} value={s.passing} onChange={(e) => setS({ ...s, passing: e.target.value })} error={err?.fieldError("passing_percent")} />
        <Field label={t("studio.poolSize")} type="number" min={1} value={s.pool} onChange={(e) => setS({ ...s, pool: e.target.value })} hint={t("studio.poolHint")} error={err?.fieldError("pool_size")} />
        <Field label={t("studio.availableFrom")} type="datetime-local" value={s.from} onChange={(e) => setS({ ...s, from: e.target.value })} error={err?.fieldError("available_from")} />
        <Field label={t("studio.availableUntil")} type="datetime-local" value={s.until} onChange={(e) => setS({ ...s, until: e.target.value })} error={err?.fieldError("available_until")} />
        <div>
          <label htmlFor={`${id}-policy`} className="block text-sm font-medium text-slate-800">
            {t("studio.reviewPolicy")}
          </label>
          <select id={`${id}-policy`} className="select mt-1" value={s.review_policy} onChange={(e) => setS({ ...s, review_policy: e.target.value as ReviewPolicy })}>
            {POLICIES.map((p) => (
              <option key={p} value={p}>
                {t(`studio.review.${p}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="flex flex-col gap-2">
        {check("is_required", "studio.required")}
        {check("shuffle_questions", "studio.shuffleQuestions")}
        {check("shuffle_options", "studio.shuffleOptions")}
      </div>
      {err && <FormError error={err} />}
      <FormError error={del.error} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className="btn-primary" disabled={m.isPending}>
          {m.isPending ? t("state.saving") : t("profile.save")}
        </button>
        <button type="button" className="btn-secondary ml-auto text-red-800" onClick={() => window.confirm(t("studio.confirmDeleteQuiz", { title: quiz.title })) && del.mutate()}>
          {t("studio.deleteQuiz")}
        </button>
      </div>
    </form>
  );
}

function QuestionRow({ q, handle, onChanged }: { q: Question; handle: React.ReactNode; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const del = useMutation({ mutationFn: () => quizzesApi.deleteQuestion(q.id), onSuccess: onChanged });
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        {handle}
        <span className="flex-1">
          <span className="prose-lms line-clamp-2" dangerouslySetInnerHTML={{ __html: q.stem_html }} />
          <span className="text-slate-600">
            {kindName(q.kind)} · {t("quiz.points", { n: q.points })}
          </span>
        </span>
        <button type="button" className="btn-secondary px-2 py-0.5" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {t("studio.edit")}
          <span className="sr-only">: {q.title || q.stem.slice(0, 60)}</span>
        </button>
        <button type="button" className="btn-secondary px-2 py-0.5 text-red-800" onClick={() => window.confirm(t("studio.confirmDeleteQuestion")) && del.mutate()}>
          {t("studio.delete")}
          <span className="sr-only">: {q.title || q.stem.slice(0, 60)}</span>
        </button>
      </div>
      <FormError error={del.error} />
      {editing && (
        <div className="mt-2">
          <QuestionEditor
            initial={toInput(q)}
            submitLabel={t("profile.save")}
            save={(body) => quizzesApi.updateQuestion(q.id, body)}
            onDone={() => {
              setEditing(false);
              onChanged();
            }}
          />
        </div>
      )}
    </div>
  );
}

function ImportExport({ courseId, quizId, onImported }: { courseId: string; quizId: string; onImported: () => void }) {
  const id = useId();
  const [format, setFormat] = useState<"gift" | "json">("gift");
  const [text, setText] = useState("");
  const m = useMutation({
    mutationFn: async () => {
      if (format === "gift") return quizzesApi.importGift(courseId, quizId, text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(t("studio.badJson"));
      }
      const list = Array.isArray(parsed) ? parsed : (parsed as { questions?: unknown }).questions;
      return quizzesApi.importJson(courseId, quizId, (Array.isArray(list) ? list : []) as QuestionIn[]);
    },
    onSuccess: () => {
      setText("");
      onImported();
    },
  });
  const exp = useMutation({ mutationFn: (f: "json" | "gift") => quizzesApi.exportQuestions(courseId, f, quizId) });
  return (
    <section aria-labelledby={`${id}-h`} className="card flex flex-col gap-3">
      <h2 id={`${id}-h`} className="text-xl font-bold">
        {t("studio.import")}
      </h2>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[10rem_1fr]">
        <div>
          <label htmlFor={`${id}-f`} className="block text-sm font-medium text-slate-800">
            {t("studio.importFormat")}
          </label>
          <select id={`${id}-f`} className="select mt-1" value={format} onChange={(e) => setFormat(e.target.value as "gift" | "json")}>
            <option value="gift">GIFT</option>
            <option value="json">JSON</option>
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-t`} className="block text-sm font-medium text-slate-800">
            {t("studio.importText")}
          </label>
          <textarea id={`${id}-t`} aria-describedby={`${id}-hint`} className="input mt-1 min-h-32 font-mono text-sm" value={text} onChange={(e) => setText(e.target.value)} />
          <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
            {t("studio.importHint")}
          </p>
        </div>
      </div>
      {m.data && (
        <FormSuccess>
          {t("studio.imported", { n: m.data.created })} {(m.data.skipped?.length ?? 0) > 0 && t("studio.importSkipped", { n: m.data.skipped?.length ?? 0 })}
        </FormSuccess>
      )}
      <FormError error={m.error} />
      {isApiError(m.error) && m.error.errors.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-red-800">
          {m.error.errors.slice(0, 10).map((e, i) => (
            <li key={i}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-primary" disabled={m.isPending || !text.trim()} onClick={() => m.mutate()}>
          {m.isPending ? t("state.working") : t("studio.importGo")}
        </button>
        <button type="button" className="btn-secondary ml-auto" onClick={() => exp.mutate("json")}>
          {t("studio.exportJson")}
        </button>
        <button type="button" className="btn-secondary" onClick={() => exp.mutate("gift")}>
          {t("studio.exportGift")}
        </button>
      </div>
      <FormError error={exp.error} />
    </section>
  );
}

function Bank({ courseId, quizId, onChanged }: { courseId: string; quizId: string; onChanged: () => void }) {
  const bank = useQuery({ queryKey: ["studio", "bank", courseId], queryFn: ({ signal }) => quizzesApi.questions(courseId, undefined, signal) });
  const add = useMutation({ mutationFn: (q: Question) => quizzesApi.updateQuestion(q.id, { ...toInput(q), quiz_id: quizId }), onSuccess: onChanged });
  const others = (bank.data ?? []).filter((q) => q.quiz_id !== quizId);
  return (
    <section aria-labelledby="bank" className="card">
      <h2 id="bank" className="text-xl font-bold">
        {t("studio.bank")}
      </h2>
      <p className="mt-1 text-sm text-slate-700">{t("studio.bankHint")}</p>
      {bank.isPending ? (
        <LoadingState />
      ) : bank.isError ? (
        <ErrorState error={bank.error} onRetry={() => void bank.refetch()} />
      ) : others.length === 0 ? (
        <p className="mt-2 text-slate-700">{t("studio.noQuestions")}</p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100">
          {others.map((q) => (
            <li key={q.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
              <span className="flex-1">
                <span className="prose-lms line-clamp-1" dangerouslySetInnerHTML={{ __html: q.stem_html }} />
                <span className="text-slate-600">{kindName(q.kind)}</span>
              </span>
              <button type="button" className="btn-secondary px-2 py-0.5" disabled={add.isPending} onClick={() => add.mutate(q)}>
                {t("studio.addToQuiz")}
                <span className="sr-only">: {q.title || q.stem.slice(0, 60)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={add.error} />
    </section>
  );
}

function Report({ quizId }: { quizId: string }) {
  const qc = useQueryClient();
  const r = useQuery({ queryKey: ["studio", "report", quizId], queryFn: ({ signal }) => quizzesApi.report(quizId, signal) });
  const csv = useMutation({ mutationFn: () => quizzesApi.downloadGradesCsv(quizId) });
  const regrade = useMutation({ mutationFn: () => quizzesApi.regrade(quizId), onSuccess: () => qc.invalidateQueries({ queryKey: ["studio", "report", quizId] }) });
  return (
    <section aria-labelledby="report" className="card">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="report" className="flex-1 text-xl font-bold">
          {t("studio.report")}
        </h2>
        <button type="button" className="btn-secondary" onClick={() => csv.mutate()} disabled={csv.isPending}>
          {t("admin.exportCsv")}
        </button>
        <button type="button" className="btn-secondary" disabled={regrade.isPending} onClick={() => regrade.mutate()}>
          {t("studio.regrade")}
        </button>
      </div>
      <FormError error={csv.error} />
      {regrade.data && <FormSuccess>{t("studio.regraded", regrade.data)}</FormSuccess>}
      <FormError error={regrade.error} />
      {r.isPending ? (
        <LoadingState />
      ) : r.isError ? (
        <ErrorState error={r.error} onRetry={() => void r.refetch()} />
      ) : (
        <>
          <p className="mt-2 text-sm">
            {t("studio.attemptsCount", { n: r.data.attempts })} · {t("studio.meanScore", { pct: pct(r.data.mean_percent) })}
          </p>
          {r.data.students.length > 0 && (
            <div className="mt-3 overflow-x-auto">
              <table className="w-full min-w-[28rem] text-left text-sm">
                <thead className="bg-slate-100">
                  <tr>
                    <th scope="col" className="px-3 py-1.5">{t("studio.student")}</th>
                    <th scope="col" className="px-3 py-1.5">{t("studio.attemptsHeader")}</th>
                    <th scope="col" className="px-3 py-1.5">{t("studio.best")}</th>
                    <th scope="col" className="px-3 py-1.5">{t("quiz.passedBadge")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {r.data.students.map((st) => (
                    <tr key={st.user_id}>
                      <td className="px-3 py-1.5">{st.student_name}</td>
                      <td className="px-3 py-1.5">{st.attempts}</td>
                      <td className="px-3 py-1.5">{pct(st.best_percent)}%</td>
                      <td className="px-3 py-1.5">{st.passed ? "✓" : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {r.data.questions.length > 0 && (
            <div className="mt-3 overflow-x-auto">
              <table className="w-full min-w-[28rem] text-left text-sm">
                <thead className="bg-slate-100">
                  <tr>
                    <th scope="col" className="px-3 py-1.5">{t("studio.questions")}</th>
                    <th scope="col" className="px-3 py-1.5">{t("studio.responses")}</th>
                    <th scope="col" className="px-3 py-1.5">{t("studio.difficulty")}</th>
                    <th scope="col" className="px-3 py-1.5">{t("studio.discrimination")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {r.data.questions.map((q) => (
                    <tr key={q.question_id}>
                      <td className="px-3 py-1.5">{q.title || kindName(q.kind)}</td>
                      <td className="px-3 py-1.5">{q.responses}</td>
                      <td className="px-3 py-1.5">{q.difficulty == null ? "—" : `${Math.round(q.difficulty * 100)}%`}</td>
                      <td className="px-3 py-1.5">{q.discrimination == null ? "—" : q.discrimination.toFixed(2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

export default function QuizBuilderPage() {
  const { id = "", quizId = "" } = useParams();
  const qc = useQueryClient();
  const quiz = useQuery({ queryKey: ["studio", "quiz", quizId], queryFn: ({ signal }) => quizzesApi.get(quizId, signal) });
  const questions = useQuery({ queryKey: ["studio", "questions", quizId], queryFn: ({ signal }) => quizzesApi.questions(id, quizId, signal) });
  const [adding, setAdding] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: ["studio"] });
  const reorder = useMutation({ mutationFn: (ids: string[]) => quizzesApi.orderQuestions(quizId, ids), onSettled: refresh });
  const sorted = useMemo(() => [...(questions.data ?? [])].sort((a, b) => a.position - b.position), [questions.data]);
  useTitle(quiz.data ? `${t("nav.studio")}: ${quiz.data.title}` : t("nav.studio"));

  if (quiz.isPending) return <LoadingState />;
  if (quiz.isError) return <ErrorState error={quiz.error} onRetry={() => void quiz.refetch()} />;
  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={id} />
      <h1 className="text-3xl font-bold">{quiz.data.title}</h1>
      <SettingsForm key={quiz.data.id} quiz={quiz.data} />
      <section aria-labelledby="questions" className="card">
        <h2 id="questions" className="text-xl font-bold">
          {t("studio.questions")}
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          {t("quiz.questions", { n: quiz.data.question_count })} · {t("quiz.points", { n: quiz.data.total_points })}
        </p>
        {questions.isPending ? (
          <LoadingState />
        ) : questions.isError ? (
          <ErrorState error={questions.error} onRetry={() => void questions.refetch()} />
        ) : sorted.length === 0 ? (
          <p className="mt-3 text-slate-700">{t("studio.noQuestions")}</p>
        ) : (
          <SortableList
            items={sorted}
            getId={(q) => q.id}
            getLabel={(q) => q.title || q.stem.slice(0, 60)}
            onReorder={(ids) => reorder.mutate(ids)}
            disabled={reorder.isPending}
            className="mt-3 divide-y divide-slate-100 rounded-md border border-slate-200"
            itemClassName="bg-white px-3 py-2"
            renderItem={(q, handle) => <QuestionRow q={q} handle={handle} onChanged={refresh} />}
          />
        )}
        <FormError error={reorder.error} />
        <div className="mt-3">
          {adding ? (
            <QuestionEditor
              initial={blankQuestion(quizId)}
              submitLabel={t("studio.addQuestion")}
              save={(body) => quizzesApi.createQuestion(id, body)}
              onDone={() => {
                setAdding(false);
                refresh();
              }}
            />
          ) : (
            <button type="button" className="btn-primary" onClick={() => setAdding(true)}>
              + {t("studio.addQuestion")}
            </button>
          )}
        </div>
      </section>
      <ImportExport courseId={id} quizId={quizId} onImported={refresh} />
      <Bank courseId={id} quizId={quizId} onChanged={refresh} />
      <Report quizId={quizId} />
    </div>
  );
}
