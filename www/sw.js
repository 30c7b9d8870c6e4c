// The playground's service worker. Two jobs, both for this site's own requests only:
//
// 1. Cross-origin isolation on hosts that cannot send headers (GitHub Pages and the like): every
//    same-origin response that lacks Cross-Origin-Embedder-Policy gets COOP, COEP and CORP added
//    (the approach of coi-serviceworker). The page registers this worker and reloads once; the
//    reloaded page arrives with the headers and can use threads. Responses that already carry the
//    headers (trunk serve, a configured host) pass through unchanged.
//
// 2. A simulated network for the downloads demo's sample files:
//
// A page served from localhost answers in microseconds, which hides the lesson of I/O-bound work.
// Sample requests that carry `latency`, `kbps` and `connections` in their query come through here:
//   - `connections` per host (6 when the page came over HTTP/1.1, as browsers allow; 0 = no limit):
//     a request waits in a queue for a free one, and reports the wait in `x-simulated-queue-ms`;
//   - `latency` ms pass before the response's first byte;
//   - the body flows at `kbps` kilobits per second per connection (0 = the real local speed).
// Every other request goes to the network untouched. It lives at the site root so its scope covers
// the whole page, and it works on any static host (no server support needed).

const PIECE_BYTES = 16 * 1024;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Other origins are theirs to answer; and a cache-only probe must not become a network fetch.
  if (url.origin !== self.location.origin) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  const simulated = request.method === "GET" && url.pathname.includes("/samples/") && url.searchParams.has("latency");
  // Once a page arrived with the headers from the host itself, its other requests need nothing from
  // this worker: let them go straight to the network (a restarted worker forgets and checks again).
  if (!simulated && hostSendsIsolation && request.mode !== "navigate") return;
  event.respondWith((simulated ? simulate(request, url) : fetch(request).then(noteHostHeaders(request))).then(withIsolation));
});

/** Whether a page of this site arrived with Cross-Origin-Embedder-Policy from the host itself. */
let hostSendsIsolation = false;

function noteHostHeaders(request) {
  return (response) => {
    if (request.mode === "navigate") hostSendsIsolation = response.headers.has("cross-origin-embedder-policy");
    return response;
  };
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

function acquire(entry, signal) {
  if (!entry.size || entry.busy < entry.size) {
    entry.busy++;
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const waiter = { resolve };
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
  const queuedAt = performance.now();
  await acquire(entry, signal);
  const queuedMs = performance.now() - queuedAt;
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
