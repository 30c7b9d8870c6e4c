// The first click: what a learner sees at the defaults (4 × n=10M on 2 threads). Single runs, side by
// side with sequential ones; how late each thread starts its first chunk; the Compare button's figure
// on fresh page loads; and the CPU the page uses while nothing runs (before any run, and after a
// comparison, when the pool must be asleep again). Prints one markdown table.
// Called by bench/run.sh cpu after a release build; BENCH_RUNS sets the runs (at least 15 pairs here).
import { readFileSync, readdirSync } from "node:fs";
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { ENGINE, launchBrowser, openPage } from "../tests/page/browser.mjs";
import { RUNS, check, createTable, log, median, medianOf, ms } from "./table.mjs";

const PAIRS = Math.max(RUNS, 15);
const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 10);
const IDLE_SECONDS = 10;
const THREADS = 2;
const { row, print } = createTable();

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
};
const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

/**
 * CPU seconds (user + system) used so far by the browser under test: every process descending from this
 * one (the browser and all its helpers, and nothing else running on the machine).
 */
function browserCpuSeconds() {
  const ticksPerSecond = 100; // Linux's USER_HZ
  const stats = new Map();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // Fields after the command name (which may hold spaces): ppid is the 4th, utime and stime the 14th and 15th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      stats.set(Number(pid), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while it was being read.
    }
  }
  const descends = (pid) => {
    for (let at = stats.get(pid)?.parent; at; at = stats.get(at)?.parent) if (at === process.pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, { ticks: used }] of stats) if (descends(pid)) ticks += used;
  return ticks / ticksPerSecond;
}

/** The share of one core the browser used over `seconds` with nothing asked of the page. */
async function idleCpuShare(seconds) {
  const before = browserCpuSeconds();
  await new Promise((settled) => setTimeout(settled, seconds * 1000));
  return (browserCpuSeconds() - before) / seconds;
}

const server = await serveStatic(DIST, { isolation: true });
const browser = await launchBrowser();
try {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  log(`idle page, ${IDLE_SECONDS} s, before any run…`);
  await new Promise((settled) => setTimeout(settled, 2000));
  const idleBefore = await idleCpuShare(IDLE_SECONDS);

  // Single runs as a learner clicks them (the previous result drawn first), sequential and threads in turns.
  log(`single runs at the defaults: ${PAIRS} sequential/threads pairs…`);
  const cpu = (options) =>
    page.evaluate(async (o) => {
      await new Promise((settled) => setTimeout(settled, 150));
      return playground.cpu(o);
    }, options);
  await cpu({ mode: "threads", threads: THREADS, n: 1000 });
  const ratios = [];
  const firstStarts = [];
  /** Per run, when its last thread started its first chunk: the thread that joined late. */
  const lastJoined = [];
  const wakes = [];
  for (let i = 0; i < PAIRS; i++) {
    const sequential = await cpu({ mode: "sequential", threads: THREADS });
    const threads = await cpu({ mode: "threads", threads: THREADS });
    ratios.push(sequential.wallMs / threads.wallMs);
    if (threads.wakeMs !== undefined) wakes.push(threads.wakeMs);
    const first = new Map();
    for (const span of threads.spans) first.set(span.worker, Math.min(first.get(span.worker) ?? Infinity, span.startMs));
    firstStarts.push(...first.values());
    lastJoined.push(Math.max(...first.values()));
  }

  log(`idle page, ${IDLE_SECONDS} s, after a comparison…`);
  const compareWorks = await page.evaluate(() => playground.cpu({ mode: "compare", threads: 2 }).then(() => true, () => false));
  await new Promise((settled) => setTimeout(settled, 1000));
  const idleAfter = await idleCpuShare(IDLE_SECONDS);
  if (problems.length) throw new Error(`page problems during the benchmark: ${problems.join("; ")}`);
  await page.close();

  // The Compare button on fresh page loads, as a learner's first click.
  const compared = [];
  if (compareWorks) {
    for (let load = 1; load <= PAGE_LOADS; load++) {
      log(`Compare on fresh page load ${load}/${PAGE_LOADS}…`);
      const { page: fresh } = await openPage(browser, server.url);
      await fresh.evaluate(() => playground.ready);
      await fresh.evaluate(() => (window.beforeClick = playground.lastCpuRun));
      await fresh.click("#cpu-compare");
      await fresh.waitForFunction(() => playground.lastCpuRun !== window.beforeClick || /failed/.test(document.getElementById("cpu-status").textContent), null, { timeout: 120_000 });
      const run = await fresh.evaluate(() => playground.lastCpuRun);
      if (run?.mode !== "compare") throw new Error(`the comparison failed: ${await fresh.textContent("#cpu-status")}`);
      compared.push(run.speedup);
      await fresh.close();
    }
  }

  const single = median(ratios);
  row(`Single runs at the defaults: ${THREADS} threads vs sequential (each pair's ratio)`, medianOf(ratios.length), `${single.toFixed(2)}× (range ${range(ratios)})`, "median ≥ 1.75×", check(single >= 1.75));
  row(
    "Run start → each thread's first chunk",
    `${firstStarts.length} threads' first chunks`,
    `median ${ms(median(firstStarts))}, p95 ${ms(percentile(firstStarts, 0.95))}`,
    "median ≤ 0.5 ms",
    check(median(firstStarts) <= 0.5),
  );
  row(
    "Run start → the last thread's first chunk (the thread that joined last)",
    medianOf(lastJoined.length),
    `median ${ms(median(lastJoined))}, p95 ${ms(percentile(lastJoined, 0.95))}`,
    "median ≤ 0.5 ms",
    check(median(lastJoined) <= 0.5),
  );
  if (wakes.length) row("Waking the pool before the clock starts (wakeMs)", medianOf(wakes.length), `median ${ms(median(wakes))}, p95 ${ms(percentile(wakes, 0.95))}`, "shown, outside wallMs", "");
  if (compared.length) {
    const medians = compared.map((s) => s.median);
    row(
      `Compare, first click on ${compared.length} fresh page loads (each figure a median over its ${Math.min(...compared.map((s) => s.rounds))}–${Math.max(...compared.map((s) => s.rounds))} rounds)`,
      `${compared.length} page loads`,
      `${median(medians).toFixed(2)}× (range ${range(medians)})`,
      "every one ≥ 1.6×",
      check(medians.every((m) => m >= 1.6)),
    );
  } else row("Compare", "–", "this build has no Compare button", "", "");
  const percent = (share) => `${(share * 100).toFixed(1)} % of a core`;
  row(`Idle page, ${IDLE_SECONDS} s with nothing running, before any run (all browser processes)`, "1 run", percent(idleBefore), "≤ 2 %", check(idleBefore <= 0.02));
  row(`Idle page, ${IDLE_SECONDS} s with nothing running, after a comparison`, "1 run", percent(idleAfter), "≤ 2 %, as before", check(idleAfter <= 0.02));
  print(`### The first click (${ENGINE}, 4 × n=10M, ${THREADS} threads)`);
} finally {
  await browser.close();
  await server.close();
}
