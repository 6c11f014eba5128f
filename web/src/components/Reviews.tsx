import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { reviewsApi } from "../api/endpoints";
import { isApiError } from "../api/errors";
import type { Review } from "../api/types";
import { useSession } from "../api/useSession";
import { t } from "../i18n";
import { formatDate } from "../lib/format";
import { ConfirmDialog } from "./ConfirmDialog";
import { Rating } from "./Rating";
import { ErrorState, FormError, FormSuccess, LoadingState } from "./states";

function Stars({ n }: { n: number }) {
  return (
    <span className="text-amber-600">
      <span aria-hidden="true">
        {"★".repeat(n)}
        <span className="text-slate-300">{"★".repeat(5 - n)}</span>
      </span>
      <span className="sr-only">{t("reviews.stars", { n })}</span>
    </span>
  );
}

function ReviewForm({ courseId, mine, onSaved }: { courseId: string; mine: Review | undefined; onSaved: () => void }) {
  const id = useId();
  const [rating, setRating] = useState(mine?.rating ?? 0);
  const [body, setBody] = useState(mine?.body ?? "");
  const m = useMutation({ mutationFn: () => reviewsApi.upsert(courseId, { rating, body }), onSuccess: onSaved });
  const err = isApiError(m.error) ? m.error : undefined;
  return (
    <form
      className="card flex flex-col gap-3"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (rating > 0) m.mutate();
      }}
    >
      <h3 className="font-semibold">{mine ? t("reviews.edit") : t("reviews.write")}</h3>
      {m.isSuccess && <FormSuccess>{t("reviews.saved")}</FormSuccess>}
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">{t("reviews.rating")}</legend>
        <div className="mt-1 flex gap-1">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="cursor-pointer text-3xl leading-none has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-blue-700">
              <input type="radio" name={`${id}-rating`} value={n} className="sr-only" checked={rating === n} onChange={() => setRating(n)} />
              <span aria-hidden="true" className={n <= rating ? "text-amber-500" : "text-slate-300"}>
                ★
              </span>
              <span className="sr-only">{t("reviews.stars", { n })}</span>
            </label>
          ))}
        </div>
        {err?.fieldError("rating") && <p className="mt-1 text-sm text-red-700">{err.fieldError("rating")}</p>}
      </fieldset>
      <div>
        <label htmlFor={`${id}-body`} className="block text-sm font-medium text-slate-800">
          {t("reviews.body")}
        </label>
        <textarea id={`${id}-body`} className="input mt-1 min-h-24" maxLength={5000} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      {err && err.errors.length === 0 && <FormError error={err} />}
      <button type="submit" className="btn-primary w-fit" disabled={m.isPending || rating === 0}>
        {m.isPending ? t("state.saving") : mine ? t("reviews.update") : t("reviews.submit")}
      </button>
    </form>
  );
}

function ReplyForm({ review, onSaved }: { review: Review; onSaved: () => void }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(review.reply ?? "");
  const m = useMutation({ mutationFn: () => reviewsApi.reply(review.id, text.trim()), onSuccess: () => { setOpen(false); onSaved(); } });
  if (!open) {
    return (
      <button type="button" className="link mt-2 text-sm" onClick={() => setOpen(true)}>
        {review.reply ? t("reviews.editReply") : t("reviews.replyAction")}
        <span className="sr-only">: {review.author_name}</span>
      </button>
    );
  }
  return (
    <form
      className="mt-3 flex flex-col gap-2"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (text.trim()) m.mutate();
      }}
    >
      <label htmlFor={`${id}-r`} className="text-sm font-medium text-slate-800">
        {t("reviews.reply")}
      </label>
      <textarea id={`${id}-r`} className="input min-h-20" maxLength={5000} value={text} onChange={(e) => setText(e.target.value)} />
      <FormError error={m.error} />
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={m.isPending || !text.trim()}>
          {t("reviews.replyAction")}
        </button>
        <button type="button" className="btn-secondary" onClick={() => setOpen(false)}>
          {t("studio.cancel")}
        </button>
      </div>
    </form>
  );
}

/** Admins hide an abusive review (after confirming) or show a hidden one again. */
function useModeration(courseId: string) {
  const qc = useQueryClient();
  const [target, setTarget] = useState<Review | null>(null);
  const m = useMutation({
    mutationFn: ({ review, hidden }: { review: Review; hidden: boolean }) => reviewsApi.setHidden(review.id, hidden),
    onSuccess: async () => {
      setTarget(null);
      // The course's rating changes too.
      await Promise.all([
        qc.invalidateQueries({ queryKey: ["reviews", courseId] }),
        qc.invalidateQueries({ queryKey: ["course"] }),
      ]);
    },
  });
  const dialog = (
    <ConfirmDialog
      open={target !== null}
      title={target ? t("reviews.hideTitle", { name: target.author_name }) : ""}
      confirmLabel={t("reviews.hide")}
      danger
      pending={m.isPending}
      error={m.error}
      onCancel={() => {
        m.reset();
        setTarget(null);
      }}
      onConfirm={() => target && m.mutate({ review: target, hidden: true })}
    >
      <p className="text-slate-800">{t("reviews.hideBody")}</p>
    </ConfirmDialog>
  );
  return { dialog, m, askHide: setTarget, unhide: (review: Review) => m.mutate({ review, hidden: false }) };
}

/** Course reviews: summary, list, the enrolled student's own rating (create or edit), instructors' replies. */
export function Reviews({ courseId, enrolled, canReply = false }: { courseId: string; enrolled: boolean; canReply?: boolean }) {
  const qc = useQueryClient();
  const { user } = useSession();
  const [pages, setPages] = useState(1);
  const q = useQuery({ queryKey: ["reviews", courseId], queryFn: ({ signal }) => reviewsApi.list(courseId, 1, signal) });
  const more = useQuery({
    queryKey: ["reviews", courseId, "page", pages],
    queryFn: async ({ signal }) => {
      const all: Review[] = [];
      for (let p = 2; p <= pages; p++) all.push(...(await reviewsApi.list(courseId, p, signal)).items);
      return all;
    },
    enabled: pages > 1,
  });
  const items = [...(q.data?.items ?? []), ...(more.data ?? [])];
  const mine = user ? items.find((r) => r.user_id === user.id) : undefined;
  const isAdmin = user?.role === "admin";
  const moderation = useModeration(courseId);

  return (
    <section aria-labelledby="reviews" className="mt-8">
      <h2 id="reviews" className="text-xl font-bold">
        {t("reviews.title")}
      </h2>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <div className="mt-3 flex flex-col gap-4">
          <Rating average={q.data.summary.count ? q.data.summary.average : null} count={q.data.summary.count} />
          {enrolled && user ? (
            <ReviewForm key={mine?.updated_at ?? "new"} courseId={courseId} mine={mine} onSaved={() => void qc.invalidateQueries({ queryKey: ["reviews", courseId] })} />
          ) : (
            <p className="text-sm text-slate-700">{t("reviews.enrollToReview")}</p>
          )}
          {items.length === 0 ? (
            <p className="text-slate-700">{t("reviews.none")}</p>
          ) : (
            <ul className="flex flex-col gap-3">
              {items.map((r) => (
                <li key={r.id} className={`rounded-lg border p-4 ${r.is_hidden ? "border-dashed border-slate-400 bg-slate-50" : "border-slate-200 bg-white"}`}>
                  <div className="flex flex-wrap items-center gap-2 text-sm">
                    <Stars n={r.rating} />
                    <span className="text-slate-700">{t("reviews.by", { name: r.author_name, date: formatDate(r.created_at) })}</span>
                    {user && r.user_id === user.id && <span className="rounded bg-blue-100 px-2 text-xs font-semibold text-blue-900">{t("reviews.yours")}</span>}
                    {r.is_hidden && (
                      <span className="rounded bg-slate-700 px-2 text-xs font-semibold text-white" title={t("reviews.hiddenNote")}>
                        {t("reviews.hidden")}
                        <span className="sr-only">: {t("reviews.hiddenNote")}</span>
                      </span>
                    )}
                    {isAdmin && (
                      <button
                        type="button"
                        className="btn-secondary ml-auto px-2 py-0.5 text-sm"
                        disabled={moderation.m.isPending}
                        onClick={() => (r.is_hidden ? moderation.unhide(r) : moderation.askHide(r))}
                      >
                        {r.is_hidden ? t("reviews.unhide") : t("reviews.hide")}
                        <span className="sr-only">: {t("reviews.by", { name: r.author_name, date: formatDate(r.created_at) })}</span>
                      </button>
                    )}
                  </div>
                  {r.body && <p className="mt-2 whitespace-pre-wrap text-slate-900">{r.body}</p>}
                  {r.reply && (
                    <div className="mt-3 border-l-4 border-blue-200 pl-3 text-sm">
                      <p className="font-semibold text-slate-800">{t("reviews.reply")}</p>
                      <p className="whitespace-pre-wrap">{r.reply}</p>
                    </div>
                  )}
                  {canReply && <ReplyForm review={r} onSaved={() => void qc.invalidateQueries({ queryKey: ["reviews", courseId] })} />}
                </li>
              ))}
            </ul>
          )}
          {isAdmin && !moderation.m.variables?.hidden && moderation.m.isError && <FormError error={moderation.m.error} />}
          {moderation.dialog}
          {q.data.total > items.length && (
            <button type="button" className="btn-secondary w-fit" onClick={() => setPages((p) => p + 1)}>
              {t("reviews.more")}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
