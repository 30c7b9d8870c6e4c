// Runs every measurement and prints one markdown table. Called by bench/run.sh after a release build.
// Each figure is a median of several runs (the Runs column says how many); each ratio compares figures taken in this same run.
import { execFileSync } from "node:child_process";
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { launchBrowser, openPage } from "../tests/page/browser.mjs";
import { RUNS, check, createTable, log, median, medianOf, mediansOf, ms, within } from "./table.mjs";

const { row, print } = createTable();

// --- native reference (cargo bench, release) -------------------------------------------------------
log("native kernel (cargo bench)…");
const nativeOut = execFileSync("cargo", ["bench", "--quiet", "--bench", "native"], { encoding: "utf8" });
const native = JSON.parse(nativeOut.trim().split("\n").at(-1));
/** bench/native.rs takes each of its figures as the median of this many runs. */
const NATIVE_RUNS = native.runs;

// --- the seed's Python, two ways ---------------------------------------------------------------------
// Whole process: `python3 bench/seed_cpu.py` as a learner runs it, timed from outside — the
// interpreter's start and the spawning of Pool(4) are in the figure. In process: Pool.map alone,
// timed inside Python with the pool already started — like the wasm figure, timed inside the page
// with its threads already running. Only the second compares like with like.
const PYTHON_RUNS = Math.min(RUNS, 5);
log(`seed Python, whole process (python3 bench/seed_cpu.py) × ${PYTHON_RUNS}…`);
const pythonWhole = [];
for (let i = 0; i < PYTHON_RUNS; i++) {
  const started = performance.now();
  const out = execFileSync("python3", ["bench/seed_cpu.py"], { encoding: "utf8" });
  pythonWhole.push(performance.now() - started);
  if (!out.includes("333333283333335000000")) throw new Error(`the seed printed ${out}`);
}
log(`seed Python, Pool.map in process (python3 bench/seed_cpu_inprocess.py ${PYTHON_RUNS})…`);
const pythonInProcess = JSON.parse(execFileSync("python3", ["bench/seed_cpu_inprocess.py", String(PYTHON_RUNS)], { encoding: "utf8" }));

// --- the page in Chromium ----------------------------------------------------------------------------
const server = await serveStatic(DIST, { isolation: true });
const browser = await launchBrowser();
try {
  log("load to ready…");
  const loads = [];
  for (let i = 0; i < 5; i++) {
    const { page } = await openPage(browser, server.url);
    loads.push(await page.evaluate(async () => (await playground.ready, performance.now())));
    await page.close();
  }
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  // Runs are spaced like a learner's clicks: the previous result's repaint finishes first, so each
  // measurement is the computation, not the browser drawing the last chart on one of the two cores.
  const cpu = (options) =>
    page.evaluate(async (o) => {
      await new Promise((settled) => setTimeout(settled, 150));
      return (await playground.cpu(o)).wallMs;
    }, options);

  // Speedup at every thread count, sequential and threaded runs alternating so both see the same
  // machine; on the seed's work (4 × n=10M, ~16 ms: fixed costs show) and on ten times more.
  const sizes = [
    { label: "4 × n=10M (the seed)", n: 10_000_000 },
    { label: "4 × n=100M", n: 100_000_000 },
  ];
  const speedups = [];
  const sequentialSeed = [];
  let seedAtAllCores = [];
  let bigAtAllCores = 0;
  for (const size of sizes) {
    for (let threads = 1; threads <= cores; threads++) {
      log(`speedup, ${size.label}, ${threads} thread(s), ${RUNS} alternating runs…`);
      await cpu({ mode: "threads", threads, n: 1000 }); // start this thread count's process first
      const seq = [];
      const par = [];
      for (let i = 0; i < RUNS; i++) {
        seq.push(await cpu({ mode: "sequential", threads, n: size.n }));
        par.push(await cpu({ mode: "threads", threads, n: size.n }));
      }
      speedups.push({ size, threads, seq: median(seq), par: median(par) });
      if (size.n === 10_000_000) sequentialSeed.push(...seq);
      if (size.n === 10_000_000 && threads === cores) seedAtAllCores = par;
      if (size.n === 100_000_000 && threads === cores) bigAtAllCores = median(par);
    }
  }
  const wasmSequentialMs = median(sequentialSeed);
  const oursMs = median(seedAtAllCores);

  log("process start and tiny-job dispatch…");
  const startup = await page.evaluate(async (runs) => {
    const { ThreadProcess } = await import("./www/process.js");
    const module = await WebAssembly.compileStreaming(fetch("playground_bg.wasm"));
    const starts = [];
    const tiny = [];
    for (let i = 0; i < runs; i++) {
      const process = await ThreadProcess.start(module, navigator.hardwareConcurrency);
      starts.push(process.startMs);
      tiny.push(await process.tinyJobMicros(2000));
      process.terminate();
    }
    return { starts, tiny };
  }, RUNS);

  const FRAME_RUNS = 3;
  log(`main-thread frame gaps during a ~2 s threads run × ${FRAME_RUNS}…`);
  // Size the run from the measured speed so it lasts about two seconds here (n at its limit, more tasks).
  const frameGapTasks = Math.max(1, Math.min(64, Math.round((4 * 2000) / (bigAtAllCores * 10))));
  const frames = [];
  for (let i = 0; i < FRAME_RUNS; i++) {
    frames.push(
      await page.evaluate(async (tasks) => {
        const watch = () => {
          let last = performance.now();
          let longest = 0;
          let running = true;
          const tick = (now) => {
            longest = Math.max(longest, now - last);
            last = now;
            if (running) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
          // The time since the last frame counts too: a page that drew no frame at all has one long gap, not none.
          return () => ((running = false), Math.max(longest, performance.now() - last));
        };
        let stop = watch();
        await new Promise((r) => setTimeout(r, 1000));
        const idle = stop();
        stop = watch();
        const run = await playground.cpu({ mode: "threads", tasks, n: 1_000_000_000 });
        return { idle, busy: stop(), runMs: run.wallMs };
      }, frameGapTasks),
    );
  }

  log("cancel latency…");
  const cancels = [];
  for (let i = 0; i < 5; i++) {
    cancels.push(
      await page.evaluate(async () => {
        const run = playground.cpu({ mode: "threads", tasks: 8, n: 1_000_000_000 }).catch((e) => e);
        await new Promise((r) => setTimeout(r, 300));
        const asked = performance.now();
        playground.cancel();
        const outcome = await run;
        if (outcome?.name !== "AbortError") throw new Error(`expected a cancelled run, got ${outcome}`);
        return performance.now() - asked;
      }),
    );
  }
  if (problems.length) throw new Error(`page problems during the benchmark: ${problems.join("; ")}`);

  // --- the table ---------------------------------------------------------------------------------------
  // Goals that say ≈ are bands with both ends, derived below; a ratio of 0 or of 100 fails like any other miss.
  for (const { size, threads, seq, par } of speedups) {
    const s = seq / par;
    // The goal is for CPU-bound runs; at the seed's 16 ms, waking the threads is a visible share.
    // The kernel touches no memory, so nothing can make it superlinear: the cores (2) are the ceiling,
    // and more than 2.05× (2 plus run-to-run noise) means the sequential runs were disturbed.
    const goal = threads === cores && cores === 2 && size.n === 100_000_000;
    row(
      `Speedup, ${threads} thread${threads > 1 ? "s" : ""} vs sequential, ${size.label}`,
      mediansOf(RUNS),
      `${s.toFixed(2)}× (${ms(seq)} → ${ms(par)})`,
      goal ? "1.9–2.05×" : "",
      goal ? check(within(s, 1.9, 2.05)) : "",
    );
  }
  row("Native, 2 threads vs sequential, 4 × n=10M (this machine's ceiling)", mediansOf(NATIVE_RUNS), `${(native.seedSequentialMs / native.seedTwoThreadsMs).toFixed(2)}× (${ms(native.seedSequentialMs)} → ${ms(native.seedTwoThreadsMs)})`);
  const wasmVsNative = native.seedSequentialMs / wasmSequentialMs;
  // The same kernel through the same LLVM, plus wasm's bounds checks: wasm cannot beat native by more
  // than noise, so above 1.05 the native figure is what went wrong.
  row("wasm single thread vs native (4 × n=10M, sequential)", `${medianOf(sequentialSeed.length)} (native: ${medianOf(NATIVE_RUNS)})`, `${wasmVsNative.toFixed(2)} of native (${ms(wasmSequentialMs)} vs ${ms(native.seedSequentialMs)})`, "0.8–1.05", check(within(wasmVsNative, 0.8, 1.05)));
  const wholeMs = median(pythonWhole);
  const mapMs = median(pythonInProcess.mapMs);
  row(
    `Seed Python, whole process (\`python3 bench/seed_cpu.py\`: interpreter start + Pool(4) spawn + work) vs our ${cores} threads (work only)`,
    `${medianOf(pythonWhole.length)} (ours: ${medianOf(seedAtAllCores.length)})`,
    `${(wholeMs / oursMs).toFixed(0)}× (${ms(wholeMs)} vs ${ms(oursMs)})`,
    "not like for like: shown, no goal",
    "",
  );
  row(
    `Seed Python, in process (Pool(4).map timed inside Python, pool already started; its start: ${ms(pythonInProcess.poolStartMs)}) vs our ${cores} threads`,
    `${medianOf(pythonInProcess.mapMs.length)} (ours: ${medianOf(seedAtAllCores.length)})`,
    `${(mapMs / oursMs).toFixed(0)}× faster (${ms(mapMs)} vs ${ms(oursMs)})`,
    "≥ 100×",
    check(mapMs / oursMs >= 100),
  );
  // Linear work: ten times n is ten times the time (the call's fixed cost is microseconds against
  // milliseconds). ±20 % for a shared 2-core machine; a folded loop gives ~1× and anything worse
  // than linear ~100×, both far outside.
  const linear = native.kernel1e8Ms / native.kernel1e7Ms;
  row("Kernel does the work: native time at n=1e8 / n=1e7", mediansOf(NATIVE_RUNS), `${linear.toFixed(1)}× (${ms(native.kernel1e7Ms)} → ${ms(native.kernel1e8Ms)})`, "≈ 10× (linear): 8–12×", check(within(linear, 8, 12)));
  row("…while the naive `(0..n).map(|i| i*i).sum()` is folded by LLVM", mediansOf(NATIVE_RUNS), `${(native.folded1e7Ms * 1e3).toFixed(2)} µs → ${(native.folded1e8Ms * 1e3).toFixed(2)} µs`, "shown, not used", "");
  const startMs = median(startup.starts);
  row(`Start a process with its ${cores}-thread pool`, medianOf(startup.starts.length), ms(startMs), "≤ 150 ms", check(startMs <= 150));
  const tinyUs = median(startup.tiny);
  row("Dispatch a tiny parallel job (rayon::join through the pool)", `${medianOf(startup.tiny.length)} (each a mean of 2000 joins)`, `${tinyUs.toFixed(1)} µs`, "≤ 50 µs", check(tinyUs <= 50));
  const busyGap = median(frames.map((f) => f.busy));
  row(
    `Longest main-thread frame gap during a ${ms(median(frames.map((f) => f.runMs)))} threads run`,
    medianOf(frames.length),
    `${ms(busyGap)} (idle page: ${ms(median(frames.map((f) => f.idle)))})`,
    "≤ 50 ms",
    check(busyGap <= 50),
  );
  const cancelMs = median(cancels);
  row("Cancel → run stopped (seen by the page)", medianOf(cancels.length), ms(cancelMs), "≤ 100 ms", check(cancelMs <= 100));
  // The build's size: bench/size.mjs (both builds, against the size budget).
  row("Page load → playground.ready", medianOf(loads.length), ms(median(loads)), "", "");

  print(`Machine: ${cores} logical cores (navigator.hardwareConcurrency), Chromium headless; each row says how many runs its figure is the median of (BENCH_RUNS=${RUNS}).`);
} finally {
  await browser.close();
  await server.close();
}
