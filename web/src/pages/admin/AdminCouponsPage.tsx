import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { adminPaymentsApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { Coupon, CouponKind } from "../../api/types";
import { Field } from "../../components/Field";
import { EmptyState, ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate, formatMoney } from "../../lib/format";
import { useTitle } from "../../lib/hooks";

const blank = { code: "", kind: "percent" as CouponKind, percent: "10", amount: "", currency: "INR" as "INR" | "USD", course_id: "", description: "", expires: "", max_redemptions: "", max_per_user: "1" };
const num = (s: string) => (s.trim() === "" ? null : Number(s));

function NewCoupon() {
  const id = useId();
  const qc = useQueryClient();
  const [d, setD] = useState(blank);
  const m = useMutation({
    mutationFn: () =>
      adminPaymentsApi.createCoupon({
        code: d.code.trim(),
        kind: d.kind,
        percent_off: d.kind === "percent" ? num(d.percent) : null,
        amount_off: d.kind === "fixed" ? Math.round(Number(d.amount) * 100) : null,
        currency: d.kind === "fixed" ? d.currency : null,
        course_id: d.course_id.trim() || null,
        description: d.description,
        expires_at: d.expires ? new Date(d.expires).toISOString() : null,
        max_redemptions: num(d.max_redemptions),
        max_per_user: num(d.max_per_user),
      }),
    onSuccess: async () => {
      setD(blank);
      await qc.invalidateQueries({ queryKey: ["admin", "coupons"] });
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  return (
    <form
      className="card grid grid-cols-1 gap-3 sm:grid-cols-2"
      aria-labelledby={`${id}-h`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <h2 id={`${id}-h`} className="text-xl font-bold sm:col-span-2">
        {t("admin.addCoupon")}
      </h2>
      <Field label={t("admin.code")} required minLength={3} maxLength={40} value={d.code} onChange={(e) => setD({ ...d, code: e.target.value.toUpperCase() })} error={err?.fieldError("code")} />
      <div>
        <label htmlFor={`${id}-kind`} className="block text-sm font-medium text-slate-800">
          {t("admin.kind")}
        </label>
        <select id={`${id}-kind`} className="select mt-1" value={d.kind} onChange={(e) => setD({ ...d, kind: e.target.value as CouponKind })}>
          <option value="percent">{t("admin.percent")}</option>
          <option value="fixed">{t("admin.fixed")}</option>
        </select>
      </div>
      {d.kind === "percent" ? (
        <Field label={t("admin.percentOff")} type="number" min={1} max={100} required value={d.percent} onChange={(e) => setD({ ...d, percent: e.target.value })} error={err?.fieldError("percent_off")} />
      ) : (
        <>
          <Field label={t("admin.amountOff")} type="number" min={0.01} step="0.01" required value={d.amount} onChange={(e) => setD({ ...d, amount: e.target.value })} error={err?.fieldError("amount_off")} />
          <div>
            <label htmlFor={`${id}-cur`} className="block text-sm font-medium text-slate-800">
              {t("admin.currency")}
            </label>
            <select id={`${id}-cur`} className="select mt-1" value={d.currency} onChange={(e) => setD({ ...d, currency: e.target.value as "INR" | "USD" })}>
              <option value="INR">INR</option>
              <option value="USD">USD</option>
            </select>
          </div>
        </>
      )}
      <Field label={t("admin.courseId")} hint={t("admin.courseIdHint")} value={d.course_id} onChange={(e) => setD({ ...d, course_id: e.target.value })} error={err?.fieldError("course_id")} />
      <Field label={t("admin.descriptionField")} maxLength={300} value={d.description} onChange={(e) => setD({ ...d, description: e.target.value })} />
      <Field label={t("admin.expires")} type="datetime-local" value={d.expires} onChange={(e) => setD({ ...d, expires: e.target.value })} error={err?.fieldError("expires_at")} />
      <Field label={t("admin.maxRedemptions")} type="number" min={1} value={d.max_redemptions} onChange={(e) => setD({ ...d, max_redemptions: e.target.value })} />
      <Field label={t("admin.maxPerUser")} type="number" min={1} value={d.max_per_user} onChange={(e) => setD({ ...d, max_per_user: e.target.value })} />
      {err && (err.errors.length === 0 || !err.errors.some((fe) => ["code", "percent_off", "amount_off", "course_id", "expires_at"].some((f) => fe.field.endsWith(f)))) && (
        <div className="sm:col-span-2">
          <FormError error={err} />
        </div>
      )}
      <button type="submit" className="btn-primary w-fit" disabled={m.isPending}>
        {t("admin.addCoupon")}
      </button>
    </form>
  );
}

function CouponRow({ c }: { c: Coupon }) {
  const qc = useQueryClient();
  const upd = useMutation({ mutationFn: (is_active: boolean) => adminPaymentsApi.updateCoupon(c.id, { is_active }), onSuccess: () => qc.invalidateQueries({ queryKey: ["admin", "coupons"] }) });
  const del = useMutation({ mutationFn: () => adminPaymentsApi.deleteCoupon(c.id), onSuccess: () => qc.invalidateQueries({ queryKey: ["admin", "coupons"] }) });
  return (
    <tr>
      <td className="px-3 py-2 font-mono font-semibold">
        {c.code}
        {c.description && <span className="block font-sans text-xs font-normal text-slate-600">{c.description}</span>}
        <FormError error={upd.error ?? del.error} />
      </td>
      <td className="px-3 py-2">{c.kind === "percent" ? `${c.percent_off}%` : formatMoney({ amount: c.amount_off ?? 0, currency: c.currency ?? "INR" })}</td>
      <td className="px-3 py-2">
        {c.redeemed_count} / {c.max_redemptions ?? t("admin.unlimited")}
      </td>
      <td className="px-3 py-2">{formatDate(c.expires_at) || "—"}</td>
      <td className="px-3 py-2">
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${c.is_active ? "bg-green-100 text-green-900" : "bg-slate-200 text-slate-800"}`}>
          {c.is_active ? t("admin.active") : t("admin.inactive")}
        </span>
      </td>
      <td className="px-3 py-2">
        <div className="flex flex-wrap gap-1">
          <button type="button" className="btn-secondary px-2 py-0.5" disabled={upd.isPending} onClick={() => upd.mutate(!c.is_active)}>
            {c.is_active ? t("admin.deactivate") : t("admin.activate")}
            <span className="sr-only">: {c.code}</span>
          </button>
          <button type="button" className="btn-secondary px-2 py-0.5 text-red-800" onClick={() => window.confirm(t("admin.confirmDeleteCoupon", { code: c.code })) && del.mutate()}>
            {t("studio.delete")}
            <span className="sr-only">: {c.code}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}

export default function AdminCouponsPage() {
  useTitle(t("admin.coupons"));
  const q = useQuery({ queryKey: ["admin", "coupons"], queryFn: ({ signal }) => adminPaymentsApi.coupons(1, signal) });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-3xl font-bold">{t("admin.coupons")}</h1>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={t("admin.noCoupons")} />
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <thead className="bg-slate-100">
              <tr>
                <th scope="col" className="px-3 py-2">{t("admin.code")}</th>
                <th scope="col" className="px-3 py-2">{t("admin.discount")}</th>
                <th scope="col" className="px-3 py-2">{t("admin.redeemed")}</th>
                <th scope="col" className="px-3 py-2">{t("admin.expires")}</th>
                <th scope="col" className="px-3 py-2">{t("admin.status")}</th>
                <th scope="col" className="px-3 py-2">{t("admin.actions")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {q.data.items.map((c) => (
                <CouponRow key={c.id} c={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewCoupon />
    </div>
  );
}
