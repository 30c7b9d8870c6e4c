// The threads-vs-processes lab in real Chromium: processes give exact results; a crashed process
// loses only its task and the pool recovers; a crashed thread loses its process, is reported, and
// the next run works; the racy counter is short and the other three exact; under the simulated GIL
// no two bars overlap; the sweep and the comparison draw; the frozen page freezes; no stray errors.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { isWasmTrap, readyPlayground, sessionForFile } from "./browser.mjs";

const SEED_RESULT = "333333283333335000000";

/** Σ i² for i < n by the closed formula n(n−1)(2n−1)/6, in BigInt: an answer the page did not compute. */
const sumOfSquaresBelow = (n) => String((BigInt(n) * BigInt(n - 1) * BigInt(2 * n - 1)) / 6n);

/**
 * Amdahl's law fitted by least squares on its linear form 1/S − 1/p = f·(1 − 1/p), over the points
 * with more than one worker, clamped to 0..1: a second implementation of the page's fit.
 */
function fitSerialFraction(points) {
  let xy = 0;
  let xx = 0;
  for (const { workers: p, speedup: s } of points.filter((p) => p.workers > 1)) {
    xy += (1 - 1 / p) * (1 / s - 1 / p);
    xx += (1 - 1 / p) ** 2;
  }
  return Math.min(1, Math.max(0, xy / xx));
}

/**
 * Sweeps to run, and where the fraction fitted to their fastest times must land for the 0.3 put in.
 * The fit reads every loss of the parallel part as serial work (a parallel speedup s on 2 threads
 * fits 0.3 + 0.7·(2/s − 1)), so it lands above 0.3, never far below. Measured on this 2-core
 * machine (n = 50M, fastest of 3 sweeps, other engineers' work at load average 2–5): 0.31, 0.40,
 * 0.44, 0.52, 0.65 (the last at load 5; busier, anything from 0 to 1). Breaks land outside: a
 * serial part that runs in parallel fits 0.000 (measured); a baseline without the serial part
 * would fit ~0.9 (computed). The bounds are wide because the machine is shared; the exact checks
 * in the test pin the fit itself. Five sweeps, not three: a quiet CI rehearsal once fitted 0.661 from
 * three (2 workers only 1.33× faster than 1 in every sweep); the fastest of more sweeps is nearer the work.
 */
const SWEEPS = 5;
const SERIAL_FIT_RANGE = [0.2, 0.6];

let page;
let problems;
sessionForFile(readyPlayground, (session) => ({ page, problems } = session));

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

/**
 * Runs `playground.freeze({ where })` under the test's own samplers, a requestAnimationFrame loop
 * and a 4 ms timer chain, independent of the page's frame watcher. Returns the page's result, the
 * longest gaps the samplers saw while the call ran, and how many frames were drawn meanwhile.
 */
const freezeWatched = (where) =>
  page.evaluate(async (where) => {
    const frames = [];
    const ticks = [];
    let sampling = true;
    const frame = () => {
      frames.push(performance.now());
      if (sampling) requestAnimationFrame(frame);
    };
    const tick = () => {
      ticks.push(performance.now());
      if (sampling) setTimeout(tick, 4);
    };
    requestAnimationFrame(frame);
    setTimeout(tick, 4);
    // Two frames first, so the samplers are running before the job starts.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const started = performance.now();
    const result = await playground.freeze({ where });
    const ended = performance.now();
    sampling = false;
    const longestGap = (times) => {
      const inside = [started, ...times.filter((t) => t > started && t < ended), ended];
      return Math.max(...inside.slice(1).map((t, i) => t - inside[i]));
    };
    return {
      result,
      frameGapMs: longestGap(frames),
      timerGapMs: longestGap(ticks),
      frames: frames.filter((t) => t > started && t < ended).length,
      callMs: ended - started,
    };
  }, where);

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
      assert.equal(exact.count, threads * 1_000_000, method);
      assert.equal(exact.expected, threads * 1_000_000, method);
      assert.ok(exact.ms >= 0);
    }
    assert.equal(await page.locator("#lab-counter-body tr").count(), 4);
  });

  test("the default racy run loses updates in at least 9 of 10 runs; the default atomic and Mutex counts are exact", async () => {
    // The defaults as a learner finds them in the form: the expected count comes from them, not from the page's result.
    const defaults = await page.evaluate(() => ({
      threads: Number(document.getElementById("lab-counter-threads").value),
      increments: Number(document.getElementById("lab-counter-increments").value.replace(/,/g, "")),
    }));
    const expected = defaults.threads * defaults.increments;
    assert.ok(defaults.threads >= 2, `the race needs two threads: ${JSON.stringify(defaults)}`);
    const lost = [];
    for (let run = 0; run < 10; run++) {
      const racy = await call("counter", { method: "racy" });
      assert.equal(racy.expected, expected);
      assert.ok(racy.count <= expected, `racy counted ${racy.count} of ${expected}`);
      lost.push(expected - racy.count);
    }
    const losing = lost.filter((n) => n > 0).length;
    assert.ok(losing >= 9, `runs that lost updates: ${losing} of 10 (lost: ${lost.join(", ")})`);
    for (const method of ["atomic", "mutex"]) {
      const exact = await call("counter", { method });
      assert.equal(exact.count, expected, method);
    }
  });

  test("next to the counter, the Mutex's time is explained from the run's own atomic and Mutex times, and only for runs of one size", async () => {
    const costs = () => page.textContent("#lab-counter-costs");
    // Atomic and Mutex of different sizes: nothing to compare, so nothing is said.
    await call("counter", { method: "atomic", increments: 1_000_000 });
    await call("counter", { method: "mutex", increments: 2_000_000 });
    assert.equal(await costs(), "");
    for (let round = 0; round < 2; round++) {
      const atomic = await call("counter", { method: "atomic" });
      const mutex = await call("counter", { method: "mutex" });
      const note = await costs();
      if (mutex.ms < atomic.ms) {
        assert.match(note, /^The Mutex counted faster than fetch_add this time/);
        assert.match(note, /cache line/);
      } else {
        const ratio = (mutex.ms / atomic.ms).toFixed(1);
        assert.ok(note.startsWith(`The Mutex took ${ratio}× as long as fetch_add`), `${note} (atomic ${atomic.ms} ms, Mutex ${mutex.ms} ms)`);
        assert.doesNotMatch(note, /cache line/);
      }
    }
  });

  test("the page's counter button fills the table and shows each process counting alone", async () => {
    // The race shows when the two threads run on two cores at once; when the system puts both on one
    // core (a quiet CI machine did once: racy took 2× the local count's time and lost nothing) an update
    // is lost only if a switch lands between a load and its store. The racy increment keeps that window
    // open for most of each increment (src/exec/counter.rs): 60 of 60 default runs lost updates across
    // the three engines (bench/counter.mjs); the retries only keep a rare clean run from failing the suite.
    let table = "";
    for (let click = 0; click < 3 && !/lost/.test(table); click++) {
      await page.evaluate(() => (document.getElementById("lab-counter-processes").textContent = ""));
      await page.click("#lab-counter-run");
      await page.waitForFunction(() => document.getElementById("lab-counter-processes").textContent.includes("its own counter"));
      table = await page.textContent("#lab-counter-body");
    }
    assert.match(table, /lost/);
    assert.match(await page.textContent("#lab-counter-processes"), /process 0 counted 10,000,000, process 1 counted 10,000,000/);
  });

  test("under the simulated GIL no two thread bars overlap, and the sums stay exact", async () => {
    const run = await call("cpu", { mode: "threads", gil: true, chunks: 4, n: 20_000_000 });
    assert.equal(run.gil, true);
    assert.deepEqual(run.results, Array(4).fill(sumOfSquaresBelow(20_000_000)));
    // A bar that hands the lock to another thread's bar may seem to overlap it by a clock tick; a real
    // overlap (two threads computing at once) would last a whole chunk, milliseconds.
    assert.equal(maxOverlap(run.spans, 0.05), 1, JSON.stringify(run.spans.map((s) => [s.worker, s.startMs, s.endMs])));
    const free = await call("cpu", { mode: "threads", chunks: 4, n: 20_000_000 });
    assert.equal(free.gil, false);
    assert.deepEqual(free.results, run.results);
  });

  test("the sweep measures every worker count, fits the serial fraction that was put in, and draws the chart", async () => {
    const blank = await page.evaluate(() => document.getElementById("lab-sweep-chart").toDataURL());
    // Up to the cores this machine has: Amdahl's law speaks of workers on cores of their own, and
    // WebKit reports 4 on this 2-core machine, where a third and fourth worker only share the two
    // (a CI rehearsal then fitted 0.686: those points read the sharing as serial work).
    const cores = Math.min(await page.evaluate(() => navigator.hardwareConcurrency), availableParallelism());
    const workers = Array.from({ length: cores }, (_, i) => i + 1);
    const sweeps = [];
    for (let i = 0; i < SWEEPS; i++) sweeps.push(await call("sweep", { mode: "threads", maxWorkers: cores, n: 50_000_000, serialFraction: 0.3 }));
    for (const sweep of sweeps) {
      assert.deepEqual(sweep.points.map((p) => p.workers), workers);
      for (const p of sweep.points) assert.ok(Math.abs(p.speedup - sweep.sequentialMs / p.wallMs) < 1e-9, JSON.stringify(p));
      // The page's fit is the least-squares fit of its own points (computed here a second time).
      assert.ok(Math.abs(sweep.fittedSerialFraction - fitSerialFraction(sweep.points)) < 1e-9, JSON.stringify(sweep));
    }
    // The 0.3 put in comes back out of the measured times. Other load on the machine only ever adds
    // time, so each worker count's fastest time over the sweeps is the one closest to the work.
    const fastest = (pick) => Math.min(...sweeps.map(pick));
    const sequentialMs = fastest((s) => s.sequentialMs);
    const best = workers.map((w) => ({ workers: w, speedup: sequentialMs / fastest((s) => s.points[w - 1].wallMs) }));
    const fitted = fitSerialFraction(best);
    const measured = JSON.stringify(sweeps.map((s) => [Math.round(s.sequentialMs), ...s.points.map((p) => Math.round(p.wallMs))]));
    const [low, high] = SERIAL_FIT_RANGE;
    assert.ok(fitted >= low && fitted <= high, `fitted ${fitted.toFixed(3)} for 0.3 put in; [sequential, 1, 2 … workers] ms per sweep: ${measured}`);
    assert.notEqual(await page.evaluate(() => document.getElementById("lab-sweep-chart").toDataURL()), blank);
    // The words: a fit from the points on this device's full-speed cores only, rough (no ceiling) below 4 points.
    const last = sweeps.at(-1);
    const fullSpeed = await page.evaluate(() => playground.cores.defaultThreads);
    const onCores = last.points.filter((p) => p.workers <= fullSpeed);
    const status = await page.textContent("#lab-sweep-status");
    assert.equal(last.fit.words, status.slice(status.indexOf(" — ") + 3));
    if (onCores.length < 2) assert.match(status, /No fit:/);
    else {
      const f = fitSerialFraction(onCores);
      assert.ok(Math.abs(last.fit.serialFraction - f) < 1e-9, JSON.stringify(last.fit));
      assert.equal(last.fit.points, onCores.length);
      if (onCores.length < 4) {
        assert.match(status, new RegExp(`Fitted serial fraction about ${(f * 100).toFixed(1)} %, but from ${onCores.length} points only: a rough fit`));
        assert.doesNotMatch(status, /can beat/);
      } else assert.match(status, new RegExp(`Fitted serial fraction ${(f * 100).toFixed(1)} % ± [0-9.]+ % from ${onCores.length} points`));
    }
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

  test("one more thread vs one more process: start-up and memory at each count, and the slope and the words from those numbers", async () => {
    const result = await call("startupCosts", { workers: [2, 1], rounds: 1 });
    assert.deepEqual(result.points.map((p) => p.workers), [1, 2]);
    const [one, two] = result.points;
    // Every process is the same program started the same way: two hold exactly twice what one holds.
    assert.equal(two.processes.memoryBytes, 2 * one.processes.memoryBytes, JSON.stringify(result.points));
    // A thread's stack is allocated inside its process's shared memory: one more thread makes it larger.
    assert.ok(two.threads.memoryBytes > one.threads.memoryBytes, JSON.stringify(result.points));
    for (const p of result.points) for (const ms of [p.threads.startMs, p.processes.startMs, p.processes.coldStartMs]) assert.ok(ms > 0, JSON.stringify(p));
    // Through two points the least-squares line is the line through them: "one more" is their difference.
    const difference = (pick) => pick(two) - pick(one);
    const expected = {
      threadStartMs: difference((p) => p.threads.startMs),
      threadMemoryBytes: difference((p) => p.threads.memoryBytes),
      processStartMs: difference((p) => p.processes.startMs),
      processColdStartMs: difference((p) => p.processes.coldStartMs),
      processMemoryBytes: difference((p) => p.processes.memoryBytes),
    };
    for (const [name, value] of Object.entries(expected)) assert.ok(Math.abs(result.perExtraWorker[name] - value) < 1e-6, `${name}: ${result.perExtraWorker[name]} vs ${value}`);
    // The words carry the numbers the table shows (a cost below zero, noise, reads as 0).
    const ms = (value) => `${Math.max(0, value).toFixed(1)} ms`;
    const mb = (bytes) => `${(Math.max(0, bytes) / 1024 / 1024).toFixed(1)} MB`;
    for (const figure of [ms(expected.threadStartMs), ms(expected.processStartMs), ms(expected.processColdStartMs), mb(expected.threadMemoryBytes), mb(expected.processMemoryBytes)])
      assert.ok(result.words.includes(figure), `"${figure}" missing from: ${result.words}`);
    const faster = expected.threadStartMs < expected.processStartMs ? "thread" : "process";
    if (Math.max(expected.threadStartMs, expected.processStartMs) > 1.25 * Math.max(0, Math.min(expected.threadStartMs, expected.processStartMs)))
      assert.match(result.words, faster === "thread" ? /^One more thread started faster/ : /^Here one more process handed the compiled module started faster/);
    assert.equal(await page.isHidden("#lab-costs-table"), false);
    const rows = await page.$$eval("#lab-costs-body tr", (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.deepEqual(rows.map((r) => r[0]), ["1", "2", "One more"]);
    // The "one more" row writes the figures as the words do.
    assert.deepEqual(rows[2].slice(1), [ms(expected.threadStartMs), mb(expected.threadMemoryBytes), ms(expected.processStartMs), ms(expected.processColdStartMs), mb(expected.processMemoryBytes)].map((f) => `+${f}`));
    assert.equal(rows[1][5], mb(two.processes.memoryBytes));
    assert.equal(await page.textContent("#lab-costs-words"), result.words);
  });

  test("the page's button starts 1, 2, 4 and 8 of each and says what one more cost", async () => {
    await page.click("#lab-costs-run");
    // Three rounds of 1 + 2 + 4 + 8 start-ups each way: ~10 s in Chromium here, ~20 s in WebKit.
    await page.waitForFunction(() => document.getElementById("lab-costs-status").textContent.startsWith("Done"), null, { timeout: 120_000 }).catch(async (error) => {
      throw new Error(`${error.message}; the status said: ${await page.textContent("#lab-costs-status")}`);
    });
    const rows = await page.$$eval("#lab-costs-body tr", (trs) => trs.map((tr) => tr.cells[0].textContent));
    assert.deepEqual(rows, ["1", "2", "4", "8", "One more"]);
    assert.match(await page.textContent("#lab-costs-words"), /one more thread added \d+\.\d MB of wasm memory/);
  });

  test("a run on the main thread freezes the page for as long as it runs; in a worker the page keeps drawing", async () => {
    // The same job in a worker first: how long it takes on this machine is what a main-thread freeze
    // must last (no fixed threshold that a faster machine would break).
    const worker = await freezeWatched("worker");
    assert.equal(worker.result.where, "worker");
    const jobMs = worker.result.runMs;
    assert.ok(jobMs >= 100, JSON.stringify(worker));

    const main = await freezeWatched("main-thread");
    // The page stops drawing for about the whole job: at least half of what the job took in a worker
    // (measured on this 2-core machine under other engineers' load: 2.6–3.2 s in a worker, main-thread
    // gaps of 3.3–5.6 s), and the test's own samplers see no frame and no timer for about the whole run.
    assert.ok(main.result.longestFrameGapMs >= jobMs / 2, `the page stopped drawing for ${main.result.longestFrameGapMs} ms; the job takes ${jobMs} ms in a worker`);
    assert.ok(main.frameGapMs >= 0.9 * main.result.runMs, `longest frame gap ${main.frameGapMs} ms for a ${main.result.runMs} ms run`);
    assert.ok(main.timerGapMs >= 0.9 * main.result.runMs, `longest timer gap ${main.timerGapMs} ms for a ${main.result.runMs} ms run`);
    // What the page reports agrees with what the test measured.
    assert.ok(Math.abs(main.result.longestFrameGapMs - main.frameGapMs) <= 50, JSON.stringify(main));

    // In the worker, frames kept coming all through the job (at least 20 a second), and no gap came
    // near its length nor near the main-thread freeze. Measured on this 2-core machine while other
    // builds ran (load average ~10): worker runs of 960–1,440 ms showed longest gaps of 29–148 ms
    // (≤ 11 % of the run) and 62–76 frames; main-thread runs showed gaps of 100–101 % of the run.
    assert.ok(worker.frameGapMs <= jobMs / 4, `longest frame gap ${worker.frameGapMs} ms during a ${jobMs} ms worker run`);
    assert.ok(worker.timerGapMs <= jobMs / 4, `longest timer gap ${worker.timerGapMs} ms during a ${jobMs} ms worker run`);
    assert.ok(worker.frames >= jobMs / 50, `${worker.frames} frames during a ${jobMs} ms worker run`);
    assert.ok(worker.result.longestFrameGapMs <= main.result.longestFrameGapMs / 4, `worker gap ${worker.result.longestFrameGapMs} ms, main-thread gap ${main.result.longestFrameGapMs} ms`);

    // The page says both gaps in words, each the figure its result gave: seconds from 1 s up, else ms.
    const inWords = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
    const shown = await page.evaluate(() =>
      Object.fromEntries(["main", "worker"].map((where) => {
        const figure = document.getElementById(`lab-freeze-${where}-gap`);
        return [where, { ms: Number(figure?.dataset.ms), text: figure?.textContent, visible: Boolean(figure?.getClientRects().length) }];
      })),
    );
    assert.deepEqual(shown.main, { ms: main.result.longestFrameGapMs, text: inWords(main.result.longestFrameGapMs), visible: true });
    assert.deepEqual(shown.worker, { ms: worker.result.longestFrameGapMs, text: inWords(worker.result.longestFrameGapMs), visible: true });
    const said = await page.textContent("#lab-freeze-result");
    assert.ok(said.includes(`On the main thread: the page did not draw for ${inWords(main.result.longestFrameGapMs)}`), said);
    assert.ok(said.includes(`the page never went more than ${inWords(worker.result.longestFrameGapMs)} without drawing`), said);
  });

  test("bad lab input is refused with a message saying what was wrong", async () => {
    assert.match(await rejection("counter", { threads: 2, increments: 10, method: "lock" }), /method must be "racy", "atomic", "mutex" or "local"/);
    assert.match(await rejection("counter", { threads: 99 }), /threads must be a whole number from 1 to/);
    assert.match(await rejection("cpu", { mode: "processes", processes: 0 }), /Number of processes must be at least 1/);
    assert.match(await rejection("cpu", { mode: "processes", crashTask: 9 }), /The task to crash is above the limit of 3/);
    assert.match(await rejection("cpu", { mode: "processes", gil: true }), /gil applies to the "threads" mode/);
    assert.match(await rejection("sweep", { mode: "fibers" }), /mode must be "threads" or "processes"/);
    assert.match(await rejection("sweep", { serialFraction: 2 }), /serialFraction must be a number from 0 to 0.9/);
    assert.match(await rejection("startupCosts", { workers: [1] }), /option "workers": give at least two different counts/);
    assert.match(await rejection("startupCosts", { workers: [1, 17] }), /option "workers": every count must be a whole number from 1 to 16, not 17/);
    assert.match(await rejection("startupCosts", { workers: "1,2" }), /option "workers" must be an array of whole numbers/);
    assert.match(await rejection("startupCosts", { rounds: 10 }), /option "rounds": must be from 1 to 9, not 10/);
    await page.fill("#cpu-processes", "0");
    await page.click("#cpu-run-processes");
    assert.match(await page.textContent("#cpu-processes-error"), /Number of processes must be at least 1/);
    await page.fill("#cpu-processes", "2");
  });

  test("no page or console errors except the deliberate thread crash's trap", () => {
    // The panicking thread's worker reports its wasm trap (isWasmTrap) as an uncaught error.
    const unexpected = problems.filter((p) => !isWasmTrap(p));
    assert.deepEqual(unexpected, []);
    assert.ok(problems.filter(isWasmTrap).length <= 1);
  });
});
