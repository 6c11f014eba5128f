import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../client";
import { ApiError, parseProblem } from "../errors";
import { SessionStore } from "../session";
import type { User } from "../types";

const user: User = {
  id: "u1",
  email: "a@example.com",
  full_name: "Asha Rao",
  role: "student",
  is_active: true,
  email_verified: true,
  created_at: "2026-01-01T00:00:00Z",
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function problem(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ status, ...body }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

function headerOf(init: RequestInit | undefined, name: string): string | undefined {
  const h = (init?.headers ?? {}) as Record<string, string>;
  return h[name];
}

describe("api client", () => {
  it("sends JSON with the bearer token from the in-memory session", async () => {
    const session = new SessionStore();
    session.setAuthenticated("tok-1", user);
    const fetch = vi.fn(async () => json(200, { ok: true }));
    const api = createApiClient({ session, fetch });

    const out = await api.post<{ ok: boolean }>("/things", { a: 1 }, { query: { page: 2, q: "x y", empty: "" } });

    expect(out).toEqual({ ok: true });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/things?page=2&q=x+y");
    expect(init.method).toBe("POST");
    expect(init.body).toBe('{"a":1}');
    expect(headerOf(init, "Authorization")).toBe("Bearer tok-1");
    expect(headerOf(init, "Content-Type")).toBe("application/json");
  });

  it("returns undefined for 204", async () => {
    const api = createApiClient({ session: new SessionStore(), fetch: vi.fn(async () => new Response(null, { status: 204 })) });
    await expect(api.post("/auth/logout")).resolves.toBeUndefined();
  });

  it("refreshes once for concurrent 401s and retries each request with the new token", async () => {
    const session = new SessionStore();
    session.setAuthenticated("old", user);
    let refreshCalls = 0;
    let releaseRefresh: () => void = () => {};
    const refreshGate = new Promise<void>((r) => (releaseRefresh = r));

    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (url.endsWith("/auth/refresh")) {
        refreshCalls++;
        expect(init?.credentials).toBe("include");
        expect(init?.method).toBe("POST");
        await refreshGate;
        return json(200, { access_token: "new", token_type: "bearer", expires_in: 900, user });
      }
      const auth = headerOf(init, "Authorization");
      if (auth === "Bearer old") {
        return problem(401, { title: "Unauthorized", detail: "Token expired", code: "token_expired" }, { "www-authenticate": "Bearer" });
      }
      return json(200, { url, auth });
    });
    const api = createApiClient({ session, fetch: fetch as unknown as typeof globalThis.fetch });

    const pending = Promise.all([api.get("/a"), api.get("/b"), api.get("/c")]);
    // let all three requests fail with 401 and join the same refresh
    await new Promise((r) => setTimeout(r, 10));
    releaseRefresh();
    const results = await pending;

    expect(refreshCalls).toBe(1);
    expect(results).toEqual([
      { url: "/api/v1/a", auth: "Bearer new" },
      { url: "/api/v1/b", auth: "Bearer new" },
      { url: "/api/v1/c", auth: "Bearer new" },
    ]);
    expect(session.getState()).toMatchObject({ status: "authenticated", accessToken: "new", user });
  });

  it("clears the session and throws the original 401 when refresh fails", async () => {
    const session = new SessionStore();
    session.setAuthenticated("old", user);
    const fetch = vi.fn(async (url: string) => {
      if (url.endsWith("/auth/refresh")) return problem(401, { title: "Unauthorized", detail: "Refresh token invalid" });
      return problem(401, { title: "Unauthorized", detail: "Token expired", code: "token_expired" });
    });
    const api = createApiClient({ session, fetch: fetch as unknown as typeof globalThis.fetch });

    const err = await api.get("/me").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).code).toBe("token_expired");
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(session.getState()).toEqual({ status: "anonymous", accessToken: null, user: null });
  });

  it("does not refresh for anonymous requests or auth:false calls", async () => {
    const session = new SessionStore();
    const fetch = vi.fn(async () => problem(401, { title: "Unauthorized", detail: "Bad credentials" }));
    const api = createApiClient({ session, fetch });
    await expect(api.post("/auth/login", {}, { auth: false })).rejects.toThrow("Bad credentials");
    await expect(api.get("/x")).rejects.toBeInstanceOf(ApiError);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("bootstrap refresh: a 401 leaves the visitor anonymous", async () => {
    const session = new SessionStore();
    const fetch = vi.fn(async () => problem(401, { title: "Unauthorized" }));
    const api = createApiClient({ session, fetch });
    await expect(api.refresh()).resolves.toBe(false);
    expect(session.getState().status).toBe("anonymous");
  });

  it("maps network failures to an ApiError with status 0", async () => {
    const api = createApiClient({
      session: new SessionStore(),
      fetch: vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    });
    const err = (await api.get("/x").catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/reach the server/);
  });
});

describe("session hint", () => {
  it("remembers that a session may exist, without storing any token", () => {
    localStorage.clear();
    const s = new SessionStore("test.hint");
    expect(s.mayHaveSession()).toBe(false);
    s.setAuthenticated("secret-token", user);
    expect(s.mayHaveSession()).toBe(true);
    expect(JSON.stringify({ ...localStorage })).not.toContain("secret-token");
    s.clear({ keepHint: true });
    expect(s.mayHaveSession()).toBe(true);
    s.clear();
    expect(s.mayHaveSession()).toBe(false);
  });

  it("signs this tab out when another tab removes the hint", () => {
    const s = new SessionStore("test.hint");
    s.setAuthenticated("t", user);
    const onSignIn = vi.fn();
    const stop = s.syncAcrossTabs(onSignIn);
    window.dispatchEvent(new StorageEvent("storage", { key: "test.hint", newValue: null }));
    expect(s.getState().status).toBe("anonymous");
    window.dispatchEvent(new StorageEvent("storage", { key: "test.hint", newValue: "1" }));
    expect(onSignIn).toHaveBeenCalledOnce();
    stop();
  });
});

describe("parseProblem", () => {
  it("parses RFC 9457 problem+json with field errors", async () => {
    const err = await parseProblem(
      problem(422, {
        type: "https://lms.example/problems/validation",
        title: "Validation failed",
        detail: "The request has invalid fields.",
        code: "validation_error",
        errors: [
          { field: "password", message: "Must be at least 8 characters." },
          { field: "body.email", message: "Not a valid email." },
        ],
      }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe("validation_error");
    expect(err.type).toBe("https://lms.example/problems/validation");
    expect(err.message).toBe("The request has invalid fields.");
    expect(err.fieldError("password")).toBe("Must be at least 8 characters.");
    expect(err.fieldError("email")).toBe("Not a valid email.");
    expect(err.fieldError("full_name")).toBeUndefined();
  });

  it("falls back to the title, and reads Retry-After", async () => {
    const err = await parseProblem(problem(429, { title: "Too Many Requests", code: "rate_limited" }, { "retry-after": "30" }));
    expect(err.message).toBe("Too Many Requests");
    expect(err.retryAfter).toBe(30);
  });

  it("handles a non-JSON error body", async () => {
    const err = await parseProblem(new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }));
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/server had a problem/);
  });

  it("understands FastAPI's default 422 shape", async () => {
    const err = await parseProblem(
      json(422, { detail: [{ loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error" }] }),
    );
    expect(err.fieldError("email")).toBe("value is not a valid email address");
  });
});
