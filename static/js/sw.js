// Service worker: keeps the app shell (pages and their CSS/JS) loading when the network is gone.
// Pages: network first, the last good copy when offline. Static files: cache first, refreshed
// in the background. Posts are never touched here: the page's outbox queues them.
const CACHE = "warehouse-shell-v1";
const SHELL = [
  "/", "/scan/receive", "/scan/move", "/scan/return", "/lookup",
  "/static/css/app.css", "/static/css/scan.css",
  "/static/js/app.js", "/static/js/scanflow.js", "/static/js/outbox.js",
  "/static/js/camera.js", "/static/js/feedback.js", "/static/js/wedge.js",
  "/static/js/attention.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.allSettled(SHELL.map((url) => cache.add(url))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const copy = await cache.match(request, { ignoreSearch: true });
    return copy || new Response("<h1>Offline</h1><p>This page was not opened before while online.</p>",
                                { status: 503, headers: { "Content-Type": "text/html" } });
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const copy = await cache.match(request);
  // Offline, a copy of the file under another version stands in (?v=<digest>: a page kept
  // from before a deploy names the files as they were then).
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  }).catch(() => cache.match(request, { ignoreSearch: true }));
  return copy || fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
  else if (request.mode === "navigate") event.respondWith(networkFirst(request));
});
