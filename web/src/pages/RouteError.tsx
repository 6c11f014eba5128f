import { isRouteErrorResponse, Link, useRouteError } from "react-router";
import { t } from "../i18n";
import { errorMessage } from "../components/states";

export function RouteError() {
  const error = useRouteError();
  const is404 = isRouteErrorResponse(error) && error.status === 404;
  const chunkFailed = error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(error.message);
  return (
    <div role="alert" className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="text-2xl font-bold text-slate-900">{is404 ? t("state.notFound") : t("state.errorTitle")}</h1>
      <p className="mt-3 text-slate-700">
        {chunkFailed ? t("state.newVersion") : isRouteErrorResponse(error) ? error.statusText : errorMessage(error)}
      </p>
      <div className="mt-6 flex justify-center gap-3">
        {chunkFailed && (
          <button type="button" className="btn-primary" onClick={() => window.location.reload()}>
            {t("state.reload")}
          </button>
        )}
        <Link to="/" className="btn-secondary">
          {t("nav.home")}
        </Link>
      </div>
    </div>
  );
}
