import type { ReactNode } from "react";

/**
 * Render a search snippet whose matches are wrapped in <mark>…</mark> (or <em>/<b>) by the server.
 * Everything else is treated as text: no HTML from the server reaches the DOM.
 */
export function renderHighlight(snippet: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /<(mark|em|b)>(.*?)<\/\1>/gis;
  let last = 0;
  let m: RegExpExecArray | null;
  let i = 0;
  while ((m = re.exec(snippet))) {
    if (m.index > last) out.push(decode(stripTags(snippet.slice(last, m.index))));
    out.push(
      <mark key={i++} className="rounded bg-amber-200 px-0.5 text-slate-900">
        {decode(stripTags(m[2] ?? ""))}
      </mark>,
    );
    last = m.index + m[0].length;
  }
  if (last < snippet.length) out.push(decode(stripTags(snippet.slice(last))));
  return out;
}

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, "");
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
