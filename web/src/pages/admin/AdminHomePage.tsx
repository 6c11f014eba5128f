import { Link } from "react-router";
import { t, type MessageKey } from "../../i18n";
import { useTitle } from "../../lib/hooks";

const CARDS: Array<{ to: string; title: MessageKey; blurb: MessageKey }> = [
  { to: "/admin/users", title: "admin.users", blurb: "admin.usersBlurb" },
  { to: "/admin/analytics", title: "admin.analytics", blurb: "admin.analyticsBlurb" },
  { to: "/admin/categories", title: "admin.categories", blurb: "admin.categoriesBlurb" },
  { to: "/admin/courses", title: "admin.courses", blurb: "admin.coursesBlurb" },
  { to: "/admin/payments", title: "admin.payments", blurb: "admin.paymentsBlurb" },
  { to: "/admin/coupons", title: "admin.coupons", blurb: "admin.couponsBlurb" },
  { to: "/admin/certificates", title: "admin.certificates", blurb: "admin.certificatesBlurb" },
  { to: "/admin/events", title: "admin.events", blurb: "admin.eventsBlurb" },
];

export default function AdminHomePage() {
  useTitle(t("nav.admin"));
  return (
    <div>
      <h1 className="text-3xl font-bold">{t("nav.admin")}</h1>
      <ul className="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-2">
        {CARDS.map((c) => (
          <li key={c.to} className="card">
            <h2 className="text-lg font-semibold">
              <Link to={c.to} className="link">
                {t(c.title)}
              </Link>
            </h2>
            <p className="mt-1 text-sm text-slate-700">{t(c.blurb)}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
