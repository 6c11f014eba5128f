import { useId, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { coursesApi, searchApi, type CourseFilters, type CourseSort } from "../api/endpoints";
import { isApiError } from "../api/errors";
import type { FacetValue, SearchResults } from "../api/types";
import { CourseGrid } from "../components/CourseCard";
import { Pagination } from "../components/Pagination";
import { SearchAutocomplete } from "../components/SearchAutocomplete";
import { EmptyState, ErrorState, LoadingState } from "../components/states";
import { t, type MessageKey } from "../i18n";
import { languageLabel, levelLabel } from "../lib/format";
import { useTitle } from "../lib/hooks";

const PAGE_SIZE = 20;
const SORTS: Array<{ value: CourseSort; key: MessageKey; searchOnly?: boolean }> = [
  { value: "relevance", key: "catalog.sort.relevance", searchOnly: true },
  { value: "popular", key: "catalog.sort.popular" },
  { value: "newest", key: "catalog.sort.newest" },
  { value: "rating", key: "catalog.sort.rating" },
  { value: "price", key: "catalog.sort.priceAsc" },
  { value: "price_desc", key: "catalog.sort.priceDesc" },
];
const LEVELS = ["beginner", "intermediate", "advanced"];
const LANGUAGES = ["en", "te", "hi"];

interface Option {
  value: string;
  label: string;
  count?: number;
}

/** A facet as a radio group: every option shows its count for the current query when known. */
function FilterGroup({
  label,
  name,
  value,
  options,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  options: Option[];
  onChange: (v: string) => void;
}) {
  const all: Option[] = [{ value: "", label: t("catalog.any") }, ...options];
  return (
    <fieldset>
      <legend className="text-sm font-semibold text-slate-900">{label}</legend>
      <div className="mt-1 flex max-h-60 flex-col overflow-auto">
        {all.map((o) => (
          <label key={o.value || "any"} className="flex cursor-pointer items-center gap-2 rounded px-1 py-1 text-sm hover:bg-slate-100">
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
              className="h-4 w-4 accent-blue-800"
            />
            <span className="flex-1 text-slate-800">{o.label}</span>
            {o.count != null && <span className="text-xs tabular-nums text-slate-600">{o.count}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Merge static options with the search facets (which carry counts for the current query). */
function withFacets(base: Option[], facet: FacetValue[] | undefined): Option[] {
  if (!facet) return base;
  const byValue = new Map(base.map((o) => [o.value, o]));
  const merged: Option[] = facet.map((f) => ({
    value: f.value,
    label: byValue.get(f.value)?.label ?? f.label,
    count: f.count,
  }));
  for (const o of base) if (!merged.some((m) => m.value === o.value)) merged.push({ ...o, count: 0 });
  return merged;
}

export default function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const [showFilters, setShowFilters] = useState(false);
  const q = params.get("q")?.trim() ?? "";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const filters: CourseFilters = {
    category: params.get("category") ?? undefined,
    level: params.get("level") ?? undefined,
    language: params.get("language") ?? undefined,
    price: params.get("price") ?? undefined,
    // A sort the page does not offer (a hand-edited address) falls back to the default.
    sort: SORTS.find((s) => s.value === params.get("sort"))?.value ?? (q ? undefined : "popular"),
    page,
    page_size: PAGE_SIZE,
  };
  useTitle(q ? t("catalog.resultsFor", { q }) : t("catalog.title"));

  const categories = useQuery({
    queryKey: ["categories"],
    queryFn: ({ signal }) => coursesApi.categories(signal),
    staleTime: 5 * 60_000,
    retry: false,
  });

  const results = useQuery({
    queryKey: q ? ["search", q, filters] : ["courses", filters],
    queryFn: async ({ signal }) => {
      if (!q) return coursesApi.list(filters, signal);
      try {
        return await searchApi.courses(q, filters, signal);
      } catch (e) {
        // Until the search domain is deployed, the catalog's own title/subtitle match answers.
        if (isApiError(e) && e.status === 404) return coursesApi.list({ ...filters, q }, signal);
        throw e;
      }
    },
    placeholderData: keepPreviousData,
  });

  const search = q && results.data && "facets" in results.data ? (results.data as SearchResults) : undefined;
  const facets = search?.facets;

  function update(next: Record<string, string | null>) {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    if (!("page" in next)) p.delete("page");
    setParams(p);
  }

  const categoryOptions = withFacets(
    (categories.data ?? []).map((c) => ({ value: c.slug, label: c.name })),
    facets?.category,
  );
  const levelOptions = withFacets(LEVELS.map((l) => ({ value: l, label: levelLabel(l) })), facets?.level);
  const languageOptions = withFacets(LANGUAGES.map((l) => ({ value: l, label: languageLabel(l) })), facets?.language);
  const priceOptions = withFacets(
    [
      { value: "free", label: t("price.free") },
      { value: "paid", label: t("price.paid") },
    ],
    facets?.price,
  );
  const hasFilters = !!(filters.category || filters.level || filters.language || filters.price);

  const filterPanel = (
    <div className="flex flex-col gap-4">
      <FilterGroup name="category" label={t("catalog.category")} value={filters.category ?? ""} options={categoryOptions} onChange={(v) => update({ category: v })} />
      <FilterGroup name="level" label={t("catalog.level")} value={filters.level ?? ""} options={levelOptions} onChange={(v) => update({ level: v })} />
      <FilterGroup name="language" label={t("catalog.language")} value={filters.language ?? ""} options={languageOptions} onChange={(v) => update({ language: v })} />
      <FilterGroup name="price" label={t("catalog.price")} value={filters.price ?? ""} options={priceOptions} onChange={(v) => update({ price: v })} />
      {hasFilters && (
        <button type="button" className="btn-secondary" onClick={() => update({ category: null, level: null, language: null, price: null })}>
          {t("catalog.clearFilters")}
        </button>
      )}
    </div>
  );

  return (
    <div>
      <h1 className="text-3xl font-bold text-slate-900">{q ? t("catalog.resultsFor", { q }) : t("catalog.title")}</h1>
      <div className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-end">
        <SearchAutocomplete
          key={q}
          initialValue={q}
          className="flex-1"
          onSearch={(v) => update({ q: v || null, sort: null })}
        />
        <SortSelect value={filters.sort ?? "relevance"} hasQuery={!!q} onChange={(v) => update({ sort: v })} />
      </div>

      {search?.did_you_mean && (
        <p className="mt-3 text-slate-800">
          {t("catalog.didYouMean")}{" "}
          <Link className="link" to={`/courses?q=${encodeURIComponent(search.did_you_mean)}`}>
            {search.did_you_mean}
          </Link>
          ?
        </p>
      )}

      <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-[16rem_1fr]">
        <aside aria-label={t("catalog.filters")}>
          <button
            type="button"
            className="btn-secondary w-full lg:hidden"
            aria-expanded={showFilters}
            aria-controls="catalog-filters"
            onClick={() => setShowFilters((v) => !v)}
          >
            {t("catalog.filters")}
            {hasFilters ? " •" : ""}
          </button>
          <div id="catalog-filters" className={`card mt-3 p-4 lg:mt-0 lg:block ${showFilters ? "" : "hidden"}`}>
            <h2 className="mb-3 hidden font-semibold lg:block">{t("catalog.filters")}</h2>
            {filterPanel}
          </div>
        </aside>
        <section aria-label={t("catalog.results")} aria-busy={results.isFetching}>
          {results.isPending ? (
            <LoadingState />
          ) : results.isError ? (
            <ErrorState error={results.error} onRetry={() => void results.refetch()} />
          ) : results.data.items.length === 0 ? (
            <EmptyState title={q ? t("catalog.noResults", { q }) : t("catalog.empty")}>
              {hasFilters && <p>{t("catalog.tryFewerFilters")}</p>}
            </EmptyState>
          ) : (
            <>
              <p className="mb-3 text-sm text-slate-700" aria-live="polite">
                {t("catalog.count", { n: results.data.total })}
              </p>
              <CourseGrid courses={results.data.items} />
              <Pagination
                page={results.data.page}
                pageSize={results.data.page_size}
                total={results.data.total}
                onPage={(p) => {
                  update({ page: String(p) });
                  window.scrollTo({ top: 0 });
                }}
              />
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function SortSelect({ value, hasQuery, onChange }: { value: string; hasQuery: boolean; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="sm:w-56">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {t("catalog.sort")}
      </label>
      <select id={id} className="select mt-1" value={value} onChange={(e) => onChange(e.target.value)}>
        {SORTS.filter((s) => hasQuery || !s.searchOnly).map((s) => (
          <option key={s.value} value={s.value}>
            {t(s.key)}
          </option>
        ))}
      </select>
    </div>
  );
}
