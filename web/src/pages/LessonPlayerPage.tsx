import { useMemo } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Navigate, useParams } from "react-router";
import { coursesApi, lessonsApi } from "../api/endpoints";
import type { CourseDetail, Lesson, LessonSummary } from "../api/types";
import { useSession } from "../api/useSession";
import { Icon } from "../components/Icon";
import { ProgressBar } from "../components/ProgressBar";
import { ErrorState, FormError, LoadingState } from "../components/states";
import { VideoPlayer } from "../components/VideoPlayer";
import { t } from "../i18n";
import { formatDuration, kindLabel } from "../lib/format";
import { useTitle } from "../lib/hooks";
import { QuizIntro } from "./quiz/QuizIntro";

function flattenLessons(course: CourseDetail): Array<LessonSummary & { sectionTitle: string }> {
  return [...course.sections]
    .sort((a, b) => a.position - b.position)
    .flatMap((s) => [...s.lessons].sort((a, b) => a.position - b.position).map((l) => ({ ...l, sectionTitle: s.title })));
}

export default function LessonPlayerPage() {
  const { courseSlug = "", lessonId } = useParams();
  const { status } = useSession();
  const qc = useQueryClient();

  const course = useQuery({
    queryKey: ["course", courseSlug, status],
    queryFn: ({ signal }) => coursesApi.get(courseSlug, signal),
    enabled: status !== "unknown",
  });
  const enrolled = !!course.data?.viewer?.enrolled;
  const courseId = course.data?.id;

  const lesson = useQuery({
    queryKey: ["lesson", lessonId, status],
    queryFn: ({ signal }) => lessonsApi.get(lessonId!, signal),
    enabled: !!lessonId && status !== "unknown",
  });

  const progress = useQuery({
    queryKey: ["progress", courseId],
    queryFn: ({ signal }) => coursesApi.progress(courseId!, signal),
    enabled: !!courseId && enrolled,
    retry: false,
  });

  const lessons = useMemo(() => (course.data ? flattenLessons(course.data) : []), [course.data]);
  const index = lessons.findIndex((l) => l.id === lessonId);
  const prev = index > 0 ? lessons[index - 1] : undefined;
  const next = index >= 0 && index < lessons.length - 1 ? lessons[index + 1] : undefined;
  const completedIds = new Set(progress.data?.completed_lesson_ids ?? []);
  const isComplete = !!lessonId && (completedIds.has(lessonId) || !!lesson.data?.completed);
  useTitle(lesson.data?.title ?? course.data?.title);

  const complete = useMutation({
    mutationFn: (id: string) => lessonsApi.complete(id),
    onSuccess: async () => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: ["progress", courseId] }),
        qc.invalidateQueries({ queryKey: ["lesson", lessonId] }),
        qc.invalidateQueries({ queryKey: ["enrollments"] }),
        qc.invalidateQueries({ queryKey: ["course", courseSlug] }),
      ]);
    },
  });

  const savePosition = (seconds: number) => {
    if (!enrolled || !lessonId) return;
    lessonsApi.savePosition(lessonId, seconds).catch(() => {
      // best effort: a lost position update is not worth interrupting the learner
    });
  };

  if (status === "unknown" || course.isPending) return <LoadingState />;
  if (course.isError) return <ErrorState error={course.error} onRetry={() => void course.refetch()} />;

  if (!lessonId) {
    const target = course.data.viewer?.last_lesson_id ?? lessons[0]?.id;
    return target ? <Navigate to={`/learn/${courseSlug}/${target}`} replace /> : <ErrorState error={new Error(t("course.noContent"))} />;
  }

  const c = course.data;
  const percent = progress.data?.progress_percent ?? c.viewer?.progress_percent ?? 0;

  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[1fr_20rem]">
      <div className="min-w-0">
        <nav aria-label={t("nav.breadcrumb")} className="text-sm text-slate-700">
          <Link to={`/courses/${c.slug}`} className="link">
            {c.title}
          </Link>
          {index >= 0 && <span> / {lessons[index]?.sectionTitle}</span>}
        </nav>
        {lesson.isPending ? (
          <LoadingState />
        ) : lesson.isError ? (
          <div className="mt-4">
            <ErrorState error={lesson.error} onRetry={() => void lesson.refetch()} />
            {!enrolled && (
              <p className="mt-4 text-center">
                <Link to={`/courses/${c.slug}`} className="btn-primary">
                  {t("lesson.enrollToView")}
                </Link>
              </p>
            )}
          </div>
        ) : (
          <LessonBody lesson={lesson.data} onPosition={savePosition} />
        )}

        <div className="mt-6 flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
          {prev ? (
            <Link to={`/learn/${courseSlug}/${prev.id}`} className="btn-secondary" rel="prev">
              ← {t("lesson.previous")}
            </Link>
          ) : (
            <span />
          )}
          {enrolled && lesson.data && (lesson.data.kind !== "quiz" || isComplete) && (
            <button
              type="button"
              className={isComplete ? "btn-secondary" : "btn-primary"}
              disabled={isComplete || complete.isPending}
              onClick={() => complete.mutate(lessonId)}
            >
              {isComplete ? t("lesson.completed") : complete.isPending ? t("state.saving") : t("lesson.markComplete")}
            </button>
          )}
          {next && (
            <Link to={`/learn/${courseSlug}/${next.id}`} className="btn-primary ml-auto" rel="next">
              {t("lesson.next")} →
            </Link>
          )}
        </div>
        {complete.isError && (
          <div className="mt-3">
            <FormError error={complete.error} />
          </div>
        )}
      </div>

      <aside aria-label={t("lesson.contents")} className="lg:sticky lg:top-4 lg:self-start">
        <div className="card p-4">
          {enrolled && (
            <div className="mb-4">
              <ProgressBar value={percent} />
            </div>
          )}
          <h2 className="mb-2 font-semibold">{t("lesson.contents")}</h2>
          <ol className="max-h-[70vh] overflow-auto text-sm">
            {lessons.map((l) => {
              const current = l.id === lessonId;
              const done = completedIds.has(l.id);
              const canOpen = enrolled || l.is_preview;
              return (
                <li key={l.id}>
                  {canOpen ? (
                    <Link
                      to={`/learn/${courseSlug}/${l.id}`}
                      aria-current={current ? "page" : undefined}
                      className={`flex items-start gap-2 rounded px-2 py-1.5 hover:bg-slate-100 ${current ? "bg-blue-50 font-semibold text-blue-900" : "text-slate-800"}`}
                    >
                      <Icon name={done ? "check" : "circle"} className={`mt-0.5 h-4 w-4 shrink-0 ${done ? "text-green-700" : "text-slate-400"}`} />
                      <span className="flex-1">{l.title}</span>
                      {done && <span className="sr-only">{t("lesson.completed")}</span>}
                    </Link>
                  ) : (
                    <span className="flex items-start gap-2 px-2 py-1.5 text-slate-600">
                      <Icon name="lock" className="mt-0.5 h-4 w-4 shrink-0" />
                      <span className="flex-1">{l.title}</span>
                    </span>
                  )}
                </li>
              );
            })}
          </ol>
        </div>
      </aside>
    </div>
  );
}

function LessonBody({ lesson, onPosition }: { lesson: Lesson; onPosition: (s: number) => void }) {
  const videoUrl = lesson.kind === "video" ? lesson.video_url : null;
  const linkUrl = lesson.kind === "link" ? lesson.link_url : null;
  const fileUrl = lesson.file_url;
  const duration = formatDuration(lesson.duration_seconds);
  return (
    <div className="mt-2">
      <h1 className="text-2xl font-bold text-slate-900">{lesson.title}</h1>
      <p className="mt-1 text-sm text-slate-700">
        {kindLabel(lesson.kind)}
        {duration && ` · ${duration}`}
      </p>
      {videoUrl && (
        <div className="mt-4">
          <VideoPlayer key={lesson.id} src={videoUrl} title={lesson.title} startAt={lesson.position_seconds} onPosition={onPosition} />
        </div>
      )}
      {linkUrl && (
        <p className="mt-4">
          <a href={linkUrl} target="_blank" rel="noopener noreferrer" className="btn-primary">
            {t("lesson.openLink")}
          </a>
        </p>
      )}
      {fileUrl && (
        <p className="mt-4">
          <a href={fileUrl} className="btn-secondary" download>
            {t("lesson.download")}
          </a>
        </p>
      )}
      {lesson.kind === "quiz" && (
        <QuizIntro lessonId={lesson.id} />
      )}
      {lesson.content_html && (
        // content_html is Markdown rendered and sanitized by the server
        <div className="prose-lms mt-4" dangerouslySetInnerHTML={{ __html: lesson.content_html }} />
      )}
      {lesson.attachments && lesson.attachments.length > 0 && (
        <section aria-labelledby="attachments" className="mt-6">
          <h2 id="attachments" className="mb-2 text-lg font-semibold">
            {t("lesson.attachments")}
          </h2>
          <ul className="list-disc pl-6">
            {lesson.attachments.map((a, i) => (
              <li key={a.id ?? i}>
                <a className="link" href={a.url} download>
                  {a.name ?? a.filename ?? a.url}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
