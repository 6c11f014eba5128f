import { NavLink, Outlet } from "react-router";
import { RequireAuth } from "../../components/RequireAuth";
import { t } from "../../i18n";

const link = ({ isActive }: { isActive: boolean }) =>
  `block rounded px-3 py-2 text-sm font-medium ${isActive ? "bg-blue-900 text-white" : "text-slate-800 hover:bg-slate-100"}`;

export default function AdminLayout() {
  return (
    <RequireAuth roles={["admin"]}>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-[12rem_1fr]">
        <nav aria-label={t("admin.nav")} className="md:sticky md:top-4 md:self-start">
          <ul className="flex flex-wrap gap-1 md:flex-col">
            <li>
              <NavLink to="/admin" end className={link}>
                {t("admin.overview")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/users" className={link}>
                {t("admin.users")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/categories" className={link}>
                {t("admin.categories")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/courses" className={link}>
                {t("admin.courses")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/payments" className={link}>
                {t("admin.payments")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/coupons" className={link}>
                {t("admin.coupons")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/certificates" className={link}>
                {t("admin.certificates")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/analytics" className={link}>
                {t("admin.analytics")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/admin/events" className={link}>
                {t("admin.events")}
              </NavLink>
            </li>
          </ul>
        </nav>
        <div className="min-w-0">
          <Outlet />
        </div>
      </div>
    </RequireAuth>
  );
}
