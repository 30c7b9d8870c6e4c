// The CPU demo in real Chromium, against dist/ served with the isolation headers: clicks, JS API,
// bad input, cancel, and no page or console errors anywhere.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { isWasmTrap, readyPlayground, sessionForFile } from "./browser.mjs";

// Python: sum(i * i for i in range(10_000_000))
const SEED_RESULT = "333333283333335000000";
// The parallelism test: work per task and pairs of runs. How much faster threads are is a timing, and
// timings belong to bench/run.mjs (a loaded CI machine would make a speed threshold flaky); what a test
// can check without a clock is that the threads really ran at the same time: chunks of different pool
// threads overlap in time. 4 × 20M squares with 2 chunks each give every thread ~20 ms chunks.
const PARALLEL_N = 20_000_000;
const PARALLEL_PAIRS = 2;

/** The longest time two spans of different workers (or of one worker) were in progress at once. */
function longestOverlapMs(spans) {
  let longest = 0;
  for (const [i, a] of spans.entries())
    for (const b of spans.slice(i + 1)) longest = Math.max(longest, Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs));
  return longest;
}
const grouped = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

let page;
let problems;
sessionForFile(readyPlayground, (session) => ({ page, problems } = session));

const statusText = () => page.textContent("#cpu-status");
/** Clicks a run button and waits until that run has finished and is shown. */
async function clickAndWaitForRun(selector) {
  await page.evaluate(() => (window.runBeforeClick = playground.lastCpuRun));
  await page.click(selector);
  await page.waitForFunction(() => playground.lastCpuRun !== window.runBeforeClick);
}

describe("CPU demo", () => {
  test("the page is cross-origin isolated and the run buttons are enabled once ready", async () => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await page.isEnabled("#cpu-run-sequential"), true);
    assert.equal(await page.isEnabled("#cpu-run-threads"), true);
    assert.match(await page.textContent("#env-status"), /process with \d+ threads? started/);
  });

  test("clicking Run sequentially shows the seed's four exact results", async () => {
    await clickAndWaitForRun("#cpu-run-sequential");
    assert.match(await statusText(), /^Done in/);
    const cells = await page.$$eval("#cpu-results-body td:last-child", (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells, Array(4).fill(grouped(SEED_RESULT)));
    const run = await page.evaluate(() => playground.lastCpuRun);
    assert.equal(run.mode, "sequential");
    assert.deepEqual(new Set(run.spans.map((s) => s.worker)), new Set([0]));
  });

  test("clicking Run on N threads gives the same results, bars from ≥ 2 workers, and the speedup of the two runs", async () => {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.ok(cores >= 2, "the page tests need at least 2 logical cores");
    // The default is what ran at full speed in the page's check (tests/page/cores.test.mjs checks that count).
    const defaultThreads = await page.evaluate(() => playground.cores.defaultThreads);
    assert.equal(await page.textContent("#cpu-run-threads"), `Run on ${defaultThreads} thread${defaultThreads === 1 ? "" : "s"}`);
    // Every reported core: on a busy machine the page's check may settle on 1 thread, and this test is about several.
    await page.fill("#cpu-threads", String(cores));
    const sequential = await page.evaluate(() => playground.lastCpuRun);
    assert.equal(sequential.mode, "sequential");
    await clickAndWaitForRun("#cpu-run-threads");
    const cells = await page.$$eval("#cpu-results-body td:last-child", (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells, Array(4).fill(grouped(SEED_RESULT)));
    const run = await page.evaluate(() => playground.lastCpuRun);
    assert.equal(run.mode, "threads");
    const workers = new Set(run.spans.map((s) => s.worker));
    assert.ok(workers.size >= 2, `bars from ${workers.size} worker(s)`);
    // The factor shown is the two runs' wall times divided, not just a number in the right format.
    assert.equal(await page.textContent("#cpu-speedup"), `${(sequential.wallMs / run.wallMs).toFixed(2)}× vs sequential`);
    await mkdir("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/cpu-demo.png", fullPage: true });
  });

  test("threads run at the same time (chunks of different threads overlap), and the page's factor is the two wall times divided", async () => {
    // Two pool threads, whatever the machine reports (WebKit reports 4 cores on a 2-core machine).
    await page.fill("#cpu-threads", "2");
    await page.fill("#cpu-n", String(PARALLEL_N));
    await page.fill("#cpu-chunks", "2");
    for (let pair = 0; pair < PARALLEL_PAIRS; pair++) {
      await clickAndWaitForRun("#cpu-run-sequential");
      const sequential = await page.evaluate(() => playground.lastCpuRun);
      await clickAndWaitForRun("#cpu-run-threads");
      const threads = await page.evaluate(() => playground.lastCpuRun);
      assert.deepEqual([sequential.mode, threads.mode], ["sequential", "threads"]);
      assert.equal(await page.textContent("#cpu-speedup"), `${(sequential.wallMs / threads.wallMs).toFixed(2)}× vs sequential`);
      // Sequential: one thread, one chunk after another, never two at once.
      assert.equal(longestOverlapMs(sequential.spans), 0, "sequential chunks overlap");
      // Threads: two pool threads computing at the same moment, for a good part of a chunk.
      assert.equal(new Set(threads.spans.map((s) => s.worker)).size, 2, "chunks on both threads");
      const shortestChunk = Math.min(...threads.spans.map((s) => s.endMs - s.startMs));
      assert.ok(longestOverlapMs(threads.spans) >= shortestChunk / 2, `overlap ${longestOverlapMs(threads.spans).toFixed(1)} ms of ${shortestChunk.toFixed(1)} ms chunks: ${JSON.stringify(threads.spans.map((s) => [s.worker, Math.round(s.startMs), Math.round(s.endMs)]))}`);
    }
    await page.fill("#cpu-n", "10000000");
    await page.fill("#cpu-chunks", "1");
  });

  test("the JS API returns exact decimal strings, wall time and spans for both modes", async () => {
    for (const mode of ["sequential", "threads"]) {
      const run = await page.evaluate((mode) => playground.cpu({ tasks: 3, n: 12345, chunks: 2, mode }), mode);
      // Σ i² for i < 12345, by the closed formula in BigInt.
      const n = 12345n;
      const expected = String(((n - 1n) * n * (2n * n - 1n)) / 6n);
      assert.deepEqual(run.results, [expected, expected, expected]);
      assert.equal(typeof run.wallMs, "number");
      assert.equal(run.spans.length, 6);
      for (const span of run.spans) {
        assert.ok(span.endMs >= span.startMs && span.startMs >= 0, JSON.stringify(span));
        assert.ok(["worker", "task", "chunk"].every((key) => Number.isInteger(span[key])));
      }
    }
  });

  test("a new thread count starts a new process with that many threads", async () => {
    const one = await page.evaluate(() => playground.cpu({ threads: 1, tasks: 4, n: 2_000_000, mode: "threads" }));
    assert.deepEqual(new Set(one.spans.map((s) => s.worker)), new Set([0]));
    assert.equal(one.threads, 1);
    const two = await page.evaluate(() => playground.cpu({ threads: 2, tasks: 8, n: 5_000_000, chunks: 2, mode: "threads" }));
    assert.equal(two.threads, 2);
    assert.deepEqual(new Set(two.spans.map((s) => s.worker)), new Set([0, 1]));
  });

  test("bad input gets a message next to its field, nothing runs, and the page keeps working", async () => {
    const cases = [
      ["n", "0", /at least 1/],
      ["n", "-5", /cannot be negative/],
      ["n", "ten", /"ten" is not/],
      ["n", "", /is empty/],
      ["n", "5000000000", /above the limit of 1,000,000,000/],
      ["tasks", "0", /at least 1/],
      ["tasks", "65", /above the limit of 64/],
      ["threads", "0", /at least 1/],
      ["threads", "999", /from 1 to \d+/],
      ["chunks", "0", /at least 1/],
      ["chunks", "65", /above the limit of 64/],
    ];
    // The hints state the same limits the checks enforce (both come from the Rust side).
    assert.match(await page.textContent("#cpu-n-hint"), /1 to 1,000,000,000/);
    assert.match(await page.textContent("#cpu-tasks-hint"), /1 to 64/);
    const before = await page.evaluate(() => playground.lastCpuRun);
    for (const [field, value, message] of cases) {
      await page.fill(`#cpu-${field}`, value);
      await page.click("#cpu-run-threads");
      assert.match(await page.textContent(`#cpu-${field}-error`), message, `${field} = ${JSON.stringify(value)}`);
      assert.equal(await page.getAttribute(`#cpu-${field}`, "aria-invalid"), "true");
      assert.match(await statusText(), /Nothing ran/);
      await page.fill(`#cpu-${field}`, { n: "10000000", tasks: "4", threads: "2", chunks: "1" }[field]);
    }
    assert.deepEqual(await page.evaluate(() => playground.lastCpuRun), before, "no bad input started a run");
    await page.fill("#cpu-n", "1_000_000");
    await clickAndWaitForRun("#cpu-run-sequential");
    assert.match(await statusText(), /^Done in/);
    assert.equal(await page.textContent("#cpu-n-error"), "");
  });

  test("the JS API rejects bad arguments with a message saying what was wrong", async () => {
    const rejection = (options) =>
      page.evaluate((options) => playground.cpu(options).then(() => "resolved", (e) => e.message), options);
    assert.match(await rejection({ n: 0, mode: "threads" }), /n must be at least 1/);
    assert.match(await rejection({ n: "abc" }), /option "n" must be a whole number, not the text "abc"/);
    assert.match(await rejection({ tasks: -1 }), /cannot be negative/);
    assert.match(await rejection({ threads: 1000 }), /Threads is above the limit/);
    assert.match(await rejection({ chunks: 2.5 }), /whole number/);
    assert.match(await rejection({ mode: "fibers" }), /mode must be "sequential", "threads" or "processes"/);
    assert.match(await rejection({ thread: 2 }), /unknown option "thread"/i);
  });

  test("a second run while one runs is refused, and Cancel stops the first", async () => {
    await page.evaluate(() => {
      window.longRun = playground.cpu({ tasks: 8, n: 1_000_000_000, mode: "threads" }).then(
        () => "finished",
        (e) => `${e.name}: ${e.message}`,
      );
    });
    // Once the run has gone on for a moment the page shows it as busy, and its progress bar moves.
    await page.waitForFunction(() => !document.getElementById("cpu-cancel").disabled);
    assert.equal(await page.isDisabled("#cpu-run-threads"), true);
    const early = await page.evaluate(() => document.getElementById("cpu-progress").value);
    await page.waitForFunction((early) => document.getElementById("cpu-progress").value > early, early);
    const second = await page.evaluate(() => playground.cpu({ mode: "sequential" }).then(() => "ran", (e) => e.message));
    assert.match(second, /already in progress/);
    await page.click("#cpu-cancel");
    assert.equal(await page.evaluate(() => window.longRun), "AbortError: The run was cancelled.");
    assert.match(await statusText(), /^Cancelled/);
    assert.ok((await page.evaluate(() => document.getElementById("cpu-progress").value)) < 1);
    // Eight billion squares would take many seconds; the run ended at once and the page works on.
    const next = await page.evaluate(() => playground.cpu({ tasks: 2, n: 1000, mode: "threads" }));
    assert.equal(next.results.length, 2);
  });

  test("Compare, the primary button, runs both ways in turns until the rule says stop, and shows the median speedup with its spread", async () => {
    // The seed's work, as the page opens.
    for (const [field, value] of [["tasks", "4"], ["n", "10,000,000"], ["threads", "2"], ["chunks", "1"]]) await page.fill(`#cpu-${field}`, value);
    assert.equal(await page.textContent("#cpu-compare"), "Compare 1 thread with 2 threads");
    // Enter in a field submits the form: the primary button's run.
    await page.focus("#cpu-n");
    await page.evaluate(() => (window.runBeforeClick = playground.lastCpuRun));
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => playground.lastCpuRun !== window.runBeforeClick || !document.getElementById("cpu-compare").disabled, null, { timeout: 60_000 });
    await page.waitForFunction(() => !document.getElementById("cpu-compare").disabled);
    const run = await page.evaluate(() => playground.lastCpuRun);
    assert.equal(run.mode, "compare", await statusText());
    assert.equal(run.mode, "compare");
    assert.deepEqual(run.results, Array(4).fill(SEED_RESULT));
    // The stopping rule (the issue asks for ≥ 300 ms or 5 rounds; the page measures 600 ms, src/model/compare.rs):
    // at least 5 rounds, then until 600 ms of runs were measured, at most 15.
    const measured = run.rounds.map((round) => round.sequential.wallMs + round.threads.wallMs);
    const total = measured.reduce((a, b) => a + b, 0);
    const beforeLast = total - measured.at(-1);
    assert.ok(run.rounds.length >= 5 && run.rounds.length <= 15, `${run.rounds.length} rounds`);
    if (run.rounds.length < 15) assert.ok(total >= 600, `stopped at ${total.toFixed(0)} ms measured`);
    if (run.rounds.length > 5) assert.ok(beforeLast < 600, `went on past ${beforeLast.toFixed(0)} ms measured`);
    // Each round kept its own runs: every chunk of the seed's work on threads, its sums made by both ways.
    for (const round of run.rounds) {
      assert.equal(round.threads.spans.length, 4);
      assert.equal(round.sequential.spans.length, 4);
      assert.deepEqual(new Set(round.sequential.spans.map((s) => s.worker)), new Set([0]));
    }
    // The figure: the median of each round's own ratio, and their range, computed here from the wall times.
    const ratios = run.rounds.map((round) => round.sequential.wallMs / round.threads.wallMs).sort((a, b) => a - b);
    const middle = ratios.length % 2 ? ratios[(ratios.length - 1) / 2] : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
    assert.equal(
      await page.textContent("#cpu-speedup"),
      `${middle.toFixed(2)}× (${ratios[0].toFixed(2)}–${ratios.at(-1).toFixed(2)} over ${run.rounds.length} rounds)`,
    );
    // The why beside it claims what the median shows, and links the GIL experiment.
    const why = await page.textContent("#cpu-why");
    assert.match(why, /Rust has no GIL/);
    if (middle >= 1.5) assert.match(why, /at the same time on 2 cores/);
    else assert.doesNotMatch(why, /computed at the same time/);
    assert.equal(await page.getAttribute("#cpu-why a", "href"), "#lab-gil-title");
    // One round's timeline is shown (the one nearest the median); every other round can be drawn.
    const options = await page.$$eval("#cpu-round option", (list) => list.map((o) => o.textContent));
    assert.equal(options.length, run.rounds.length);
    assert.match(options[run.shownRound], /\(the median\)$/);
    const typical = run.rounds[run.shownRound].sequential.wallMs / run.rounds[run.shownRound].threads.wallMs;
    assert.ok(Math.abs(typical - middle) <= Math.min(...ratios.map((r) => Math.abs(r - middle))) + 1e-9, "the round shown is the one nearest the median");
    const picture = () => page.evaluate(() => document.getElementById("cpu-timeline").toDataURL());
    const shown = await picture();
    const other = (run.shownRound + 1) % run.rounds.length;
    await page.selectOption("#cpu-round", String(other));
    assert.notEqual(await picture(), shown, "another round draws another timeline");
  });

  test("Compare with processes too, through the API; the single runs stay; options that do not fit a comparison are refused", async () => {
    const run = await page.evaluate(() => playground.cpu({ mode: "compare", threads: 2, processes: 2, withProcesses: true, n: 1_000_000 }));
    assert.equal(run.processes, 2);
    const ratios = run.rounds.map((round) => round.sequential.wallMs / round.processes.wallMs).sort((a, b) => a - b);
    assert.equal(run.processesSpeedup.low, ratios[0]);
    assert.equal(run.processesSpeedup.high, ratios.at(-1));
    assert.match(await page.textContent("#cpu-speedup"), /^2 threads: .*; 2 processes: .*× \(.*over \d+ rounds\)$/);
    assert.equal(await page.textContent("#cpu-compare"), "Compare 1 thread with 2 threads and 2 processes");
    // Ticked by the API call; a click (as a learner would) unticks it.
    assert.equal(await page.evaluate(() => document.getElementById("cpu-with-processes").checked), true);
    await page.click("#cpu-with-processes");
    assert.equal(await page.textContent("#cpu-compare"), "Compare 1 thread with 2 threads");
    // A single run afterwards shows a single run's figures, and no comparison's leftovers.
    await clickAndWaitForRun("#cpu-run-threads");
    assert.equal((await page.evaluate(() => playground.lastCpuRun)).mode, "threads");
    assert.equal(await page.isHidden("#cpu-round-picker"), true);
    assert.equal(await page.isHidden("#cpu-why"), true);
    const refused = (options) => page.evaluate((o) => playground.cpu(o).then(() => "ran", (e) => e.message), options);
    assert.match(await refused({ mode: "threads", withProcesses: true }), /withProcesses applies to the "compare" mode/);
    assert.match(await refused({ mode: "compare", crashTask: 1 }), /crashTask applies to single runs/);
    assert.match(await refused({ mode: "compare", gil: true }), /gil applies to the "threads" mode/);
    assert.match(await refused({ mode: "compare", withProcesses: "yes" }), /withProcesses/);
  });

  test("Cancel stops a comparison at once, in its first round or later, and the next comparison works", async () => {
    for (const afterMs of [0, 400]) {
      const outcome = await page.evaluate(async (afterMs) => {
        const comparison = playground.cpu({ mode: "compare", tasks: 4, n: 200_000_000, threads: 2 }).then(() => "finished", (e) => e.name);
        await new Promise((r) => setTimeout(r, afterMs));
        const pressed = performance.now();
        const cancelled = playground.cancel();
        return { cancelled, result: await comparison, tookMs: performance.now() - pressed };
      }, afterMs);
      assert.deepEqual([outcome.cancelled, outcome.result], [true, "AbortError"]);
      assert.ok(outcome.tookMs < 1000, `the comparison stopped ${Math.round(outcome.tookMs)} ms after cancel()`);
      assert.match(await statusText(), /^Cancelled; nothing from this comparison is shown/);
    }
    const next = await page.evaluate(() => playground.cpu({ mode: "compare", tasks: 2, n: 1_000_000, threads: 2 }));
    assert.equal(next.mode, "compare");
  });

  test("a comparison of runs too short for the clock says so, and only then", async () => {
    // One square: whether a run reads "0 ms" depends on the browser's clock (Chromium's isolated pages
    // resolve 5 µs, and a threads run's hand-over alone can take longer). Either way the page must be
    // right about it: it refuses exactly when a run measured 0 ms, and shows a figure otherwise.
    const outcome = await page.evaluate(() =>
      playground.cpu({ mode: "compare", tasks: 1, n: 1 }).then(
        (run) => ({ times: run.rounds.flatMap((round) => [round.sequential.wallMs, round.threads.wallMs]) }),
        (error) => ({ message: error.message }),
      ),
    );
    if (outcome.message !== undefined) {
      assert.match(outcome.message, /less time than this browser's clock can measure/);
      assert.match(await statusText(), /less time than this browser's clock can measure/);
    } else {
      assert.ok(outcome.times.every((ms) => ms > 0), `a run of 0 ms got a figure: ${outcome.times}`);
      assert.match(await statusText(), /^Compared in/);
    }
  });

  test("a run that fails greys out the figures still shown, which belong to the run before it, until a run finishes", async () => {
    const finished = await page.evaluate(() => playground.cpu({ mode: "sequential", tasks: 2, n: 1_000_000 }));
    const shown = () =>
      page.evaluate(() => ({
        note: !document.getElementById("cpu-stale").hidden,
        greyed: [...document.querySelectorAll("#cpu-results dl, #cpu-results table, #cpu .chart")].map((e) => e.classList.contains("stale")),
        wall: document.getElementById("cpu-wall").textContent,
      }));
    const before = await shown();
    assert.deepEqual([before.note, before.greyed], [false, [false, false, false]]);
    // A thread's panic takes its whole process down: this run leaves no results at all.
    const failure = await page.evaluate(() => playground.cpu({ mode: "threads", threads: 2, tasks: 2, n: 1_000_000, crashTask: 0 }).then(() => "ran", (e) => e.message));
    assert.match(failure, /every result of this run is lost/);
    const after = await shown();
    assert.deepEqual([after.note, after.greyed], [true, [true, true, true]], "the last finished run's figures are greyed and labelled");
    assert.equal(after.wall, before.wall, "they are that run's figures, kept");
    assert.equal((await page.evaluate(() => playground.lastCpuRun)).wallMs, finished.wallMs);
    await page.evaluate(() => playground.cpu({ mode: "threads", threads: 2, tasks: 2, n: 1_000_000 }));
    const again = await shown();
    assert.deepEqual([again.note, again.greyed], [false, [false, false, false]], "a finished run is shown plainly again");
  });

  test("a run button never names a count the page refuses", async () => {
    await page.fill("#cpu-threads", "999");
    assert.equal(await page.textContent("#cpu-run-threads"), "Run on threads");
    assert.equal(await page.textContent("#cpu-compare"), "Compare 1 thread with threads");
    await page.fill("#cpu-processes", "0");
    assert.equal(await page.textContent("#cpu-run-processes"), "Run in processes");
    await page.fill("#cpu-threads", "2");
    await page.fill("#cpu-processes", "2");
    assert.equal(await page.textContent("#cpu-run-threads"), "Run on 2 threads");
    assert.equal(await page.textContent("#cpu-run-processes"), "Run in 2 processes");
  });

  test("no page errors and no console errors during all of the above, but the deliberate crash's trap", () => {
    // The panicking thread's worker reports its wasm trap (isWasmTrap) as an uncaught error.
    assert.deepEqual(problems.filter((p) => !isWasmTrap(p)), []);
    assert.ok(problems.filter(isWasmTrap).length <= 1);
  });
});
