import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { myCertificatesApi } from "../api/endpoints";
import type { Certificate } from "../api/types";
import { RequireAuth } from "../components/RequireAuth";
import { EmptyState, ErrorState, FormError, LoadingState } from "../components/states";
import { t } from "../i18n";
import { formatDate } from "../lib/format";
import { useTitle } from "../lib/hooks";

function CertificateCard({ cert }: { cert: Certificate }) {
  const [copied, setCopied] = useState(false);
  const verifyPath = `/verify/${encodeURIComponent(cert.code)}`;
  const shareUrl = cert.verify_url || `${window.location.origin}${verifyPath}`;
  const download = useMutation({ mutationFn: () => myCertificatesApi.downloadPdf(cert.code) });
  const revoked = !!cert.revoked_at;
  return (
    <li className="card flex flex-col gap-3">
      <div className="flex flex-wrap items-start gap-2">
        <h2 className="flex-1 text-lg font-semibold">{cert.course_title}</h2>
        {revoked && <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-900">{t("certs.revoked")}</span>}
      </div>
      <p className="text-sm text-slate-700">
        {t("certs.issued", { date: formatDate(cert.issued_at) })} · <span className="font-mono">{t("certs.code", { code: cert.code })}</span>
      </p>
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-primary" disabled={download.isPending} onClick={() => download.mutate()}>
          {download.isPending ? t("state.working") : t("certs.download")}
          <span className="sr-only">: {cert.course_title}</span>
        </button>
        <Link to={verifyPath} className="btn-secondary">
          {t("certs.verify")}
          <span className="sr-only">: {cert.course_title}</span>
        </Link>
        <a className="btn-secondary" href={`/api/v1/certificates/${encodeURIComponent(cert.code)}/credential.json`} download={`certificate-${cert.code}.json`}>
          {t("certs.credential")}
          <span className="sr-only">: {cert.course_title}</span>
        </a>
        <button
          type="button"
          className="btn-secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(shareUrl).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {t("certs.copy")}
          <span className="sr-only">: {cert.course_title}</span>
        </button>
      </div>
      <p className="break-all text-xs text-slate-600">{shareUrl}</p>
      <p role="status" className="text-sm text-green-800">
        {copied ? t("certs.copied") : ""}
      </p>
      <FormError error={download.error} />
    </li>
  );
}

function Certificates() {
  useTitle(t("certs.title"));
  const q = useQuery({ queryKey: ["certificates", "me"], queryFn: ({ signal }) => myCertificatesApi.mine(signal) });
  return (
    <div>
      <h1 className="text-3xl font-bold">{t("certs.title")}</h1>
      <div className="mt-6">
        {q.isPending ? (
          <LoadingState />
        ) : q.isError ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : q.data.length === 0 ? (
          <EmptyState title={t("certs.none")}>
            <Link to="/dashboard" className="link">
              {t("nav.dashboard")}
            </Link>
          </EmptyState>
        ) : (
          <ul className="grid grid-cols-1 gap-4 md:grid-cols-2">
            {q.data.map((c) => (
              <CertificateCard key={c.code} cert={c} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

export default function CertificatesPage() {
  return (
    <RequireAuth>
      <Certificates />
    </RequireAuth>
  );
}
