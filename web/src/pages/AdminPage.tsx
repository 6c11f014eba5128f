import { RequireAuth } from "../components/RequireAuth";
import { EmptyState } from "../components/states";
import { t } from "../i18n";
import { useTitle } from "../lib/hooks";

export default function AdminPage() {
  useTitle(t("nav.admin"));
  return (
    <RequireAuth roles={["admin"]}>
      <h1 className="mb-6 text-3xl font-bold">{t("nav.admin")}</h1>
      <EmptyState title={t("admin.soon")} />
    </RequireAuth>
  );
}
