// The scheduler gallery benchmark: on 2 threads, a static split against work stealing on the uneven
// kernels (wall time, the most a thread idled, efficiency against one thread: T1 / (2 × T2)), the piece
// count swept from too few to too many on the Mandelbrot image, and what drawing the run live costs
// the page (its longest gap between frames during a long run). Runs alternate between the ways
// compared, so a busy moment of the machine hits both. Prints markdown tables. BENCH_RUNS: runs per cell.
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { launchBrowser, openPage } from "../tests/page/browser.mjs";
import { RUNS as ALL_RUNS, check, log, median, medianOf, ms } from "./table.mjs";

const RUNS = Math.min(ALL_RUNS, 7);
const THREADS = 2;

const server = await serveStatic(DIST, { isolation: true });
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  const run = (options) =>
    page.evaluate((o) => playground.kernel(o).then((r) => ({ wallMs: r.wallMs, idle: Math.max(...r.idleMs), result: r.result })), options);

  console.log(`\n### Static split vs work stealing, ${THREADS} threads (${medianOf(RUNS)}, alternating)\n`);
  console.log("| Work | 1 thread | Static | Dynamic | Dynamic ÷ static | Most idle, static | Most idle, dynamic | Efficiency static | Efficiency dynamic (goal ≥ 0.9) |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [label, kernel] of [["Mandelbrot 720 × 480", "mandelbrot"], ["primes below 5,000,000", "primes"], ["Σ i², n = 40,000,000 (even)", "squares"]]) {
    log(`${label} × ${RUNS}…`);
    const one = [];
    const fixed = [];
    const stolen = [];
    for (let i = 0; i < RUNS; i++) {
      one.push(await run({ kernel, schedule: "static", threads: 1 }));
      fixed.push(await run({ kernel, schedule: "static", threads: THREADS }));
      stolen.push(await run({ kernel, schedule: "dynamic", threads: THREADS }));
    }
    const results = new Set([...one, ...fixed, ...stolen].map((r) => String(r.result)));
    if (results.size !== 1) throw new Error(`${label}: results differ: ${[...results]}`);
    const wall = (runs) => median(runs.map((r) => r.wallMs));
    const idle = (runs) => median(runs.map((r) => r.idle));
    const efficiency = (runs) => wall(one) / (THREADS * wall(runs));
    console.log(
      `| ${label} | ${ms(wall(one))} | ${ms(wall(fixed))} | ${ms(wall(stolen))} | ${(wall(fixed) / wall(stolen)).toFixed(2)}× faster | ${ms(idle(fixed))} | ${ms(idle(stolen))} | ${efficiency(fixed).toFixed(2)} | ${efficiency(stolen).toFixed(2)} ${kernel === "squares" ? "" : check(efficiency(stolen) >= 0.9)} |`,
    );
  }

  console.log(`\n### Pieces: too few leave a thread idle, too many cost their hand-out (Mandelbrot 720 × 480, ${THREADS} threads, ${medianOf(RUNS)})\n`);
  const counts = [2, 4, 8, 16, 32, 64, 160, 480];
  const sweep = new Map(counts.map((c) => [c, []]));
  for (let i = 0; i < RUNS; i++) {
    log(`pieces sweep, round ${i + 1} of ${RUNS}…`);
    for (const pieces of counts) sweep.get(pieces).push(await run({ kernel: "mandelbrot", schedule: "dynamic", threads: THREADS, pieces }));
  }
  const walls = counts.map((c) => median(sweep.get(c).map((r) => r.wallMs)));
  const best = Math.min(...walls);
  console.log("| Pieces | Rows per piece | Wall time | Most idle | vs the best |");
  console.log("|---|---|---|---|---|");
  counts.forEach((pieces, i) =>
    console.log(`| ${pieces} | ${Math.ceil(480 / pieces)} | ${ms(walls[i])} | ${ms(median(sweep.get(pieces).map((r) => r.idle)))} | ${(walls[i] / best).toFixed(2)}× ${walls[i] === best ? "(best)" : ""} |`),
  );

  console.log(`\n### Drawing live: the page's longest gap between frames during a long run (Mandelbrot 1,800 × 1,200, ${THREADS} threads, ${medianOf(RUNS)})\n`);
  const gaps = [];
  const lengths = [];
  for (let i = 0; i < RUNS; i++) {
    const watched = await page.evaluate(async () => {
      let longest = 0;
      let last = performance.now();
      let watching = true;
      const frame = (now) => {
        longest = Math.max(longest, now - last);
        last = now;
        if (watching) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      const result = await playground.kernel({ kernel: "mandelbrot", schedule: "dynamic", threads: 2, size: 1200 });
      watching = false;
      return { longest, wallMs: result.wallMs };
    });
    gaps.push(watched.longest);
    lengths.push(watched.wallMs);
  }
  console.log("| Run | Longest frame gap (goal ≤ 50 ms) |");
  console.log("|---|---|");
  console.log(`| ${ms(median(lengths))} | ${ms(median(gaps))} ${check(median(gaps) <= 50)} |`);
} finally {
  await browser.close();
  await server.close();
}
