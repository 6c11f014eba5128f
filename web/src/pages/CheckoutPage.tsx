import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { coursesApi, paymentsApi } from "../api/endpoints";
import { isApiError } from "../api/errors";
import type { CheckoutResponse, Order, PaymentProvider } from "../api/types";
import { Field } from "../components/Field";
import { RequireAuth } from "../components/RequireAuth";
import { ErrorState, FormError, LoadingState } from "../components/states";
import { t, type MessageKey } from "../i18n";
import { formatMoney } from "../lib/format";
import { useTitle } from "../lib/hooks";
import { firstLessonId } from "./CoursePage";

const PROVIDERS: Array<{ id: PaymentProvider; label: MessageKey }> = [
  { id: "razorpay", label: "checkout.razorpay" },
  { id: "stripe", label: "checkout.stripe" },
  { id: "sandbox", label: "checkout.sandbox" },
];

function OrderSummary({ order }: { order: Order }) {
  return (
    <dl className="grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 text-sm">
      <dt className="text-slate-700">{t("checkout.price")}</dt>
      <dd className="text-right">{formatMoney(order.price)}</dd>
      {order.discount.amount > 0 && (
        <>
          <dt className="text-slate-700">{t("checkout.discount", { code: order.coupon_code ?? "" })}</dt>
          <dd className="text-right">−{formatMoney(order.discount)}</dd>
        </>
      )}
      <dt className="font-semibold">{t("checkout.total")}</dt>
      <dd className="text-right text-lg font-extrabold">{formatMoney(order.total)}</dd>
    </dl>
  );
}

function ProviderStep({ checkout, onPaid }: { checkout: CheckoutResponse; onPaid: (o: Order) => void }) {
  const { order } = checkout;
  const confirm = useMutation({
    mutationFn: (outcome: "success" | "failure") =>
      paymentsApi.confirmSandbox(order.id, outcome, checkout.sandbox!.signatures[outcome]),
    onSuccess: (o) => {
      if (o.status === "paid") onPaid(o);
    },
  });
  const result = confirm.data;
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-slate-700">{t("checkout.order", { id: order.id })}</p>
      <OrderSummary order={order} />
      {checkout.sandbox && (
        <div className="rounded-md border-2 border-dashed border-amber-500 bg-amber-50 p-4">
          <p className="font-extrabold tracking-wide text-amber-950">{t("checkout.testBanner")}</p>
          <div className="mt-3 flex flex-wrap gap-2">
            <button type="button" className="btn-accent" disabled={confirm.isPending} onClick={() => confirm.mutate("success")}>
              {confirm.isPending ? t("state.working") : t("checkout.sandboxConfirm")}
            </button>
            <button type="button" className="btn-secondary" disabled={confirm.isPending} onClick={() => confirm.mutate("failure")}>
              {t("checkout.sandboxDecline")}
            </button>
          </div>
        </div>
      )}
      {checkout.razorpay && (
        <div role="status" className="rounded-md border border-blue-200 bg-blue-50 p-4 text-blue-950">
          <p>
            {t("checkout.razorpayInfo", {
              order: checkout.razorpay.order_id,
              amount: formatMoney({ amount: checkout.razorpay.amount, currency: checkout.razorpay.currency }),
            })}
          </p>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 font-mono text-xs">
            <dt>key_id</dt>
            <dd className="break-all">{checkout.razorpay.key_id || "—"}</dd>
            <dt>order_id</dt>
            <dd className="break-all">{checkout.razorpay.order_id}</dd>
            <dt>description</dt>
            <dd>{checkout.razorpay.description}</dd>
          </dl>
        </div>
      )}
      {checkout.stripe && (
        <div role="status" className="rounded-md border border-blue-200 bg-blue-50 p-4 text-blue-950">
          <p>{t("checkout.stripeInfo", { amount: formatMoney(order.total) })}</p>
          {checkout.stripe.url && (
            <a href={checkout.stripe.url} className="link mt-2 inline-block break-all" rel="noopener noreferrer">
              {t("checkout.stripeOpen")}
            </a>
          )}
        </div>
      )}
      <FormError error={confirm.error} />
      {result && result.status !== "paid" && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          {t("checkout.failed", { reason: result.failure_reason ?? result.status })}
        </div>
      )}
    </div>
  );
}

function Checkout() {
  const { courseId = "" } = useParams();
  const id = useId();
  const navigate = useNavigate();
  const qc = useQueryClient();
  useTitle(t("checkout.title"));
  const q = useQuery({ queryKey: ["course", courseId, "checkout"], queryFn: ({ signal }) => coursesApi.get(courseId, signal) });
  const [provider, setProvider] = useState<PaymentProvider>("razorpay");
  const [coupon, setCoupon] = useState("");
  const start = useMutation({
    mutationFn: () => paymentsApi.checkout({ course_id: q.data!.id, provider, coupon_code: coupon.trim() || null }),
  });

  async function onPaid() {
    const c = q.data!;
    await Promise.all([
      qc.invalidateQueries({ queryKey: ["course"] }),
      qc.invalidateQueries({ queryKey: ["enrollments"] }),
      qc.invalidateQueries({ queryKey: ["payments"] }),
    ]);
    const first = firstLessonId(c);
    navigate(first ? `/learn/${c.slug}/${first}` : `/courses/${c.slug}`, { state: { paid: true } });
  }

  if (q.isPending) return <LoadingState />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const c = q.data;
  const err = isApiError(start.error) ? start.error : undefined;
  return (
    <div className="mx-auto max-w-xl">
      <h1 className="text-3xl font-bold">{t("checkout.title")}</h1>
      <div className="card mt-6 flex flex-col gap-4">
        <div>
          <p className="text-lg font-semibold">{c.title}</p>
          <p className="mt-1 text-2xl font-extrabold">{formatMoney(c.price)}</p>
        </div>
        {c.viewer?.enrolled ? (
          <p className="rounded-md border border-green-200 bg-green-50 p-3 text-green-900">{t("checkout.alreadyEnrolled")}</p>
        ) : !c.price ? (
          <p className="rounded-md border border-slate-200 bg-slate-50 p-3">{t("checkout.freeCourse")}</p>
        ) : start.data ? (
          <ProviderStep checkout={start.data} onPaid={() => void onPaid()} />
        ) : (
          <form
            className="flex flex-col gap-4"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              start.mutate();
            }}
          >
            <fieldset>
              <legend className="text-sm font-medium text-slate-800">{t("checkout.provider")}</legend>
              <div className="mt-2 flex flex-col gap-2">
                {PROVIDERS.map((p) => (
                  <label
                    key={p.id}
                    className={`flex cursor-pointer items-center gap-3 rounded-md border p-3 has-[:checked]:border-blue-700 has-[:checked]:bg-blue-50 ${p.id === "sandbox" ? "border-dashed border-amber-500" : "border-slate-200"}`}
                  >
                    <input type="radio" name={`${id}-provider`} value={p.id} className="h-5 w-5 accent-blue-800" checked={provider === p.id} onChange={() => setProvider(p.id)} />
                    <span className={p.id === "sandbox" ? "font-semibold text-amber-950" : ""}>{t(p.label)}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <Field label={t("checkout.coupon")} value={coupon} maxLength={40} autoComplete="off" onChange={(e) => setCoupon(e.target.value)} hint={t("checkout.couponHint")} error={err?.fieldError("coupon_code")} />
            {err && !err.fieldError("coupon_code") && <FormError error={err} />}
            <button type="submit" className="btn-accent" disabled={start.isPending}>
              {start.isPending ? t("state.working") : t("checkout.continue")}
            </button>
          </form>
        )}
        <div className="flex flex-wrap gap-3 text-sm">
          <Link to={`/courses/${c.slug}`} className="link">
            {t("checkout.back")}
          </Link>
          <Link to="/payments" className="link">
            {t("checkout.history")}
          </Link>
        </div>
      </div>
    </div>
  );
}

export default function CheckoutPage() {
  return (
    <RequireAuth>
      <Checkout />
    </RequireAuth>
  );
}
