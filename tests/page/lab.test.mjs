// The threads-vs-processes lab in real Chromium: processes give exact results; a crashed process
// loses only its task and the pool recovers; a crashed thread loses its process, is reported, and
// the next run works; the racy counter is short and the other three exact; under the simulated GIL
// no two bars overlap; the sweep and the comparison draw; the frozen page freezes; no stray errors.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readyPlayground } from "./browser.mjs";

const SEED_RESULT = "333333283333335000000";

let session;
let page;
let problems;

before(async () => {
  session = await readyPlayground();
  ({ page, problems } = session);
});

after(() => session?.close());

const call = (name, options) => page.evaluate(([name, options]) => playground[name](options), [name, options]);
const rejection = (name, options) =>
  page.evaluate(([name, options]) => playground[name](options).then(() => "resolved", (e) => `${e.name}: ${e.message}`), [name, options]);

/**
 * The most spans running at one instant, computed here from the spans. Each worker reads its own
 * clock (timeOrigin + now, at the isolated page's 5 µs resolution), so two workers' timestamps of the
 * same instant can differ by microseconds: ends are taken `skewMs` early, so spans that merely touch
 * across two clocks do not count as overlapping.
 */
function maxOverlap(spans, skewMs = 0) {
  const events = spans.flatMap((s) => [[s.startMs, 1], [s.endMs - skewMs, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, change] of events) most = Math.max(most, (running += change));
  return most;
}

describe("threads vs processes lab", () => {
  test("processes give the seed's exact results, each chunk from one of N processes", async () => {
    const run = await call("cpu", { mode: "processes", processes: 2, chunks: 2 });
    assert.deepEqual(run.results, Array(4).fill(SEED_RESULT));
    assert.equal(run.mode, "processes");
    assert.equal(run.processes, 2);
    assert.deepEqual(run.errors, []);
    assert.deepEqual([...new Set(run.spans.map((s) => s.worker))].sort(), [0, 1]);
    assert.match(await page.textContent("#cpu-ran-on"), /2 processes/);
  });

  test("a crashed process loses only its task; the pool replaces it and the next run is whole", async () => {
    const run = await call("cpu", { mode: "processes", processes: 2, crashTask: 1 });
    assert.deepEqual(run.results, [SEED_RESULT, null, SEED_RESULT, SEED_RESULT]);
    assert.equal(run.errors.length, 1);
    assert.equal(run.errors[0].task, 1);
    assert.match(run.errors[0].message, /task 1 crashed on purpose/);
    assert.match(await page.textContent("#cpu-status"), /Only that task is lost/);
    assert.match(await page.textContent("#cpu-results-body"), /lost: its process crashed/);
    const next = await call("cpu", { mode: "processes", processes: 2 });
    assert.deepEqual(next.results, Array(4).fill(SEED_RESULT));
  });

  test("a crashed thread takes its whole process down: reported, and the next run works", async () => {
    const outcome = await rejection("cpu", { mode: "threads", crashTask: 2 });
    assert.match(outcome, /^Error: The process was lost: a thread panicked: task 2 crashed on purpose/);
    assert.match(await page.textContent("#cpu-status"), /took down the whole process/);
    const next = await call("cpu", { mode: "threads" });
    assert.deepEqual(next.results, Array(4).fill(SEED_RESULT));
  });

  test("the racy counter loses updates; atomic, mutex and local sums are exact", async () => {
    const threads = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.ok(threads >= 2, "the race needs two threads");
    // Ten million each: long enough that the threads certainly run at the same time, even on a
    // busy 2-core machine where a shorter race can run its threads one slice after another.
    const racy = await call("counter", { threads, increments: 10_000_000, method: "racy" });
    assert.equal(racy.expected, threads * 10_000_000);
    assert.ok(racy.count < racy.expected, `racy counted ${racy.count} of ${racy.expected}`);
    for (const method of ["atomic", "mutex", "local"]) {
      const exact = await call("counter", { threads, increments: 1_000_000, method });
      assert.equal(exact.count, exact.expected, method);
      assert.ok(exact.ms >= 0);
    }
    assert.equal(await page.locator("#lab-counter-body tr").count(), 4);
  });

  test("the page's counter button fills the table and shows each process counting alone", async () => {
    await page.click("#lab-counter-run");
    await page.waitForFunction(() => document.getElementById("lab-counter-processes").textContent.includes("its own counter"));
    assert.match(await page.textContent("#lab-counter-body"), /lost/);
    assert.match(await page.textContent("#lab-counter-processes"), /process 0 counted 10,000,000, process 1 counted 10,000,000/);
  });

  test("under the simulated GIL no two thread bars overlap, and the sums stay exact", async () => {
    const run = await call("cpu", { mode: "threads", gil: true, chunks: 4, n: 20_000_000 });
    assert.equal(run.gil, true);
    assert.equal(run.results.length, 4);
    // A bar that hands the lock to another thread's bar may seem to overlap it by a clock tick; a real
    // overlap (two threads computing at once) would last a whole chunk, milliseconds.
    assert.equal(maxOverlap(run.spans, 0.05), 1, JSON.stringify(run.spans.map((s) => [s.worker, s.startMs, s.endMs])));
    const free = await call("cpu", { mode: "threads", chunks: 4, n: 20_000_000 });
    assert.equal(free.gil, false);
    assert.deepEqual(free.results, run.results);
  });

  test("the sweep measures every worker count, fits a serial fraction and draws the chart", async () => {
    const blank = await page.evaluate(() => document.getElementById("lab-sweep-chart").toDataURL());
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const sweep = await call("sweep", { mode: "threads", maxWorkers: cores, n: 20_000_000, serialFraction: 0.3 });
    assert.deepEqual(sweep.points.map((p) => p.workers), Array.from({ length: cores }, (_, i) => i + 1));
    assert.ok(sweep.points.every((p) => p.wallMs > 0 && p.speedup > 0));
    assert.equal(typeof sweep.fittedSerialFraction, "number");
    assert.ok(sweep.fittedSerialFraction >= 0 && sweep.fittedSerialFraction <= 1);
    assert.notEqual(await page.evaluate(() => document.getElementById("lab-sweep-chart").toDataURL()), blank);
    assert.match(await page.textContent("#lab-sweep-status"), /fitted serial fraction/);
    const processes = await call("sweep", { mode: "processes", maxWorkers: 2, n: 10_000_000 });
    assert.equal(processes.points.length, 2);
  });

  test("the comparison runs all three ways on fresh processes and shows the table", async () => {
    const result = await call("compare", { workers: 2, n: 10_000_000 });
    assert.deepEqual(result.results, Array(4).fill(SEED_RESULT));
    for (const figure of [result.sequential.wallMs, result.threads.wallMs, result.threads.startMs, result.threads.handoffMs, result.processes.wallMs, result.processes.startMs, result.processes.coldStartMs, result.processes.handoffMs])
      assert.ok(figure > 0);
    assert.ok(result.threads.memoryBytes > 0 && result.processes.memoryBytes > 0);
    assert.equal(await page.isHidden("#lab-compare-table"), false);
    assert.match(await page.textContent("#lab-compare-body"), /copied to each process/);
  });

  test("a run on the main thread freezes the page for as long as it runs", async () => {
    const main = await call("freeze", { where: "main-thread" });
    // While the main thread computes, no frame can be drawn: the longest gap covers the whole run.
    assert.ok(main.longestFrameGapMs >= main.runMs, JSON.stringify(main));
    const worker = await call("freeze", { where: "worker" });
    assert.equal(worker.where, "worker");
    assert.match(await page.textContent("#lab-freeze-result"), /On the main thread: .* In a worker: /);
  });

  test("bad lab input is refused with a message saying what was wrong", async () => {
    assert.match(await rejection("counter", { threads: 2, increments: 10, method: "lock" }), /method must be "racy", "atomic", "mutex" or "local"/);
    assert.match(await rejection("counter", { threads: 99 }), /threads must be a whole number from 1 to/);
    assert.match(await rejection("cpu", { mode: "processes", processes: 0 }), /Number of processes must be at least 1/);
    assert.match(await rejection("cpu", { mode: "processes", crashTask: 9 }), /The task to crash is above the limit of 3/);
    assert.match(await rejection("cpu", { mode: "processes", gil: true }), /gil applies to the "threads" mode/);
    assert.match(await rejection("sweep", { mode: "fibers" }), /mode must be "threads" or "processes"/);
    assert.match(await rejection("sweep", { serialFraction: 2 }), /serialFraction must be a number from 0 to 0.9/);
    await page.fill("#cpu-processes", "0");
    await page.click("#cpu-run-processes");
    assert.match(await page.textContent("#cpu-processes-error"), /Number of processes must be at least 1/);
    await page.fill("#cpu-processes", "2");
  });

  test("no page or console errors except the deliberate thread crash's trap", () => {
    // The panicking thread's worker reports its wasm trap ("unreachable") as an uncaught error.
    const unexpected = problems.filter((p) => p !== "pageerror: unreachable");
    assert.deepEqual(unexpected, []);
    assert.ok(problems.filter((p) => p === "pageerror: unreachable").length <= 1);
  });
});
