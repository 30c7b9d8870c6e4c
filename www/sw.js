// The playground's service worker. Two jobs, both for the playground's own files only (its page,
// www/, the two builds, snippets/ and samples/ below this worker's folder). Any other page or file in
// its scope (a sibling page of the same folder, say) never sees it: for those it does not even call
// respondWith, so the browser fetches them as if no worker were there.
//
// 1. Cross-origin isolation on hosts that cannot send headers (GitHub Pages and the like): the
//    playground's responses that lack Cross-Origin-Embedder-Policy get COOP, COEP and CORP added (the
//    approach of coi-serviceworker). The page registers this worker and reloads once; the reloaded page
//    arrives with the headers and can use threads. The moment a page navigation shows the host sending
//    the headers itself, the worker steps aside for good: it unregisters itself and touches nothing more
//    (the page registers it again only for a simulated downloads run, see 2.).
//
// 2. A simulated network for the downloads demo's sample files. A page served from localhost answers
//    in microseconds, which hides the lesson of I/O-bound work. Sample requests that carry `latency`,
//    `kbps` and `connections` in their query come through here:
//    - `connections` per host (6 when the page came over HTTP/1.1, as browsers allow; 0 = no limit):
//      a request waits in this worker's own queue for a free slot, and reports the wait in
//      `x-simulated-queue-ms` (a simulated figure: the browser's own queue is not involved);
//    - `latency` ms pass before the response's first byte;
//    - the body flows at `kbps` kilobits per second per connection (0 = the real local speed).
//    Sample requests without those parameters (the network "none") go to the network untouched, so the
//    browser's Resource Timing measures them as they are.
//    The queue and the arithmetic are www/network-sim.js, tested with node (tests/unit/); this file
//    binds them to the worker's clock, timers and fetch.
//
// It lives at the site root so its scope covers the whole playground. `?sw=off` on the page removes it.

// The simulated network's queue and arithmetic (a classic script: see there why).
importScripts("www/network-sim.js");

self.addEventListener("install", () => self.skipWaiting());
// Claiming the open page lets a simulated run start without a reload. The claim is not part of the
// activation: in Firefox its promise now and then never settles although the page is already claimed
// (1 fresh profile in ~25 here), and an activation waiting on it holds every fetch the page makes.
self.addEventListener("activate", () => {
  self.clients.claim();
});
// A page that is open but not controlled (a hard reload, say) asks for the simulated network.
self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

/** Paths (below this worker's folder) that are the playground's own: the page and its files. */
const OWN_FILES = /^(?:index\.html)?$|^(?:www|fallback|samples|snippets)\/|^playground(?:_bg)?\.(?:js|wasm)$/;

/** The request's path below this worker's folder, or null outside it (another origin, a parent folder). */
function ownPath(url) {
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  const path = url.pathname.slice(scope.pathname.length);
  return OWN_FILES.test(path) ? path : null;
}

/** Set once a page navigation arrived with Cross-Origin-Embedder-Policy from the host itself. */
let hostSendsIsolation = false;

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const path = ownPath(url);
  // Not the playground's: not ours to touch. A cache-only probe must not become a network fetch.
  if (path === null) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  if (path.startsWith("samples/")) {
    const conditions = networkSimulation.conditions(url);
    if (request.method === "GET" && conditions) event.respondWith(simulate(request, conditions).then(withIsolation));
    return;
  }
  if (hostSendsIsolation) return;
  event.respondWith(fetch(request).then((response) => (request.mode === "navigate" ? checkHost(response) : withIsolation(response))));
});

/** A page from the host: unchanged if the host isolates it (and then this worker steps aside), else isolated here. */
function checkHost(response) {
  if (!response.headers.has("cross-origin-embedder-policy")) return withIsolation(response);
  hostSendsIsolation = true;
  // Pages open now keep this worker until they close; no new page will load through it.
  self.registration.unregister();
  return response;
}

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

/** The response with the isolation headers, unless it has them already (or cannot carry them). */
function withIsolation(response) {
  if (response.status === 0 || response.type === "opaqueredirect" || response.headers.has("cross-origin-embedder-policy"))
    return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason ?? new DOMException("aborted", "AbortError"));
    });
  });

const simulate = networkSimulation.simulatedNetwork({ now: () => performance.now(), sleep, fetch: (url, init) => fetch(url, init) });
