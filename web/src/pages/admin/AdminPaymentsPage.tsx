import { Fragment, useId, useState, type FormEvent } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { adminPaymentsApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { Order } from "../../api/types";
import { Field } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { EmptyState, ErrorState, FormError, FormSuccess, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate, formatMoney } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { OrderStatusBadge, ReceiptButton, orderStatusLabel } from "../PaymentsPage";

const STATUSES = ["pending", "paid", "partially_refunded", "refunded", "failed", "expired"];

function RefundPanel({ order, onRefunded }: { order: Order; onRefunded: () => void }) {
  const qc = useQueryClient();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const refunds = useQuery({ queryKey: ["admin", "refunds", order.id], queryFn: ({ signal }) => adminPaymentsApi.refunds(order.id, signal) });
  const m = useMutation({
    mutationFn: () => adminPaymentsApi.refund(order.id, { amount: amount ? Math.round(Number(amount) * 100) : null, reason: reason.trim() }),
    onSuccess: async () => {
      setAmount("");
      setReason("");
      // Reported by the page: under a "Paid" filter a full refund takes the row (and this panel) away.
      onRefunded();
      await qc.invalidateQueries({ queryKey: ["admin", "payments"] });
      await qc.invalidateQueries({ queryKey: ["admin", "refunds", order.id] });
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  const refundable = order.status === "paid" || order.status === "partially_refunded";
  return (
    <div className="flex flex-col gap-3 bg-slate-50 p-3">
      {refunds.data && refunds.data.length > 0 && (
        <div>
          <h3 className="text-sm font-semibold">{t("admin.refundsList")}</h3>
          <ul className="mt-1 text-sm">
            {refunds.data.map((r) => (
              <li key={r.id}>
                {formatDate(r.created_at)} · {formatMoney({ amount: r.amount, currency: r.currency })} · {r.status} · {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {refundable && (
        <form
          className="grid grid-cols-1 gap-3 sm:grid-cols-[12rem_1fr_auto] sm:items-end"
          aria-label={t("admin.refundOf", { id: order.id })}
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (reason.trim().length >= 3) m.mutate();
          }}
        >
          <Field label={t("admin.refundAmount", { currency: order.total.currency })} type="number" min={0.01} step="0.01" value={amount} hint={t("admin.refundAmountHint")} onChange={(e) => setAmount(e.target.value)} error={err?.fieldError("amount")} />
          <Field label={t("admin.refundReason")} required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} error={err?.fieldError("reason")} />
          <button type="submit" className="btn-primary" disabled={m.isPending || reason.trim().length < 3}>
            {t("admin.refundGo")}
          </button>
        </form>
      )}
      {err && err.errors.length === 0 && <FormError error={err} />}
    </div>
  );
}

export default function AdminPaymentsPage() {
  useTitle(t("admin.payments"));
  const id = useId();
  const [status, setStatus] = useState("");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [refunded, setRefunded] = useState<string | null>(null);
  const params = { status: status || undefined, page };
  const q = useQuery({ queryKey: ["admin", "payments", params], queryFn: ({ signal }) => adminPaymentsApi.list(params, signal), placeholderData: keepPreviousData });
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-3xl font-bold">{t("admin.payments")}</h1>
      <div className="max-w-xs">
        <label htmlFor={`${id}-s`} className="block text-sm font-medium text-slate-800">
          {t("admin.status")}
        </label>
        <select id={`${id}-s`} className="select mt-1" value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
          <option value="">{t("admin.anyStatus")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {orderStatusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      {refunded && <FormSuccess>{t("admin.refundedOrder", { id: refunded })}</FormSuccess>}
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={t("admin.noPayments")} />
      ) : (
        <>
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={q.isFetching}>
            <table className="w-full min-w-[44rem] text-left text-sm">
              <thead className="bg-slate-100">
                <tr>
                  <th scope="col" className="px-3 py-2">{t("payments.date")}</th>
                  <th scope="col" className="px-3 py-2">{t("payments.course")}</th>
                  <th scope="col" className="px-3 py-2">{t("payments.amount")}</th>
                  <th scope="col" className="px-3 py-2">{t("payments.status")}</th>
                  <th scope="col" className="px-3 py-2">{t("payments.receipt")}</th>
                  <th scope="col" className="px-3 py-2">{t("admin.actions")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {q.data.items.map((o) => (
                  <Fragment key={o.id}>
                    <tr>
                      <td className="px-3 py-2">{formatDate(o.paid_at ?? o.created_at)}</td>
                      <td className="px-3 py-2">
                        {o.course_title ?? o.course_id}
                        <span className="block text-xs text-slate-600">
                          {o.provider} · {o.id}
                        </span>
                      </td>
                      <td className="px-3 py-2">
                        {formatMoney(o.total)}
                        {o.refunded.amount > 0 && <span className="block text-xs text-slate-600">{t("payments.refunded", { amount: formatMoney(o.refunded) })}</span>}
                      </td>
                      <td className="px-3 py-2">
                        <OrderStatusBadge order={o} />
                      </td>
                      <td className="px-3 py-2">
                        <ReceiptButton order={o} />
                      </td>
                      <td className="px-3 py-2">
                        <button type="button" className="btn-secondary px-2 py-0.5" aria-expanded={open === o.id} onClick={() => {
                            setRefunded(null);
                            setOpen(open === o.id ? null : o.id);
                          }}>
                          {t("admin.refund")}
                          <span className="sr-only">: {t("admin.refundOf", { id: o.id })}</span>
                        </button>
                      </td>
                    </tr>
                    {open === o.id && (
                      <tr>
                        <td colSpan={6} className="p-0">
                          <RefundPanel order={o} onRefunded={() => setRefunded(o.id)} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}
