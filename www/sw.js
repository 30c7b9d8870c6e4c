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
//
// It lives at the site root so its scope covers the whole playground. `?sw=off` on the page removes it.

const PIECE_BYTES = 16 * 1024;

self.addEventListener("install", () => self.skipWaiting());
// Claiming the open page lets a simulated run start without a reload.
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
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
    if (request.method === "GET" && url.searchParams.has("latency")) event.respondWith(simulate(request, url).then(withIsolation));
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

/** Connections per host: a slot count and the requests queued for one, first come first served. */
const pools = new Map();

function pool(host, size) {
  if (!pools.has(host)) pools.set(host, { busy: 0, queue: [] });
  const entry = pools.get(host);
  entry.size = size;
  return entry;
}

/** Takes a slot; resolves to how long the request waited in the queue (0 when a slot was free). */
function acquire(entry, signal) {
  if (!entry.size || entry.busy < entry.size) {
    entry.busy++;
    // No queue at all: a busy machine's scheduling delay must not read as a wait for a connection.
    return Promise.resolve(0);
  }
  const queuedAt = performance.now();
  return new Promise((resolve, reject) => {
    const waiter = { resolve: () => resolve(performance.now() - queuedAt) };
    entry.queue.push(waiter);
    signal?.addEventListener("abort", () => {
      const at = entry.queue.indexOf(waiter);
      if (at >= 0) entry.queue.splice(at, 1);
      reject(signal.reason ?? new DOMException("aborted", "AbortError"));
    });
  });
}

function release(entry) {
  const next = entry.queue.shift();
  if (next) next.resolve(); // the slot passes straight to the next request
  else entry.busy--;
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason ?? new DOMException("aborted", "AbortError"));
    });
  });

function number(params, name) {
  const value = Number(params.get(name));
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

async function simulate(request, url) {
  const latency = number(url.searchParams, "latency");
  const kbps = number(url.searchParams, "kbps");
  const connections = number(url.searchParams, "connections");
  const upstreamUrl = new URL(url);
  for (const name of ["latency", "kbps", "connections"]) upstreamUrl.searchParams.delete(name);

  const signal = request.signal;
  const entry = pool(url.host, connections);
  const queuedMs = await acquire(entry, signal);
  let released = false;
  const releaseOnce = () => {
    if (!released) {
      released = true;
      release(entry);
    }
  };
  try {
    await sleep(latency, signal);
    const upstream = await fetch(upstreamUrl, { cache: "no-store", signal });
    const headers = new Headers(upstream.headers);
    headers.set("x-simulated-queue-ms", queuedMs.toFixed(1));
    headers.set("x-simulated-network", `latency=${latency}; kbps=${kbps}; connections=${connections}`);
    if (!upstream.body) {
      releaseOnce();
      return new Response(null, { status: upstream.status, statusText: upstream.statusText, headers });
    }
    const body = throttled(upstream.body, kbps, releaseOnce);
    return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers });
  } catch (error) {
    releaseOnce();
    throw error;
  }
}

/** Re-chunks `source` into small pieces, each released no earlier than the bandwidth allows. */
function throttled(source, kbps, done) {
  const reader = source.getReader();
  const started = performance.now();
  let sent = 0;
  let pending = new Uint8Array(0);
  return new ReadableStream({
    async pull(controller) {
      try {
        while (pending.length === 0) {
          const { value, done: finished } = await reader.read();
          if (finished) {
            controller.close();
            done();
            return;
          }
          pending = value;
        }
        const piece = pending.subarray(0, PIECE_BYTES);
        pending = pending.subarray(piece.length);
        sent += piece.length;
        if (kbps > 0) {
          const due = started + (sent * 8) / kbps;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
        }
        controller.enqueue(piece);
      } catch (error) {
        controller.error(error);
        done();
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
}
