import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, RouterProvider } from "react-router";
import { session } from "../../api/session";
import { Reviews } from "../../components/Reviews";

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
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "content-type": type } });
const problem = (status: number, detail: string, code: string) =>
  json({ title: "Problem", status, detail, code }, status, "application/problem+json");

interface Call {
  method: string;
  url: string;
  body: unknown;
}

/** A fetch stub answering by "METHOD path" (path without the query) and recording every call. */
function serve(handler: (call: Call) => Response | undefined) {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const call = { method: init.method ?? "GET", url, body: init.body ? JSON.parse(String(init.body)) : undefined };
      calls.push(call);
      return handler(call) ?? json({ items: [], total: 0, page: 1, page_size: 20 });
    }),
  );
  return calls;
}

const signIn = (role: "student" | "instructor" | "admin") =>
  session.setAuthenticated("tok", { id: `u-${role}`, email: `${role}@x.in`, full_name: `The ${role}`, role } as never);

beforeEach(() => {
  vi.unstubAllGlobals();
  session.clear();
});

const cert = (code: string, over: Record<string, unknown> = {}) => ({
  id: `id-${code}`,
  code,
  status: "valid",
  student: { id: "s1", name: "Sai Priya Reddy", email: "priya@example.edu" },
  course: { id: "c1", title: "Algorithms" },
  issued_at: "2026-03-01T10:00:00Z",
  revoked_at: null,
  revoked_reason: null,
  ...over,
});

describe("AdminCertificatesPage", () => {
  it("searches, then revokes after a confirmation with a required reason, showing problem+json errors", async () => {
    const { default: Page } = await import("../admin/AdminCertificatesPage");
    signIn("admin");
    let revoked = false;
    let attempts = 0;
    const calls = serve(({ method, url }) => {
      if (method === "GET" && url.startsWith("/api/v1/admin/certificates")) {
        const items = [
          cert("JNTUGV-AAAA-BBBB-CCCC", revoked ? { status: "revoked", revoked_at: "2026-03-02T00:00:00Z", revoked_reason: "Plagiarism found" } : {}),
          cert("JNTUGV-DDDD-EEEE-FFFF", { status: "revoked", revoked_at: "2026-02-01T00:00:00Z", revoked_reason: "Issued in error" }),
        ];
        return json({ items, total: 2, page: 1, page_size: 25 });
      }
      if (method === "POST" && url === "/api/v1/admin/certificates/JNTUGV-AAAA-BBBB-CCCC/revoke") {
        attempts += 1;
        if (attempts === 1) return problem(409, "This certificate is already revoked.", "already_revoked");
        revoked = true;
        return json(cert("JNTUGV-AAAA-BBBB-CCCC", { revoked_at: "2026-03-02T00:00:00Z", revoked_reason: "Plagiarism found" }));
      }
      return undefined;
    });
    setup("/admin/certificates", [{ path: "/admin/certificates", Component: Page }]);

    const table = await screen.findByRole("table", { name: "Certificates" });
    expect(within(table).getAllByText("Sai Priya Reddy")).toHaveLength(2);
    // Only the valid one can be revoked; the revoked one shows when and why.
    expect(within(table).getAllByRole("button", { name: /^Revoke/ })).toHaveLength(1);
    expect(within(table).getByText(/Issued in error/)).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText(/Search by code/), "priya");
    await waitFor(() => expect(calls.some((c) => c.url.includes("q=priya"))).toBe(true));
    await userEvent.selectOptions(screen.getByLabelText("Status"), "valid");
    await waitFor(() => expect(calls.some((c) => c.url.includes("status=valid"))).toBe(true));

    await userEvent.click(within(table).getByRole("button", { name: /Revoke certificate JNTUGV-AAAA-BBBB-CCCC/ }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke certificate JNTUGV-AAAA-BBBB-CCCC?" });
    const reason = within(dialog).getByLabelText(/Reason/);
    expect(reason).toBeRequired();
    // No reason, no request.
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke certificate" }));
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await userEvent.type(reason, "Plagiarism found");
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke certificate" }));
    expect(await within(dialog).findByText("This certificate is already revoked.")).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke certificate" }));
    expect(await screen.findByText("Certificate JNTUGV-AAAA-BBBB-CCCC is revoked.")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ reason: "Plagiarism found" }, { reason: "Plagiarism found" }]);
    await waitFor(() => expect(within(table).queryAllByRole("button", { name: /^Revoke/ })).toHaveLength(0));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

const rosterEntry = {
  id: "e1",
  user_id: "s1",
  course_id: "c1",
  status: "active",
  source: "free",
  order_id: null,
  enrolled_at: "2026-03-01T10:00:00Z",
  ended_at: null,
  progress_percent: 40,
  completed_at: null,
  last_lesson_id: null,
  last_accessed_at: null,
  student: { id: "s1", full_name: "Sai Priya Reddy", email: "priya@example.edu" },
};

describe("RosterPage", () => {
  it("lets an admin add a student by email and remove one after confirming", async () => {
    const { default: RosterPage } = await import("../studio/RosterPage");
    signIn("admin");
    let alreadyEnrolled = false;
    const calls = serve(({ method, url }) => {
      if (url.startsWith("/api/v1/courses/c1/roster")) return json({ items: [rosterEntry], total: 1, page: 1, page_size: 50 });
      if (url.startsWith("/api/v1/admin/users")) {
        // The search is a substring match: only the exact address counts.
        return json({ items: [{ id: "s2", email: "arjun@example.edu", full_name: "Arjun Varma", role: "student" }, { id: "s3", email: "arjun@example.edu.in", full_name: "Other", role: "student" }], total: 2, page: 1, page_size: 100 });
      }
      if (method === "POST" && url === "/api/v1/admin/enrollments") return json({ ...rosterEntry, id: "e2", user_id: "s2", source: "admin" }, alreadyEnrolled ? 200 : 201);
      if (method === "DELETE" && url === "/api/v1/admin/enrollments/e1") return json(null, 204);
      return undefined;
    });
    setup("/studio/courses/c1/roster", [{ path: "/studio/courses/:id/roster", Component: RosterPage }]);

    await screen.findByText("priya@example.edu");
    const email = screen.getByLabelText("Student email");
    await userEvent.type(email, "nobody@example.edu");
    await userEvent.click(screen.getByRole("button", { name: "Enroll student" }));
    expect(await screen.findByText("No user has the email nobody@example.edu.")).toBeInTheDocument();
    await userEvent.clear(email);
    await userEvent.type(email, "Arjun@Example.edu");
    await userEvent.click(screen.getByRole("button", { name: "Enroll student" }));
    expect(await screen.findByText("Arjun Varma is enrolled.")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ user_id: "s2", course_id: "c1" }]);
    // Enrolling the same student again: the API answers 200 with the existing enrollment.
    alreadyEnrolled = true;
    await userEvent.type(email, "arjun@example.edu");
    await userEvent.click(screen.getByRole("button", { name: "Enroll student" }));
    expect(await screen.findByText("Arjun Varma was already enrolled; nothing changed.")).toBeInTheDocument();
    expect(screen.queryByText("Arjun Varma is enrolled.")).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: /Remove Sai Priya Reddy/ }));
    const dialog = await screen.findByRole("dialog", { name: "Remove Sai Priya Reddy from this course?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await userEvent.click(screen.getByRole("button", { name: /Remove Sai Priya Reddy/ }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Remove student" }));
    expect(await screen.findByText("Sai Priya Reddy is removed from the course.")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual(["/api/v1/admin/enrollments/e1"]);
  });

  it("shows instructors the roster without the admin tools", async () => {
    const { default: RosterPage } = await import("../studio/RosterPage");
    signIn("instructor");
    serve(({ url }) => (url.startsWith("/api/v1/courses/c1/roster") ? json({ items: [rosterEntry], total: 1, page: 1, page_size: 50 }) : undefined));
    setup("/studio/courses/c1/roster", [{ path: "/studio/courses/:id/roster", Component: RosterPage }]);
    await screen.findByText("priya@example.edu");
    expect(screen.queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Student email")).not.toBeInTheDocument();
  });
});

describe("DashboardPage", () => {
  it("lets a student leave a course after confirming", async () => {
    const { default: DashboardPage } = await import("../DashboardPage");
    signIn("student");
    let left = false;
    const enrollment = {
      ...rosterEntry,
      course: { id: "c1", slug: "algorithms", title: "Algorithms", thumbnail_url: null, status: "published", lesson_count: 3, duration_seconds: 600 },
    };
    const calls = serve(({ method, url }) => {
      if (url.startsWith("/api/v1/enrollments/me")) {
        const e = left ? { ...enrollment, status: "dropped", ended_at: "2026-03-03T00:00:00Z" } : enrollment;
        return json({ items: [e], total: 1, page: 1, page_size: 50 });
      }
      if (method === "DELETE" && url === "/api/v1/enrollments/e1") {
        left = true;
        return json(null, 204);
      }
      return undefined;
    });
    setup("/dashboard", [{ path: "/dashboard", Component: DashboardPage }]);
    await userEvent.click(await screen.findByRole("button", { name: "Leave course: Algorithms" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave “Algorithms”?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Leave course" }));
    expect(await screen.findByText("You left “Algorithms”.")).toBeInTheDocument();
    expect(await screen.findByText("You left")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Leave course: Algorithms" })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual(["/api/v1/enrollments/e1"]);
  });
});

describe("Reviews moderation", () => {
  const review = (id: string, name: string, hidden: boolean) => ({
    id,
    course_id: "c1",
    user_id: `u-${id}`,
    author_name: name,
    rating: 2,
    body: `Review by ${name}`,
    reply: null,
    replied_at: null,
    is_hidden: hidden,
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:00:00Z",
  });

  function renderReviews() {
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <Reviews courseId="c1" enrolled={false} />
      </QueryClientProvider>,
    );
  }

  it("marks hidden reviews for admins, hides after confirming and shows again", async () => {
    signIn("admin");
    const calls = serve(({ method, url }) => {
      if (url.startsWith("/api/v1/courses/c1/reviews")) {
        return json({ items: [review("r1", "Ravi", false), review("r2", "Troll", true)], total: 2, page: 1, page_size: 10, summary: { average: 2, count: 1, distribution: { "1": 0, "2": 1, "3": 0, "4": 0, "5": 0 } } });
      }
      if (method === "PATCH") return json(review("r1", "Ravi", true));
      return undefined;
    });
    renderReviews();
    const hidden = (await screen.findByText("Review by Troll")).closest("li") as HTMLElement;
    expect(within(hidden).getByText("Hidden")).toBeInTheDocument();
    await userEvent.click(within(hidden).getByRole("button", { name: /Show again/ }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(1));

    const visible = screen.getByText("Review by Ravi").closest("li") as HTMLElement;
    expect(within(visible).queryByText("Hidden")).not.toBeInTheDocument();
    await userEvent.click(within(visible).getByRole("button", { name: /^Hide/ }));
    const dialog = await screen.findByRole("dialog", { name: "Hide the review by Ravi?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Hide" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    expect(calls.filter((c) => c.method === "PATCH").map((c) => [c.url, c.body])).toEqual([
      ["/api/v1/admin/reviews/r2", { is_hidden: false }],
      ["/api/v1/admin/reviews/r1", { is_hidden: true }],
    ]);
  });

  it("offers no moderation to students", async () => {
    signIn("student");
    serve(({ url }) =>
      url.startsWith("/api/v1/courses/c1/reviews")
        ? json({ items: [review("r1", "Ravi", false)], total: 1, page: 1, page_size: 10, summary: { average: 2, count: 1, distribution: {} } })
        : undefined,
    );
    renderReviews();
    await screen.findByText("Review by Ravi");
    expect(screen.queryByRole("button", { name: /Hide/ })).not.toBeInTheDocument();
  });
});
