import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { paymentsApi } from "../api/endpoints";
import type { Order } from "../api/types";
import { Pagination } from "../components/Pagination";
import { RequireAuth } from "../components/RequireAuth";
import { EmptyState, ErrorState, FormError, LoadingState } from "../components/states";
import { t, type MessageKey } from "../i18n";
import { formatDate, formatMoney } from "../lib/format";
import { useTitle } from "../lib/hooks";

export function orderStatusLabel(status: string): string {
  const key = `payments.status.${status}` as MessageKey;
  const label = t(key);
  return label === key ? status : label;
}

export function OrderStatusBadge({ order }: { order: Pick<Order, "status" | "test_mode"> }) {
  const cls =
    order.status === "paid"
      ? "bg-green-100 text-green-900"
      : order.status === "pending"
        ? "bg-slate-100 text-slate-900"
        : order.status.includes("refunded")
          ? "bg-blue-100 text-blue-900"
          : "bg-red-100 text-red-900";
  return (
    <span className="inline-flex gap-1">
      <span className={`rounded px-2 py-0.5 text-xs font-semibold ${cls}`}>{orderStatusLabel(order.status)}</span>
      {order.test_mode && <span className="rounded bg-amber-200 px-2 py-0.5 text-xs font-bold text-amber-950">{t("payments.testMode")}</span>}
    </span>
  );
}

export function ReceiptButton({ order }: { order: Order }) {
  const open = useMutation({ mutationFn: () => paymentsApi.openReceipt(order.id) });
  if (!order.receipt_url) return <span className="text-slate-500">—</span>;
  return (
    <>
      <button type="button" className="link" disabled={open.isPending} onClick={() => open.mutate()}>
        {t("payments.openReceipt", { invoice: order.invoice_number ?? "" })}
      </button>
      <FormError error={open.error} />
    </>
  );
}

function Payments() {
  useTitle(t("payments.title"));
  const [page, setPage] = useState(1);
  const q = useQuery({ queryKey: ["payments", "me", page], queryFn: ({ signal }) => paymentsApi.mine(page, signal) });
  return (
    <div>
      <h1 className="text-3xl font-bold">{t("payments.title")}</h1>
      <div className="mt-6">
        {q.isPending ? (
          <LoadingState />
        ) : q.isError ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : q.data.items.length === 0 ? (
          <EmptyState title={t("payments.none")}>
            <Link to="/courses" className="link">
              {t("home.browse")}
            </Link>
          </EmptyState>
        ) : (
          <>
            <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="w-full min-w-[36rem] text-left text-sm">
                <thead className="bg-slate-100 text-slate-800">
                  <tr>
                    <th scope="col" className="px-4 py-2">{t("payments.date")}</th>
                    <th scope="col" className="px-4 py-2">{t("payments.course")}</th>
                    <th scope="col" className="px-4 py-2">{t("payments.amount")}</th>
                    <th scope="col" className="px-4 py-2">{t("payments.status")}</th>
                    <th scope="col" className="px-4 py-2">{t("payments.receipt")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {q.data.items.map((o) => (
                    <tr key={o.id}>
                      <td className="px-4 py-2">{formatDate(o.paid_at ?? o.created_at)}</td>
                      <td className="px-4 py-2">{o.course_title ?? o.course_id}</td>
                      <td className="px-4 py-2">
                        {formatMoney(o.total)}
                        {o.refunded.amount > 0 && (
                          <span className="block text-xs text-slate-600">{t("payments.refunded", { amount: formatMoney(o.refunded) })}</span>
                        )}
                      </td>
                      <td className="px-4 py-2">
                        <OrderStatusBadge order={o} />
                      </td>
                      <td className="px-4 py-2">
                        <ReceiptButton order={o} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
          </>
        )}
      </div>
    </div>
  );
}

export default function PaymentsPage() {
  return (
    <RequireAuth>
      <Payments />
    </RequireAuth>
  );
}
