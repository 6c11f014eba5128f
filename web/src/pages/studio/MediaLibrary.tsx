import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { mediaApi } from "../../api/endpoints";
import type { MediaFile } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { MediaUpload } from "../../components/MediaUpload";
import { EmptyState, ErrorState, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { formatDate } from "../../lib/format";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The course's uploaded files: what they are, how big, a link to each, and delete. */
export function MediaLibrary({ courseId }: { courseId: string }) {
  const qc = useQueryClient();
  const key = ["media", courseId];
  const q = useQuery({ queryKey: key, queryFn: ({ signal }) => mediaApi.list(courseId, signal) });
  const [deleting, setDeleting] = useState<MediaFile | null>(null);
  const remove = useMutation({
    mutationFn: (m: MediaFile) => mediaApi.remove(m.id),
    onSuccess: async () => {
      setDeleting(null);
      await qc.invalidateQueries({ queryKey: key });
    },
  });
  return (
    <section aria-labelledby="media-library" className="card flex flex-col gap-3">
      <h2 id="media-library" className="text-xl font-bold">
        {t("media.library")}
      </h2>
      <p className="text-sm text-slate-700">{t("media.libraryHint")}</p>
      <MediaUpload courseId={courseId} label={t("media.uploadAny")} onUploaded={() => void qc.invalidateQueries({ queryKey: key })} />
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={t("media.none")} />
      ) : (
        <ul className="divide-y divide-slate-200">
          {q.data.items.map((m) => (
            <li key={m.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-2">
              <a className="link min-w-0 flex-1 break-all" href={m.url} target="_blank" rel="noreferrer">
                {m.filename}
              </a>
              <span className="text-xs text-slate-700">
                {m.content_type} · {formatBytes(m.size_bytes)} · {formatDate(m.created_at)}
                {m.is_public ? ` · ${t("media.public")}` : ""}
              </span>
              <code className="text-xs text-slate-700">{m.path}</code>
              <button type="button" className="link text-sm text-red-800" onClick={() => setDeleting(m)}>
                {t("media.delete")}
                <span className="sr-only">: {m.filename}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? t("media.deleteTitle", { name: deleting.filename }) : ""}
        confirmLabel={t("media.delete")}
        danger
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        {t("media.deleteBody")}
      </ConfirmDialog>
    </section>
  );
}
