import { ownMessage, t } from "../i18n";
import type { ProblemDetails, ProblemFieldError } from "./types";

/** An error answered by the API, parsed from RFC 9457 application/problem+json. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly errors: ProblemFieldError[];
  /** Seconds, from Retry-After on 429/503. */
  readonly retryAfter: number | undefined;

  constructor(status: number, problem: ProblemDetails = {}, retryAfter?: number) {
    super(ApiError.messageOf(status, problem));
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = retryAfter;
  }

  /** Message for field `name`, if the server reported one (validation errors). */
  fieldError(name: string): string | undefined {
    return this.errors.find((e) => e.field === name || e.field.endsWith(`.${name}`))?.message;
  }

  private static messageOf(status: number, p: ProblemDetails): string {
    // The server writes its details in English; in another language a known code reads in that language.
    const own = p.code ? ownMessage(`problem.${p.code}`) : undefined;
    if (own) return own;
    if (p.detail && p.detail.trim()) return p.detail;
    if (p.title && p.title.trim()) return p.title;
    if (status === 0) return t("error.network");
    if (status === 429) return t("error.rateLimited");
    if (status >= 500) return t("error.server");
    return t("error.status", { status });
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Read a problem+json body (or anything else) from a failed response into an ApiError. */
export async function parseProblem(response: Response): Promise<ApiError> {
  let problem: ProblemDetails = {};
  const ct = response.headers.get("content-type") ?? "";
  try {
    if (ct.includes("json")) {
      const body: unknown = await response.json();
      if (body && typeof body === "object") {
        problem = normalizeProblem(body as Record<string, unknown>);
      }
    } else {
      const text = await response.text();
      if (text && text.length < 500 && !text.trimStart().startsWith("<")) problem = { detail: text };
    }
  } catch {
    // unreadable body: fall back to the status line
  }
  if (!problem.title && response.statusText) problem.title = response.statusText;
  const ra = response.headers.get("retry-after");
  const retryAfter = ra != null && ra !== "" && !Number.isNaN(Number(ra)) ? Number(ra) : undefined;
  return new ApiError(response.status, problem, retryAfter);
}

function normalizeProblem(body: Record<string, unknown>): ProblemDetails {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const p: ProblemDetails = {
    type: str(body.type),
    title: str(body.title),
    status: typeof body.status === "number" ? body.status : undefined,
    detail: str(body.detail),
    code: str(body.code),
  };
  if (Array.isArray(body.errors)) {
    p.errors = body.errors
      .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
      .map((e) => ({ field: String(e.field ?? ""), message: String(e.message ?? "") }));
  } else if (Array.isArray(body.detail)) {
    // FastAPI's default 422 shape, in case a route slips through without the problem handler.
    p.detail = undefined;
    p.errors = (body.detail as Array<Record<string, unknown>>).map((e) => ({
      field: Array.isArray(e.loc) ? e.loc.filter((x) => x !== "body").join(".") : "",
      message: String(e.msg ?? ""),
    }));
    p.title = p.title ?? "Validation failed";
  }
  return p;
}
