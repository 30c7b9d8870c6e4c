// The web server lab in real Chromium: four server models serve a real load (real timer waits, real
// CPU work) in a process; async beats one-at-a-time by a wide margin on I/O-heavy work; every request
// is answered exactly once, in order of its phases; the open loop keeps its schedule; the page's
// button fills the table and draws the timeline; cancel stops the load; bad input is named.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { readyPlayground, sessionForFile } from "./browser.mjs";

let page;
let problems;
sessionForFile(readyPlayground, (session) => ({ page, problems } = session));

const serve = (options) => page.evaluate((o) => playground.server(o), options);
const rejection = (options) => page.evaluate((o) => playground.server(o).then(() => "resolved", (e) => e.message), options);

/**
 * How late open-loop clients may send on a free event loop. Each send has its own timer, so a late
 * one does not delay the next; a sender that waited for the server instead would fall behind by
 * ~40 ms per request (hundreds of ms by the median). Measured on this 2-core machine while other
 * builds ran (load average 16–18), 16 runs of 20 sends: median lateness 0.5–10.5 ms, the latest
 * single send 159 ms late.
 */
const SEND_MEDIAN_LATE_MS = 30;
const SEND_MAX_LATE_MS = 300;

function assertAnsweredOnce(result, count) {
  assert.equal(result.requests.length, count);
  assert.deepEqual(result.requests.map((r) => r.id), Array.from({ length: count }, (_, i) => i), "each id once, in order");
  for (const r of result.requests) {
    assert.ok(r.arriveMs <= r.startMs + 1e-6 && r.startMs <= r.ioEndMs && r.ioEndMs <= r.cpuStartMs + 1e-6 && r.cpuStartMs <= r.endMs, JSON.stringify(r));
  }
}

describe("web server lab", () => {
  test("I/O-heavy at 10 clients: async answers far more than one-at-a-time, and every request once", async () => {
    const load = { clients: 10, requests: 60, ioMs: 100, cpuMs: 1 };
    const one = await serve({ ...load, model: "one-at-a-time" });
    const async_ = await serve({ ...load, model: "async" });
    assertAnsweredOnce(one, 60);
    assertAnsweredOnce(async_, 60);
    assert.ok(async_.throughput >= 5 * one.throughput, `async ${async_.throughput.toFixed(1)}/s vs one-at-a-time ${one.throughput.toFixed(1)}/s`);
    // One at a time really is one at a time: no two requests in service together.
    const sorted = [...one.requests].sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].startMs >= sorted[i - 1].endMs - 1e-6);
    for (const r of [one, async_]) assert.ok(r.p50 <= r.p95 && r.p95 <= r.p99);
  });

  test("the thread pool and async + pool answer every request once", async () => {
    const load = { clients: 8, requests: 40, ioMs: 20, cpuMs: 5 };
    assertAnsweredOnce(await serve({ ...load, model: "thread-pool", poolSize: 4 }), 40);
    assertAnsweredOnce(await serve({ ...load, model: "async-pool" }), 40);
  });

  test("a thread pool of 16 is 16 real threads: their database waits overlap on any number of cores", async () => {
    // 16 clients, 100 ms of waiting and 1 ms of work each: 16 blocking threads hold 16 waits at once,
    // so the pool answers close to its bound, min(16 / 101 ms, cores / 1 ms) = 158/s; a pool of 2
    // holds 2 waits at once (2 / 101 ms = 19.8/s). The counts come from the load, not from the server.
    const load = { clients: 16, requests: 64, ioMs: 100, cpuMs: 1 };
    const wide = await serve({ ...load, model: "thread-pool", poolSize: 16 });
    const narrow = await serve({ ...load, model: "thread-pool", poolSize: 2 });
    assertAnsweredOnce(wide, 64);
    assertAnsweredOnce(narrow, 64);
    const inDatabase = (result) =>
      Math.max(...result.requests.map((at) => result.requests.filter((r) => r.startMs <= at.startMs + 1e-6 && at.startMs < r.dbEndMs).length));
    const threadsUsed = (result) => new Set(result.requests.map((r) => r.worker)).size;
    assert.equal(threadsUsed(wide), 16, "every one of the 16 threads served");
    assert.ok(inDatabase(wide) >= 12, `at most ${inDatabase(wide)} of 16 threads were in the database call together`);
    assert.ok(inDatabase(narrow) <= 2, `a pool of 2 had ${inDatabase(narrow)} database calls at once`);
    assert.equal(threadsUsed(narrow), 2);
    const bound = Math.min(16 * (1000 / 101), (await page.evaluate(() => navigator.hardwareConcurrency)) * 1000);
    assert.ok(Math.abs(wide.bound - bound) < 1e-6, `bound ${wide.bound} vs ${bound}`);
    assert.ok(wide.throughput >= 0.6 * bound && wide.throughput <= 1.02 * bound, `${wide.throughput.toFixed(1)}/s against a bound of ${bound.toFixed(1)}/s`);
    assert.ok(wide.throughput >= 4 * narrow.throughput, `16 threads ${wide.throughput.toFixed(1)}/s vs 2 threads ${narrow.throughput.toFixed(1)}/s`);
    // A database wait blocks its thread: the request moves on no earlier than the call's time.
    for (const r of wide.requests) assert.ok(r.ioEndMs >= r.startMs + 100 - 1, JSON.stringify(r));
  });

  test("a pool process holds every smaller pool, and a pool of k serves on k of its threads", async () => {
    // A pool of 16 first (the earlier test may have left that process, else it starts now); then
    // smaller pools and 16 again start no process. A started process is one the page constructed that
    // said "ready": Firefox's pool start sometimes freezes and is retried in a fresh worker
    // (www/process.js), and a retry is the same process starting, not a second one.
    const load = { clients: 6, requests: 12, ioMs: 10, cpuMs: 1 };
    const servedBy = async (poolSize) => {
      const result = await serve({ ...load, model: "thread-pool", poolSize });
      assertAnsweredOnce(result, 12);
      const workers = new Set(result.requests.map((r) => r.worker));
      assert.ok([...workers].every((w) => Number.isInteger(w) && w >= 0 && w < poolSize), `a pool of ${poolSize} served on threads ${[...workers]}`);
      // 6 clients keep 6 requests in the database call at once, each on a thread of its own.
      assert.ok(workers.size >= Math.min(poolSize, 6), `a pool of ${poolSize} with 6 clients served on ${workers.size} threads`);
    };
    await servedBy(16);
    await page.evaluate(() => {
      window.__processesStarted = 0;
      const Original = window.Worker;
      window.Worker = class extends Original {
        constructor(...args) {
          super(...args);
          this.addEventListener("message", ({ data }) => data?.type === "ready" && window.__processesStarted++);
        }
      };
      window.__restoreWorker = () => (window.Worker = Original);
    });
    try {
      for (const poolSize of [3, 4, 2, 1, 9, 16]) await servedBy(poolSize);
      assert.equal(await page.evaluate(() => window.__processesStarted), 0, "processes started for pools of 3, 4, 2, 1, 9 and 16 after one of 16");
    } finally {
      await page.evaluate(() => window.__restoreWorker());
    }
  });

  test("threads beyond the cores wait for a core, and the timeline measures that wait", async () => {
    // 20 ms of work, no waiting, as many clients as threads: 4 threads per core compute together, so
    // each request's work takes about 4 × 20 ms and about 3 × 20 ms of it is counted as ready but
    // without a core. One thread per core shares nothing: its requests wait for a core hardly at all.
    // The machine's own cores (the browser's count is a hint: WebKit reports 4 on 2).
    const physical = availableParallelism();
    const crowded = 4 * physical;
    const load = { requests: 4 * crowded, ioMs: 0, cpuMs: 20 };
    const busy = await serve({ ...load, clients: crowded, model: "thread-pool", poolSize: crowded });
    const alone = await serve({ ...load, clients: 1, model: "thread-pool", poolSize: 1 });
    assertAnsweredOnce(busy, load.requests);
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const busyWait = median(busy.requests.map((r) => r.coreWaitMs));
    const aloneWait = median(alone.requests.map((r) => r.coreWaitMs));
    assert.ok(busyWait >= 20, `${crowded} threads on ${physical} cores: median ${busyWait.toFixed(1)} ms without a core per 20 ms request`);
    assert.ok(aloneWait < 0.5 * busyWait, `one thread alone waited ${aloneWait.toFixed(1)} ms for a core (crowded: ${busyWait.toFixed(1)} ms)`);
    // Real threads time-share the cores: more requests are in their compute at once than there are
    // cores (all 4 per core, at the start), which a pool of one thread per core could never show.
    const computingTogether = Math.max(...busy.requests.map((at) => busy.requests.filter((r) => r.ioEndMs <= at.ioEndMs + 1e-6 && at.ioEndMs < r.endMs).length));
    assert.ok(computingTogether >= 2 * physical, `at most ${computingTogether} requests computed at once on ${physical} cores`);
    // What is counted as waiting for a core is part of the request's own time after the database.
    for (const r of busy.requests) assert.ok(r.coreWaitMs >= 0 && r.coreWaitMs <= r.endMs - r.dbEndMs + 1e-6, JSON.stringify(r));
  });

  test("an open loop sends on its schedule, whatever the server does", async () => {
    // One at a time with 60 ms of waiting per request serves one request every ~61 ms, but the load
    // sends one every 20 ms (rate 50/s): the queue grows, and still every request leaves on time,
    // because the waits are timers and keep the event loop free for the clients.
    const requests = 20;
    const result = await serve({ model: "one-at-a-time", rate: 50, requests, ioMs: 60, cpuMs: 1 });
    assertAnsweredOnce(result, requests);
    const late = result.requests.map((r, i) => r.arriveMs - i * 20);
    const shown = late.map((ms) => ms.toFixed(1)).join(" ");
    assert.ok(late.every((ms) => ms >= 0), `sent before its time (ms late): ${shown}`);
    const median = [...late].sort((a, b) => a - b)[requests / 2];
    assert.ok(median <= SEND_MEDIAN_LATE_MS && Math.max(...late) <= SEND_MAX_LATE_MS, `ms late: ${shown}`);
    // Meanwhile the server fell behind: one at a time, each request held it for ≥ 60 ms of waiting,
    // so the last one started no earlier than 19 × 60 ms, long after it was sent.
    const last = result.requests.at(-1);
    assert.ok(last.startMs >= (requests - 1) * 60, JSON.stringify(last));
  });

  test("a server computing on the clients' event loop delays the sends, and the arrivals say so", async () => {
    // The async model computes on the process's event loop, which the open loop's clients share:
    // 50 ms of CPU per request against a send every 20 ms, so each send waits for the computing to
    // end. The recorded arrival is the real send time, so no arrival falls inside a CPU run.
    const result = await serve({ model: "async", rate: 50, requests: 8, ioMs: 0, cpuMs: 50 });
    assertAnsweredOnce(result, 8);
    result.requests.forEach((r, i) => assert.ok(r.arriveMs >= i * 20, `request ${i} sent at ${r.arriveMs}, before its time`));
    for (const sent of result.requests)
      for (const busy of result.requests)
        assert.ok(
          busy === sent || !(busy.cpuStartMs < sent.arriveMs && sent.arriveMs < busy.endMs),
          `request ${sent.id} is recorded as sent at ${sent.arriveMs.toFixed(1)} ms, while request ${busy.id} held the loop (${busy.cpuStartMs.toFixed(1)}–${busy.endMs.toFixed(1)} ms)`,
        );
    // Eight runs of 50 ms back to back: the last one cannot be sent before 7 × 50 ms.
    assert.ok(result.requests.at(-1).arriveMs >= 7 * 50 - 1, JSON.stringify(result.requests.at(-1)));
  });

  test("the page's button runs all four models, fills the table and draws the timeline", async () => {
    const blank = await page.evaluate(() => document.getElementById("server-timeline").toDataURL());
    await page.fill("#server-requests", "30");
    await page.click("#server-run");
    // While the series runs, a progress line per model counts its answers (sampled mid-run).
    // One at a time runs first and takes ~3 s (30 × 101 ms): its line shows part of the 30 answered.
    await page.waitForFunction(
      () => [...document.querySelectorAll("#server-progress .server-progress-item.running")].some((item) => /: ([1-9]|[12]\d) \/ 30$/.test(item.textContent)),
      null,
      { timeout: 60_000 },
    );
    await page.waitForFunction(() => /^Done/.test(document.getElementById("server-status").textContent), null, { timeout: 60_000 });
    const progress = await page.$$eval("#server-progress .server-progress-item", (items) => items.map((i) => i.textContent));
    assert.equal(progress.length, 4, progress.join(" | "));
    for (const line of progress) assert.match(line, /: 30 \/ 30$/);
    // The table's figures are explained, a line each.
    assert.equal(await page.isVisible("#server-table-notes"), true);
    assert.match(await page.textContent("#server-table-notes"), /Bound.*p50 \/ p95 \/ p99/s);
    assert.equal(await page.locator("#server-body tr").count(), 4);
    assert.match(await page.textContent("#server-body"), /thread pool of \d+/);
    assert.notEqual(await page.evaluate(() => document.getElementById("server-timeline").toDataURL()), blank);
    assert.equal(await page.evaluate(() => playground.history.server.runs.length) >= 4, true);
  });

  test("cancel stops sending; the requests already sent are answered; the next run works", async () => {
    const running = page.evaluate(() => playground.server({ model: "one-at-a-time", clients: 5, requests: 2000, ioMs: 50, cpuMs: 1 }));
    await page.waitForFunction(() => !document.getElementById("server-cancel").disabled);
    await page.waitForTimeout(300);
    await page.click("#server-cancel");
    const result = await running;
    assert.equal(result.cancelled, true);
    assert.ok(result.requests.length > 0 && result.requests.length < 2000, `${result.requests.length} answered`);
    assertAnsweredOnce(await serve({ model: "async", clients: 2, requests: 4, ioMs: 1, cpuMs: 1 }), 4);
  });

  test("bad input is refused with a message naming the problem", async () => {
    assert.match(await rejection({ model: "forking" }), /model must be "one-at-a-time", "thread-pool", "async" or "async-pool"/);
    assert.match(await rejection({ model: "thread-pool", poolSize: 99 }), /poolSize must be a whole number from 1 to/);
    assert.match(await rejection({ model: "thread-pool" }), /needs a poolSize/);
    assert.match(await rejection({ model: "async", clients: 2, rate: 5 }), /not both/);
    assert.match(await rejection({ model: "async", cpuMs: 1000 }), /cpuMs must be from 0 to 200/);
    assert.match(await rejection({ model: "async", speed: 1 }), /unknown option "speed"/i);
    await page.fill("#server-io", "-3");
    await page.click("#server-run");
    await page.waitForFunction(() => document.getElementById("server-error").textContent.length > 0);
    assert.match(await page.textContent("#server-error"), /ioMs must be from 0 to 2000/);
  });

  test("the clients sweep measures every model at every count and draws where each saturates", async () => {
    const blank = await page.evaluate(() => document.getElementById("server-sweep-chart").toDataURL());
    const sweep = await page.evaluate(() => playground.serverSweep({ clients: [1, 4], ioMs: 40, cpuMs: 1, poolSize: 2 }));
    assert.equal(sweep.points.length, 8);
    const at = (model, clients) => sweep.points.find((p) => p.model === model && p.clients === clients).throughput;
    // With 40 ms of waiting per request, async keeps four clients' waits overlapped; one at a time cannot.
    assert.ok(at("async", 4) >= 2 * at("async", 1), JSON.stringify(sweep.points));
    assert.ok(at("one-at-a-time", 4) < 1.5 * at("one-at-a-time", 1), JSON.stringify(sweep.points));
    assert.notEqual(await page.evaluate(() => document.getElementById("server-sweep-chart").toDataURL()), blank);
  });

  test("no page or console errors", () => {
    assert.deepEqual(problems, []);
  });
});
