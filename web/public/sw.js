/* JNTU GV LMS service worker: app shell offline, and lessons already opened readable offline.
 * Hand-written (no build plugin): hashed assets are cached at first use, never precached by name. */
const VERSION = "v1";
const SHELL = `lms-shell-${VERSION}`;
const ASSETS = `lms-assets-${VERSION}`;
const API = `lms-api-${VERSION}`;

// GET API responses worth keeping for offline reading (the learner's own courses and lessons).
const API_OFFLINE = [/^\/api\/v1\/lessons\/[^/]+$/, /^\/api\/v1\/courses\/[^/]+$/, /^\/api\/v1\/courses\/[^/]+\/progress$/, /^\/api\/v1\/enrollments\/me$/];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(["/", "/manifest.webmanifest", "/favicon.svg"])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => ![SHELL, ASSETS, API].includes(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page asks to forget cached API data on logout (shared computers).
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "logout") event.waitUntil(caches.delete(API));
});

async function networkFirst(request, cacheName, fallbackUrl) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(fallbackUrl ?? request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(fallbackUrl ?? request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    // SPA: every client route is index.html; keep the last one for offline starts.
    event.respondWith(networkFirst(request, SHELL, "/"));
    return;
  }
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (API_OFFLINE.some((re) => re.test(url.pathname))) {
    event.respondWith(networkFirst(request, API));
  }
});
