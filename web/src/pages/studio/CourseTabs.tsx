import { useQuery } from "@tanstack/react-query";
import { Link, NavLink } from "react-router";
import { coursesApi } from "../../api/endpoints";
import { t, type MessageKey } from "../../i18n";

const TABS: Array<{ to: string; label: MessageKey; end?: boolean }> = [
  { to: "", label: "studio.tab.course", end: true },
  { to: "/quizzes", label: "studio.tab.quizzes" },
  { to: "/grading", label: "studio.tab.grading" },
  { to: "/roster", label: "studio.tab.roster" },
  { to: "/analytics", label: "studio.tab.analytics" },
];

/** Breadcrumb and the tabs of one course in the studio. */
export function CourseTabs({ courseId }: { courseId: string }) {
  const q = useQuery({ queryKey: ["course", courseId, "edit"], queryFn: ({ signal }) => coursesApi.get(courseId, signal) });
  const base = `/studio/courses/${courseId}`;
  return (
    <div className="flex flex-col gap-3">
      <nav aria-label={t("nav.breadcrumb")} className="text-sm">
        <Link to="/studio" className="link">
          {t("nav.studio")}
        </Link>
        {q.data && <span className="text-slate-700"> / {q.data.title}</span>}
      </nav>
      <nav aria-label={t("studio.tabs")} className="overflow-x-auto border-b border-slate-200">
        <ul className="flex gap-1">
          {TABS.map((tab) => (
            <li key={tab.label}>
              <NavLink
                to={`${base}${tab.to}`}
                end={tab.end}
                className={({ isActive }) =>
                  `block whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${isActive ? "border-blue-800 text-blue-900" : "border-transparent text-slate-700 hover:text-slate-900"}`
                }
              >
                {t(tab.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
