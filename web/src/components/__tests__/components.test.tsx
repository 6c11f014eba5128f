import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, RouterProvider } from "react-router";
import type { ReactNode } from "react";
import { NotificationBell } from "../NotificationBell";
import { ErrorState } from "../states";
import { SearchAutocomplete } from "../SearchAutocomplete";
import { ApiError } from "../../api/errors";
import { session } from "../../api/session";

function renderWithProviders(ui: ReactNode, path = "/") {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: "/", element: ui },
      { path: "/courses", element: <p>catalog page</p> },
      { path: "/courses/:slug", element: <p>course page</p> },
      { path: "*", element: ui },
    ],
    { initialEntries: [path] },
  );
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

function jsonResponse(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

beforeEach(() => {
  vi.unstubAllGlobals();
  session.clear();
});

describe("NotificationBell", () => {
  it("shows the unread count from the API", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse({ items: [{ id: "n1" }], total: 3, page: 1, page_size: 1 })));
    renderWithProviders(<NotificationBell />);
    await waitFor(() => expect(screen.getByTestId("unread-badge")).toHaveTextContent("3"));
    expect(screen.getByRole("link", { name: "Notifications: 3 unread" })).toBeInTheDocument();
  });

  it("renders 0 when the API fails", async () => {
    const fetch = vi.fn(async () => new Response("nope", { status: 404 }));
    vi.stubGlobal("fetch", fetch);
    renderWithProviders(<NotificationBell />);
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    expect(screen.getByTestId("unread-badge")).toHaveTextContent("0");
    expect(screen.getByRole("link", { name: "Notifications: 0 unread" })).toBeInTheDocument();
  });
});

describe("ErrorState", () => {
  it("shows the server's problem detail and a retry button", async () => {
    const onRetry = vi.fn();
    render(<ErrorState error={new ApiError(409, { title: "Conflict", detail: "Course is full." })} onRetry={onRetry} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Course is full.");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("says not found for 404 without a retry button", () => {
    render(<ErrorState error={new ApiError(404, { title: "Not Found", detail: "No such course." })} onRetry={() => {}} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Page not found");
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("SearchAutocomplete", () => {
  it("suggests as you type and navigates to the chosen course with the keyboard", async () => {
    const fetch = vi.fn(async (url: string) => {
      expect(url).toContain("/api/v1/search/suggest?q=pyth");
      return jsonResponse({ suggestions: [{ title: "Python Basics", slug: "python-basics" }, { title: "Python for Data", slug: "py-data" }] });
    });
    vi.stubGlobal("fetch", fetch);
    const router = renderWithProviders(<SearchAutocomplete />);
    const box = screen.getByRole("combobox", { name: "Search courses" });
    await userEvent.type(box, "pyth");
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Python Basics", "Python for Data"]);
    expect(box).toHaveAttribute("aria-expanded", "true");
    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    expect(box).toHaveAttribute("aria-activedescendant", options[1]!.id);
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/courses/py-data"));
  });

  it("submits the query to the catalog", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse({ suggestions: [] })));
    const router = renderWithProviders(<SearchAutocomplete />);
    await userEvent.type(screen.getByRole("combobox"), "data science{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/courses"));
    expect(router.state.location.search).toBe("?q=data%20science");
  });
});
