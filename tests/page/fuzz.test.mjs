// Bad input never traps the page: thousands of random option objects for every function of the JS API,
// and random query strings in the address bar. Every call must settle — resolve, or reject with an Error
// whose message names the option (or the function, for a value that is not an options object at all) —
// no wasm trap, no page error; and afterwards a normal run of every demo gives the right answer.
// The generator is seeded: a failure prints the seed and the call, and FUZZ_SEED=<seed> replays it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { isWasmTrap, launchBrowser, openPage } from "./browser.mjs";
import { serveStatic, DIST } from "./server.mjs";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const CALLS = Number(process.env.FUZZ_CALLS ?? 2000);
/** Far above the ~1 minute the calls take here; a page that has not answered by then is frozen. */
const FUZZ_DEADLINE_MS = Number(process.env.FUZZ_DEADLINE_MS ?? 6 * 60_000);

// Each function and the options the README documents for it; the fuzzer also sends keys it does not.
const DOCUMENTED = {
  cpu: ["tasks", "n", "threads", "chunks", "mode", "processes", "gil", "crashTask", "withProcesses"],
  downloads: ["urls", "samples", "mode", "limit", "network", "timeoutMs"],
  server: ["model", "clients", "rate", "requests", "ioMs", "cpuMs", "poolSize"],
  serverSweep: ["clients", "ioMs", "cpuMs", "poolSize", "requestsPerClient"],
  compare: ["workers", "tasks", "n"],
  startupCosts: ["workers", "rounds"],
  counter: ["threads", "increments", "method"],
  sweep: ["mode", "maxWorkers", "tasks", "n", "serialFraction"],
  freeze: ["where"],
  kernel: ["kernel", "schedule", "threads", "pieces", "size"],
};

/** Σ i² for i in 0..n, exact (BigInt): the closed formula, not the code under test. */
const sumOfSquares = (n) => {
  const b = BigInt(n);
  return ((b - 1n) * b * (2n * b - 1n)) / 6n;
};

let server;
let browser;

before(async () => {
  server = await serveStatic(DIST, { isolation: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test(`${CALLS} random option objects (seed ${SEED}): every call settles with a message naming the option; nothing traps`, async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  // A trapped instance can freeze the page's thread for good: then nothing inside the page can report,
  // and the test says so from outside.
  const frozen = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`the page stopped answering (seed ${SEED})`)), FUZZ_DEADLINE_MS).unref(),
  );
  const { failures, crashes } = await Promise.race([frozen, page.evaluate(
    async ({ seed, calls, documented }) => {
      // mulberry32: small, seedable, good enough to pick test values.
      let state = seed >>> 0;
      const random = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const pick = (list) => list[Math.floor(random() * list.length)];
      // Values of every JavaScript type, the edge numbers, names from Object.prototype, markup, and a
      // few valid small values and words so that some calls really run (and get cancelled).
      const values = () => [
        0, -0, 1, 2, 3, -1, 1.5, 0.3, NaN, Infinity, -Infinity, 1e300, 2 ** 53 + 2, -1e9,
        "", "1", "2", "abc", "10,000,000", "constructor", "__proto__", "toString", "<img src=x onerror=alert(1)>", "-0",
        true, false, null, undefined, {}, [], [1, 2], [null], { valueOf: () => 3 }, { toString: () => "threads" },
        () => 1, 10n, Symbol("s"), new Date(0), new Map(), Object.create(null), { latencyMs: "x" }, { latencyMs: 0, kbps: 0 },
        "threads", "sequential", "processes", "compare", "racy", "atomic", "async", "one-at-a-time", "worker", "none", "concurrent",
        "mandelbrot", "primes", "squares", "static", "dynamic",
      ];
      const keysOf = (api) => [...documented[api], "bogus", "toString", "__proto__", "constructor"];
      const describe = (v) => {
        try {
          if (typeof v === "bigint") return `${v}n`;
          if (typeof v === "symbol" || typeof v === "function") return String(v);
          if (Object.is(v, -0)) return "-0";
          if (typeof v === "number" && !Number.isFinite(v)) return String(v);
          return JSON.stringify(v) ?? String(v);
        } catch {
          return Object.prototype.toString.call(v);
        }
      };
      const settled = (promise, ms) =>
        Promise.race([promise.then((value) => ({ value }), (error) => ({ error })), new Promise((r) => setTimeout(() => r(null), ms))]);

      const apis = Object.keys(documented);
      const failures = [];
      // An error nobody catches (a trap in the page's own instance, a rejection left unhandled) is
      // charged to the call that was running when it surfaced.
      let current = "(before the first call)";
      let crashes = 0;
      addEventListener("error", (event) => failures.push(`${current}: uncaught ${event.message}`));
      addEventListener("unhandledrejection", (event) => failures.push(`${current}: unhandled rejection ${event.reason?.message ?? event.reason}`));
      for (let i = 0; i < calls; i++) {
        const api = apis[i % apis.length];
        let options;
        let shown;
        if (random() < 0.06) {
          options = pick(values());
          shown = describe(options);
        } else {
          options = {};
          const parts = [];
          const count = 1 + Math.floor(random() * 3);
          for (let k = 0; k < count; k++) {
            const key = pick(keysOf(api));
            const value = pick(values());
            // defineProperty: an own "__proto__" key, not a prototype change.
            Object.defineProperty(options, key, { value, enumerable: true, configurable: true, writable: true });
            parts.push(`${key}: ${describe(value)}`);
          }
          shown = `{ ${parts.join(", ")} }`;
        }
        current = `playground.${api}(${shown})`;
        // A crashTask that is a whole number asks for the crash demo: a thread panics on purpose.
        const crashTask = api === "cpu" && options && typeof options === "object" ? options.crashTask : undefined;
        if ((typeof crashTask === "number" || typeof crashTask === "string") && /^\d+$/.test(String(crashTask).trim())) crashes++;
        let outcome;
        let cancelled = false;
        try {
          const call = playground[api](options);
          outcome = await settled(call, 300);
          if (outcome === null) {
            cancelled = playground.cancel();
            outcome = await settled(call, 30_000);
          }
        } catch (error) {
          outcome = { thrown: error };
        }
        const fail = (why) => failures.push(`playground.${api}(${shown}): ${why}`);
        if (outcome === null) fail("did not settle within 30 s of cancel()");
        else if (outcome.thrown) fail(`threw synchronously instead of rejecting: ${outcome.thrown?.message}`);
        else if (outcome.error) {
          const error = outcome.error;
          const message = String(error?.message ?? "");
          const keys = options && typeof options === "object" ? Object.keys(options) : [];
          const namesAnOption = keys.some((key) => message.toLowerCase().includes(key.toLowerCase()));
          if (!(error instanceof Error) && !(error instanceof DOMException)) fail(`rejected with a non-Error: ${describe(error)}`);
          // Chromium's, Firefox's and WebKit's words for an out-of-bounds access and a trap.
          else if (error instanceof WebAssembly.RuntimeError || /memory access out of bounds|index out of bounds|unreachable/i.test(message))
            fail(`wasm trap: ${message}`);
          else if (error.name === "AbortError" && cancelled) {
            // Cancelled by the fuzzer: a run that really started.
          } else if (!namesAnOption && !message.includes(`playground.${api}`)) fail(`message names no option: ${message}`);
        }
        if (failures.length >= 5) break;
      }
      return { failures, crashes };
    },
    { seed: SEED, calls: CALLS, documented: DOCUMENTED },
  )]);
  assert.deepEqual(failures, [], `seed ${SEED}`);
  // The crash demo's panicking thread reports its trap (isWasmTrap) as an uncaught error in its
  // worker; that is the lesson, not a fault, and it happens at most once per crash asked for.
  const traps = problems.filter(isWasmTrap);
  assert.ok(traps.length <= crashes, `${traps.length} traps for ${crashes} crashes asked for (seed ${SEED})`);
  problems.splice(0, problems.length, ...problems.filter((p) => !isWasmTrap(p)));

  // Afterwards every demo still works and gives the right answers.
  const after = await page.evaluate(async () => {
    const cpu = await playground.cpu({ mode: "threads", tasks: 2, n: 1_000_000, threads: 2 });
    const processes = await playground.cpu({ mode: "processes", tasks: 2, n: 1_000_000, processes: 2 });
    const downloads = await playground.downloads({ samples: 2, mode: "concurrent", network: "none" });
    const counter = await playground.counter({ threads: 2, increments: 10_000, method: "atomic" });
    const server = await playground.server({ model: "async", requests: 10, ioMs: 5, cpuMs: 1, clients: 5 });
    const sweep = await playground.sweep({ mode: "threads", maxWorkers: 2, tasks: 2, n: 1_000_000 });
    const freeze = await playground.freeze({ where: "worker" });
    const primes = await playground.kernel({ kernel: "primes", schedule: "dynamic", threads: 2, size: 100_000 });
    return {
      primes: primes.result,
      cpu: cpu.results,
      processes: processes.results,
      downloads: downloads.files.map((f) => f.ok),
      counter: [counter.count, counter.expected],
      answered: server.requests.length,
      points: sweep.points.length,
      freezeWhere: freeze.where,
    };
  });
  const expected = String(sumOfSquares(1_000_000));
  assert.deepEqual(after.cpu, [expected, expected]);
  assert.deepEqual(after.processes, [expected, expected]);
  assert.deepEqual(after.downloads, [true, true]);
  assert.deepEqual(after.counter, [20_000, 20_000]);
  assert.equal(after.answered, 10);
  assert.equal(after.points, 2);
  assert.equal(after.freezeWhere, "worker");
  // π(100,000) = 9,592.
  assert.equal(after.primes, 9592);
  assert.deepEqual(problems, []);
  await page.close();
});

test("random query strings never stop the page: it becomes ready, says what it could not use, and runs", async () => {
  let state = SEED;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const keys = ["demo", "run", "autorun", "embed", "tasks", "n", "threads", "chunks", "processes", "crash", "gil", "source", "network", "latency", "kbps", "limit", "urls", "model", "preset", "workers", "sweepMode", "serial"];
  const values = ["constructor", "__proto__", "toString", "hasOwnProperty", "cpu", "downloads", "processes", "server", "1", "0", "-1", "1e400", "99999999999999999999999", "NaN", "<script>alert(1)</script>", "%E2%80%AE", "'\"><img src=x>", "", "threads", "x".repeat(3000)];
  const queries = [
    "?demo=constructor",
    "?demo=__proto__",
    "?demo=toString",
    "?demo=cpu&autorun=1&run=constructor",
    "?demo=cpu&autorun=1&run=__proto__",
    "?demo=processes&autorun=1&run=hasOwnProperty&embed=1",
  ];
  for (let i = 0; i < 14; i++) {
    const params = new URLSearchParams();
    const count = 2 + Math.floor(random() * 5);
    for (let k = 0; k < count; k++) params.append(pick(keys), pick(values));
    queries.push(`?${params}`);
  }
  for (const query of queries) {
    const { page, problems } = await openPage(browser, server.url + query);
    const state = await page.evaluate(async () => {
      try {
        await playground.ready;
      } catch (error) {
        return { ready: false, message: error.message };
      }
      // Whatever the link did, the API still runs work (an autorun may still be going: wait for it).
      for (let tries = 0; tries < 100; tries++) {
        try {
          const run = await playground.cpu({ mode: "sequential", tasks: 1, n: 1000 });
          return { ready: true, result: run.results[0] };
        } catch (error) {
          if (!/in progress/.test(error.message)) return { ready: true, error: error.message };
          playground.cancel();
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return { ready: true, error: "always busy" };
    });
    assert.deepEqual(state, { ready: true, result: String(sumOfSquares(1000)) }, query.slice(0, 200));
    assert.deepEqual(problems, [], query.slice(0, 200));
    await page.close();
  }
});
