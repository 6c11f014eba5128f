import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { searchApi } from "../api/endpoints";
import { useDebounced } from "../lib/hooks";
import { t } from "../i18n";

interface Props {
  initialValue?: string;
  /** Called on submit; defaults to navigating to the catalog with ?q= */
  onSearch?: (q: string) => void;
  className?: string;
  inputClassName?: string;
  label?: string;
}

/** Search box with debounced autocomplete (ARIA 1.2 combobox pattern). */
export function SearchAutocomplete({ initialValue = "", onSearch, className = "", inputClassName = "", label }: Props) {
  const navigate = useNavigate();
  const id = useId();
  const listId = `${id}-list`;
  const [value, setValue] = useState(initialValue);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  const q = useDebounced(value.trim(), 200);

  const { data } = useQuery({
    queryKey: ["suggest", q],
    queryFn: ({ signal }) => searchApi.suggest(q, signal),
    enabled: open && q.length >= 2,
    staleTime: 60_000,
    retry: false,
  });
  const suggestions = (q.length >= 2 && data?.suggestions) || [];
  const expanded = open && suggestions.length > 0;

  function submit(query: string) {
    setOpen(false);
    setActive(-1);
    if (onSearch) onSearch(query);
    else navigate(query ? `/courses?q=${encodeURIComponent(query)}` : "/courses");
  }

  function pick(index: number) {
    const s = suggestions[index];
    if (!s) return;
    setOpen(false);
    setActive(-1);
    setValue(s.title);
    navigate(`/courses/${s.slug}`);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (suggestions.length ? (a + 1) % suggestions.length : -1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (suggestions.length ? (a <= 0 ? suggestions.length - 1 : a - 1) : -1));
    } else if (e.key === "Escape") {
      if (expanded) {
        e.preventDefault();
        setOpen(false);
        setActive(-1);
      }
    } else if (e.key === "Enter" && expanded && active >= 0) {
      e.preventDefault();
      pick(active);
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    submit(value.trim());
  }

  return (
    <form role="search" aria-label={label ?? t("search.label")} onSubmit={onSubmit} className={`relative ${className}`}>
      <label htmlFor={id} className="sr-only">
        {label ?? t("search.label")}
      </label>
      <input
        ref={inputRef}
        id={id}
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={t("search.placeholder")}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 120)}
        onKeyDown={onKeyDown}
        className={`input pr-10 ${inputClassName}`}
      />
      <button
        type="submit"
        className="absolute inset-y-0 right-0 flex w-10 items-center justify-center rounded-r-md text-slate-700 hover:text-blue-800"
        aria-label={t("search.submit")}
      >
        <svg viewBox="0 0 20 20" className="h-5 w-5" aria-hidden="true" fill="currentColor">
          <path
            fillRule="evenodd"
            d="M9 3.5a5.5 5.5 0 100 11 5.5 5.5 0 000-11zM2 9a7 7 0 1112.45 4.39l3.58 3.58a.75.75 0 11-1.06 1.06l-3.58-3.58A7 7 0 012 9z"
            clipRule="evenodd"
          />
        </svg>
      </button>
      <ul
        id={listId}
        role="listbox"
        aria-label={t("search.suggestions")}
        hidden={!expanded}
        className="absolute z-30 mt-1 max-h-80 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-slate-900 shadow-lg"
      >
        {expanded &&
          suggestions.map((s, i) => (
            <li
              key={s.slug}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(i);
              }}
              onMouseEnter={() => setActive(i)}
              className={`cursor-pointer px-3 py-2 text-sm ${i === active ? "bg-blue-100" : ""}`}
            >
              {s.title}
            </li>
          ))}
      </ul>
    </form>
  );
}
