import { useId, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { adminCertificatesApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { AdminCertificate, CertificateStatus } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { EmptyState, ErrorState, FormSuccess, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate } from "../../lib/format";
import { useListFilters, useTitle } from "../../lib/hooks";

const STATUSES: CertificateStatus[] = ["valid", "revoked"];

function StatusBadge({ cert }: { cert: AdminCertificate }) {
  const revoked = cert.status === "revoked";
  return (
    <span className={`rounded px-2 py-0.5 text-xs font-semibold ${revoked ? "bg-red-100 text-red-900" : "bg-green-100 text-green-900"}`}>
      {t(revoked ? "admin.certStatus.revoked" : "admin.certStatus.valid")}
    </span>
  );
}

/** Revoke with a required reason, behind a confirmation dialog; problem+json errors stay in the dialog. */
function RevokeDialog({ cert, onClose, onRevoked }: { cert: AdminCertificate | null; onClose: () => void; onRevoked: (code: string) => void }) {
  const id = useId();
  const [reason, setReason] = useState("");
  const m = useMutation({
    mutationFn: (c: AdminCertificate) => adminCertificatesApi.revoke(c.code, reason.trim()),
    onSuccess: (_data, c) => {
      setReason("");
      onRevoked(c.code);
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  const reasonError = err?.fieldError("reason");
  const close = () => {
    m.reset();
    setReason("");
    onClose();
  };
  return (
    <ConfirmDialog
      open={cert !== null}
      title={cert ? t("admin.revokeTitle", { code: cert.code }) : ""}
      confirmLabel={t("admin.revokeConfirm")}
      danger
      pending={m.isPending}
      error={reasonError ? undefined : m.error}
      onCancel={close}
      onConfirm={() => cert && reason.trim().length >= 3 && m.mutate(cert)}
    >
      {cert && <p className="text-slate-800">{t("admin.revokeBody", { student: cert.student.name, course: cert.course.title })}</p>}
      <div>
        <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-slate-800">
          {t("admin.revokeReason")}
        </label>
        <textarea
          id={`${id}-reason`}
          className={`input mt-1 min-h-20 ${reasonError ? "border-red-600" : ""}`}
          required
          minLength={3}
          maxLength={1000}
          value={reason}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-err` : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
        {reasonError && (
          <p id={`${id}-err`} className="mt-1 text-sm text-red-700">
            {reasonError}
          </p>
        )}
      </div>
    </ConfirmDialog>
  );
}

export default function AdminCertificatesPage() {
  useTitle(t("admin.certificates"));
  const id = useId();
  const qc = useQueryClient();
  const { params, q, setQ, debounced, page, set } = useListFilters();
  const statusParam = params.get("status");
  const status = STATUSES.find((s) => s === statusParam);
  const [target, setTarget] = useState<AdminCertificate | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const query = useQuery({
    queryKey: ["admin", "certificates", { q: debounced, status, page }],
    queryFn: ({ signal }) => adminCertificatesApi.list({ q: debounced || undefined, status, page }, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-3xl font-bold">{t("admin.certificates")}</h1>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_10rem]">
        <Field label={t("admin.searchCertificates")} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <div>
          <label htmlFor={`${id}-status`} className="block text-sm font-medium text-slate-800">
            {t("admin.status")}
          </label>
          <select id={`${id}-status`} className="select mt-1" value={status ?? ""} onChange={(e) => set("status", e.target.value)}>
            <option value="">{t("admin.anyStatus")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(s === "revoked" ? "admin.certStatus.revoked" : "admin.certStatus.valid")}
              </option>
            ))}
          </select>
        </div>
      </div>
      {done && <FormSuccess>{t("admin.revokedDone", { code: done })}</FormSuccess>}

      <div className="min-w-0" aria-busy={query.isFetching}>
        {query.isPending ? (
          <LoadingState />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : query.data.items.length === 0 ? (
          <EmptyState title={t("admin.noCertificates")} />
        ) : (
          <>
            <p className="mb-2 text-sm text-slate-700" aria-live="polite">
              {t("admin.certificateCount", { n: query.data.total })}
            </p>
            <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="w-full min-w-[40rem] text-left text-sm">
                <caption className="sr-only">{t("admin.certificates")}</caption>
                <thead className="bg-slate-100">
                  <tr>
                    <th scope="col" className="px-3 py-2">{t("admin.code")}</th>
                    <th scope="col" className="px-3 py-2">{t("studio.student")}</th>
                    <th scope="col" className="px-3 py-2">{t("admin.course")}</th>
                    <th scope="col" className="px-3 py-2">{t("admin.issued")}</th>
                    <th scope="col" className="px-3 py-2">{t("admin.status")}</th>
                    <th scope="col" className="px-3 py-2">{t("admin.actions")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {query.data.items.map((c) => (
                    <tr key={c.id}>
                      <td className="px-3 py-2 font-mono text-xs font-semibold">
                        <Link to={`/verify/${c.code}`} className="link" aria-label={`${c.code} (${t("admin.verifyPage")})`}>
                          {c.code}
                        </Link>
                      </td>
                      <td className="px-3 py-2">
                        <span className="block font-medium">{c.student.name}</span>
                        <span className="block break-all text-slate-600">{c.student.email}</span>
                      </td>
                      <td className="px-3 py-2">{c.course.title}</td>
                      <td className="px-3 py-2">{formatDate(c.issued_at)}</td>
                      <td className="px-3 py-2">
                        <StatusBadge cert={c} />
                        {c.revoked_at && (
                          <span className="mt-1 block text-xs text-slate-700">
                            {t("admin.revokedOn", { date: formatDate(c.revoked_at), reason: c.revoked_reason ?? "" })}
                          </span>
                        )}
                      </td>
                      <td className="px-3 py-2">
                        {c.status === "valid" && (
                          <button
                            type="button"
                            className="btn-secondary px-2 py-0.5 text-red-800"
                            onClick={() => {
                              setDone(null);
                              setTarget(c);
                            }}
                          >
                            {t("admin.revoke")}
                            <span className="sr-only">: {t("admin.revokeOf", { code: c.code })}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={query.data.page} pageSize={query.data.page_size} total={query.data.total} onPage={(p) => set("page", String(p))} />
          </>
        )}
      </div>
      <RevokeDialog
        cert={target}
        onClose={() => setTarget(null)}
        onRevoked={(code) => {
          setTarget(null);
          setDone(code);
          void qc.invalidateQueries({ queryKey: ["admin", "certificates"] });
        }}
      />
    </div>
  );
}
