import { useId, useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { isApiError } from "../../api/errors";
import type { OptionIn, Question, QuestionIn, QuestionKind } from "../../api/types";
import { Field } from "../../components/Field";
import { FormError } from "../../components/states";
import { t, type MessageKey } from "../../i18n";

export const QUESTION_KINDS: QuestionKind[] = ["single", "multiple", "true_false", "short", "numeric", "essay"];
export const kindName = (k: string) => t(`studio.qkind.${k}` as MessageKey);

export function toInput(q: Question): QuestionIn {
  return {
    kind: q.kind,
    title: q.title,
    stem: q.stem,
    points: q.points,
    options: q.options.map((o) => ({ id: o.id, text: o.text, correct: o.correct, feedback: o.feedback })),
    correct: q.correct,
    accepted_answers: q.accepted_answers ?? [],
    regex: q.regex,
    case_sensitive: q.case_sensitive ?? false,
    value: q.value,
    tolerance: q.tolerance ?? 0,
    partial_credit: q.partial_credit,
    feedback: q.feedback,
    quiz_id: q.quiz_id,
  };
}

export const blankQuestion = (quizId: string | null): QuestionIn => ({
  kind: "single",
  stem: "",
  points: 1,
  options: [
    { text: "", correct: true },
    { text: "", correct: false },
  ],
  correct: null,
  accepted_answers: [],
  regex: null,
  case_sensitive: false,
  value: null,
  tolerance: 0,
  partial_credit: false,
  feedback: "",
  quiz_id: quizId,
});

/** Only the fields that matter for the kind are sent. */
function clean(d: QuestionIn): QuestionIn {
  const base = { kind: d.kind, title: d.title ?? "", stem: d.stem, points: d.points, feedback: d.feedback ?? "", quiz_id: d.quiz_id ?? null, options: [] as OptionIn[] };
  switch (d.kind) {
    case "single":
    case "multiple":
      return { ...base, options: d.options.filter((o) => o.text.trim()), partial_credit: d.kind === "multiple" && !!d.partial_credit };
    case "true_false":
      return { ...base, correct: !!d.correct };
    case "short":
      return { ...base, accepted_answers: (d.accepted_answers ?? []).map((a) => a.trim()).filter(Boolean), regex: d.regex?.trim() || null, case_sensitive: !!d.case_sensitive };
    case "numeric":
      return { ...base, value: d.value, tolerance: d.tolerance ?? 0 };
    default:
      return base;
  }
}

export function QuestionEditor({
  initial,
  save,
  onDone,
  submitLabel,
}: {
  initial: QuestionIn;
  save: (body: QuestionIn) => Promise<unknown>;
  onDone: () => void;
  submitLabel: string;
}) {
  const id = useId();
  const [d, setD] = useState<QuestionIn>(initial);
  const m = useMutation({ mutationFn: () => save(clean(d)), onSuccess: onDone });
  const err = isApiError(m.error) ? m.error : undefined;
  const setOption = (i: number, patch: Partial<OptionIn>) =>
    setD({ ...d, options: d.options.map((o, j) => (j === i ? { ...o, ...patch } : d.kind === "single" && patch.correct ? { ...o, correct: false } : o)) });

  return (
    <form
      className="flex flex-col gap-3 rounded-md border border-slate-200 bg-slate-50 p-3"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_8rem]">
        <div>
          <label htmlFor={`${id}-kind`} className="block text-sm font-medium text-slate-800">
            {t("studio.kind")}
          </label>
          <select
            id={`${id}-kind`}
            className="select mt-1"
            value={d.kind}
            onChange={(e) => {
              const kind = e.target.value as QuestionKind;
              const needsOptions = kind === "single" || kind === "multiple";
              setD({ ...d, kind, options: needsOptions && d.options.length === 0 ? blankQuestion(null).options : d.options, correct: kind === "true_false" ? (d.correct ?? true) : d.correct });
            }}
          >
            {QUESTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindName(k)}
              </option>
            ))}
          </select>
        </div>
        <Field label={t("studio.points")} type="number" min={0} max={1000} value={String(d.points)} onChange={(e) => setD({ ...d, points: Number(e.target.value) || 0 })} error={err?.fieldError("points")} />
      </div>
      <div>
        <label htmlFor={`${id}-stem`} className="block text-sm font-medium text-slate-800">
          {t("studio.stem")}
        </label>
        <textarea id={`${id}-stem`} required className="input mt-1 min-h-24 font-mono text-sm" value={d.stem} onChange={(e) => setD({ ...d, stem: e.target.value })} />
        {err?.fieldError("stem") && <p className="mt-1 text-sm text-red-700">{err.fieldError("stem")}</p>}
      </div>

      {(d.kind === "single" || d.kind === "multiple") && (
        <fieldset className="flex flex-col gap-2">
          <legend className="text-sm font-medium text-slate-800">{t("studio.options")}</legend>
          {d.options.map((o, i) => (
            <div key={i} className="flex items-center gap-2">
              <input
                type={d.kind === "single" ? "radio" : "checkbox"}
                name={`${id}-correct`}
                className="h-5 w-5 shrink-0 accent-green-700"
                checked={o.correct}
                aria-label={t("studio.optionCorrect", { n: i + 1 })}
                onChange={(e) => setOption(i, { correct: e.target.checked })}
              />
              <input className="input" aria-label={t("studio.option", { n: i + 1 })} value={o.text} onChange={(e) => setOption(i, { text: e.target.value })} />
              <button type="button" className="btn-secondary px-2 py-1 text-sm" disabled={d.options.length <= 2} onClick={() => setD({ ...d, options: d.options.filter((_, j) => j !== i) })}>
                ✕<span className="sr-only">{t("studio.removeOption", { n: i + 1 })}</span>
              </button>
            </div>
          ))}
          <button type="button" className="btn-secondary w-fit text-sm" onClick={() => setD({ ...d, options: [...d.options, { text: "", correct: false }] })}>
            + {t("studio.addOption")}
          </button>
          {d.kind === "multiple" && (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" className="h-5 w-5 accent-blue-800" checked={!!d.partial_credit} onChange={(e) => setD({ ...d, partial_credit: e.target.checked })} />
              {t("studio.partialCredit")}
            </label>
          )}
        </fieldset>
      )}
      {d.kind === "true_false" && (
        <label className="flex items-center gap-2">
          <input type="checkbox" className="h-5 w-5 accent-blue-800" checked={!!d.correct} onChange={(e) => setD({ ...d, correct: e.target.checked })} />
          {t("studio.answerIsTrue")}
        </label>
      )}
      {d.kind === "short" && (
        <>
          <div>
            <label htmlFor={`${id}-acc`} className="block text-sm font-medium text-slate-800">
              {t("studio.accepted")}
            </label>
            <textarea id={`${id}-acc`} className="input mt-1 min-h-20" value={(d.accepted_answers ?? []).join("\n")} onChange={(e) => setD({ ...d, accepted_answers: e.target.value.split("\n") })} />
          </div>
          <Field label={t("studio.regex")} value={d.regex ?? ""} onChange={(e) => setD({ ...d, regex: e.target.value })} error={err?.fieldError("regex")} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" className="h-5 w-5 accent-blue-800" checked={!!d.case_sensitive} onChange={(e) => setD({ ...d, case_sensitive: e.target.checked })} />
            {t("studio.caseSensitive")}
          </label>
        </>
      )}
      {d.kind === "numeric" && (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label={t("studio.value")} type="number" step="any" required value={d.value == null ? "" : String(d.value)} onChange={(e) => setD({ ...d, value: e.target.value === "" ? null : Number(e.target.value) })} error={err?.fieldError("value")} />
          <Field label={t("studio.tolerance")} type="number" step="any" min={0} value={String(d.tolerance ?? 0)} onChange={(e) => setD({ ...d, tolerance: Number(e.target.value) || 0 })} error={err?.fieldError("tolerance")} />
        </div>
      )}
      <Field label={t("studio.feedback")} value={d.feedback ?? ""} maxLength={5000} onChange={(e) => setD({ ...d, feedback: e.target.value })} />
      {err && (
        <div>
          <FormError error={err} />
          {err.errors.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-sm text-red-800">
              {err.errors.map((fe, i) => (
                <li key={i}>
                  {fe.field}: {fe.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={m.isPending}>
          {m.isPending ? t("state.saving") : submitLabel}
        </button>
        <button type="button" className="btn-secondary" onClick={onDone}>
          {t("studio.cancel")}
        </button>
      </div>
    </form>
  );
}
