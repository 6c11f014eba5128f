import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { coursesApi } from "../api/endpoints";
import { RequireAuth } from "../components/RequireAuth";
import { ErrorState, LoadingState } from "../components/states";
import { t } from "../i18n";
import { formatMoney } from "../lib/format";
import { useTitle } from "../lib/hooks";

function Checkout() {
  const { courseId = "" } = useParams();
  useTitle(t("checkout.title"));
  const q = useQuery({ queryKey: ["course", courseId], queryFn: ({ signal }) => coursesApi.get(courseId, signal) });
  if (q.isPending) return <LoadingState />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <div className="mx-auto max-w-xl">
      <h1 className="text-3xl font-bold">{t("checkout.title")}</h1>
      <div className="card mt-6">
        <p className="text-lg font-semibold">{q.data.title}</p>
        <p className="mt-2 text-2xl font-extrabold">{formatMoney(q.data.price)}</p>
        <p className="mt-4 rounded-md border border-amber-200 bg-amber-50 p-3 text-amber-950">{t("checkout.soon")}</p>
        <Link to={`/courses/${q.data.slug}`} className="btn-secondary mt-4">
          {t("checkout.back")}
        </Link>
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
