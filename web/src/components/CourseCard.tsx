import { Link } from "react-router";
import type { CourseCard as Card, SearchHit } from "../api/types";
import { formatDuration, formatMoney, levelLabel } from "../lib/format";
import { renderHighlight } from "../lib/highlight";
import { t } from "../i18n";
import { Rating } from "./Rating";

export function CourseThumb({ url, title, className = "" }: { url: string | null; title: string; className?: string }) {
  if (url) {
    return <img src={url} alt="" loading="lazy" className={`aspect-video w-full object-cover ${className}`} />;
  }
  const letter = title.trim().charAt(0).toUpperCase() || "?";
  return (
    <div
      aria-hidden="true"
      className={`flex aspect-video w-full items-center justify-center bg-gradient-to-br from-blue-800 to-indigo-600 text-4xl font-bold text-white ${className}`}
    >
      {letter}
    </div>
  );
}

export function CourseCard({ course }: { course: Card | SearchHit }) {
  const hl = "highlight" in course ? course.highlight : undefined;
  const meta = [levelLabel(course.level), formatDuration(course.duration_seconds), course.lesson_count ? t("course.lessons", { n: course.lesson_count }) : ""]
    .filter(Boolean)
    .join(" · ");
  return (
    <article className="group relative flex h-full flex-col overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm transition hover:shadow-md focus-within:ring-2 focus-within:ring-blue-700">
      <CourseThumb url={course.thumbnail_url} title={course.title} />
      <div className="flex flex-1 flex-col gap-1 p-4">
        <h3 className="font-semibold leading-snug text-slate-900">
          <Link to={`/courses/${course.slug}`} className="after:absolute after:inset-0 focus:outline-none">
            {hl?.title ? renderHighlight(hl.title) : course.title}
          </Link>
        </h3>
        {hl?.description ? (
          <p className="line-clamp-3 text-sm text-slate-700">{renderHighlight(hl.description)}</p>
        ) : (
          course.subtitle && <p className="line-clamp-2 text-sm text-slate-700">{course.subtitle}</p>
        )}
        {course.instructors.length > 0 && (
          <p className="text-xs text-slate-600">{course.instructors.map((i) => i.full_name).join(", ")}</p>
        )}
        <Rating average={course.rating.average} count={course.rating.count} />
        {meta && <p className="text-xs text-slate-600">{meta}</p>}
        <p className="mt-auto pt-2 font-bold text-slate-900">{formatMoney(course.price)}</p>
      </div>
    </article>
  );
}

export function CourseGrid({ courses }: { courses: Array<Card | SearchHit> }) {
  return (
    <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
      {courses.map((c) => (
        <li key={c.id}>
          <CourseCard course={c} />
        </li>
      ))}
    </ul>
  );
}
