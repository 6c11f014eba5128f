import { forgetOfflineData } from "../pwa";
import { api, buildQuery } from "./client";
import type {
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
} from "./types";

const enc = encodeURIComponent;

export interface CourseFilters {
  /** Words in the title or subtitle (catalog list); full-text search uses searchApi.courses. */
  q?: string;
  category?: string;
  level?: string;
  language?: string;
  /** "free" | "paid" */
  price?: string;
  sort?: string;
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
