// The simulated network of the service worker (sw.js): which sample requests ask for it, the
// connection queue per host, the latency before the first byte and the bandwidth per connection.
// The clock, the timers and the upstream fetch are passed in, so node's test runner checks the
// arithmetic on a simulated clock (tests/unit/network-sim.test.mjs).
//
// A classic script, not a module: sw.js loads it with importScripts(), which every engine with service
// workers runs. Module service workers (`register(url, { type: "module" })`) start in the three engines
// tested here (probed: Chromium 156, Firefox ESR 153, WebKitGTK), but came to Firefox late, and a
// worker that fails to start takes the page's isolation with it; a classic worker also keeps sw.js's
// registration as it is. It defines one global, `networkSimulation`.
"use strict";

globalThis.networkSimulation = (() => {
  /** The body is released in pieces of this size, each no earlier than the bandwidth allows. */
  const PIECE_BYTES = 16 * 1024;
  /** The query parameters that carry a sample request's conditions. */
  const PARAMETERS = ["latency", "kbps", "connections"];

  /**
   * A sample request's conditions from its URL: `{ latency, kbps, connections, upstream }` (a value
   * that is missing, negative or not a number counts as 0; `upstream` is the URL without them), or
   * null when it asks for no simulation (no `latency`).
   */
  function conditions(url) {
    if (!url.searchParams.has("latency")) return null;
    const number = (name) => {
      const value = Number(url.searchParams.get(name));
      return Number.isFinite(value) && value >= 0 ? value : 0;
    };
    const upstream = new URL(url);
    for (const name of PARAMETERS) upstream.searchParams.delete(name);
    return { latency: number("latency"), kbps: number("kbps"), connections: number("connections"), upstream };
  }

  /** Milliseconds `bytes` take at `kbps` kilobits per second; 0 kbps is unlimited (no time). */
  const transferMs = (bytes, kbps) => (kbps > 0 ? (bytes * 8) / kbps : 0);

  const aborted = (signal) => signal.reason ?? new DOMException("aborted", "AbortError");

  /**
   * Connections per host: at most `size` requests hold one at a time (0 = no limit); the others wait
   * in a queue, first come first served, and a released connection passes straight to the next.
   * `now()` is the clock the waits are measured on.
   */
  function connectionPools(now) {
    const pools = new Map();
    const pool = (host) => {
      if (!pools.has(host)) pools.set(host, { busy: 0, size: 0, queue: [] });
      return pools.get(host);
    };
    return {
      /** Takes a connection to `host`; resolves to how long the request waited for it (0 when one was free). */
      acquire(host, size, signal) {
        const entry = pool(host);
        entry.size = size;
        if (!entry.size || entry.busy < entry.size) {
          entry.busy++;
          // No queue at all: a busy machine's scheduling delay must not read as a wait for a connection.
          return Promise.resolve(0);
        }
        const queuedAt = now();
        return new Promise((resolve, reject) => {
          const waiter = { resolve: () => resolve(now() - queuedAt) };
          entry.queue.push(waiter);
          signal?.addEventListener("abort", () => {
            const at = entry.queue.indexOf(waiter);
            if (at >= 0) entry.queue.splice(at, 1);
            reject(aborted(signal));
          });
        });
      },
      release(host) {
        const entry = pool(host);
        const next = entry.queue.shift();
        if (next) next.resolve();
        else entry.busy--;
      },
    };
  }

  /**
   * `source` re-chunked into pieces of at most PIECE_BYTES, each released no earlier than the
   * bandwidth allows (`transferMs` of all bytes so far after the body started). Calls `done` when
   * the body ends, fails or is cancelled.
   */
  function throttled(source, kbps, done, { now, sleep }) {
    const reader = source.getReader();
    const started = now();
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
          const wait = started + transferMs(sent, kbps) - now();
          if (wait > 0) await sleep(wait);
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

  /**
   * The simulated network: `respond(request, conditions)` waits for a connection to the request's
   * host, lets `latency` ms pass, fetches the upstream URL with `fetch` and answers with its body at
   * `kbps`. The headers say the simulated wait (`x-simulated-queue-ms`) and the conditions.
   * `now()` is the clock, `sleep(ms, signal)` a timer that rejects when `signal` aborts.
   */
  function simulatedNetwork({ now, sleep, fetch }) {
    const connections = connectionPools(now);
    return async function respond(request, { latency, kbps, connections: limit, upstream }) {
      const signal = request.signal;
      const host = upstream.host;
      const queuedMs = await connections.acquire(host, limit, signal);
      let released = false;
      const releaseOnce = () => {
        if (!released) {
          released = true;
          connections.release(host);
        }
      };
      try {
        await sleep(latency, signal);
        const answer = await fetch(upstream, { cache: "no-store", signal });
        const headers = new Headers(answer.headers);
        headers.set("x-simulated-queue-ms", queuedMs.toFixed(1));
        headers.set("x-simulated-network", `latency=${latency}; kbps=${kbps}; connections=${limit}`);
        const init = { status: answer.status, statusText: answer.statusText, headers };
        if (!answer.body) {
          releaseOnce();
          return new Response(null, init);
        }
        return new Response(throttled(answer.body, kbps, releaseOnce, { now, sleep }), init);
      } catch (error) {
        releaseOnce();
        throw error;
      }
    };
  }

  return { PIECE_BYTES, conditions, transferMs, connectionPools, throttled, simulatedNetwork };
})();
