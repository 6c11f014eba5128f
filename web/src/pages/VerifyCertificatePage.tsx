import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { certificatesApi } from "../api/endpoints";
import { isApiError } from "../api/errors";
import { ErrorState, LoadingState } from "../components/states";
import { t } from "../i18n";
import { formatDate } from "../lib/format";
import { useTitle } from "../lib/hooks";

export default function VerifyCertificatePage() {
  const { code = "" } = useParams();
  useTitle(t("verify.title"));
  const q = useQuery({
    queryKey: ["certificate-verify", code],
    queryFn: ({ signal }) => certificatesApi.verify(code, signal),
    retry: false,
  });

  return (
    <div className="mx-auto max-w-2xl">
      <h1 className="text-3xl font-bold">{t("verify.title")}</h1>
      <p className="mt-1 text-slate-700">{t("verify.code", { code })}</p>
      <div className="mt-6">
        {q.isPending ? (
          <LoadingState />
        ) : q.isError ? (
          isApiError(q.error) && q.error.status === 404 ? (
            <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-6">
              <p className="text-xl font-bold text-red-900">✗ {t("verify.invalid")}</p>
              <p className="mt-2 text-red-900">{t("verify.invalidBody")}</p>
            </div>
          ) : (
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          )
        ) : !q.data.valid || q.data.revoked_at ? (
          <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-6">
            <p className="text-xl font-bold text-red-900">✗ {q.data.revoked_at ? t("verify.revoked") : t("verify.invalid")}</p>
            {q.data.revoked_reason && <p className="mt-2 text-red-900">{q.data.revoked_reason}</p>}
          </div>
        ) : (
          <div role="status" className="rounded-lg border border-green-300 bg-green-50 p-6">
            <p className="text-xl font-bold text-green-900">✓ {t("verify.valid")}</p>
            <dl className="mt-4 grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[auto_1fr]">
              <dt className="font-semibold text-slate-800">{t("verify.student")}</dt>
              <dd>{q.data.student_name}</dd>
              <dt className="font-semibold text-slate-800">{t("verify.course")}</dt>
              <dd>{q.data.course_title}</dd>
              {q.data.instructors && q.data.instructors.length > 0 && (
                <>
                  <dt className="font-semibold text-slate-800">{t("verify.instructors")}</dt>
                  <dd>{q.data.instructors.join(", ")}</dd>
                </>
              )}
              {q.data.completed_at && (
                <>
                  <dt className="font-semibold text-slate-800">{t("verify.completed")}</dt>
                  <dd>{formatDate(q.data.completed_at)}</dd>
                </>
              )}
              <dt className="font-semibold text-slate-800">{t("verify.issued")}</dt>
              <dd>{formatDate(q.data.issued_at) || "—"}</dd>
            </dl>
            <p className="mt-4 text-sm text-slate-700">
              {t("verify.offline")}{" "}
              <a className="link" href={`/api/v1/certificates/${encodeURIComponent(code)}/credential.json`} download={`certificate-${code}.json`}>
                {t("verify.credential")}
              </a>{" "}
              ·{" "}
              <a className="link" href="/api/v1/certificates/public-key">
                {t("verify.publicKey")}
              </a>
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
