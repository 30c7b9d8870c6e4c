// The simulated network's first start on fresh browser profiles: how long until the first simulated
// sample arrives, and how often the service worker never takes the page (a reader then waits out the
// page's 20 s limit). Each launch is a new browser with an empty profile, as a first visit is.
// Called by bench/run.sh sw; BENCH_LAUNCHES (default 25) sets the launches; PLAYGROUND_ENGINE picks the
// engine (the case was seen in Firefox). Prints one markdown table.
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { ENGINE, launchBrowser, openPage } from "../tests/page/browser.mjs";
import { check, createTable, EXACT, log, median, ms } from "./table.mjs";

const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 25);
const { row, print } = createTable();
const server = await serveStatic(DIST, { isolation: true });
const firstSampleMs = [];
const failures = [];
try {
  for (let launch = 1; launch <= LAUNCHES; launch++) {
    const browser = await launchBrowser();
    try {
      const { page } = await openPage(browser, server.url);
      await page.evaluate(() => playground.ready);
      const outcome = await page.evaluate(async () => {
        const started = performance.now();
        try {
          const result = await playground.downloads({ samples: 1, mode: "sequential", network: { latencyMs: 50, kbps: 0 } });
          const file = result.files[0];
          if (!file.ok || !file.simulated) return { error: file.error ?? "the sample did not come from the simulated network" };
          return { ms: performance.now() - started };
        } catch (error) {
          return { error: error.message };
        }
      });
      if (outcome.error) failures.push(outcome.error);
      else firstSampleMs.push(outcome.ms);
      log(`launch ${launch}/${LAUNCHES}: ${outcome.error ?? ms(outcome.ms)}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
const sorted = [...firstSampleMs].sort((a, b) => a - b);
const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] : NaN;
row(`${ENGINE}: launches whose simulated network never started`, EXACT, `${failures.length} of ${LAUNCHES}`, "0", check(failures.length === 0));
row(`${ENGINE}: first simulated sample (register, activate, claim, 50 ms latency), median`, `${sorted.length} launches`, sorted.length ? ms(median(sorted)) : "–", "< 1 s", check(median(sorted) < 1000));
row(`${ENGINE}: the same, p95 / slowest`, `${sorted.length} launches`, sorted.length ? `${ms(p95)} / ${ms(sorted.at(-1))}` : "–");
for (const reason of new Set(failures)) row(`failure`, EXACT, reason.slice(0, 160));
print(`### The simulated network on a fresh profile (${ENGINE}, ${LAUNCHES} launches)`);
