import { createBrowserRouter, type RouteObject } from "react-router";
import type { ComponentType } from "react";
import { Layout } from "./components/Layout";
import { LoadingState } from "./components/states";
import { RouteError } from "./pages/RouteError";

/** Route-level code splitting: each page is its own chunk. */
const page = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, "lazy"> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const routes: RouteObject[] = [
  {
    path: "/",
    Component: Layout,
    ErrorBoundary: RouteError,
    HydrateFallback: () => <LoadingState />,
    children: [
      {
        ErrorBoundary: RouteError,
        children: [
          { index: true, ...page(() => import("./pages/HomePage")) },
          { path: "courses", ...page(() => import("./pages/CatalogPage")) },
          { path: "courses/:slug", ...page(() => import("./pages/CoursePage")) },
          { path: "verify/:code", ...page(() => import("./pages/VerifyCertificatePage")) },
          { path: "login", ...page(() => import("./pages/auth/LoginPage")) },
          { path: "register", ...page(() => import("./pages/auth/RegisterPage")) },
          { path: "verify-email", ...page(() => import("./pages/auth/VerifyEmailPage")) },
          { path: "forgot-password", ...page(() => import("./pages/auth/ForgotPasswordPage")) },
          { path: "reset-password", ...page(() => import("./pages/auth/ResetPasswordPage")) },
          { path: "profile", ...page(() => import("./pages/auth/ProfilePage")) },
          { path: "settings/notifications", ...page(() => import("./pages/settings/NotificationSettingsPage")) },
          { path: "dashboard", ...page(() => import("./pages/DashboardPage")) },
          { path: "learn/:courseSlug", ...page(() => import("./pages/LessonPlayerPage")) },
          { path: "learn/:courseSlug/:lessonId", ...page(() => import("./pages/LessonPlayerPage")) },
          { path: "checkout/:courseId", ...page(() => import("./pages/CheckoutPage")) },
          { path: "quiz/attempts/:attemptId", ...page(() => import("./pages/quiz/QuizAttemptPage")) },
          { path: "certificates", ...page(() => import("./pages/CertificatesPage")) },
          { path: "payments", ...page(() => import("./pages/PaymentsPage")) },
          {
            path: "studio",
            ...page(() => import("./pages/studio/StudioLayout")),
            children: [
              { index: true, ...page(() => import("./pages/studio/StudioHomePage")) },
              { path: "courses/:id", ...page(() => import("./pages/studio/CourseEditorPage")) },
              { path: "courses/:id/quizzes", ...page(() => import("./pages/studio/QuizzesPage")) },
              { path: "courses/:id/quizzes/:quizId", ...page(() => import("./pages/studio/QuizBuilderPage")) },
              { path: "courses/:id/grading", ...page(() => import("./pages/studio/GradingPage")) },
              { path: "courses/:id/roster", ...page(() => import("./pages/studio/RosterPage")) },
              // Recharts lives only in this chunk (and the admin analytics one).
              { path: "courses/:id/analytics", ...page(() => import("./pages/studio/CourseAnalyticsPage")) },
            ],
          },
          {
            path: "admin",
            ...page(() => import("./pages/admin/AdminLayout")),
            children: [
              { index: true, ...page(() => import("./pages/admin/AdminHomePage")) },
              { path: "users", ...page(() => import("./pages/admin/AdminUsersPage")) },
              // Recharts lives only in this chunk.
              { path: "analytics", ...page(() => import("./pages/admin/AdminAnalyticsPage")) },
              { path: "events", ...page(() => import("./pages/admin/AdminEventsPage")) },
              { path: "categories", ...page(() => import("./pages/admin/AdminCategoriesPage")) },
              { path: "courses", ...page(() => import("./pages/admin/AdminCoursesPage")) },
              { path: "payments", ...page(() => import("./pages/admin/AdminPaymentsPage")) },
              { path: "coupons", ...page(() => import("./pages/admin/AdminCouponsPage")) },
              { path: "certificates", ...page(() => import("./pages/admin/AdminCertificatesPage")) },
            ],
          },
          { path: "*", ...page(() => import("./pages/NotFoundPage")) },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
