import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { coursesApi, type CourseSort } from "../api/endpoints";
import { CourseGrid } from "../components/CourseCard";
import { EmptyState, ErrorState, LoadingState } from "../components/states";
import { SearchAutocomplete } from "../components/SearchAutocomplete";
import { t } from "../i18n";
import { useTitle } from "../lib/hooks";

function CourseRow({ title, sort, moreTo }: { title: string; sort: CourseSort; moreTo: string }) {
  const q = useQuery({
    queryKey: ["courses", { sort, page_size: 8 }],
    queryFn: ({ signal }) => coursesApi.list({ sort, page_size: 8, page: 1 }, signal),
  });
  const headingId = `home-${sort}`;
  return (
    <section aria-labelledby={headingId} className="mt-10">
      <div className="mb-4 flex items-baseline justify-between gap-4">
        <h2 id={headingId} className="text-2xl font-bold text-slate-900">
          {title}
        </h2>
        <Link to={moreTo} className="link text-sm">
          {t("home.seeAll")}
        </Link>
      </div>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <EmptyState title={t("home.noCourses")} />
      ) : (
        <CourseGrid courses={q.data.items} />
      )}
    </section>
  );
}

export default function HomePage() {
  useTitle(t("home.title"));
  return (
    <>
      <section className="rounded-xl bg-gradient-to-br from-blue-900 to-indigo-800 px-6 py-12 text-white sm:px-10">
        <h1 className="max-w-2xl text-3xl font-extrabold leading-tight sm:text-4xl">{t("home.heroTitle")}</h1>
        <p className="mt-3 max-w-2xl text-lg text-blue-100">{t("home.heroBody")}</p>
        <SearchAutocomplete className="mt-6 max-w-xl" inputClassName="py-3 text-lg" label={t("home.searchLabel")} />
        <div className="mt-6 flex flex-wrap gap-3">
          <Link to="/courses" className="btn-accent">
            {t("home.browse")}
          </Link>
        </div>
      </section>
      <CourseRow title={t("home.popular")} sort="popular" moreTo="/courses?sort=popular" />
      <CourseRow title={t("home.newest")} sort="newest" moreTo="/courses?sort=newest" />
    </>
  );
}
