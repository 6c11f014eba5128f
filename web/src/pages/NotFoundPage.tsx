import { Link } from "react-router";
import { t } from "../i18n";
import { useTitle } from "../lib/hooks";

export default function NotFoundPage() {
  useTitle(t("state.notFound"));
  return (
    <div className="py-16 text-center">
      <h1 className="text-3xl font-bold">{t("state.notFound")}</h1>
      <p className="mt-3 text-slate-700">{t("state.notFoundBody")}</p>
      <Link to="/" className="btn-primary mt-6">
        {t("nav.home")}
      </Link>
    </div>
  );
}
