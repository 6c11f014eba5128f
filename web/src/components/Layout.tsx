import { useId } from "react";
import { Link, NavLink, Outlet, ScrollRestoration, useLocation, useNavigation } from "react-router";
import { useSession } from "../api/useSession";
import { getLocale, LOCALES, t, type Locale } from "../i18n";
import { chooseLanguage } from "../i18n/profile";
import { session } from "../api/session";
import { NotificationBell } from "./NotificationBell";
import { SearchAutocomplete } from "./SearchAutocomplete";
import { UserMenu } from "./UserMenu";

function Header() {
  const { status, user } = useSession();
  const location = useLocation();
  const onCatalog = location.pathname === "/courses";
  const navCls = ({ isActive }: { isActive: boolean }) =>
    `rounded px-2 py-1 font-medium text-white hover:bg-blue-800 ${isActive ? "underline underline-offset-4" : ""}`;
  return (
    <header className="bg-blue-900 text-white shadow">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link to="/" className="rounded text-lg font-extrabold tracking-tight text-white">
          {t("app.name")}
        </Link>
        <nav aria-label={t("nav.main")} className="flex items-center gap-1">
          <NavLink to="/courses" className={navCls} end>
            {t("nav.catalog")}
          </NavLink>
        </nav>
        {!onCatalog && (
          <SearchAutocomplete
            key={location.pathname}
            className="order-last w-full md:order-none md:ml-4 md:w-auto md:max-w-md md:flex-1"
            inputClassName="text-slate-900"
          />
        )}
        <div className="ml-auto flex items-center gap-2">
          {status === "authenticated" && user ? (
            <>
              <NotificationBell />
              <UserMenu user={user} />
            </>
          ) : status === "anonymous" ? (
            <>
              <Link
                to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`}
                className="rounded px-3 py-2 font-medium text-white hover:bg-blue-800"
              >
                {t("nav.login")}
              </Link>
              <Link to="/register" className="rounded bg-amber-400 px-3 py-2 font-semibold text-blue-950 hover:bg-amber-300">
                {t("nav.register")}
              </Link>
            </>
          ) : (
            <span className="h-10 w-10" aria-hidden="true" />
          )}
        </div>
      </div>
    </header>
  );
}

function Footer() {
  return (
    <footer className="mt-16 border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-col gap-2 px-4 py-6 text-sm text-slate-700 sm:flex-row sm:items-center sm:justify-between">
        <p>{t("footer.copyright", { year: new Date().getFullYear() })}</p>
        <nav aria-label={t("footer.nav")} className="flex gap-4">
          <Link to="/courses" className="underline-offset-2 hover:underline">
            {t("nav.catalog")}
          </Link>
          <a href="/api/docs" className="underline-offset-2 hover:underline">
            {t("footer.api")}
          </a>
        </nav>
        <LanguageSelect />
      </div>
    </footer>
  );
}

/** The interface language: kept on this device (and a signed-in user's profile), applied by reloading. */
export function LanguageSelect() {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id}>{t("footer.language")}</label>
      <select
        id={id}
        className="select w-auto py-1"
        value={getLocale()}
        onChange={(e) => void chooseLanguage(session, e.target.value as Locale)}
      >
        {LOCALES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function NavigationProgress() {
  const navigation = useNavigation();
  if (navigation.state === "idle") return null;
  return (
    <div role="progressbar" aria-label={t("state.loading")} className="fixed inset-x-0 top-0 z-50 h-1 overflow-hidden bg-blue-200">
      <div className="h-full w-1/3 animate-[navbar_1s_ease-in-out_infinite] bg-amber-400" />
    </div>
  );
}

export function Layout() {
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="skip-link">
        {t("a11y.skip")}
      </a>
      <NavigationProgress />
      <Header />
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 focus:outline-none">
        <Outlet />
      </main>
      <Footer />
      <ScrollRestoration />
    </div>
  );
}
