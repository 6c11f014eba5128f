import type { CourseStatus } from "../../api/types";
import { t } from "../../i18n";

const STYLE: Record<CourseStatus, string> = {
  draft: "bg-slate-200 text-slate-900",
  published: "bg-green-100 text-green-900",
  archived: "bg-amber-100 text-amber-950",
};

export function StatusBadge({ status }: { status: CourseStatus }) {
  const label = status === "draft" ? t("studio.draft") : status === "published" ? t("studio.published") : t("studio.archived");
  return <span className={`w-fit rounded px-2 py-0.5 text-xs font-semibold ${STYLE[status]}`}>{label}</span>;
}
