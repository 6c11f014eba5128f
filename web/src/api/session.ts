import type { User } from "./types";

/**
 * In-memory session store. The access token lives only here (never in localStorage);
 * the refresh token is an httpOnly cookie the browser sends to /api/v1/auth/refresh.
 */
export type SessionStatus = "unknown" | "anonymous" | "authenticated";

export interface SessionState {
  status: SessionStatus;
  accessToken: string | null;
  user: User | null;
}

type Listener = () => void;

/**
 * A non-secret hint ("this browser probably holds a refresh cookie") kept in localStorage so that an
 * anonymous visitor's first page load does not fire a refresh request that can only fail with 401
 * (a console error in every browser). It holds no token. Removing it in one tab signs out the others.
 */
export const SESSION_HINT_KEY = "lms.session";

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

export class SessionStore {
  private state: SessionState = { status: "unknown", accessToken: null, user: null };
  private listeners = new Set<Listener>();

  /** @param hintKey localStorage key for the session hint; null disables it (tests). */
  constructor(private readonly hintKey: string | null = null) {}

  /** True unless this browser is known to have no session (no hint stored). */
  mayHaveSession(): boolean {
    if (!this.hintKey) return true;
    const s = storage();
    return !s || s.getItem(this.hintKey) === "1";
  }

  private writeHint(on: boolean): void {
    const s = this.hintKey ? storage() : null;
    if (!s || !this.hintKey) return;
    try {
      if (on) s.setItem(this.hintKey, "1");
      else s.removeItem(this.hintKey);
    } catch {
      // storage full or blocked: the hint is only an optimisation
    }
  }

  /** Follow sign-in/sign-out in other tabs. Returns an unsubscribe function. */
  syncAcrossTabs(onSignedInElsewhere: () => void): () => void {
    if (!this.hintKey || typeof window === "undefined") return () => {};
    const key = this.hintKey;
    const onStorage = (e: StorageEvent) => {
      if (e.key !== key) return;
      if (e.newValue !== "1" && this.state.status === "authenticated") this.set({ status: "anonymous", accessToken: null, user: null });
      if (e.newValue === "1" && this.state.status !== "authenticated") onSignedInElsewhere();
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }

  getState = (): SessionState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  setAuthenticated(accessToken: string, user: User | null): void {
    this.writeHint(true);
    this.set({ status: "authenticated", accessToken, user: user ?? this.state.user });
  }

  setUser(user: User): void {
    this.set({ ...this.state, user });
  }

  /** Sign out locally. keepHint: the failure was transient (network), the cookie may still be valid. */
  clear(opts: { keepHint?: boolean } = {}): void {
    if (!opts.keepHint) this.writeHint(false);
    this.set({ status: "anonymous", accessToken: null, user: null });
  }

  private set(next: SessionState): void {
    this.state = next;
    for (const l of this.listeners) l();
  }
}

export const session = new SessionStore(SESSION_HINT_KEY);
