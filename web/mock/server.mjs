// Tiny in-memory stand-in for the LMS API, for front-end development and screenshots
// before the Python server is up. No dependencies. Not used by the build or the tests.
//   node mock/server.mjs [port]        (default 8787), then: LMS_API_URL=http://127.0.0.1:8787 npm run dev
// It also serves dist/ with an SPA fallback, so `npm run build && node mock/server.mjs` is a full preview.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const port = Number(process.argv[2] ?? 8787);
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const now = new Date().toISOString();

const users = [
  { id: "u1", email: "student@example.com", password: "password123", full_name: "Asha Rao", role: "student" },
  { id: "u2", email: "instructor@example.com", password: "password123", full_name: "Dr. Ravi Kumar", role: "instructor" },
  { id: "u3", email: "admin@example.com", password: "password123", full_name: "Admin User", role: "admin" },
].map((u) => ({ ...u, is_active: true, email_verified: true, created_at: now }));
const pub = ({ password, ...u }) => u;

const cats = [
  { id: "c1", name: "Computer Science", slug: "computer-science" },
  { id: "c2", name: "Electronics", slug: "electronics" },
  { id: "c3", name: "Management", slug: "management" },
];
const titles = [
  ["Python Programming for Engineers", "c1", null, "beginner"],
  ["Data Structures and Algorithms", "c1", 49900, "intermediate"],
  ["Digital Signal Processing", "c2", 79900, "advanced"],
  ["Introduction to Machine Learning", "c1", 99900, "intermediate"],
  ["Embedded Systems with Arduino", "c2", null, "beginner"],
  ["Principles of Management", "c3", null, "beginner"],
  ["Database Management Systems", "c1", 39900, "intermediate"],
  ["VLSI Design Fundamentals", "c2", 59900, "advanced"],
  ["Engineering Mathematics I", null, null, "beginner"],
  ["Web Development with React", "c1", 29900, "beginner"],
];
const slugify = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/(^-|-$)/g, "");
const courses = titles.map(([title, cat, amount, level], i) => {
  const id = `course${i + 1}`;
  const sections = [1, 2].map((s) => ({
    id: `${id}-s${s}`,
    title: s === 1 ? "Getting started" : "Core concepts",
    position: s,
    lessons: [1, 2, 3].map((l) => ({
      id: `${id}-l${s}${l}`,
      title: `${s === 1 ? "Intro" : "Concept"} ${l}: ${["Overview", "Hands-on", "Review"][l - 1]}`,
      kind: l === 1 ? "video" : l === 3 && s === 2 ? "quiz" : "text",
      is_preview: s === 1 && l === 1,
      is_required: true,
      duration_seconds: 300 + l * 120,
      position: l,
    })),
  }));
  return {
    id, slug: slugify(title), title,
    subtitle: `A practical course on ${title.toLowerCase()}.`,
    thumbnail_url: null,
    instructors: [{ id: "u2", full_name: "Dr. Ravi Kumar" }],
    price: amount ? { amount, currency: "INR" } : null,
    rating: { average: i % 4 === 3 ? 0 : 3.6 + (i % 5) * 0.3, count: i % 4 === 3 ? 0 : 12 + i * 7 },
    is_free: !amount, tags: [], published_at: now,
    enrollment_count: 1200 - i * 97,
    duration_seconds: 6 * 540,
    lesson_count: 6,
    level, language: i % 3 === 2 ? "te" : "en",
    category: cats.find((c) => c.id === cat) ?? null,
    description_html: `<p>This course covers <strong>${title}</strong> from first principles.</p><ul><li>Lectures</li><li>Exercises</li></ul>`,
    sections, status: "published", capacity: i === 2 ? 40 : null, seats_left: i === 2 ? 3 : null,
    created_at: new Date(Date.now() - i * 86400000).toISOString(),
  };
});
const card = ({ description_html, sections, ...c }) => c;
const notifications = [
  { id: "n1", kind: "welcome", title: "Welcome to JNTU GV LMS", body: "Browse the catalog to find your first course.", link: "/courses", data: {}, read_at: null, created_at: now },
  { id: "n2", kind: "lesson", title: "New lesson published", body: "Data Structures: Concept 3 is live.", link: "/courses/data-structures-and-algorithms", data: {}, read_at: null, created_at: now },
];
const enrollments = new Map(); // `${userId}:${courseId}` -> enrollment
const completed = new Map(); // `${userId}:${courseId}` -> Set(lessonId)
const positions = new Map();
const sessions = new Map(); // refresh token -> userId
const access = new Map(); // access token -> userId

function send(res, status, body, headers = {}) {
  const payload = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json", ...headers });
  res.end(payload);
}
const problem = (res, status, title, detail, code, extra = {}) =>
  send(res, status, { type: "about:blank", title, status, detail, code, ...extra }, status === 401 ? { "www-authenticate": "Bearer" } : {});
const page = (items, q) => {
  const p = Math.max(1, Number(q.get("page")) || 1), ps = Math.min(100, Number(q.get("page_size")) || 20);
  return { items: items.slice((p - 1) * ps, p * ps), total: items.length, page: p, page_size: ps };
};
const rnd = () => Math.random().toString(36).slice(2);
function issue(res, user) {
  const at = rnd(), rt = rnd();
  access.set(at, user.id);
  sessions.set(rt, user.id);
  return send(res, 200, { access_token: at, token_type: "bearer", expires_in: 900, refresh_token: rt, user: pub(user) }, {
    "set-cookie": `lms_refresh=${rt}; HttpOnly; Path=/api/v1/auth; SameSite=Lax`,
  });
}
function who(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  const id = m && access.get(m[1]);
  return users.find((u) => u.id === id);
}
const cookie = (req, name) => (req.headers.cookie ?? "").split(/;\s*/).map((c) => c.split("=")).find(([k]) => k === name)?.[1];
const body = (req) => new Promise((r) => { let d = ""; req.on("data", (c) => (d += c)); req.on("end", () => { try { r(JSON.parse(d || "{}")); } catch { r({}); } }); });
const findCourse = (key) => courses.find((c) => c.id === key || c.slug === key);
const lessonsOf = (c) => c.sections.flatMap((s) => s.lessons);
const progressOf = (u, c) => {
  const done = completed.get(`${u.id}:${c.id}`) ?? new Set();
  const e = enrollments.get(`${u.id}:${c.id}`);
  return { course_id: c.id, progress_percent: Math.round((100 * done.size) / lessonsOf(c).length), completed_lesson_ids: [...done], last_lesson_id: e?.last_lesson_id ?? null, completed: done.size === lessonsOf(c).length };
};
function filterCourses(q) {
  let list = courses.filter((c) =>
    (!q.get("category") || c.category?.slug === q.get("category")) &&
    (!q.get("level") || c.level === q.get("level")) &&
    (!q.get("language") || c.language === q.get("language")) &&
    (!q.get("price") || (q.get("price") === "free") === !c.price));
  const sort = q.get("sort");
  const by = { popular: (a, b) => b.enrollment_count - a.enrollment_count, newest: (a, b) => b.created_at.localeCompare(a.created_at), rating: (a, b) => (b.rating_average ?? 0) - (a.rating_average ?? 0), price_asc: (a, b) => (a.price?.amount ?? 0) - (b.price?.amount ?? 0), price_desc: (a, b) => (b.price?.amount ?? 0) - (a.price?.amount ?? 0) }[sort];
  if (by) list = [...list].sort(by);
  return list;
}
const facet = (list, key, label) => Object.values(list.reduce((acc, c) => { const v = key(c); if (v) acc[v] = { value: v, label: label(c), count: (acc[v]?.count ?? 0) + 1 }; return acc; }, {}));

async function api(req, res, path, q) {
  const m = req.method;
  const user = who(req);
  if (m === "POST" && path === "/auth/login") {
    const b = await body(req);
    const u = users.find((x) => x.email === b.email && x.password === b.password);
    return u ? issue(res, u) : problem(res, 401, "Unauthorized", "Incorrect email or password.", "invalid_credentials");
  }
  if (m === "POST" && path === "/auth/register") {
    const b = await body(req);
    const errors = [];
    if (!/^\S+@\S+\.\S+$/.test(b.email ?? "")) errors.push({ field: "email", message: "Enter a valid email address." });
    if ((b.password ?? "").length < 8) errors.push({ field: "password", message: "Password must be at least 8 characters." });
    if (errors.length) return problem(res, 422, "Validation failed", "Some fields are invalid.", "validation_error", { errors });
    if (users.some((u) => u.email === b.email)) return problem(res, 409, "Conflict", "An account with this email already exists.", "email_taken");
    const u = { id: rnd(), email: b.email, password: b.password, full_name: b.full_name, role: "student", is_active: true, email_verified: false, created_at: new Date().toISOString() };
    users.push(u);
    return send(res, 201, { user: pub(u), message: "Check your email to verify your account." });
  }
  if (m === "POST" && path === "/auth/refresh") {
    const rt = cookie(req, "lms_refresh");
    const u = rt && users.find((x) => x.id === sessions.get(rt));
    if (!u) return problem(res, 401, "Unauthorized", "No valid refresh token.", "invalid_refresh_token");
    sessions.delete(rt);
    return issue(res, u);
  }
  if (m === "POST" && path === "/auth/logout") {
    sessions.delete(cookie(req, "lms_refresh"));
    res.writeHead(204, { "set-cookie": "lms_refresh=; Max-Age=0; Path=/api/v1/auth" });
    return res.end();
  }
  if (m === "POST" && path === "/auth/password-reset/request") return send(res, 202, { message: "ok" });
  if (m === "POST" && path === "/auth/password-reset/confirm") { res.writeHead(204); return res.end(); }
  if (m === "POST" && path === "/auth/verify-email") {
    const b = await body(req);
    return b.token === "bad" ? problem(res, 400, "Bad Request", "This verification link is invalid or has expired.", "invalid_token") : send(res, 200, pub(users[0]));
  }
  if (m === "GET" && path === "/categories") return send(res, 200, cats);
  if (m === "GET" && path === "/courses") return send(res, 200, page(filterCourses(q).map(card), q));
  if (m === "GET" && path === "/search/suggest") {
    const s = (q.get("q") ?? "").toLowerCase();
    return send(res, 200, { suggestions: courses.filter((c) => c.title.toLowerCase().split(/\s+/).some((w) => w.startsWith(s)) || c.title.toLowerCase().startsWith(s)).slice(0, 6).map((c) => ({ title: c.title, slug: c.slug })) });
  }
  if (m === "GET" && path === "/search/courses") {
    const s = (q.get("q") ?? "").toLowerCase();
    const matched = courses.filter((c) => (c.title + " " + c.subtitle).toLowerCase().includes(s));
    const list = filterCourses(q).filter((c) => matched.includes(c));
    const re = new RegExp(`(${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})`, "ig");
    const items = list.map((c) => ({ ...card(c), highlight: { title: c.title.replace(re, "<mark>$1</mark>"), description: c.subtitle.replace(re, "<mark>$1</mark>") } }));
    return send(res, 200, {
      ...page(items, q),
      facets: {
        category: facet(matched, (c) => c.category?.slug, (c) => c.category?.name),
        level: facet(matched, (c) => c.level, (c) => c.level),
        language: facet(matched, (c) => c.language, (c) => c.language),
        price: facet(matched, (c) => (c.price ? "paid" : "free"), (c) => (c.price ? "Paid" : "Free")),
      },
      did_you_mean: items.length === 0 && s === "pyhton" ? "python" : undefined,
    });
  }
  if (m === "GET" && path.startsWith("/certificates/verify/")) {
    const code = path.split("/").pop();
    return code === "GOOD123" ? send(res, 200, { valid: true, code, student_name: "Asha Rao", course_title: courses[0].title, issued_at: now }) : problem(res, 404, "Not Found", "No certificate has this code.", "not_found");
  }
  let mm;
  if (m === "GET" && (mm = /^\/courses\/([^/]+)$/.exec(path))) {
    const c = findCourse(decodeURIComponent(mm[1]));
    if (!c) return problem(res, 404, "Not Found", "No such course.", "not_found");
    const e = user && enrollments.get(`${user.id}:${c.id}`);
    return send(res, 200, { ...c, viewer: user ? { enrolled: !!e, progress_percent: e ? progressOf(user, c).progress_percent : 0, last_lesson_id: e?.last_lesson_id ?? null } : null });
  }
  if (!user) return problem(res, 401, "Unauthorized", "Authentication required.", "not_authenticated");
  if (m === "GET" && path === "/auth/me") return send(res, 200, pub(user));
  if (m === "POST" && path === "/auth/change-password") {
    const b = await body(req);
    if (b.current_password !== user.password) return problem(res, 400, "Bad Request", "Current password is incorrect.", "invalid_password", { errors: [{ field: "current_password", message: "Current password is incorrect." }] });
    user.password = b.new_password;
    res.writeHead(204); return res.end();
  }
  if (m === "GET" && path === "/notifications") {
    const list = notifications.filter((n) => q.get("unread") !== "true" || !n.read_at);
    return send(res, 200, page(list, q));
  }
  if (m === "GET" && path === "/notifications/unread-count") return send(res, 200, { unread_count: notifications.filter((n) => !n.read_at).length });
  if (m === "POST" && path === "/notifications/read-all") {
    const n = notifications.filter((x) => !x.read_at).length;
    notifications.forEach((x) => (x.read_at ??= new Date().toISOString()));
    return send(res, 200, { marked_read: n, unread_count: 0 });
  }
  if (m === "POST" && (mm = /^\/notifications\/([^/]+)\/read$/.exec(path))) {
    const n = notifications.find((x) => x.id === mm[1]);
    if (!n) return problem(res, 404, "Not Found", "No such notification.", "not_found");
    n.read_at ??= new Date().toISOString();
    return send(res, 200, n);
  }
  if (m === "GET" && path === "/enrollments/me") {
    const mine = [...enrollments.values()].filter((e) => e.user_id === user.id).map(({ user_id, ...e }) => ({ ...e, progress_percent: progressOf(user, findCourse(e.course.id)).progress_percent }));
    return send(res, 200, page(mine, q));
  }
  if (m === "POST" && path === "/enrollments") {
    const b = await body(req);
    const c = findCourse(b.course_id);
    if (!c) return problem(res, 404, "Not Found", "No such course.", "not_found");
    if (c.price) return problem(res, 402, "Payment Required", "This course must be purchased first.", "payment_required", { checkout_url: `/checkout/${c.id}` });
    const key = `${user.id}:${c.id}`;
    if (!enrollments.has(key)) enrollments.set(key, { id: rnd(), user_id: user.id, course: { id: c.id, slug: c.slug, title: c.title, thumbnail_url: null, status: "published", lesson_count: 6, duration_seconds: c.duration_seconds }, course_id: c.id, status: "active", enrolled_at: new Date().toISOString(), completed_at: null, progress_percent: 0, last_lesson_id: null });
    return send(res, 201, enrollments.get(key));
  }
  if ((mm = /^\/courses\/([^/]+)\/progress$/.exec(path))) {
    const c = findCourse(mm[1]);
    return c && enrollments.has(`${user.id}:${c.id}`) ? send(res, 200, progressOf(user, c)) : problem(res, 404, "Not Found", "Not enrolled.", "not_found");
  }
  if ((mm = /^\/lessons\/([^/]+)(\/position|\/complete)?$/.exec(path))) {
    const c = courses.find((x) => lessonsOf(x).some((l) => l.id === mm[1]));
    const l = c && lessonsOf(c).find((x) => x.id === mm[1]);
    const e = c && enrollments.get(`${user.id}:${c.id}`);
    if (!l || (!e && !l.is_preview)) return problem(res, 404, "Not Found", "Lesson not found.", "not_found");
    if (mm[2] === "/position") { positions.set(`${user.id}:${l.id}`, (await body(req)).position_seconds); res.writeHead(204); return res.end(); }
    if (mm[2] === "/complete") {
      if (!e) return problem(res, 403, "Forbidden", "Enroll to record progress.", "not_enrolled");
      const k = `${user.id}:${c.id}`;
      completed.set(k, (completed.get(k) ?? new Set()).add(l.id));
      return send(res, 200, progressOf(user, c));
    }
    if (e) e.last_lesson_id = l.id;
    return send(res, 200, {
      ...l, course_id: c.id,
      content_html: `<h2>${l.title}</h2><p>Lesson text rendered from <em>Markdown</em> by the server.</p><pre><code>print("hello, JNTU GV")</code></pre>`,
      section_id: c.sections.find((x) => x.lessons.includes(l)).id,
      video_url: l.kind === "video" ? "https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4" : null,
      file_url: null, link_url: null, content: "",
      position_seconds: positions.get(`${user.id}:${l.id}`) ?? 0,
      completed: (completed.get(`${user.id}:${c.id}`) ?? new Set()).has(l.id),
    });
  }
  return problem(res, 404, "Not Found", `No route ${m} ${path}`, "not_found");
}

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".webmanifest": "application/manifest+json" };
createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname.startsWith("/api/v1/")) return api(req, res, url.pathname.slice(7), url.searchParams);
  if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
  let file = normalize(join(dist, decodeURIComponent(url.pathname)));
  if (!file.startsWith(dist)) file = join(dist, "index.html");
  try { if (!(await stat(file)).isFile()) throw 0; } catch { file = join(dist, "index.html"); }
  try {
    const data = await readFile(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(data);
  } catch { res.writeHead(404); res.end("build the app first: npm run build"); }
}).listen(port, "127.0.0.1", () => console.log(`mock LMS API on http://127.0.0.1:${port}`));
