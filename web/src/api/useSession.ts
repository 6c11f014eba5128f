import { useSyncExternalStore } from "react";
import { session, type SessionState } from "./session";
import { api } from "./client";

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState, session.getState);
}

let bootstrapped: Promise<void> | null = null;

/**
 * Called once on load: try the refresh cookie; a 401 leaves the visitor anonymous.
 * Skipped when this browser is known to hold no session (see SESSION_HINT_KEY).
 */
export function bootstrapSession(): Promise<void> {
  if (!bootstrapped) {
    session.syncAcrossTabs(() => void api.refresh());
    if (session.mayHaveSession()) {
      bootstrapped = api.refresh().then(() => undefined);
    } else {
      session.clear();
      bootstrapped = Promise.resolve();
    }
  }
  return bootstrapped;
}

export function hasRole(user: { role: string } | null | undefined, ...roles: string[]): boolean {
  return !!user && roles.includes(user.role);
}
