import { API_BASE, api } from "./client";
import { ApiError, parseProblem } from "./errors";
import type { MediaFile } from "./types";

export interface UploadOptions {
  /** Anyone may see the file (course thumbnails; the server accepts only images). */
  public?: boolean;
  /** Called with 0..100 as the bytes go out. */
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
}

function send(courseId: string, file: File, token: string | null, o: UploadOptions): Promise<Response> {
  // XMLHttpRequest, not fetch: only it reports upload progress, which a 1 GB lecture video needs.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API_BASE}/courses/${encodeURIComponent(courseId)}/media`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) o.onProgress?.((e.loaded / e.total) * 100);
    };
    xhr.onload = () =>
      resolve(
        new Response(xhr.responseText, {
          status: xhr.status,
          headers: { "Content-Type": xhr.getResponseHeader("Content-Type") ?? "application/json" },
        }),
      );
    xhr.onerror = () => reject(new ApiError(0));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    o.signal?.addEventListener("abort", () => xhr.abort());
    const form = new FormData();
    form.append("file", file);
    if (o.public) form.append("public", "true");
    xhr.send(form);
  });
}

/** Upload one file to a course the user edits; resolves with what the server stored. */
export async function uploadMedia(courseId: string, file: File, o: UploadOptions = {}): Promise<MediaFile> {
  let res = await send(courseId, file, api.session.getState().accessToken, o);
  if (res.status === 401 && (await api.refresh())) {
    res = await send(courseId, file, api.session.getState().accessToken, o);
  }
  if (!res.ok) throw await parseProblem(res);
  return (await res.json()) as MediaFile;
}
