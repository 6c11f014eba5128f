import { Link } from "react-router";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";

export default function AdminHomePage() {
  useTitle(t("nav.admin"));
  return (
    <div>
      <h1 className="text-3xl font-bold">{t("nav.admin")}</h1>
      <ul className="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-2">
        <li className="card">
          <h2 className="text-lg font-semibold">
            <Link to="/admin/users" className="link">
              {t("admin.users")}
            </Link>
          </h2>
          <p className="mt-1 text-sm text-slate-700">{t("admin.usersBlurb")}</p>
        </li>
        <li className="card">
          <h2 className="text-lg font-semibold">
            <Link to="/admin/analytics" className="link">
              {t("admin.analytics")}
            </Link>
          </h2>
          <p className="mt-1 text-sm text-slate-700">{t("admin.analyticsBlurb")}</p>
        </li>
        <li className="card">
          <h2 className="text-lg font-semibold">
            <Link to="/admin/events" className="link">
              {t("admin.events")}
            </Link>
          </h2>
          <p className="mt-1 text-sm text-slate-700">{t("admin.eventsBlurb")}</p>
        </li>
        <li className="card">
          <h2 className="text-lg font-semibold">{t("admin.more")}</h2>
          <p className="mt-1 text-sm text-slate-700">{t("admin.soon")}</p>
        </li>
      </ul>
    </div>
  );
}
