import { describe, expect, it, vi, beforeEach, afterEach } from "vitest";
import { act, render, renderHook, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { formatClock, isAnswered, useAutosave } from "../QuizAttemptPage";
import { SortableList, reorder } from "../../../components/SortableList";
import { session } from "../../../api/session";

function jsonResponse(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

beforeEach(() => {
  vi.unstubAllGlobals();
  session.clear();
});
afterEach(() => vi.useRealTimers());

describe("quiz helpers", () => {
  it("formats the remaining time", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(65)).toBe("1:05");
    expect(formatClock(3723)).toBe("1:02:03");
    expect(formatClock(-5)).toBe("0:00");
  });
  it("knows an answered question", () => {
    expect(isAnswered(null)).toBe(false);
    expect(isAnswered(" ")).toBe(false);
    expect(isAnswered([])).toBe(false);
    expect(isAnswered(false)).toBe(true);
    expect(isAnswered(["a"])).toBe(true);
    expect(isAnswered(0)).toBe(true);
  });
});

describe("useAutosave", () => {
  it("debounces and sends only the changed answers", async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => jsonResponse({}));
    vi.stubGlobal("fetch", fetch);
    const onClosed = vi.fn();
    const { result } = renderHook(() => useAutosave("att1", { q0: "keep" }, onClosed, 500));
    act(() => {
      result.current.setAnswer("q1", "a");
      result.current.setAnswer("q1", "b");
      result.current.setAnswer("q2", true);
    });
    expect(result.current.state).toBe("dirty");
    expect(fetch).not.toHaveBeenCalled();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(600);
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/attempts/att1/answers");
    expect(init.method).toBe("PUT");
    expect(JSON.parse(String(init.body))).toEqual({ answers: { q1: "b", q2: true } });
    expect(result.current.state).toBe("saved");
  });

  it("reports a closed attempt (409) instead of retrying", async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => jsonResponse({ title: "Conflict", detail: "Time is up." }, 409));
    vi.stubGlobal("fetch", fetch);
    const onClosed = vi.fn();
    const { result } = renderHook(() => useAutosave("att1", {}, onClosed, 100));
    act(() => result.current.setAnswer("q1", "a"));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5000);
    });
    expect(onClosed).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe("SortableList", () => {
  it("reorders with the arrow keys on the handle and announces the move", async () => {
    expect(reorder(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    const onReorder = vi.fn();
    function Harness() {
      const [items] = useState(["Alpha", "Beta", "Gamma"]);
      return (
        <SortableList
          items={items}
          getId={(x) => x}
          getLabel={(x) => x}
          onReorder={onReorder}
          renderItem={(x, handle) => (
            <span>
              {handle}
              {x}
            </span>
          )}
        />
      );
    }
    render(<Harness />);
    const handle = screen.getByRole("button", { name: "Reorder Alpha" });
    handle.focus();
    await userEvent.keyboard("{ArrowDown}");
    expect(onReorder).toHaveBeenLastCalledWith(["Beta", "Alpha", "Gamma"]);
    expect(screen.getByRole("button", { name: "Reorder Alpha" })).toHaveFocus();
    expect(screen.getByText("Alpha moved to position 2 of 3.")).toBeInTheDocument();
    await userEvent.keyboard("{ArrowUp}");
    expect(onReorder).toHaveBeenLastCalledWith(["Alpha", "Beta", "Gamma"]);
  });
});
