// What the build costs and whether leaning it cost kernel speed: the size of both wasm builds and their
// JS glue, and the sum-of-squares kernel on one thread in wasm (headless Chromium, through the page's
// own `playground.cpu`) against the same kernel native (bench/native.rs), side by side in one run.
// Measures the site in PLAYGROUND_DIST (default dist) as it is, without building it: bench/run.sh size
// builds first; `PLAYGROUND_DIST=target/dist-x node bench/size.mjs` compares another build.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { launchBrowser, openPage } from "../tests/page/browser.mjs";
import { EXACT, RUNS, check, createTable, log, median, ms, within } from "./table.mjs";

const { row, print } = createTable();
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
// Level 9, as bench/hosts.mjs counts it: what a static host that compresses ahead of time sends.
const gzipBytes = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The budget for the threaded wasm a visitor downloads first. */
const THREADED_GZIP_BUDGET = 150 * 1024;
for (const [label, folder] of [["threaded build", `${DIST}/`], ["build without threads (fallback)", `${DIST}/fallback/`]]) {
  for (const file of ["playground_bg.wasm", "playground.js"]) {
    const bytes = readFileSync(`${folder}${file}`);
    const gzip = gzipBytes(bytes);
    const budgeted = label === "threaded build" && file.endsWith(".wasm");
    row(
      `${label}: ${file}, raw / gzip`,
      EXACT,
      `${kb(bytes.length)} / ${kb(gzip)} (${bytes.length} / ${gzip} bytes)`,
      budgeted ? "≤ 150 KB gzip" : "",
      budgeted ? check(gzip <= THREADED_GZIP_BUDGET) : "",
    );
  }
}

// The seed's work, four tasks of n = 10,000,000 one after another on one thread, both sides. The machine
// is shared and its load drifts, so native and wasm take turns: each round is one native median (cargo
// bench) and then one wasm median, and the ratio is the median of the rounds' ratios.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const nativeSequentialMs = () => {
  const out = execFileSync("cargo", ["bench", "--quiet", "--bench", "native"], { encoding: "utf8" });
  const native = JSON.parse(out.trim().split("\n").at(-1));
  return { ms: native.seedSequentialMs, runs: native.runs };
};
log("building the native benchmark (cargo bench)…");
execFileSync("cargo", ["bench", "--quiet", "--bench", "native", "--no-run"], { stdio: "inherit" });

const server = await serveStatic(DIST, { isolation: true });
const browser = await launchBrowser();
try {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  const wasmSequentialMs = () =>
    page.evaluate(async () => {
      // Spaced like a learner's clicks, so the last result's repaint is not on one of the two cores.
      await new Promise((settled) => setTimeout(settled, 150));
      return (await playground.cpu({ mode: "sequential", tasks: 4, n: 10_000_000 })).wallMs;
    });
  // One unmeasured run first: the process starts and the engine tiers the kernel up once.
  await wasmSequentialMs();
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}: native (cargo bench), then wasm 4 × n=10M × ${RUNS}…`);
    const native = nativeSequentialMs();
    const wasm = [];
    for (let i = 0; i < RUNS; i++) wasm.push(await wasmSequentialMs());
    rounds.push({ native, wasmMs: median(wasm) });
  }
  if (problems.length) throw new Error(`page problems during the benchmark: ${problems.join("; ")}`);
  const ratio = median(rounds.map((r) => r.native.ms / r.wasmMs));
  const each = rounds.map((r) => `${ms(r.wasmMs)} vs ${ms(r.native.ms)}`).join("; ");
  row(
    "Kernel on one thread, wasm vs native (4 × n=10M, sequential; 1.0 = native speed)",
    `median of ${ROUNDS} rounds, each a wasm median of ${RUNS} after a native median of ${rounds[0].native.runs}`,
    `${ratio.toFixed(2)} of native (wasm vs native by round: ${each})`,
    "≥ 0.8",
    check(within(ratio, 0.8, Infinity)),
  );
} finally {
  await browser.close();
  await server.close();
}
print(`Build size and kernel speed, ${DIST} (Chromium headless; sizes from the files, gzip level 9)`);
