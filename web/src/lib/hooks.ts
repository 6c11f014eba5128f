import { useEffect, useState } from "react";

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
