// Boots the page: waits for the wasm module trunk loaded, starts the first process, wires the demos
// and publishes the JavaScript API for tutorial authors (`window.playground`, see the README).
import { CpuRuntime } from "./runtime.js";
import { CpuDemo } from "./cpu-demo.js";
import { DownloadsDemo } from "./downloads-demo.js";
import { ProcessPool } from "./process-pool.js";
import { Lab } from "./lab.js";

let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
let cpuDemo = null;
let downloadsDemo = null;
let lab = null;

// Published before anything loads, so a tutorial can always `await playground.ready`.
window.playground = {
  /** Resolves when every demo on the page can run; rejects with the reason if one cannot. */
  ready,
  /**
   * Runs the CPU demo: { tasks, n, threads, chunks, mode: "sequential" | "threads" | "processes", processes,
   * gil, crashTask }. Waits for `ready`.
   */
  cpu: (options) => ready.then(() => cpuDemo.run(options)),
  /**
   * Downloads files: { urls?, samples?, mode: "sequential" | "concurrent" | "bounded" | "threads", limit?,
   * network?, timeoutMs? }. Resolves to { files: [{ url, ok, bytes, sha256, error?, startMs, firstByteMs, endMs, … }], wallMs, … }.
   */
  downloads: (options) => ready.then(() => downloadsDemo.run(options)),
  /** Cancels whatever runs (the CPU run and/or the downloads); returns whether anything was running. */
  cancel: () => {
    const cpu = cpuDemo?.cancel() ?? false;
    const downloads = downloadsDemo?.cancel() ?? false;
    return cpu || downloads;
  },
  /** The last finished CPU run, from the buttons or the API, in `cpu()`'s result shape; null before any. */
  get lastCpuRun() {
    return cpuDemo?.lastResult ?? null;
  },
  /**
   * Sequential vs N threads vs N processes on fresh processes: { workers, tasks, n } →
   * { sequential, threads, processes } with wall time, start-up, memory and the 64 MB hand-off.
   */
  compare: (options) => ready.then(() => lab.compare(options)),
  /** N threads add 1 to one shared counter: { threads, increments, method: "racy" | "atomic" | "mutex" | "local" } → { count, expected, ms }. */
  counter: (options) => ready.then(() => lab.counter(options)),
  /** Amdahl sweep: { mode: "threads" | "processes", maxWorkers, tasks, n, serialFraction } → { points, fittedSerialFraction }. */
  sweep: (options) => ready.then(() => lab.sweep(options)),
  /** Runs a ~1 s job { where: "main-thread" | "worker" } and measures the page's longest frame gap. */
  freeze: (options) => ready.then(() => lab.freeze(options)),
  /** The last finished downloads run, in `downloads()`'s result shape; null before any. */
  get lastDownloadsRun() {
    return downloadsDemo?.lastResult ?? null;
  },
};

const status = document.getElementById("env-status");
const problem = document.getElementById("env-problem");

function showProblem(message) {
  problem.textContent = message;
  problem.hidden = false;
  status.textContent = "";
}

/** Trunk's loader instantiates the module on the page and announces it; wait for that. */
function trunkBindings() {
  if (window.wasmBindings) return Promise.resolve(window.wasmBindings);
  return new Promise((resolve) =>
    addEventListener("TrunkApplicationStarted", () => resolve(window.wasmBindings), { once: true }),
  );
}

async function compileModule() {
  const url = new URL("../playground_bg.wasm", import.meta.url);
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // Some static hosts serve .wasm without `application/wasm`, which streaming compilation refuses.
    return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  }
}

/**
 * The service worker at the site root simulates network conditions for the sample files. Pages
 * work without it (the "none" network); the downloads demo says so if a simulation is asked for.
 */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(new URL("../sw.js", import.meta.url)).catch((error) => {
    console.warn(`The simulated network is unavailable: ${error.message}`);
  });
}

async function boot() {
  registerServiceWorker();
  if (!window.crossOriginIsolated) {
    throw new Error(
      "This page is not cross-origin isolated, so the browser withholds SharedArrayBuffer and threads cannot start. " +
        "Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp " +
        "(`trunk serve` in this repository does; see the README's troubleshooting section).",
    );
  }
  const cores = navigator.hardwareConcurrency || 1;
  const [bindings, module] = await Promise.all([trunkBindings(), compileModule()]);
  const runtime = new CpuRuntime(module);
  const pool = new ProcessPool(module);
  cpuDemo = new CpuDemo({ bindings, runtime, pool, cores });
  downloadsDemo = new DownloadsDemo({ bindings, module });
  lab = new Lab({ bindings, runtime, module, cpuDemo, cores });
  cpuDemo.busyElsewhere = () => lab.running;
  const describe = (process) => {
    status.textContent =
      `Cross-origin isolated ✓ · ${cores} logical core${cores > 1 ? "s" : ""} · ` +
      `process with ${process.threads} thread${process.threads > 1 ? "s" : ""} started in ${Math.round(process.startMs)} ms`;
  };
  runtime.onChange = describe;
  status.textContent = `Starting a process with ${cores} threads…`;
  await Promise.all([runtime.processWith(cores), downloadsDemo.prepare()]);
  cpuDemo.enable();
  lab.enable();
}

boot().then(resolveReady, (error) => {
  showProblem(error.message);
  rejectReady(error);
});
