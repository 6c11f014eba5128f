import { authApi } from "../api/endpoints";
import type { SessionStore } from "../api/session";
import { chooseLocale, getLocale, savedLocale, type Locale } from ".";

/**
 * A signed-in user's language follows them to a device where no language was chosen yet: when the session
 * learns who the user is, their profile's language is applied (saved here, then the page reloads). A
 * choice made on this device is left alone.
 */
export function followProfileLocale(session: SessionStore, choose: (l: Locale) => void = chooseLocale): () => void {
  const follow = () => {
    const wanted = session.getState().user?.locale;
    if (wanted && !savedLocale() && wanted !== getLocale()) choose(wanted);
  };
  follow(); // the session may already know the user
  return session.subscribe(follow);
}

/** Choose a language on this device and, for a signed-in user, on their profile (all their devices). */
export async function chooseLanguage(session: SessionStore, next: Locale, choose: (l: Locale) => void = chooseLocale): Promise<void> {
  if (session.getState().status === "authenticated") {
    try {
      await authApi.updateProfile({ locale: next });
    } catch {
      // Offline or signed out meanwhile: this device still switches; the profile keeps its language.
    }
  }
  choose(next);
}
