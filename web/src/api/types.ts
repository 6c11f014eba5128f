/**
 * Hand-written API types, mirroring the server contracts (snake_case JSON).
 * When the server publishes /api/v1/openapi.json, run `npm run gen:api` to produce
 * `schema.d.ts` and progressively re-export the generated component schemas from here,
 * so a contract break fails `tsc -b`.
 */

import type { components } from "./schema";

export type Id = string;
export type IsoDateTime = string;

/* ---- Generated from the server's OpenAPI (npm run gen:api): a contract break fails tsc. ---- */
type Schemas = components["schemas"];

export type Role = Schemas["Role"];
export type User = Schemas["UserRead"];
export type TokenResponse = Schemas["TokenResponse"];
export type RegisterRequest = Schemas["RegisterRequest"];
export type RegisterResponse = Schemas["RegisterResponse"];
export type LoginRequest = Schemas["LoginRequest"];
export type ChangePasswordRequest = Schemas["ChangePasswordRequest"];
export type ProfileUpdate = Schemas["ProfileUpdate"];
export type AdminUserUpdate = Schemas["AdminUserUpdate"];
export type MessageResponse = Schemas["MessageResponse"];

/* ---- Hand-written until the corresponding server domains publish their OpenAPI. ---- */

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

/* ---- Courses and enrollments: generated (courses domain). ---- */
export type Money = Schemas["Price"];
export type Level = Schemas["CourseCard"]["level"];
export type Category = Schemas["CategoryRead"];
export type CategoryRef = Schemas["CategoryRef"];
export type InstructorRef = Schemas["InstructorRef"];
export type CourseCard = Schemas["CourseCard"];
export type LessonKind = Schemas["LessonOutline"]["kind"];
export type LessonSummary = Schemas["LessonOutline"];
export type Section = Schemas["SectionOutline"];
export type CourseViewer = Schemas["Viewer"];
export type CourseStatus = Schemas["CourseCard"]["status"];
export type CourseDetail = Schemas["CourseRead"];
export type Lesson = Schemas["LessonRead"] & {
  /** Resume position for the current viewer, if the progress domain adds it. */
  position_seconds?: number | null;
  completed?: boolean;
  attachments?: Attachment[];
};
export type Enrollment = Schemas["MyEnrollment"];
export type EnrollmentStatus = Schemas["EnrollmentRead"]["status"];
export type CourseCreate = Schemas["CourseCreate"];
export type CourseUpdate = Schemas["CourseUpdate"];
export type SectionRead = Schemas["SectionRead"];
export type LessonCreate = Schemas["LessonCreate"];
export type LessonUpdate = Schemas["LessonUpdate"];

export interface Attachment {
  id?: Id;
  name?: string;
  filename?: string;
  url: string;
  size_bytes?: number;
}

/* ---- Progress domain: hand-written until it publishes its schemas. ---- */
export interface CourseProgress {
  course_id: Id;
  progress_percent: number;
  completed_lesson_ids?: Id[];
  completed_lessons?: number;
  total_lessons?: number;
  last_lesson_id?: Id | null;
  completed?: boolean;
  completed_at?: IsoDateTime | null;
}

export interface Highlight {
  title?: string;
  description?: string;
  subtitle?: string;
}

export interface SearchHit extends CourseCard {
  highlight?: Highlight;
}

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface SearchFacets {
  category?: FacetValue[];
  level?: FacetValue[];
  language?: FacetValue[];
  price?: FacetValue[];
}

export interface SearchResults extends Page<SearchHit> {
  facets: SearchFacets;
  did_you_mean?: string | null;
}

export interface Suggestion {
  title: string;
  slug: string;
}

export interface SuggestResponse {
  suggestions: Suggestion[];
}

export interface Notification {
  id: Id;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  data: Record<string, unknown>;
  read_at: IsoDateTime | null;
  created_at: IsoDateTime;
}

export interface UnreadCount {
  unread_count: number;
}

/** Frames of the real-time socket /api/v1/ws (server → client). */
export type SocketFrame =
  | { type: "ready"; user_id: Id; unread_count: number }
  | { type: "notification"; notification: Notification; unread_count: number }
  | { type: "unread_count"; unread_count: number }
  | { type: "ping" }
  | { type: "pong" }
  | { type: "error"; code: string; detail: string };

export interface CertificateVerification {
  valid?: boolean;
  code: string;
  student_name?: string;
  full_name?: string;
  course_title?: string;
  course?: { id?: Id; slug?: string; title: string };
  issued_at?: IsoDateTime;
  revoked?: boolean;
  revoked_at?: IsoDateTime | null;
}

export interface ProblemFieldError {
  field: string;
  message: string;
}

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: ProblemFieldError[];
  instance?: string;
}

/* ---- Email preferences (events branch: /me/email-preferences) ---- */
export interface EmailPreference {
  kind: string;
  label: string;
  enabled: boolean;
  /** Security emails cannot be turned off */
  locked: boolean;
}
export interface EmailPreferencesRead {
  preferences: EmailPreference[];
}

/* ---- Admin analytics (notify branch: /analytics/admin/summary) ---- */
export type Granularity = "day" | "week" | "month";
export interface Revenue {
  currency: string;
  amount: number;
  payments: number;
}
export interface SiteFigures {
  registrations: number;
  enrollments: number;
  completions: number;
  lesson_completions: number;
  quiz_submissions: number;
  quiz_passes: number;
  quiz_pass_rate: number | null;
  certificates: number;
  active_users_avg: number;
  revenue: Revenue[];
}
export interface SitePoint extends SiteFigures {
  period: string;
}
export interface AdminSummary {
  from: string;
  to: string;
  granularity: Granularity;
  totals: SiteFigures & { active_users_peak: number };
  series: SitePoint[];
}

/* ---- Event delivery health (events branch: /admin/events/*) ---- */
export interface EventBacklog {
  broker: string;
  pending: number;
  oldest_pending_age_seconds: number | null;
  dead: number;
  published_last_hour: number;
}
export interface ConsumerLag {
  consumer: string;
  event_type: string;
  pending: number | null;
  lag: number | null;
}
export interface DeadLetter {
  id: string;
  source: string;
  event_type: string | null;
  event_id: string | null;
  consumer: string | null;
  error: string;
  attempts: number;
  failed_at: IsoDateTime | null;
  data: Record<string, unknown> | null;
}
