import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";

export function useDebounced<T>(value: T, delayMs = 200): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), delayMs);
    return () => clearTimeout(id);
  }, [value, delayMs]);
  return v;
}

/** Sets document.title for the page. */
export function useTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = `${title} · JNTU GV LMS`;
  }, [title]);
}

/** The filters of an admin list, kept in the URL so a filtered page can be shared and survives a reload.
    `set` changes one filter and returns to page 1; the search text is debounced before it is queried. */
export function useListFilters() {
  const [params, setParams] = useSearchParams();
  const [q, setText] = useState(params.get("q") ?? "");
  const debounced = useDebounced(q.trim(), 300);
  const page = Math.max(1, Number(params.get("page")) || 1);

  function set(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    setParams(next, { replace: true });
  }

  function setQ(value: string) {
    setText(value);
    if (page !== 1) set("page", "");
  }

  return { params, q, setQ, debounced, page, set };
}
