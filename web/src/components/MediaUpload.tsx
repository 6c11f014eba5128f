import { useId, useRef, useState } from "react";
import { uploadMedia } from "../api/upload";
import type { MediaFile } from "../api/types";
import { t } from "../i18n";
import { errorMessage } from "./states";

/** A file picker that uploads to the course at once, with a progress bar and the server's error. */
export function MediaUpload({
  courseId,
  accept,
  isPublic = false,
  label,
  onUploaded,
}: {
  courseId: string;
  accept?: string;
  isPublic?: boolean;
  label: string;
  onUploaded: (media: MediaFile) => void;
}) {
  const id = useId();
  const [percent, setPercent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function start(file: File) {
    setError(null);
    setDone(null);
    setPercent(0);
    abort.current = new AbortController();
    try {
      const media = await uploadMedia(courseId, file, { public: isPublic, onProgress: setPercent, signal: abort.current.signal });
      setDone(media.filename);
      onUploaded(media);
    } catch (e) {
      if (!(e instanceof DOMException && e.name === "AbortError")) setError(errorMessage(e));
    } finally {
      setPercent(null);
      abort.current = null;
    }
  }

  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        type="file"
        accept={accept}
        disabled={percent !== null}
        className="text-sm file:mr-3 file:rounded-md file:border-0 file:bg-blue-50 file:px-3 file:py-2 file:font-medium file:text-blue-900"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file) void start(file);
        }}
      />
      {percent !== null && (
        <div className="flex items-center gap-3">
          <progress className="h-2 w-full" max={100} value={percent} aria-label={t("media.uploading")} />
          <span className="text-xs text-slate-700">{Math.round(percent)}%</span>
          <button type="button" className="link text-sm" onClick={() => abort.current?.abort()}>
            {t("studio.cancel")}
          </button>
        </div>
      )}
      {done && <p className="text-sm text-green-800">{t("media.uploaded", { name: done })}</p>}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
