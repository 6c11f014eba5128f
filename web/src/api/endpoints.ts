import { forgetOfflineData } from "../pwa";
import { api, buildQuery } from "./client";
import type { operations } from "./schema";
import type {
  MediaFile,
  CourseCreate,
  CourseUpdate,
  LessonCreate,
  LessonUpdate,
  SectionRead,
  AdminSummary,
  ConsumerLag,
  DeadLetter,
  EmailPreferencesRead,
  EventBacklog,
  Granularity,
  AdminUserUpdate,
  Role,
  CertificateVerification,
  ChangePasswordRequest,
  CourseCard,
  CourseDetail,
  CourseProgress,
  Category,
  Enrollment,
  EnrollmentRead,
  Lesson,
  LoginRequest,
  MessageResponse,
  Notification,
  Page,
  ProfileUpdate,
  RegisterRequest,
  RegisterResponse,
  SearchResults,
  SuggestResponse,
  TokenResponse,
  User,
  AdminCertificate,
  CertificateStatus,
  AnswerValue,
  Attempt,
  CategoryCreate,
  CategoryUpdate,
  Certificate,
  CheckoutResponse,
  Coupon,
  CouponCreate,
  CourseReport,
  GradingQueueItem,
  ImportResult,
  ManualGrade,
  Order,
  PaymentProvider,
  Question,
  QuestionIn,
  Quiz,
  QuizCreate,
  QuizReport,
  QuizUpdate,
  Refund,
  Review,
  ReviewPage,
  RosterEntry,
} from "./types";

const enc = encodeURIComponent;

type CatalogQuery = NonNullable<operations["list_courses_api_v1_courses_get"]["parameters"]["query"]>;
type SearchQuery = NonNullable<operations["search_courses_api_v1_search_courses_get"]["parameters"]["query"]>;
/** A sort both the catalog and search accept (from the OpenAPI schema): the catalog page keeps its sort
 * when a query is typed, so a sort only one of them knows must not compile. */
export type CourseSort = NonNullable<CatalogQuery["sort"]> & NonNullable<SearchQuery["sort"]>;

export interface CourseFilters {
  /** Words in the title or subtitle (catalog list); full-text search uses searchApi.courses. */
  q?: string;
  category?: string;
  level?: string;
  language?: string;
  /** "free" | "paid" */
  price?: string;
  sort?: CourseSort;
  page?: number;
  page_size?: number;
}

export const authApi = {
  async login(body: LoginRequest): Promise<TokenResponse> {
    const data = await api.post<TokenResponse>("/auth/login", body, { auth: false });
    api.session.setAuthenticated(data.access_token, data.user);
    return data;
  },
  register: (body: RegisterRequest) => api.post<RegisterResponse>("/auth/register", body, { auth: false }),
  async logout(): Promise<void> {
    try {
      await api.post<void>("/auth/logout");
    } finally {
      api.session.clear();
      forgetOfflineData();
    }
  },
  async me(): Promise<User> {
    const user = await api.get<User>("/auth/me");
    api.session.setUser(user);
    return user;
  },
  /** The server signs out every other session and answers with fresh tokens for this one. */
  async changePassword(body: ChangePasswordRequest): Promise<TokenResponse> {
    const data = await api.post<TokenResponse>("/auth/change-password", body);
    api.session.setAuthenticated(data.access_token, data.user);
    return data;
  },
  async updateProfile(body: ProfileUpdate): Promise<User> {
    const user = await api.patch<User>("/users/me", body);
    api.session.setUser(user);
    return user;
  },
  resendVerification: () => api.post<MessageResponse>("/auth/verify-email/resend"),
  requestPasswordReset: (email: string) =>
    api.post<MessageResponse>("/auth/password-reset/request", { email }, { auth: false }),
  confirmPasswordReset: (token: string, new_password: string) =>
    api.post<void>("/auth/password-reset/confirm", { token, new_password }, { auth: false }),
  async verifyEmail(token: string): Promise<User> {
    const user = await api.post<User>("/auth/verify-email", { token }, { auth: false });
    if (api.session.getState().user?.id === user.id) api.session.setUser(user);
    return user;
  },
};

export const coursesApi = {
  list: (filters: CourseFilters, signal?: AbortSignal) =>
    api.get<Page<CourseCard>>("/courses", { ...filters }, signal),
  get: (idOrSlug: string, signal?: AbortSignal) =>
    api.get<CourseDetail>(`/courses/${enc(idOrSlug)}`, undefined, signal),
  progress: (courseId: string, signal?: AbortSignal) =>
    api.get<CourseProgress>(`/courses/${enc(courseId)}/progress`, undefined, signal),
  async categories(signal?: AbortSignal): Promise<Category[]> {
    const data = await api.get<Category[] | Page<Category>>("/categories", undefined, signal);
    return Array.isArray(data) ? data : data.items;
  },
};

export const studioApi = {
  myCourses: (page = 1, signal?: AbortSignal) =>
    api.get<Page<CourseCard>>("/courses", { mine: true, sort: "newest", page, page_size: 50 }, signal),
  create: (body: CourseCreate) => api.post<CourseDetail>("/courses", body),
  update: (id: string, body: CourseUpdate) => api.patch<CourseDetail>(`/courses/${enc(id)}`, body),
  publish: (id: string) => api.post<CourseDetail>(`/courses/${enc(id)}/publish`),
  archive: (id: string) => api.post<CourseDetail>(`/courses/${enc(id)}/archive`),
  addSection: (courseId: string, title: string) => api.post<SectionRead>(`/courses/${enc(courseId)}/sections`, { title }),
  renameSection: (id: string, title: string) => api.patch<SectionRead>(`/sections/${enc(id)}`, { title }),
  deleteSection: (id: string) => api.del<void>(`/sections/${enc(id)}`),
  orderSections: (courseId: string, section_ids: string[]) =>
    api.put<void>(`/courses/${enc(courseId)}/sections/order`, { section_ids }),
  addLesson: (sectionId: string, body: LessonCreate) => api.post<Lesson>(`/sections/${enc(sectionId)}/lessons`, body),
  updateLesson: (id: string, body: LessonUpdate) => api.patch<Lesson>(`/lessons/${enc(id)}`, body),
  deleteLesson: (id: string) => api.del<void>(`/lessons/${enc(id)}`),
  orderLessons: (sectionId: string, lesson_ids: string[]) =>
    api.put<void>(`/sections/${enc(sectionId)}/lessons/order`, { lesson_ids }),
};

export const searchApi = {
  courses: (q: string, filters: CourseFilters, signal?: AbortSignal) =>
    api.get<SearchResults>("/search/courses", { q, ...filters }, signal),
  suggest: (q: string, signal?: AbortSignal) =>
    api.get<SuggestResponse>("/search/suggest", { q }, signal),
};

export const enrollmentsApi = {
  enroll: (course_id: string) => api.post<Enrollment>("/enrollments", { course_id }),
  mine: (page = 1, signal?: AbortSignal) =>
    api.get<Page<Enrollment>>("/enrollments/me", { page, page_size: 50 }, signal),
  /** Leave a course: the enrollment becomes `dropped`. */
  drop: (enrollmentId: string) => api.del<void>(`/enrollments/${enc(enrollmentId)}`),
};

export const lessonsApi = {
  get: (id: string, signal?: AbortSignal) => api.get<Lesson>(`/lessons/${enc(id)}`, undefined, signal),
  savePosition: (id: string, position_seconds: number) =>
    api.put<unknown>(`/lessons/${enc(id)}/position`, { position_seconds: Math.floor(position_seconds) }),
  complete: (id: string) => api.post<unknown>(`/lessons/${enc(id)}/complete`),
};

export const notificationsApi = {
  async unreadCount(signal?: AbortSignal): Promise<number> {
    const data = await api.get<Notification[] | Page<Notification>>(
      "/notifications",
      { unread: true, page_size: 1 },
      signal,
    );
    if (Array.isArray(data)) return data.length;
    return typeof data.total === "number" ? data.total : data.items.length;
  },
  list: (opts: { unread?: boolean; page?: number; page_size?: number } = {}, signal?: AbortSignal) =>
    api.get<Page<Notification>>("/notifications", { ...opts }, signal),
  markRead: (id: string) => api.post<Notification>(`/notifications/${enc(id)}/read`),
  markAllRead: () => api.post<{ marked_read: number; unread_count: number }>("/notifications/read-all"),
};

export const certificatesApi = {
  verify: (code: string, signal?: AbortSignal) =>
    api.request<CertificateVerification>(`/certificates/verify/${enc(code)}`, { auth: false, signal }),
};

export const preferencesApi = {
  email: (signal?: AbortSignal) => api.get<EmailPreferencesRead>("/me/email-preferences", undefined, signal),
  setEmail: (preferences: Record<string, boolean>) =>
    api.put<EmailPreferencesRead>("/me/email-preferences", { preferences }),
};

export const adminApi = {
  analytics: (params: { from?: string; to?: string; granularity?: Granularity }, signal?: AbortSignal) =>
    api.get<AdminSummary>("/analytics/admin/summary", { ...params }, signal),
  /** CSV needs the bearer token, so it is fetched and handed to the browser as a download. */
  async downloadAnalyticsCsv(params: { from?: string; to?: string; granularity?: Granularity }): Promise<void> {
    const csv = await api.request<string>(`/analytics/admin/export.csv${buildQuery({ ...params })}`, {
      headers: { Accept: "text/csv" },
    });
    const url = URL.createObjectURL(new Blob([String(csv)], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `lms-analytics-${params.from ?? "start"}-${params.to ?? "today"}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
  eventBacklog: (signal?: AbortSignal) => api.get<EventBacklog>("/admin/events/backlog", undefined, signal),
  eventConsumers: (signal?: AbortSignal) => api.get<ConsumerLag[]>("/admin/events/consumers", undefined, signal),
  deadLetters: (page: number, signal?: AbortSignal) =>
    api.get<Page<DeadLetter>>("/admin/events/dead-letters", { page, page_size: 20 }, signal),
  replayDeadLetter: (id: string) =>
    api.post<{ id: string; replayed: boolean }>(`/admin/events/dead-letters/${enc(id)}/replay`),
  listUsers: (
    params: { q?: string; role?: Role; is_active?: boolean; page?: number; page_size?: number },
    signal?: AbortSignal,
  ) => api.get<Page<User>>("/admin/users", { ...params }, signal),
  updateUser: (id: string, body: AdminUserUpdate) => api.patch<User>(`/admin/users/${enc(id)}`, body),
};

/** Hand a Blob to the browser as a file download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const reviewsApi = {
  list: (courseId: string, page = 1, signal?: AbortSignal) =>
    api.get<ReviewPage>(`/courses/${enc(courseId)}/reviews`, { page, page_size: 10 }, signal),
  /** Creates the caller's review, or replaces it (one per student and course). */
  upsert: (courseId: string, body: { rating: number; body: string }) =>
    api.post<Review>(`/courses/${enc(courseId)}/reviews`, body),
  reply: (reviewId: string, reply: string) => api.post<Review>(`/reviews/${enc(reviewId)}/reply`, { reply }),
  /** Admins: hide an abusive review (or show it again). */
  setHidden: (reviewId: string, is_hidden: boolean) => api.patch<Review>(`/admin/reviews/${enc(reviewId)}`, { is_hidden }),
};

export const quizzesApi = {
  forLesson: (lessonId: string, signal?: AbortSignal) => api.get<Quiz>(`/lessons/${enc(lessonId)}/quiz`, undefined, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Quiz>(`/quizzes/${enc(id)}`, undefined, signal),
  listForCourse: (courseId: string, signal?: AbortSignal) =>
    api.get<Quiz[]>(`/courses/${enc(courseId)}/quizzes`, undefined, signal),
  create: (courseId: string, body: QuizCreate) => api.post<Quiz>(`/courses/${enc(courseId)}/quizzes`, body),
  update: (id: string, body: QuizUpdate) => api.patch<Quiz>(`/quizzes/${enc(id)}`, body),
  remove: (id: string) => api.del<void>(`/quizzes/${enc(id)}`),
  /** 201 starts an attempt; 200 resumes the one in progress. */
  start: (quizId: string) => api.post<Attempt>(`/quizzes/${enc(quizId)}/attempts`),
  myAttempts: (quizId: string, signal?: AbortSignal) =>
    api.get<Attempt[]>(`/quizzes/${enc(quizId)}/attempts/me`, undefined, signal),
  attempt: (id: string, signal?: AbortSignal) => api.get<Attempt>(`/attempts/${enc(id)}`, undefined, signal),
  saveAnswers: (id: string, answers: Record<string, AnswerValue>) =>
    api.put<Attempt>(`/attempts/${enc(id)}/answers`, { answers }),
  submit: (id: string) => api.post<Attempt>(`/attempts/${enc(id)}/submit`),
  // question bank
  questions: (courseId: string, quizId?: string, signal?: AbortSignal) =>
    api.get<Question[]>(`/courses/${enc(courseId)}/questions`, { quiz_id: quizId }, signal),
  createQuestion: (courseId: string, body: QuestionIn) => api.post<Question>(`/courses/${enc(courseId)}/questions`, body),
  updateQuestion: (id: string, body: QuestionIn) => api.put<Question>(`/questions/${enc(id)}`, body),
  deleteQuestion: (id: string) => api.del<void>(`/questions/${enc(id)}`),
  orderQuestions: (quizId: string, question_ids: string[]) =>
    api.put<Question[]>(`/quizzes/${enc(quizId)}/questions/order`, { question_ids }),
  importJson: (courseId: string, quiz_id: string | null, questions: QuestionIn[]) =>
    api.post<ImportResult>(`/courses/${enc(courseId)}/questions/import/json`, { quiz_id, questions }),
  importGift: (courseId: string, quiz_id: string | null, text: string) =>
    api.post<ImportResult>(`/courses/${enc(courseId)}/questions/import/gift`, { quiz_id, text }),
  async exportQuestions(courseId: string, format: "json" | "gift", quizId?: string): Promise<void> {
    const blob = await api.request<Blob>(
      `/courses/${enc(courseId)}/questions/export${buildQuery({ format, quiz_id: quizId })}`,
      { responseType: "blob", headers: { Accept: "*/*" } },
    );
    saveBlob(blob, format === "gift" ? "questions.gift.txt" : "questions.json");
  },
  // grading and reports
  gradingQueue: (courseId: string, signal?: AbortSignal) =>
    api.get<GradingQueueItem[]>(`/courses/${enc(courseId)}/grading-queue`, undefined, signal),
  grade: (attemptId: string, grades: ManualGrade[]) => api.post<Attempt>(`/attempts/${enc(attemptId)}/grade`, { grades }),
  regrade: (quizId: string) => api.post<{ attempts: number; changed: number }>(`/quizzes/${enc(quizId)}/regrade`),
  report: (quizId: string, signal?: AbortSignal) => api.get<QuizReport>(`/quizzes/${enc(quizId)}/report`, undefined, signal),
  async downloadGradesCsv(quizId: string): Promise<void> {
    const blob = await api.request<Blob>(`/quizzes/${enc(quizId)}/grades.csv`, { responseType: "blob", headers: { Accept: "text/csv" } });
    saveBlob(blob, `grades-${quizId}.csv`);
  },
};

export const myCertificatesApi = {
  async mine(signal?: AbortSignal): Promise<Certificate[]> {
    const data = await api.get<Certificate[] | Page<Certificate>>("/certificates/me", undefined, signal);
    return Array.isArray(data) ? data : data.items;
  },
  async downloadPdf(code: string): Promise<void> {
    const blob = await api.request<Blob>(`/certificates/${enc(code)}/pdf`, {
      responseType: "blob",
      headers: { Accept: "application/pdf" },
    });
    saveBlob(blob, `certificate-${code}.pdf`);
  },
};

export const paymentsApi = {
  checkout: (body: { course_id: string; provider: PaymentProvider; coupon_code?: string | null }) =>
    api.post<CheckoutResponse>("/payments/checkout", body),
  confirmSandbox: (orderId: string, outcome: "success" | "failure", signature: string) =>
    api.post<Order>(`/payments/sandbox/${enc(orderId)}/confirm`, { outcome, signature }),
  mine: (page = 1, signal?: AbortSignal) => api.get<Page<Order>>("/payments/me", { page, page_size: 20 }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Order>(`/payments/${enc(id)}`, undefined, signal),
  /** The receipt is printable HTML behind the bearer token: fetched, then opened from a Blob. */
  async openReceipt(orderId: string): Promise<void> {
    const blob = await api.request<Blob>(`/payments/${enc(orderId)}/receipt`, {
      responseType: "blob",
      headers: { Accept: "text/html" },
    });
    const url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
    const w = window.open(url, "_blank", "noopener");
    if (!w) saveBlob(blob, `receipt-${orderId}.html`);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  },
};

export const rosterApi = {
  list: (courseId: string, page = 1, signal?: AbortSignal) =>
    api.get<Page<RosterEntry>>(`/courses/${enc(courseId)}/roster`, { page, page_size: 50 }, signal),
  /** Admins: the user whose email is exactly `email` (case-insensitive), if any. */
  async findUserByEmail(email: string): Promise<User | undefined> {
    const wanted = email.trim().toLowerCase();
    const found = await api.get<Page<User>>("/admin/users", { q: wanted, page_size: 100 });
    return found.items.find((u) => u.email.toLowerCase() === wanted);
  },
  /** Admins: 201 enrolls, 200 answers the enrollment the user already has (``created`` is false). */
  adminEnroll: async (user_id: string, course_id: string) => {
    let status = 0;
    const enrollment = await api.post<EnrollmentRead>(
      "/admin/enrollments",
      { user_id, course_id },
      { onStatus: (s) => (status = s) },
    );
    return { enrollment, created: status === 201 };
  },
  adminRemove: (enrollmentId: string) => api.del<void>(`/admin/enrollments/${enc(enrollmentId)}`),
};

export const adminCertificatesApi = {
  list: (params: { q?: string; status?: CertificateStatus; page?: number }, signal?: AbortSignal) =>
    api.get<Page<AdminCertificate>>("/admin/certificates", { ...params, page_size: 25 }, signal),
  revoke: (code: string, reason: string) =>
    api.post<Certificate>(`/admin/certificates/${enc(code)}/revoke`, { reason }),
};

export const courseAnalyticsApi = {
  report: (courseId: string, params: { from?: string; to?: string; granularity?: Granularity }, signal?: AbortSignal) =>
    api.get<CourseReport>(`/analytics/instructor/courses/${enc(courseId)}`, { ...params }, signal),
};

export const adminCatalogApi = {
  createCategory: (body: CategoryCreate) => api.post<Category>("/categories", body),
  updateCategory: (id: string, body: CategoryUpdate) => api.patch<Category>(`/categories/${enc(id)}`, body),
  deleteCategory: (id: string) => api.del<void>(`/categories/${enc(id)}`),
  courses: (params: { q?: string; status?: string; page?: number }, signal?: AbortSignal) =>
    api.get<Page<CourseCard>>("/courses", { ...params, page_size: 25, sort: "newest" }, signal),
};

export const adminPaymentsApi = {
  list: (params: { status?: string; page?: number }, signal?: AbortSignal) =>
    api.get<Page<Order>>("/admin/payments", { ...params, page_size: 25 }, signal),
  refunds: (orderId: string, signal?: AbortSignal) =>
    api.get<Refund[]>(`/admin/payments/${enc(orderId)}/refunds`, undefined, signal),
  refund: (orderId: string, body: { amount?: number | null; reason: string }) =>
    api.post<Refund>(`/admin/payments/${enc(orderId)}/refunds`, body),
  coupons: (page = 1, signal?: AbortSignal) => api.get<Page<Coupon>>("/admin/coupons", { page, page_size: 50 }, signal),
  createCoupon: (body: CouponCreate) => api.post<Coupon>("/admin/coupons", body),
  updateCoupon: (id: string, body: Partial<Pick<Coupon, "description" | "expires_at" | "max_redemptions" | "max_per_user" | "is_active">>) =>
    api.patch<Coupon>(`/admin/coupons/${enc(id)}`, body),
  deleteCoupon: (id: string) => api.del<void>(`/admin/coupons/${enc(id)}`),
};

/* ---- course media (uploads go through api/upload.ts for progress) ---- */
export const mediaApi = {
  list: (courseId: string, signal?: AbortSignal) =>
    api.get<{ items: MediaFile[] }>(`/courses/${enc(courseId)}/media`, undefined, signal),
  remove: (mediaId: string) => api.del<void>(`/media/${enc(mediaId)}`),
};
