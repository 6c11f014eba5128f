import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, RouterProvider } from "react-router";
import CatalogPage from "../CatalogPage";
import LoginPage from "../auth/LoginPage";
import { session } from "../../api/session";

function setup(path: string, routes: Array<{ path: string; Component: () => React.ReactNode }>) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <QueryClientProvider client={qc}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

const json = (body: unknown, status = 200, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

const card = {
  id: "c1",
  slug: "python-basics",
  title: "Python Basics",
  subtitle: "Start here",
  thumbnail_url: null,
  instructors: [{ id: "u2", full_name: "Dr. Ravi Kumar" }],
  price: { amount: 49900, currency: "INR" },
  rating: { average: 4.5, count: 10 },
  is_free: false,
  tags: [],
  status: "published",
  capacity: null,
  seats_left: null,
  published_at: "2026-01-01T00:00:00Z",
  created_at: "2026-01-01T00:00:00Z",
  enrollment_count: 100,
  duration_seconds: 3600,
  lesson_count: 12,
  level: "beginner",
  language: "en",
  category: { id: "k1", name: "Computer Science", slug: "cs" },
};

beforeEach(() => {
  vi.unstubAllGlobals();
  session.clear();
});

describe("CatalogPage", () => {
  it("shows search hits with highlights and facet counts, and filters through the URL", async () => {
    const fetch = vi.fn(async (url: string) => {
      if (url.startsWith("/api/v1/categories")) return json([{ id: "k1", name: "Computer Science", slug: "cs" }]);
      if (url.startsWith("/api/v1/search/courses")) {
        return json({
          items: [{ ...card, highlight: { title: "<mark>Python</mark> Basics" } }],
          total: 1,
          page: 1,
          page_size: 20,
          facets: {
            category: [{ value: "cs", label: "Computer Science", count: 7 }],
            level: [{ value: "beginner", label: "beginner", count: 5 }],
            price: [
              { value: "free", label: "Free", count: 3 },
              { value: "paid", label: "Paid", count: 4 },
            ],
          },
        });
      }
      return json({ suggestions: [] });
    });
    vi.stubGlobal("fetch", fetch);
    const router = setup("/courses?q=python", [{ path: "/courses", Component: CatalogPage }]);

    const results = await screen.findByRole("region", { name: "Results" });
    await within(results).findByText("Python", { selector: "mark" });
    expect(within(results).getByText("₹499")).toBeInTheDocument();
    expect(screen.getByText("1 courses")).toBeInTheDocument();

    const category = screen.getAllByRole("group", { name: "Category" })[0]!;
    const cs = within(category).getByRole("radio", { name: /Computer Science/ });
    expect(cs.closest("label")).toHaveTextContent("7");
    await userEvent.click(within(screen.getAllByRole("group", { name: "Price" })[0]!).getByRole("radio", { name: /Free/ }));
    await waitFor(() => expect(router.state.location.search).toContain("price=free"));
    expect(router.state.location.search).toContain("q=python");
    await waitFor(() => expect(fetch.mock.calls.some(([u]) => String(u).includes("price=free"))).toBe(true));
  });
});

describe("LoginPage", () => {
  it("shows the server's problem detail on failure and follows ?next on success", async () => {
    let attempt = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        attempt++;
        if (attempt === 1) {
          return json({ type: "about:blank", title: "Unauthorized", status: 401, detail: "The email or password is incorrect.", code: "invalid_credentials" }, 401, "application/problem+json");
        }
        return json({
          access_token: "tok",
          token_type: "bearer",
          expires_in: 900,
          refresh_token: "r",
          user: { id: "u1", email: "a@b.co", full_name: "A B", role: "student", is_active: true, email_verified: true, created_at: "2026-01-01T00:00:00Z" },
        });
      }),
    );
    const router = setup("/login?next=/courses/x", [
      { path: "/login", Component: LoginPage },
      { path: "/courses/x", Component: () => <p>course x</p> },
    ]);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.type(screen.getByLabelText("Password"), "bad-password");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email or password is incorrect.");

    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/courses/x"));
    expect(session.getState()).toMatchObject({ status: "authenticated", accessToken: "tok" });
  });
});
