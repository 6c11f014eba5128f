import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { adminCatalogApi, coursesApi } from "../../api/endpoints";
import { isApiError } from "../../api/errors";
import type { Category } from "../../api/types";
import { Field } from "../../components/Field";
import { EmptyState, ErrorState, FormError, LoadingState } from "../../components/states";
import { t } from "../../i18n";
import { useTitle } from "../../lib/hooks";

interface Draft {
  name: string;
  slug: string;
  description: string;
  position: string;
}
const toDraft = (c?: Category): Draft => ({ name: c?.name ?? "", slug: c?.slug ?? "", description: c?.description ?? "", position: String(c?.position ?? 0) });

function CategoryForm({ category, onDone }: { category?: Category; onDone?: () => void }) {
  const qc = useQueryClient();
  const [d, setD] = useState(toDraft(category));
  const m = useMutation({
    mutationFn: () => {
      const body = { name: d.name.trim(), slug: d.slug.trim() || null, description: d.description, position: Number(d.position) || 0 };
      return category ? adminCatalogApi.updateCategory(category.id, body) : adminCatalogApi.createCategory(body);
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["categories"] });
      if (!category) setD(toDraft());
      onDone?.();
    },
  });
  const err = isApiError(m.error) ? m.error : undefined;
  return (
    <form
      className="grid grid-cols-1 gap-3 sm:grid-cols-2"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (d.name.trim()) m.mutate();
      }}
    >
      <Field label={t("admin.name")} value={d.name} required maxLength={100} onChange={(e) => setD({ ...d, name: e.target.value })} error={err?.fieldError("name")} />
      <Field label={t("admin.slug")} value={d.slug} maxLength={100} hint={t("admin.slugHint")} onChange={(e) => setD({ ...d, slug: e.target.value })} error={err?.fieldError("slug")} />
      <Field label={t("admin.descriptionField")} value={d.description} onChange={(e) => setD({ ...d, description: e.target.value })} error={err?.fieldError("description")} />
      <Field label={t("admin.position")} type="number" value={d.position} onChange={(e) => setD({ ...d, position: e.target.value })} error={err?.fieldError("position")} />
      {err && err.errors.length === 0 && (
        <div className="sm:col-span-2">
          <FormError error={err} />
        </div>
      )}
      <div className="flex gap-2 sm:col-span-2">
        <button type="submit" className="btn-primary" disabled={m.isPending || !d.name.trim()}>
          {category ? t("admin.save") : t("admin.addCategory")}
        </button>
        {onDone && (
          <button type="button" className="btn-secondary" onClick={onDone}>
            {t("studio.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}

function CategoryRow({ category }: { category: Category }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const del = useMutation({ mutationFn: () => adminCatalogApi.deleteCategory(category.id), onSuccess: () => qc.invalidateQueries({ queryKey: ["categories"] }) });
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-center gap-2">
        <span className="flex-1">
          <span className="font-medium">{category.name}</span> <span className="text-sm text-slate-600">/{category.slug} · {category.position}</span>
        </span>
        <button type="button" className="btn-secondary px-2 py-0.5 text-sm" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {t("studio.edit")}
          <span className="sr-only">: {category.name}</span>
        </button>
        <button type="button" className="btn-secondary px-2 py-0.5 text-sm text-red-800" onClick={() => window.confirm(t("admin.confirmDeleteCategory", { name: category.name })) && del.mutate()}>
          {t("studio.delete")}
          <span className="sr-only">: {category.name}</span>
        </button>
      </div>
      <FormError error={del.error} />
      {editing && (
        <div className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3">
          <CategoryForm category={category} onDone={() => setEditing(false)} />
        </div>
      )}
    </li>
  );
}

export default function AdminCategoriesPage() {
  useTitle(t("admin.categories"));
  const q = useQuery({ queryKey: ["categories"], queryFn: ({ signal }) => coursesApi.categories(signal) });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-3xl font-bold">{t("admin.categories")}</h1>
      <div className="card">
        {q.isPending ? (
          <LoadingState />
        ) : q.isError ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : q.data.length === 0 ? (
          <EmptyState title={t("admin.noCategories")} />
        ) : (
          <ul className="divide-y divide-slate-100">
            {[...q.data]
              .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))
              .map((c) => (
                <CategoryRow key={c.id} category={c} />
              ))}
          </ul>
        )}
      </div>
      <section className="card" aria-labelledby="new-cat">
        <h2 id="new-cat" className="mb-3 text-xl font-bold">
          {t("admin.addCategory")}
        </h2>
        <CategoryForm />
      </section>
    </div>
  );
}
