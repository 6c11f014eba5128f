import { useEffect, useId, useRef, type FormEvent, type ReactNode } from "react";
import { t } from "../i18n";
import { FormError } from "./states";

/**
 * A modal confirmation on the native <dialog>: the browser traps focus, Escape cancels, and focus goes
 * back to the opener on close. `children` may hold form fields (a required reason, say); the confirm
 * button submits them, so `required`/`minLength` are checked by the browser first.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  pending = false,
  error,
  danger = false,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  pending?: boolean;
  error?: unknown;
  danger?: boolean;
}) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // jsdom has no showModal(); the attribute alone still shows the content there.
    if (open && !el.open) {
      if (typeof el.showModal === "function") el.showModal();
      else el.setAttribute("open", "");
    } else if (!open && el.open) {
      if (typeof el.close === "function") el.close();
      else el.removeAttribute("open");
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-t`}
      className="m-auto w-[min(30rem,calc(100vw-2rem))] rounded-lg p-6 shadow-xl backdrop:bg-slate-900/50"
      onCancel={(e) => {
        // Escape: let React state decide, so the dialog and `open` never disagree.
        e.preventDefault();
        if (!pending) onCancel();
      }}
    >
      <form
        className="flex flex-col gap-3"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <h2 id={`${id}-t`} className="text-xl font-bold">
          {title}
        </h2>
        {children}
        <FormError error={error} />
        <div className="mt-2 flex flex-wrap justify-end gap-2">
          <button type="button" className="btn-secondary" disabled={pending} onClick={onCancel}>
            {t("studio.cancel")}
          </button>
          <button type="submit" className={danger ? "btn-danger" : "btn-primary"} disabled={pending}>
            {pending ? t("state.working") : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
