import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { coursesApi, enrollmentsApi } from "../api/endpoints";
import { isApiError } from "../api/errors";
import type { CourseDetail, LessonSummary } from "../api/types";
import { useSession } from "../api/useSession";
import { CourseThumb } from "../components/CourseCard";
import { Icon } from "../components/Icon";
import { ProgressBar } from "../components/ProgressBar";
import { Rating } from "../components/Rating";
import { Reviews } from "../components/Reviews";
import { ErrorState, FormError, LoadingState } from "../components/states";
import { t } from "../i18n";
import { formatDuration, formatMoney, formatNumber, kindLabel, languageLabel, levelLabel } from "../lib/format";
import { useTitle } from "../lib/hooks";

export function firstLessonId(course: Pick<CourseDetail, "sections">): string | undefined {
  const sections = [...course.sections].sort((a, b) => a.position - b.position);
  for (const s of sections) {
    const l = [...s.lessons].sort((a, b) => a.position - b.position)[0];
    if (l) return l.id;
  }
  return undefined;
}

function LessonRow({ lesson, courseSlug, canOpen }: { lesson: LessonSummary; courseSlug: string; canOpen: boolean }) {
  const duration = formatDuration(lesson.duration_seconds);
  const open = canOpen || lesson.is_preview;
  return (
    <li className="flex items-center gap-3 px-4 py-2.5 text-sm">
      <Icon name={lesson.kind} className="h-4 w-4 shrink-0 text-slate-600" />
      <span className="sr-only">{kindLabel(lesson.kind)}</span>
      {open ? (
        <Link to={`/learn/${courseSlug}/${lesson.id}`} className="link flex-1">
          {lesson.title}
        </Link>
      ) : (
        <span className="flex-1 text-slate-800">{lesson.title}</span>
      )}
      {lesson.is_preview && !canOpen && (
        <span className="rounded bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-900">{t("course.preview")}</span>
      )}
      {duration && <span className="text-slate-600">{duration}</span>}
    </li>
  );
}

export default function CoursePage() {
  const { slug = "" } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { status, user } = useSession();
  const course = useQuery({
    queryKey: ["course", slug, status],
    queryFn: ({ signal }) => coursesApi.get(slug, signal),
    enabled: status !== "unknown",
  });
  useTitle(course.data?.title);

  const enroll = useMutation({
    mutationFn: (id: string) => enrollmentsApi.enroll(id),
    onSuccess: async (_enrollment, _id) => {
      await qc.invalidateQueries({ queryKey: ["course", slug] });
      await qc.invalidateQueries({ queryKey: ["enrollments"] });
      const first = course.data ? firstLessonId(course.data) : undefined;
      navigate(first ? `/learn/${slug}/${first}` : `/learn/${slug}`);
    },
    onError: (error, id) => {
      if (isApiError(error) && error.status === 402) navigate(`/checkout/${id}`);
      if (isApiError(error) && error.status === 401) navigate(`/login?next=${encodeURIComponent(`/courses/${slug}`)}`);
    },
  });

  if (status === "unknown" || course.isPending) return <LoadingState />;
  if (course.isError) return <ErrorState error={course.error} onRetry={() => void course.refetch()} />;
  const c = course.data;
  const enrolled = !!c.viewer?.enrolled;
  const sections = [...c.sections].sort((a, b) => a.position - b.position);
  const continueTo = c.viewer?.last_lesson_id ?? firstLessonId(c);
  const soldOut = c.seats_left != null && c.seats_left <= 0;

  function onEnroll() {
    if (status !== "authenticated") {
      navigate(`/login?next=${encodeURIComponent(`/courses/${slug}`)}`);
      return;
    }
    if (c.price) {
      navigate(`/checkout/${c.id}`);
      return;
    }
    enroll.mutate(c.id);
  }

  return (
    <article>
      <div className="grid grid-cols-1 gap-8 lg:grid-cols-[1fr_22rem]">
        <div>
          <nav aria-label={t("nav.breadcrumb")} className="text-sm text-slate-700">
            <Link to="/courses" className="link">
              {t("nav.catalog")}
            </Link>
            {c.category && (
              <>
                {" / "}
                <Link to={`/courses?category=${encodeURIComponent(c.category.slug)}`} className="link">
                  {c.category.name}
                </Link>
              </>
            )}
          </nav>
          <h1 className="mt-2 text-3xl font-extrabold text-slate-900">{c.title}</h1>
          {c.subtitle && <p className="mt-2 text-lg text-slate-700">{c.subtitle}</p>}
          <div className="mt-3 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-700">
            <Rating average={c.rating.average} count={c.rating.count} />
            <span>{t("course.enrolledCount", { n: formatNumber(c.enrollment_count) })}</span>
            {c.level && <span>{levelLabel(c.level)}</span>}
            {c.language && <span>{languageLabel(c.language)}</span>}
          </div>
          {c.instructors.length > 0 && (
            <p className="mt-2 text-sm text-slate-800">
              {t("course.by")} <span className="font-semibold">{c.instructors.map((i) => i.full_name).join(", ")}</span>
            </p>
          )}

          <section aria-labelledby="about" className="mt-8">
            <h2 id="about" className="text-xl font-bold">
              {t("course.about")}
            </h2>
            {/* description_html is Markdown rendered and sanitized by the server */}
            <div className="prose-lms mt-2" dangerouslySetInnerHTML={{ __html: c.description_html }} />
          </section>

          <section aria-labelledby="syllabus" className="mt-8">
            <h2 id="syllabus" className="text-xl font-bold">
              {t("course.syllabus")}
            </h2>
            <p className="mt-1 text-sm text-slate-700">
              {t("course.syllabusSummary", {
                sections: sections.length,
                lessons: c.lesson_count,
                duration: formatDuration(c.duration_seconds) || "—",
              })}
            </p>
            {sections.length === 0 ? (
              <p className="mt-3 text-slate-700">{t("course.noContent")}</p>
            ) : (
              <ol className="mt-3 flex flex-col gap-3">
                {sections.map((s) => (
                  <li key={s.id} className="overflow-hidden rounded-lg border border-slate-200 bg-white">
                    <h3 className="bg-slate-100 px-4 py-2 font-semibold">{s.title}</h3>
                    <ol className="divide-y divide-slate-100">
                      {[...s.lessons]
                        .sort((a, b) => a.position - b.position)
                        .map((l) => (
                          <LessonRow key={l.id} lesson={l} courseSlug={c.slug} canOpen={enrolled} />
                        ))}
                    </ol>
                  </li>
                ))}
              </ol>
            )}
          </section>

          <Reviews
            courseId={c.id}
            enrolled={enrolled}
            canReply={!!user && (user.role === "admin" || c.instructors.some((i) => i.id === user.id))}
          />
        </div>

        <aside aria-label={t("course.enrollBox")} className="lg:sticky lg:top-4 lg:self-start">
          <div className="card overflow-hidden p-0">
            <CourseThumb url={c.thumbnail_url} title={c.title} />
            <div className="flex flex-col gap-3 p-5">
              <p className="text-3xl font-extrabold text-slate-900">{formatMoney(c.price)}</p>
              {enrolled ? (
                <>
                  <ProgressBar value={c.viewer?.progress_percent ?? 0} />
                  <Link to={continueTo ? `/learn/${c.slug}/${continueTo}` : `/learn/${c.slug}`} className="btn-primary">
                    {t("course.continue")}
                  </Link>
                </>
              ) : (
                <button type="button" className="btn-accent" onClick={onEnroll} disabled={enroll.isPending || soldOut}>
                  {soldOut ? t("course.soldOut") : c.price ? t("course.buy") : t("course.enrollFree")}
                </button>
              )}
              {enroll.isError && !(isApiError(enroll.error) && [401, 402].includes(enroll.error.status)) && (
                <FormError error={enroll.error} />
              )}
              {c.seats_left != null && !soldOut && (
                <p className="text-sm text-slate-700">{t("course.seatsLeft", { n: c.seats_left })}</p>
              )}
              <ul className="text-sm text-slate-700">
                {c.lesson_count > 0 && <li>{t("course.lessons", { n: c.lesson_count })}</li>}
                {c.duration_seconds > 0 && <li>{formatDuration(c.duration_seconds)}</li>}
              </ul>
            </div>
          </div>
        </aside>
      </div>
    </article>
  );
}
