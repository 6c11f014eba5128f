import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useSession } from "../api/useSession";
import type { Role } from "../api/types";
import { t } from "../i18n";
import { LoadingState } from "./states";

/** Renders children for a signed-in user (optionally with one of `roles`); otherwise sends to /login. */
export function RequireAuth({ children, roles }: { children: ReactNode; roles?: Role[] }) {
  const { status, user } = useSession();
  const location = useLocation();
  if (status === "unknown") return <LoadingState />;
  if (status !== "authenticated" || !user) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (roles && !roles.includes(user.role)) {
    return (
      <div role="alert" className="py-12 text-center">
        <h1 className="text-2xl font-bold">{t("auth.forbiddenTitle")}</h1>
        <p className="mt-2 text-slate-700">{t("auth.forbidden")}</p>
      </div>
    );
  }
  return <>{children}</>;
}
