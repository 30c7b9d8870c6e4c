// The shared counter in one engine (PLAYGROUND_ENGINE, default chromium): how often the racy counter's
// default run really loses updates, and what each exact method costs. BENCH_COUNTER_RUNS (default 20)
// default racy runs, then as many of atomic and mutex, alternating, all at the page's defaults
// (threads = the lab's default, increments = the field's default). Prints one markdown table.
//   node bench/counter.mjs                      (after trunk build; PLAYGROUND_DIST picks the build)
import { DIST, serveStatic } from "../tests/page/server.mjs";
import { ENGINE, launchBrowser, openPage } from "../tests/page/browser.mjs";
import { log, median, ms } from "./table.mjs";

const RUNS = Number(process.env.BENCH_COUNTER_RUNS ?? 20);

const server = await serveStatic(DIST, { isolation: true });
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  const run = (method) => page.evaluate((method) => playground.counter({ method }), method);
  const runs = { racy: [], atomic: [], mutex: [] };
  for (let i = 0; i < RUNS; i++) {
    log(`${ENGINE}: round ${i + 1} of ${RUNS}`);
    for (const method of Object.keys(runs)) runs[method].push(await run(method));
  }
  const increments = await page.evaluate(() => document.getElementById("lab-counter-increments").value);
  const racy = runs.racy;
  const losing = racy.filter((r) => r.count < r.expected).length;
  const lostShare = racy.map((r) => (r.expected - r.count) / r.expected);
  const times = (method) => runs[method].map((r) => r.ms);
  const mutexFaster = runs.mutex.filter((r, i) => r.ms < runs.atomic[i].ms).length;
  console.log(`\nShared counter, ${ENGINE}, default runs (${racy[0].expected.toLocaleString("en-US")} expected per run, ${increments} increments per thread)\n`);
  console.log("| Engine | Racy runs | Runs that lost updates | Median share lost | Racy | fetch_add | Mutex | Mutex faster than fetch_add |");
  console.log("|---|---|---|---|---|---|---|---|");
  console.log(
    `| ${ENGINE} | ${RUNS} | ${losing} of ${RUNS} (${Math.round((100 * losing) / RUNS)} %) | ${(100 * median(lostShare)).toFixed(1)} % | ` +
      `${ms(median(times("racy")))} | ${ms(median(times("atomic")))} | ${ms(median(times("mutex")))} | ${mutexFaster} of ${RUNS} |`,
  );
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
