// The engines table: the same measurements in Chromium, Firefox and WebKit, one column per engine.
// Without arguments it runs itself once per engine (PLAYGROUND_ENGINES, default all three: the engine is
// chosen when tests/page/browser.mjs loads) and prints one markdown table; with `--engine` it measures
// the engine PLAYGROUND_ENGINE names and prints one JSON line. Each timing is a median of BENCH_RUNS
// runs; each ratio compares runs alternated in the same page, so both sides see the same machine.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DIST, serveStatic } from "../tests/page/server.mjs";
import { ENGINE, ENGINES, launchBrowser, openPage } from "../tests/page/browser.mjs";
import { RUNS, log, median, mediansOf, medianOf, ms } from "./table.mjs";

// The real cores: what "threads" and "processes" get here, whatever count the browser reports.
const CORES = availableParallelism();
const SEED_N = 10_000_000;
const BIG_N = 100_000_000;
const FILES = 6;

if (process.argv.includes("--engine")) {
  console.log(JSON.stringify(await measure()));
} else {
  await compare();
}

/** One engine's figures, from a fresh browser and a page served with the isolation headers. */
async function measure() {
  const server = await serveStatic(DIST, { isolation: true });
  const browser = await launchBrowser();
  try {
    log(`${ENGINE}: load → ready × ${RUNS}…`);
    const loads = [];
    for (let i = 0; i < RUNS; i++) {
      const { page } = await openPage(browser, server.url);
      loads.push(await page.evaluate(async () => (await playground.ready, performance.now())));
      await page.close();
    }
    const { page, problems } = await openPage(browser, server.url);
    await page.evaluate(() => playground.ready);
    const environment = await page.evaluate(() => ({
      isolated: crossOriginIsolated,
      sharedMemory: typeof SharedArrayBuffer === "function",
      reportedCores: navigator.hardwareConcurrency,
      // The module the page really instantiated: the threaded build or the build without threads.
      wasm: performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).map((e) => new URL(e.name).pathname),
    }));
    const wallMs = (options) =>
      page.evaluate(async (o) => {
        // A learner's click comes after the last result is drawn: the run measures the computation.
        await new Promise((settled) => setTimeout(settled, 150));
        return (await playground.cpu(o)).wallMs;
      }, options);

    log(`${ENGINE}: sequential 4 × 10M × ${RUNS}…`);
    const sequentialSeed = [];
    for (let i = 0; i < RUNS; i++) sequentialSeed.push(await wallMs({ mode: "sequential", n: SEED_N }));

    const parallel = async (mode, workers) => {
      log(`${ENGINE}: ${mode} (${workers}) vs sequential at 4 × 100M × ${RUNS}, alternating…`);
      const options = mode === "threads" ? { threads: workers } : { processes: workers };
      await wallMs({ mode, n: 1000, ...options }); // start its workers first: the runs measure work
      const sequential = [];
      const concurrent = [];
      for (let i = 0; i < RUNS; i++) {
        sequential.push(await wallMs({ mode: "sequential", n: BIG_N }));
        concurrent.push(await wallMs({ mode, n: BIG_N, ...options }));
      }
      return { sequentialMs: median(sequential), parallelMs: median(concurrent) };
    };
    const threads = environment.sharedMemory ? await parallel("threads", CORES) : null;
    const processes = await parallel("processes", CORES);

    log(`${ENGINE}: ${FILES} files from the simulated far-away server, one after another vs all at once × ${RUNS}…`);
    // The simulated network's service worker sometimes does not start in a page opened after several
    // others were opened and closed (seen in Chromium and Firefox); the page then says to reload, and
    // so does this benchmark, once per run at most, counting it in the table.
    let reloads = 0;
    const download = async (mode) => {
      const run = () => page.evaluate(async (o) => (await playground.downloads(o)).wallMs, { samples: FILES, mode, network: "far-server" });
      try {
        return await run();
      } catch (error) {
        if (!/service worker did not start/.test(error.message)) throw error;
        reloads++;
        await page.reload();
        await page.evaluate(() => playground.ready);
        return run();
      }
    };
    const oneAfterAnother = [];
    const allAtOnce = [];
    for (let i = 0; i < RUNS; i++) {
      oneAfterAnother.push(await download("sequential"));
      allAtOnce.push(await download("concurrent"));
    }
    if (problems.length) throw new Error(`${ENGINE}: the page reported ${problems.join("; ")}`);
    return {
      engine: ENGINE,
      ...environment,
      loadMs: median(loads),
      sequentialSeedMs: median(sequentialSeed),
      threads,
      processes,
      download: { oneAfterAnotherMs: median(oneAfterAnother), allAtOnceMs: median(allAtOnce), reloads },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The Debian package each engine comes from, and its version: what the README's table names. */
function version(engine) {
  const pkg = { chromium: "chromium", firefox: "firefox-esr", webkit: "libwebkit2gtk-4.1-0" }[engine];
  try {
    return `${pkg} ${execFileSync("dpkg-query", ["-W", "-f=${Version}", pkg], { encoding: "utf8" })}`;
  } catch {
    return pkg;
  }
}

async function compare() {
  const engines = (process.env.PLAYGROUND_ENGINES ?? ENGINES.join(" ")).split(/\s+/).filter(Boolean);
  const self = fileURLToPath(import.meta.url);
  const results = [];
  for (const engine of engines) {
    const out = execFileSync(process.execPath, [self, "--engine"], {
      encoding: "utf8",
      env: { ...process.env, PLAYGROUND_ENGINE: engine },
      stdio: ["ignore", "pipe", "inherit"],
    });
    results.push(JSON.parse(out.trim().split("\n").at(-1)));
  }
  const ratio = (pair) => (pair ? `${(pair.sequentialMs / pair.parallelMs).toFixed(2)}× (${ms(pair.sequentialMs)} → ${ms(pair.parallelMs)})` : "no shared memory");
  const wasm = (paths) =>
    paths
      .map((path) => {
        const bytes = statSync(join(DIST, path)).size;
        return `${basename(path)} ${(bytes / 1024).toFixed(0)} KB`;
      })
      .join(", ") || "none";
  const rows = [
    ["Version (Debian package)", "exact", (r) => version(r.engine)],
    ["Cross-origin isolated / SharedArrayBuffer", "exact", (r) => `${r.isolated ? "yes" : "no"} / ${r.sharedMemory ? "yes" : "no"}`],
    ["navigator.hardwareConcurrency (real cores here: " + CORES + ")", "exact", (r) => String(r.reportedCores)],
    ["Load → ready", medianOf(RUNS), (r) => ms(r.loadMs)],
    ["Sequential, 4 × 10M (the seed)", medianOf(RUNS), (r) => ms(r.sequentialSeedMs)],
    [`Threads speedup, ${CORES} threads, 4 × 100M`, mediansOf(RUNS), (r) => ratio(r.threads)],
    [`Processes speedup, ${CORES} processes, 4 × 100M`, mediansOf(RUNS), (r) => ratio(r.processes)],
    [
      `${FILES} downloads, far-away server: one after another → all at once`,
      mediansOf(RUNS),
      (r) =>
        `${(r.download.oneAfterAnotherMs / r.download.allAtOnceMs).toFixed(2)}× (${ms(r.download.oneAfterAnotherMs)} → ${ms(r.download.allAtOnceMs)})` +
        (r.download.reloads ? `; ${r.download.reloads} reload(s): the service worker did not start` : ""),
    ],
    ["wasm actually loaded", "exact", (r) => wasm(r.wasm)],
  ];
  console.log(`\n### Engines (${CORES} cores; BENCH_RUNS=${RUNS})\n`);
  console.log(`| Measure | Runs | ${results.map((r) => r.engine).join(" | ")} |`);
  console.log(`|---|---|${results.map(() => "---|").join("")}`);
  for (const [measure, runs, cell] of rows) console.log(`| ${measure} | ${runs} | ${results.map(cell).join(" | ")} |`);
}
