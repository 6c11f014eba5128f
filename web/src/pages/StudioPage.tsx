import { RequireAuth } from "../components/RequireAuth";
import { EmptyState } from "../components/states";
import { t } from "../i18n";
import { useTitle } from "../lib/hooks";

export default function StudioPage() {
  useTitle(t("nav.studio"));
  return (
    <RequireAuth roles={["instructor", "admin"]}>
      <h1 className="mb-6 text-3xl font-bold">{t("nav.studio")}</h1>
      <EmptyState title={t("studio.soon")} />
    </RequireAuth>
  );
}
