import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { t } from "../i18n";

export function reorder<T>(list: T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(Math.max(0, Math.min(next.length, to)), 0, item as T);
  return next;
}

interface SortableListProps<T> {
  items: T[];
  getId: (item: T) => string;
  getLabel: (item: T) => string;
  /** Called with the new order of ids after a drop or a keyboard move. */
  onReorder: (ids: string[]) => void;
  disabled?: boolean;
  renderItem: (item: T, handle: ReactNode) => ReactNode;
  className?: string;
  itemClassName?: string;
  as?: "ol" | "ul";
}

/**
 * Drag-and-drop ordering with native HTML5 DnD, and the same from the keyboard: each row's handle moves
 * it with the Up/Down arrow keys (focus stays on the handle; the move is announced to screen readers).
 */
export function SortableList<T>({
  items,
  getId,
  getLabel,
  onReorder,
  disabled,
  renderItem,
  className,
  itemClassName = "",
  as: Tag = "ol",
}: SortableListProps<T>) {
  const hintId = useId();
  const [order, setOrder] = useState(items);
  const [dragging, setDragging] = useState<string | null>(null);
  // Rows become draggable only while the pointer is down on their handle (so text in forms stays selectable).
  const [armed, setArmed] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const focusId = useRef<string | null>(null);
  const handles = useRef(new Map<string, HTMLButtonElement>());

  useEffect(() => setOrder(items), [items]);
  useEffect(() => {
    if (focusId.current) handles.current.get(focusId.current)?.focus();
    focusId.current = null;
  });

  function commit(next: T[], moved: T) {
    setOrder(next);
    const pos = next.indexOf(moved) + 1;
    setAnnouncement(t("dnd.moved", { title: getLabel(moved), pos, count: next.length }));
    onReorder(next.map(getId));
  }

  return (
    <>
      <Tag className={className}>
        {order.map((item, index) => {
          const id = getId(item);
          const handle = (
            <button
              type="button"
              ref={(el) => {
                if (el) handles.current.set(id, el);
                else handles.current.delete(id);
              }}
              disabled={disabled}
              aria-label={t("dnd.handle", { title: getLabel(item) })}
              aria-describedby={hintId}
              onPointerDown={() => setArmed(id)}
              onPointerUp={() => setArmed(null)}
              className="cursor-grab rounded px-1.5 py-1 text-slate-600 hover:bg-slate-200 active:cursor-grabbing disabled:cursor-not-allowed"
              onKeyDown={(e) => {
                const delta = e.key === "ArrowUp" ? -1 : e.key === "ArrowDown" ? 1 : 0;
                if (!delta) return;
                e.preventDefault();
                const to = index + delta;
                if (to < 0 || to >= order.length) return;
                focusId.current = id;
                commit(reorder(order, index, to), item);
              }}
            >
              <span aria-hidden="true">⠿</span>
            </button>
          );
          return (
            <li
              key={id}
              draggable={!disabled && armed === id}
              onDragStart={(e) => {
                e.stopPropagation();
                setDragging(id);
                e.dataTransfer.effectAllowed = "move";
                e.dataTransfer.setData("text/plain", id);
              }}
              onDragEnd={(e) => {
                e.stopPropagation();
                setArmed(null);
                setDragging(null);
                setOver(null);
              }}
              onDragOver={(e) => {
                if (!dragging) return;
                e.preventDefault();
                e.stopPropagation();
                e.dataTransfer.dropEffect = "move";
                if (over !== id) setOver(id);
              }}
              onDrop={(e) => {
                if (!dragging) return;
                e.preventDefault();
                e.stopPropagation();
                const from = order.findIndex((x) => getId(x) === dragging);
                setDragging(null);
                setOver(null);
                if (from < 0 || from === index) return;
                commit(reorder(order, from, index), order[from] as T);
              }}
              data-dragging={dragging === id || undefined}
              className={`${itemClassName} ${dragging === id ? "opacity-50" : ""} ${over === id && dragging !== id ? "outline-2 outline-dashed outline-blue-600" : ""}`}
            >
              {renderItem(item, handle)}
            </li>
          );
        })}
      </Tag>
      <p id={hintId} className="sr-only">
        {t("dnd.hint")}
      </p>
      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
    </>
  );
}
