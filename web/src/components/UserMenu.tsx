import { useEffect, useId, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { authApi } from "../api/endpoints";
import type { User } from "../api/types";
import { t } from "../i18n";

export function initials(name: string): string {
  // Skip honorifics ("Dr.", "Prof.") and anything not starting with a letter ("(Admin)").
  const words = name
    .trim()
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w) && !w.endsWith("."));
  const first = words[0]?.[0] ?? "";
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase() || "?";
}

/** Avatar button disclosing account links (disclosure pattern: Tab through, Escape closes). */
export function UserMenu({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const navigate = useNavigate();
  const qc = useQueryClient();

  useEffect(() => {
    if (!open) return;
    const onDoc = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("mousedown", onDoc);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDoc);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  async function logout() {
    setOpen(false);
    try {
      await authApi.logout();
    } catch {
      // session is cleared locally regardless
    }
    qc.clear();
    navigate("/");
  }

  const close = () => setOpen(false);
  const item = "block w-full px-4 py-2 text-left text-sm text-slate-800 hover:bg-slate-100 focus:bg-slate-100";
  const isStaff = user.role === "instructor" || user.role === "admin";

  return (
    <div
      ref={ref}
      className="relative"
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
        className="flex h-10 w-10 items-center justify-center rounded-full bg-amber-400 font-bold text-blue-950 hover:bg-amber-300"
      >
        <span aria-hidden="true">{initials(user.full_name)}</span>
        <span className="sr-only">{t("menu.account", { name: user.full_name })}</span>
      </button>
      <div
        id={id}
        hidden={!open}
        className="absolute right-0 z-40 mt-2 w-56 overflow-hidden rounded-md border border-slate-200 bg-white py-1 shadow-lg"
      >
        <p className="border-b border-slate-100 px-4 py-2 text-sm">
          <span className="block font-semibold text-slate-900">{user.full_name}</span>
          <span className="block truncate text-slate-600">{user.email}</span>
        </p>
        <ul>
          <li>
            <Link to="/dashboard" className={item} onClick={close}>
              {t("nav.dashboard")}
            </Link>
          </li>
          <li>
            <Link to="/certificates" className={item} onClick={close}>
              {t("certs.title")}
            </Link>
          </li>
          <li>
            <Link to="/payments" className={item} onClick={close}>
              {t("payments.title")}
            </Link>
          </li>
          <li>
            <Link to="/profile" className={item} onClick={close}>
              {t("nav.profile")}
            </Link>
          </li>
          <li>
            <Link to="/settings/notifications" className={item} onClick={close}>
              {t("settings.notifications")}
            </Link>
          </li>
          {isStaff && (
            <li>
              <Link to="/studio" className={item} onClick={close}>
                {t("nav.studio")}
              </Link>
            </li>
          )}
          {user.role === "admin" && (
            <li>
              <Link to="/admin" className={item} onClick={close}>
                {t("nav.admin")}
              </Link>
            </li>
          )}
          <li className="border-t border-slate-100">
            <button type="button" className={item} onClick={logout}>
              {t("nav.logout")}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}
