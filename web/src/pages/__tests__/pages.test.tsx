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

describe("CheckoutPage", () => {
  it("pays in sandbox test mode and lands in the course; shows the server's problem message", async () => {
    const { default: CheckoutPage } = await import("../CheckoutPage");
    session.setAuthenticated("tok", { id: "u1", email: "s@x.in", full_name: "Sai", role: "student" } as never);
    const course = {
      ...card,
      description: "",
      description_html: "",
      viewer: { enrolled: false },
      sections: [{ id: "s1", title: "One", position: 0, lessons: [{ id: "l1", title: "Welcome", position: 0, kind: "text", is_preview: true, duration_seconds: 60 }] }],
    };
    const order = {
      id: "o1",
      course_id: "c1",
      course_title: "Python Basics",
      user_id: "u1",
      provider: "sandbox",
      status: "pending",
      test_mode: true,
      price: { amount: 49900, currency: "INR" },
      discount: { amount: 0, currency: "INR" },
      total: { amount: 49900, currency: "INR" },
      refunded: { amount: 0, currency: "INR" },
      coupon_code: null,
    };
    const calls: Array<{ url: string; body: unknown }> = [];
    let first = true;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, body: init.body ? JSON.parse(String(init.body)) : undefined });
        if (url.startsWith("/api/v1/courses/")) return json(course);
        if (url === "/api/v1/payments/checkout") {
          if (first) {
            first = false;
            return json({ title: "Coupon not valid", detail: "The coupon NOPE does not exist." }, 422, "application/problem+json");
          }
          return json({ order, provider: "sandbox", test_mode: true, razorpay: null, stripe: null, sandbox: { confirm_url: "/x", signatures: { success: "sig-ok", failure: "sig-no" } } }, 201);
        }
        if (url === "/api/v1/payments/sandbox/o1/confirm") return json({ ...order, status: "paid" });
        return json({}, 404);
      }),
    );
    const router = setup("/checkout/c1", [
      { path: "/checkout/:courseId", Component: CheckoutPage },
      { path: "/learn/:slug/:lesson", Component: () => <p>lesson player</p> },
    ]);
    await userEvent.click(await screen.findByLabelText(/Sandbox/));
    await userEvent.type(screen.getByLabelText("Coupon code"), "NOPE");
    await userEvent.click(screen.getByRole("button", { name: "Continue to payment" }));
    expect(await screen.findByText("The coupon NOPE does not exist.")).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("Coupon code"));
    await userEvent.click(screen.getByRole("button", { name: "Continue to payment" }));
    expect(await screen.findByText(/TEST MODE/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Confirm test payment" }));
    await screen.findByText("lesson player");
    expect(router.state.location.pathname).toBe("/learn/python-basics/l1");
    expect(calls.find((c) => c.url === "/api/v1/payments/checkout")?.body).toEqual({ course_id: "c1", provider: "sandbox", coupon_code: "NOPE" });
    expect(calls.find((c) => c.url.endsWith("/confirm"))?.body).toEqual({ outcome: "success", signature: "sig-ok" });
  });
});
