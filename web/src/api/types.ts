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
export type MediaFile = Schemas["MediaRead"];

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
export type EnrollmentRead = Schemas["EnrollmentRead"];
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

export type CertificateVerification = Schemas["VerificationRead"];

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

/* ---- Reviews, roster, categories admin (courses branch) ---- */
export type RosterEntry = Schemas["RosterEntry"];
export type CategoryCreate = Schemas["CategoryCreate"];
export type CategoryUpdate = Schemas["CategoryUpdate"];

export type Review = Schemas["ReviewRead"];
export type ReviewPage = Schemas["ReviewPage"];

/* ---- Quizzes (quizzes branch: lms.quizzes.schemas) ---- */
export type QuestionKind = "single" | "multiple" | "true_false" | "short" | "numeric" | "essay";
export type ReviewPolicy = "never" | "after_submission" | "after_close";
export type AttemptStatus = "in_progress" | "pending_review" | "graded";

export interface QuizSettings {
  description: string;
  time_limit_seconds: number | null;
  attempts_allowed: number | null;
  passing_percent: number;
  is_required: boolean;
  shuffle_questions: boolean;
  shuffle_options: boolean;
  pool_size: number | null;
  available_from: IsoDateTime | null;
  available_until: IsoDateTime | null;
  review_policy: ReviewPolicy;
}
export interface QuizCreate extends Partial<QuizSettings> {
  title: string;
  lesson_id?: Id | null;
  section_id?: Id | null;
}
export type QuizUpdate = Partial<QuizSettings> & { title?: string };
export type Quiz = Omit<Schemas["QuizRead"], "review_policy"> & { review_policy: ReviewPolicy };

export interface OptionIn {
  id?: string | null;
  text: string;
  correct: boolean;
  feedback?: string;
}
export interface QuestionIn {
  kind: QuestionKind;
  title?: string;
  stem: string;
  points: number;
  options: OptionIn[];
  correct?: boolean | null;
  accepted_answers?: string[];
  regex?: string | null;
  case_sensitive?: boolean;
  value?: number | null;
  tolerance?: number;
  partial_credit?: boolean;
  feedback?: string;
  quiz_id?: Id | null;
}
export type Question = Omit<Schemas["QuestionRead"], "kind"> & { kind: QuestionKind };
export type ImportResult = Omit<Schemas["ImportResult"], "skipped"> & { skipped?: Array<Record<string, unknown>> };

export interface PublicQuestion {
  id: Id;
  number: number;
  kind: QuestionKind;
  stem_html: string;
  points: number;
  options: Array<{ id: string; text_html: string }>;
}
/** option id (single), option ids (multiple), boolean, text or number; null clears. */
export type AnswerValue = string | string[] | boolean | number | null;
export interface QuestionResult {
  question_id: Id;
  score: number | null;
  max: number;
  correct: boolean | null;
  pending: boolean;
  your_answer: unknown;
  correct_answer: unknown;
  feedback: string | null;
}
/** Generated, with the loosely typed parts (answers, questions, results) narrowed to what the quiz domain sends. */
export type Attempt = Omit<Schemas["AttemptRead"], "questions" | "answers" | "results"> & {
  questions?: PublicQuestion[] | null;
  answers?: Record<string, AnswerValue> | null;
  results?: QuestionResult[] | null;
};
export type GradingQueueItem = Omit<Schemas["QueueItem"], "questions"> & {
  questions: Array<{ question_id: Id; stem_html: string; max: number; answer: unknown }>;
};
export interface ManualGrade {
  question_id: Id;
  score: number;
  feedback?: string;
}
export type QuizReport = Schemas["QuizReport"];

/* ---- Certificates (quizzes branch; hand-written until its router publishes schemas) ---- */
export type Certificate = Schemas["CertificateRead"];
export type AdminCertificate = Schemas["AdminCertificateRead"];
export type CertificateStatus = Schemas["CertificateStatus"];

/* ---- Payments (payments branch: lms.payments.schemas) ---- */
export type PaymentProvider = "razorpay" | "stripe" | "sandbox";
export type OrderStatus = "pending" | "paid" | "failed" | "expired" | "refunded" | "partially_refunded" | (string & {});
export type Order = Omit<Schemas["OrderRead"], "provider"> & { provider: PaymentProvider };
/** Generated; the provider details are free-form on the server, narrowed here. */
export type CheckoutResponse = Omit<Schemas["CheckoutRead"], "order" | "provider" | "razorpay" | "stripe" | "sandbox"> & {
  order: Order;
  provider: PaymentProvider;
  razorpay?: {
    key_id: string;
    order_id: string;
    amount: number;
    currency: string;
    name: string;
    description: string;
    prefill: { name: string; email: string };
    verify_url: string;
  } | null;
  stripe?: { session_id: string | null; url: string | null; publishable_key: string | null } | null;
  sandbox?: { confirm_url: string; signatures: { success: string; failure: string } } | null;
};
export type Refund = Schemas["RefundRead"];
export type CouponKind = "percent" | "fixed";
export type Coupon = Omit<Schemas["CouponRead"], "kind"> & { kind: CouponKind };
export interface CouponCreate {
  code: string;
  kind: CouponKind;
  percent_off?: number | null;
  amount_off?: number | null;
  currency?: "INR" | "USD" | null;
  course_id?: Id | null;
  description?: string;
  expires_at?: IsoDateTime | null;
  max_redemptions?: number | null;
  max_per_user?: number | null;
  is_active?: boolean;
}

/* ---- Instructor course analytics (notify branch: /analytics/instructor/courses/{id}) ---- */
export interface CourseFigures {
  enrollments: number;
  completions: number;
  lesson_completions: number;
  quiz_submissions: number;
  quiz_passes: number;
  quiz_pass_rate: number | null;
  quiz_average_score: number | null;
  certificates: number;
  revenue: Revenue[];
}
export type CourseReport = Schemas["CourseReport"];
