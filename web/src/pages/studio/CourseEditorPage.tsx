import { useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { coursesApi, lessonsApi, studioApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { CourseDetail, LessonKind, LessonSummary, Section } from "../../api/types";
import { Field } from "../../components/Field";
import { MediaUpload } from "../../components/MediaUpload";
import { SortableList } from "../../components/SortableList";
import { ErrorState, FormError, FormSuccess, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { kindLabel, levelLabel } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { CourseTabs } from "./CourseTabs";
import { MediaLibrary } from "./MediaLibrary";
import { StatusBadge } from "./StatusBadge";

const KINDS: LessonKind[] = ["text", "video", "file", "link", "quiz"];
const LEVELS = ["all_levels", "beginner", "intermediate", "advanced"] as const;

function useInvalidate(courseId: string) {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: ["studio"] }), qc.invalidateQueries({ queryKey: ["course", courseId] })]);
}

function DetailsForm({ course }: { course: CourseDetail }) {
  const id = useId();
  const qc = useQueryClient();
  const invalidate = useInvalidate(course.id);
  const [title, setTitle] = useState(course.title);
  const [subtitle, setSubtitle] = useState(course.subtitle);
  const [description, setDescription] = useState(course.description);
  const [level, setLevel] = useState<string>(course.level);
  const [language, setLanguage] = useState(course.language);
  const [free, setFree] = useState(!course.price);
  const [rupees, setRupees] = useState(course.price ? String(course.price.amount / 100) : "");
  const [capacity, setCapacity] = useState(course.capacity ? String(course.capacity) : "");
  const [preview, setPreview] = useState(false);
  const [thumbnail, setThumbnail] = useState(course.thumbnail_url ?? null);
  const m = useMutation({
    mutationFn: () =>
      studioApi.update(course.id, {
        title: title.trim(),
        subtitle,
        description,
        level: level as (typeof LEVELS)[number],
        language,
        price: free ? null : { amount: Math.round(Number(rupees) * 100), currency: course.price?.currency ?? "INR" },
        capacity: capacity ? Number(capacity) : null,
        thumbnail_url: thumbnail,
      }),
    onSuccess: () => invalidate(),
  });
  const err = isApiError(m.error) ? m.error : undefined;
  return (
    <form
      className="card flex flex-col gap-4"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <h2 className="text-xl font-bold">{t("studio.details")}</h2>
      {m.isSuccess && <FormSuccess>{t("profile.saved")}</FormSuccess>}
      {err && err.errors.length === 0 && <FormError error={err} />}
      <Field label={t("studio.title")} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} error={err?.fieldError("title")} />
      <Field label={t("studio.subtitle")} value={subtitle} maxLength={300} onChange={(e) => setSubtitle(e.target.value)} error={err?.fieldError("subtitle")} />
      <div>
        <div className="flex items-center justify-between">
          <label htmlFor={`${id}-desc`} className="block text-sm font-medium text-slate-800">
            {t("studio.description")}
          </label>
          <button type="button" className="link text-sm" aria-pressed={preview} onClick={() => setPreview((p) => !p)}>
            {preview ? t("studio.edit") : t("studio.preview")}
          </button>
        </div>
        {preview ? (
          <div className="mt-1 rounded-md border border-slate-300 bg-slate-50 p-3">
            <p className="mb-2 text-xs text-slate-600">{t("studio.previewNote")}</p>
            <div className="prose-lms" dangerouslySetInnerHTML={{ __html: course.description_html }} />
          </div>
        ) : (
          <textarea id={`${id}-desc`} className="input mt-1 min-h-40 font-mono text-sm" value={description} onChange={(e) => setDescription(e.target.value)} />
        )}
        {err?.fieldError("description") && <p className="mt-1 text-sm text-red-700">{err.fieldError("description")}</p>}
      </div>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-level`} className="block text-sm font-medium text-slate-800">
            {t("catalog.level")}
          </label>
          <select id={`${id}-level`} className="select mt-1" value={level} onChange={(e) => setLevel(e.target.value)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {levelLabel(l)}
              </option>
            ))}
          </select>
        </div>
        <Field label={t("catalog.language")} value={language} maxLength={10} onChange={(e) => setLanguage(e.target.value)} hint={t("studio.languageHint")} error={err?.fieldError("language")} />
      </div>
      <fieldset className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <legend className="sr-only">{t("catalog.price")}</legend>
        <label className="flex items-center gap-2 self-end pb-2">
          <input type="checkbox" className="h-5 w-5 accent-blue-800" checked={free} onChange={(e) => setFree(e.target.checked)} />
          {t("studio.free")}
        </label>
        {!free && (
          <Field label={t("studio.priceInr")} type="number" min={1} step="0.01" value={rupees} onChange={(e) => setRupees(e.target.value)} error={err?.fieldError("price") ?? err?.fieldError("amount")} />
        )}
      </fieldset>
      <div className="flex flex-wrap items-end gap-4">
        {thumbnail && <img src={thumbnail} alt="" className="h-20 w-32 rounded-md object-cover" />}
        <MediaUpload courseId={course.id} accept="image/png,image/jpeg,image/webp,image/gif" isPublic label={t("media.uploadThumbnail")} onUploaded={(media) => {
            setThumbnail(media.path);
            void qc.invalidateQueries({ queryKey: ["media", course.id] });
          }} />
        {thumbnail && (
          <button type="button" className="link text-sm" onClick={() => setThumbnail(null)}>
            {t("media.removeThumbnail")}
          </button>
        )}
      </div>
      <Field label={t("studio.capacity")} type="number" min={1} value={capacity} onChange={(e) => setCapacity(e.target.value)} hint={t("studio.capacityHint")} error={err?.fieldError("capacity")} />
      <button type="submit" className="btn-primary w-fit" disabled={m.isPending}>
        {m.isPending ? t("state.saving") : t("profile.save")}
      </button>
    </form>
  );
}

function LessonEditor({ lesson, onDone }: { lesson: LessonSummary; onDone: () => void }) {
  const full = useQuery({ queryKey: ["lesson", lesson.id, "edit"], queryFn: ({ signal }) => lessonsApi.get(lesson.id, signal) });
  if (full.isPending) return <LoadingState />;
  if (full.isError) return <ErrorState error={full.error} />;
  const l = full.data;
  return (
    <LessonForm
      courseId={l.course_id}
      initial={{ title: l.title, kind: l.kind, content: l.content, url: l.video_url ?? l.link_url ?? l.file_url ?? "", is_preview: l.is_preview, minutes: Math.round(l.duration_seconds / 60) }}
      submitLabel={t("profile.save")}
      save={(body) => studioApi.updateLesson(lesson.id, body)}
      onDone={onDone}
    />
  );
}

interface LessonDraft {
  title: string;
  kind: LessonKind;
  content: string;
  url: string;
  is_preview: boolean;
  minutes: number;
}

function LessonForm({
  courseId,
  initial,
  submitLabel,
  save,
  onDone,
}: {
  courseId: string;
  initial: LessonDraft;
  submitLabel: string;
  save: (body: {
    title: string;
    kind: LessonKind;
    content: string;
    video_url: string | null;
    link_url: string | null;
    file_url: string | null;
    is_preview: boolean;
    is_required: boolean;
    duration_seconds: number;
  }) => Promise<unknown>;
  onDone: () => void;
}) {
  const id = useId();
  const qc = useQueryClient();
  const invalidate = useInvalidate(courseId);
  const [d, setD] = useState(initial);
  const m = useMutation({
    mutationFn: () =>
      save({
        title: d.title.trim(),
        kind: d.kind,
        content: d.content,
        video_url: d.kind === "video" && d.url ? d.url.trim() : null,
        link_url: d.kind === "link" && d.url ? d.url.trim() : null,
        file_url: d.kind === "file" && d.url ? d.url.trim() : null,
        is_preview: d.is_preview,
        is_required: true,
        duration_seconds: Math.max(0, Math.round(d.minutes * 60)),
      }),
    onSuccess: async () => {
      await invalidate();
      onDone();
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  const needsUrl = d.kind === "video" || d.kind === "link" || d.kind === "file";
  return (
    <form
      className="flex flex-col gap-3 rounded-md border border-slate-200 bg-slate-50 p-3"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (d.title.trim()) m.mutate();
      }}
    >
      {err && err.errors.length === 0 && <FormError error={err} />}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_10rem]">
        <Field label={t("studio.lessonTitle")} value={d.title} maxLength={200} onChange={(e) => setD({ ...d, title: e.target.value })} error={err?.fieldError("title")} />
        <div>
          <label htmlFor={`${id}-kind`} className="block text-sm font-medium text-slate-800">
            {t("studio.kind")}
          </label>
          <select id={`${id}-kind`} className="select mt-1" value={d.kind} onChange={(e) => setD({ ...d, kind: e.target.value as LessonKind })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {needsUrl && (
        <Field label={t("studio.url")} value={d.url} onChange={(e) => setD({ ...d, url: e.target.value })} hint={d.kind === "link" ? undefined : t("studio.urlHint")} error={err?.fieldError("video_url") ?? err?.fieldError("link_url") ?? err?.fieldError("file_url")} />
      )}
      {(d.kind === "video" || d.kind === "file") && (
        <MediaUpload
          courseId={courseId}
          accept={d.kind === "video" ? "video/mp4,video/webm,video/quicktime" : undefined}
          label={d.kind === "video" ? t("media.uploadVideo") : t("media.uploadFile")}
          onUploaded={(media) => {
            setD((cur) => ({ ...cur, url: media.path, title: cur.title || media.filename }));
            void qc.invalidateQueries({ queryKey: ["media", courseId] });
          }}
        />
      )}
      <div>
        <label htmlFor={`${id}-content`} className="block text-sm font-medium text-slate-800">
          {t("studio.content")}
        </label>
        <textarea id={`${id}-content`} className="input mt-1 min-h-28 font-mono text-sm" value={d.content} onChange={(e) => setD({ ...d, content: e.target.value })} />
      </div>
      <div className="flex flex-wrap items-end gap-4">
        <Field className="w-32" label={t("studio.minutes")} type="number" min={0} value={String(d.minutes)} onChange={(e) => setD({ ...d, minutes: Number(e.target.value) || 0 })} />
        <label className="flex items-center gap-2 pb-2">
          <input type="checkbox" className="h-5 w-5 accent-blue-800" checked={d.is_preview} onChange={(e) => setD({ ...d, is_preview: e.target.checked })} />
          {t("studio.isPreview")}
        </label>
      </div>
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={m.isPending || !d.title.trim()}>
          {m.isPending ? t("state.saving") : submitLabel}
        </button>
        <button type="button" className="btn-secondary" onClick={onDone}>
          {t("studio.cancel")}
        </button>
      </div>
    </form>
  );
}

function SectionCard({ course, section, handle }: { course: CourseDetail; section: Section; handle: ReactNode }) {
  const invalidate = useInvalidate(course.id);
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const lessons = useMemo(() => [...section.lessons].sort((a, b) => a.position - b.position), [section.lessons]);
  const op = useMutation({ mutationFn: (fn: () => Promise<unknown>) => fn(), onSettled: () => invalidate() });
  const headingId = `sec-${section.id}`;

  return (
    <div aria-labelledby={headingId}>
      <div className="flex flex-wrap items-center gap-2 bg-slate-100 px-4 py-2">
        {handle}
        <h3 id={headingId} className="flex-1 font-semibold">
          {section.title}
        </h3>
        <button
          type="button"
          className="btn-secondary px-2 py-1 text-sm"
          onClick={() => {
            const title = window.prompt(t("studio.renameSection"), section.title);
            if (title && title.trim()) op.mutate(() => studioApi.renameSection(section.id, title.trim()));
          }}
        >
          {t("studio.rename")}
          <span className="sr-only">: {section.title}</span>
        </button>
        <button
          type="button"
          className="btn-secondary px-2 py-1 text-sm text-red-800"
          onClick={() => window.confirm(t("studio.confirmDeleteSection", { title: section.title })) && op.mutate(() => studioApi.deleteSection(section.id))}
        >
          {t("studio.delete")}
          <span className="sr-only">: {section.title}</span>
        </button>
      </div>
      {op.isError && (
        <div className="p-3">
          <FormError error={op.error} />
        </div>
      )}
      <SortableList
        items={lessons}
        getId={(l) => l.id}
        getLabel={(l) => l.title}
        disabled={op.isPending}
        onReorder={(ids) => op.mutate(() => studioApi.orderLessons(section.id, ids))}
        className="divide-y divide-slate-100"
        itemClassName="bg-white px-4 py-2"
        renderItem={(l, lessonHandle) => (
          <>
            <div className="flex flex-wrap items-center gap-2 text-sm">
              {lessonHandle}
              <span className="flex-1">
                {l.title} <span className="text-slate-600">· {kindLabel(l.kind)}</span>
                {l.is_preview && <span className="ml-2 rounded bg-green-100 px-1.5 text-xs font-semibold text-green-900">{t("course.preview")}</span>}
              </span>
              <button type="button" className="btn-secondary px-2 py-0.5" aria-expanded={editing === l.id} onClick={() => setEditing(editing === l.id ? null : l.id)}>
                {t("studio.edit")}
                <span className="sr-only">: {l.title}</span>
              </button>
              <button
                type="button"
                className="btn-secondary px-2 py-0.5 text-red-800"
                onClick={() => window.confirm(t("studio.confirmDeleteLesson", { title: l.title })) && op.mutate(() => studioApi.deleteLesson(l.id))}
              >
                {t("studio.delete")}
                <span className="sr-only">: {l.title}</span>
              </button>
            </div>
            {editing === l.id && (
              <div className="mt-2">
                <LessonEditor lesson={l} onDone={() => setEditing(null)} />
              </div>
            )}
          </>
        )}
      />
      <div className="border-t border-slate-100 p-3">
        {adding ? (
          <LessonForm
            courseId={course.id}
            initial={{ title: "", kind: "text", content: "", url: "", is_preview: false, minutes: 5 }}
            submitLabel={t("studio.addLesson")}
            save={(body) => studioApi.addLesson(section.id, body)}
            onDone={() => setAdding(false)}
          />
        ) : (
          <button type="button" className="btn-secondary text-sm" onClick={() => setAdding(true)}>
            + {t("studio.addLesson")}
            <span className="sr-only">: {section.title}</span>
          </button>
        )}
      </div>
    </div>
  );
}

function AddSection({ courseId }: { courseId: string }) {
  const [title, setTitle] = useState("");
  const invalidate = useInvalidate(courseId);
  const m = useMutation({
    mutationFn: () => studioApi.addSection(courseId, title.trim()),
    onSuccess: async () => {
      setTitle("");
      await invalidate();
    },
  });
  return (
    <form
      className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (title.trim()) m.mutate();
      }}
    >
      <Field className="flex-1" label={t("studio.newSection")} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} error={m.error ? (m.error as Error).message : undefined} />
      <button type="submit" className="btn-secondary" disabled={m.isPending || !title.trim()}>
        {t("studio.addSection")}
      </button>
    </form>
  );
}

export default function CourseEditorPage() {
  const { id = "" } = useParams();
  const invalidate = useInvalidate(id);
  const q = useQuery({ queryKey: ["course", id, "edit"], queryFn: ({ signal }) => coursesApi.get(id, signal) });
  useTitle(q.data ? `${t("nav.studio")}: ${q.data.title}` : t("nav.studio"));
  const lifecycle = useMutation({
    mutationFn: (action: "publish" | "archive") => (action === "publish" ? studioApi.publish(id) : studioApi.archive(id)),
    onSuccess: () => invalidate(),
  });

  const reorder = useMutation({ mutationFn: (ids: string[]) => studioApi.orderSections(id, ids), onSettled: () => invalidate() });
  const sections = useMemo(() => [...(q.data?.sections ?? [])].sort((a, b) => a.position - b.position), [q.data]);

  if (q.isPending) return <LoadingState />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const c = q.data;

  return (
    <div className="flex flex-col gap-6">
      <CourseTabs courseId={c.id} />
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="flex-1 text-3xl font-bold">{c.title}</h1>
        <StatusBadge status={c.status} />
        {c.status === "published" && (
          <Link to={`/courses/${c.slug}`} className="btn-secondary">
            {t("studio.view")}
          </Link>
        )}
        {c.status !== "published" && (
          <button type="button" className="btn-accent" disabled={lifecycle.isPending} onClick={() => lifecycle.mutate("publish")}>
            {t("studio.publish")}
          </button>
        )}
        {c.status === "published" && (
          <button type="button" className="btn-secondary" disabled={lifecycle.isPending} onClick={() => window.confirm(t("studio.confirmArchive")) && lifecycle.mutate("archive")}>
            {t("studio.archive")}
          </button>
        )}
      </div>
      <FormError error={lifecycle.error} />
      <DetailsForm key={c.updated_at} course={c} />
      <section aria-labelledby="curriculum" className="card">
        <h2 id="curriculum" className="text-xl font-bold">
          {t("studio.curriculum")}
        </h2>
        <p className="mt-1 text-sm text-slate-700">{t("studio.curriculumHint")}</p>
        <SortableList
          items={sections}
          getId={(s) => s.id}
          getLabel={(s) => s.title}
          disabled={reorder.isPending}
          onReorder={(ids) => reorder.mutate(ids)}
          className="mt-4 flex flex-col gap-3"
          itemClassName="overflow-hidden rounded-lg border border-slate-200 bg-white"
          renderItem={(s, handle) => <SectionCard course={c} section={s} handle={handle} />}
        />
        <FormError error={reorder.error} />
        <AddSection courseId={c.id} />
      </section>
      <MediaLibrary courseId={c.id} />
    </div>
  );
}
