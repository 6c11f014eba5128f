import { ApiError, parseProblem } from "./errors";
import { session as defaultSession, type SessionStore } from "./session";
import type { TokenResponse } from "./types";

export const API_BASE = "/api/v1";

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** JSON body; serialized with JSON.stringify. */
  body?: unknown;
  query?: Record<string, QueryValue | QueryValue[]>;
  signal?: AbortSignal;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  headers?: Record<string, string>;
  /** "blob" returns the body as a Blob (PDF and other downloads that need the bearer token). */
  responseType?: "json" | "blob";
  /** Called with the status of a successful response (e.g. 201 created vs 200 already there). */
  onStatus?: (status: number) => void;
}

export interface ApiClientOptions {
  baseUrl?: string;
  session?: SessionStore;
  fetch?: typeof fetch;
}

export function buildQuery(query: RequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    const values = Array.isArray(v) ? v : [v];
    for (const item of values) {
      if (item === undefined || item === null || item === "") continue;
      params.append(k, String(item));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: RequestOptions["query"], signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  del<T>(path: string, options?: RequestOptions): Promise<T>;
  /** Single-flight refresh through the httpOnly cookie. Resolves true if a new access token was obtained. */
  refresh(): Promise<boolean>;
  readonly session: SessionStore;
}

export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const baseUrl = opts.baseUrl ?? API_BASE;
  const store = opts.session ?? defaultSession;
  const doFetch: typeof fetch = (...args) => (opts.fetch ?? globalThis.fetch)(...args);

  let inflightRefresh: Promise<boolean> | null = null;

  function refresh(): Promise<boolean> {
    if (inflightRefresh) return inflightRefresh;
    inflightRefresh = (async () => {
      try {
        const res = await doFetch(`${baseUrl}/auth/refresh`, {
          method: "POST",
          credentials: "include",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: "{}",
        });
        if (!res.ok) {
          store.clear();
          return false;
        }
        const data = (await res.json()) as TokenResponse;
        store.setAuthenticated(data.access_token, data.user ?? null);
        return true;
      } catch {
        // network failure: anonymous for now, but the refresh cookie may still be good next time
        store.clear({ keepHint: true });
        return false;
      } finally {
        inflightRefresh = null;
      }
    })();
    return inflightRefresh;
  }

  async function send(path: string, o: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", ...o.headers };
    let body: BodyInit | undefined;
    if (o.body !== undefined) {
      if (o.body instanceof FormData) {
        body = o.body;
      } else {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(o.body);
      }
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await doFetch(`${baseUrl}${path}${buildQuery(o.query)}`, {
        method: o.method ?? "GET",
        headers,
        body,
        signal: o.signal,
        credentials: "include",
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") throw e;
      throw new ApiError(0);
    }
  }

  async function request<T>(path: string, o: RequestOptions = {}): Promise<T> {
    const useAuth = o.auth !== false;
    const token = useAuth ? store.getState().accessToken : null;
    let res = await send(path, o, token);

    if (res.status === 401 && useAuth && token) {
      const current = store.getState().accessToken;
      if (current && current !== token) {
        // Someone else already refreshed while this request was in flight.
        res = await send(path, o, current);
      } else {
        // Access token expired or revoked: refresh once (shared by all concurrent callers), retry once.
        const ok = await refresh();
        if (ok) res = await send(path, o, store.getState().accessToken);
      }
    }

    if (!res.ok) throw await parseProblem(res);
    o.onStatus?.(res.status);
    if (res.status === 204 || res.status === 205) return undefined as T;
    if (o.responseType === "blob") return (await res.blob()) as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  return {
    session: store,
    request,
    refresh,
    get: (path, query, signal) => request(path, { query, signal }),
    post: (path, body, options) => request(path, { ...options, method: "POST", body }),
    put: (path, body, options) => request(path, { ...options, method: "PUT", body }),
    patch: (path, body, options) => request(path, { ...options, method: "PATCH", body }),
    del: (path, options) => request(path, { ...options, method: "DELETE" }),
  };
}

export const api = createApiClient();
