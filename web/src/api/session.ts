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

export class SessionStore {
  private state: SessionState = { status: "unknown", accessToken: null, user: null };
  private listeners = new Set<Listener>();

  getState = (): SessionState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  setAuthenticated(accessToken: string, user: User | null): void {
    this.set({ status: "authenticated", accessToken, user: user ?? this.state.user });
  }

  setUser(user: User): void {
    this.set({ ...this.state, user });
  }

  clear(): void {
    this.set({ status: "anonymous", accessToken: null, user: null });
  }

  private set(next: SessionState): void {
    this.state = next;
    for (const l of this.listeners) l();
  }
}

export const session = new SessionStore();
