// Boots the page: makes it cross-origin isolated if it can (the service worker), loads the threaded
// build or the fallback build accordingly, starts the first process, wires the demos and publishes
// the JavaScript API for tutorial authors (`window.playground`, see the README).
import { CpuRuntime } from "./runtime.js";
import { CpuDemo } from "./cpu-demo.js";
import { DownloadsDemo } from "./downloads-demo.js";
import { ProcessPool } from "./process-pool.js";
import { useBuild } from "./process.js";
import { RunHistory } from "./history.js";
import { addSharePanels, applyEmbed, embedOptions, finishEmbed, postMeasurement } from "./embed.js";
import { autorun, followEdits, requested, restoreFields } from "./share.js";
import { Lab } from "./lab.js";
import { ServerDemo } from "./server-demo.js";
import { GalleryDemo } from "./gallery-demo.js";
import { SHARED_MEMORY_WITHHELD, becomeIsolated, explainWhatIsOff, simulatedNetworkRefusal } from "./isolation.js";
import { threadsAtFullSpeed } from "./cores.js";
import { threadsWithheldAlthoughIsolated } from "./cpu-demo.js";
import { checkOptions } from "./api-options.js";
import { renderFields } from "./schema.js";

let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
let cpuDemo = null;
let downloadsDemo = null;
let lab = null;
let serverDemo = null;
let galleryDemo = null;
/** `{ reported, measured, checkMs, defaultThreads, note }` once the page knows (www/cores.js). */
let cores = null;
/** Why threads are off, or null when the page has them (see `playground.isolation`). */
let isolationState = null;

/** API calls made but not yet handed to their demo (waiting for `ready`): `cancel()` reaches them too. */
const waitingCalls = new Set();

/**
 * One call of `playground[api]`: its options are type-checked and copied at once (a wrong type rejects
 * with a message naming the option, before anything reaches the wasm), then it waits for `ready` and
 * runs, unless `cancel()` came first — even in the same tick.
 */
function apiCall(api, options, run) {
  let checked;
  try {
    checked = checkOptions(api, options);
  } catch (error) {
    return Promise.reject(error);
  }
  const call = { cancelled: false };
  waitingCalls.add(call);
  return ready
    .then(() => {
      waitingCalls.delete(call);
      if (call.cancelled) throw new DOMException("The run was cancelled before it started.", "AbortError");
      return run(checked);
    })
    .finally(() => waitingCalls.delete(call));
}

// Published before anything loads, so a tutorial can always `await playground.ready`.
window.playground = {
  /** Resolves when every demo on the page can run; rejects with the reason if one cannot. */
  ready,
  /**
   * Runs the CPU demo: { tasks, n, threads, chunks, mode: "sequential" | "threads" | "processes", processes,
   * gil, crashTask }. Waits for `ready`.
   */
  cpu: (options) => apiCall("cpu", options, (checked) => cpuDemo.run(checked)),
  /**
   * Downloads files: { urls?, samples?, mode: "sequential" | "concurrent" | "bounded" | "threads", limit?,
   * network?, timeoutMs? }. Resolves to { files: [{ url, ok, bytes, sha256, error?, startMs, firstByteMs, endMs, … }], wallMs, … }.
   */
  downloads: (options) => apiCall("downloads", options, (checked) => downloadsDemo.run(checked)),
  /**
   * The web server lab: { model: "one-at-a-time" | "thread-pool" | "async" | "async-pool", clients?, rate?,
   * requests, ioMs, cpuMs, poolSize? } → { throughput, p50, p95, p99, bound, requests: [{ id, arriveMs, startMs, endMs, worker, … }] }.
   */
  server: (options) => apiCall("server", options, (checked) => serverDemo.run(checked)),
  /** Every server model at each client count: { clients: [1, 2, 5, …], ioMs, cpuMs, poolSize } → { clients, points }. */
  serverSweep: (options) => apiCall("serverSweep", options, (checked) => serverDemo.sweep(checked)),
  /**
   * The scheduler gallery: { kernel: "mandelbrot" | "primes" | "squares", schedule: "static" | "dynamic", threads,
   * pieces?, size? } → { kernel, schedule, threads, wallMs, result, pieces, pieceSize, spans: [{ worker, piece,
   * startMs, endMs, cost }], busyMs, idleMs }.
   */
  kernel: (options) => apiCall("kernel", options, (checked) => galleryDemo.run(checked)),
  /** Cancels whatever runs (CPU, downloads, server, the lab's experiments); returns whether anything was running. */
  cancel: () => {
    // Calls still waiting for `ready` have no run yet: they end as cancelled when they get there.
    const waiting = waitingCalls.size > 0;
    for (const call of waitingCalls) call.cancelled = true;
    waitingCalls.clear();
    const cpu = cpuDemo?.cancel() ?? false;
    const downloads = downloadsDemo?.cancel() ?? false;
    const server = serverDemo?.cancel() ?? false;
    const experiment = lab?.cancel() ?? false;
    const gallery = galleryDemo?.cancel() ?? false;
    return experiment || waiting || cpu || downloads || server || gallery;
  },
  /** The last finished CPU run, from the buttons or the API, in `cpu()`'s result shape; null before any. */
  get lastCpuRun() {
    return cpuDemo?.lastResult ?? null;
  },
  /**
   * Sequential vs N threads vs N processes on fresh processes: { workers, tasks, n } →
   * { sequential, threads, processes } with wall time, start-up, memory and the 64 MB hand-off.
   */
  compare: (options) => apiCall("compare", options, (checked) => lab.compare(checked)),
  /**
   * What one more worker costs: { workers: [1, 2, 4, 8], rounds: 3 } → { rounds, points: [{ workers, threads:
   * { startMs, memoryBytes }, processes: { startMs, coldStartMs, memoryBytes } }], perExtraWorker, words }.
   */
  startupCosts: (options) => apiCall("startupCosts", options, (checked) => lab.startupCosts(checked)),
  /** N threads add 1 to one shared counter: { threads, increments, method: "racy" | "atomic" | "mutex" | "local" } → { count, expected, ms }. */
  counter: (options) => apiCall("counter", options, (checked) => lab.counter(checked)),
  /** Amdahl sweep: { mode: "threads" | "processes", maxWorkers, tasks, n, serialFraction } → { points, fittedSerialFraction }. */
  sweep: (options) => apiCall("sweep", options, (checked) => lab.sweep(checked)),
  /** Runs a fixed job (~0.5 s here; `runMs` says) { where: "main-thread" | "worker" } and measures the page's longest frame gap. */
  freeze: (options) => apiCall("freeze", options, (checked) => lab.freeze(checked)),
  /** Each demo's last 50 runs since the page opened, and their CSV / JSON exports: `history.cpu.csv()`, … */
  get history() {
    return histories;
  },
  /** The last finished downloads run, in `downloads()`'s result shape; null before any. */
  get lastDownloadsRun() {
    return downloadsDemo?.lastResult ?? null;
  },
  /**
   * `{ reported, measured, defaultThreads, checkMs, wallMs, note }`: the logical cores the browser reports
   * (the most threads a run may have), how many threads ran at full speed in the page's short check (null
   * where nothing was measured), the default every demo uses, the check's duration and its timings
   * (`wallMs[k - 1]`: k equal chunks started together), and the page's sentence saying so.
   * null before the page knows.
   */
  get cores() {
    return cores && { reported: cores.reported, measured: cores.measured, defaultThreads: cores.defaultThreads, checkMs: cores.checkMs, wallMs: cores.wallMs && [...cores.wallMs], note: cores.note };
  },
  /**
   * `{ crossOriginIsolated, sharedMemory, threads, reason }`: whether the page is isolated, whether the
   * browser gives it SharedArrayBuffer, whether threads run, and why not (null when they do). null before the page knows.
   */
  get isolation() {
    return isolationState && { ...isolationState };
  },
};

const status = document.getElementById("env-status");
const problem = document.getElementById("env-problem");

function showProblem(message) {
  problem.textContent = message;
  problem.hidden = false;
  status.textContent = "";
}

const fallbackBanner = document.getElementById("env-fallback");
/** The build this page can run: threads need shared memory, which only an isolated page gets. */
function chooseBuild({ isolated, sharedMemory }) {
  const threads = isolated && sharedMemory;
  const folder = new URL(threads ? "../" : "../fallback/", import.meta.url);
  return { threads, glue: new URL("playground.js", folder).href, wasm: new URL("playground_bg.wasm", folder).href };
}

async function compileModule(url) {
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // Some static hosts serve .wasm without `application/wasm`, which streaming compilation refuses.
    return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  }
}

/** Every demo's runs, for the history panels and the exports (and `playground.history`). */
const histories = {};

function recordRuns() {
  histories.cpu = new RunHistory("cpu", "cpu");
  histories.downloads = new RunHistory("downloads", "downloads");
  histories.processes = new RunHistory("processes", "lab");
  histories.server = new RunHistory("server", "server");
  histories.gallery = new RunHistory("gallery", "gallery");
  galleryDemo.onRun = (_kind, result) =>
    histories.gallery.add({
      result,
      summary: `${result.kernel}, ${result.schedule} on ${result.threads}: ${Math.round(result.wallMs)} ms`,
      rows: result.busyMs.map((busyMs, thread) => ({
        kernel: result.kernel, schedule: result.schedule, threads: result.threads, pieces: result.pieces, pieceSize: result.pieceSize,
        wallMs: result.wallMs.toFixed(3), result: result.result, thread, busyMs: busyMs.toFixed(3), idleMs: result.idleMs[thread].toFixed(3),
      })),
    });
  serverDemo.onRun = (result, load) =>
    histories.server.add({
      result,
      summary: `${result.model}: ${result.throughput.toFixed(1)} requests/s, p50 ${Math.round(result.p50)} ms`,
      rows: [{ model: result.model, poolSize: result.poolSize ?? "", ...load, throughput: result.throughput, bound: result.bound, p50: result.p50, p95: result.p95, p99: result.p99, answered: result.requests.length }],
    });
  cpuDemo.onRun = (result, params) =>
    histories.cpu.add({
      result,
      summary:
        result.mode === "compare"
          ? `compare, 1 vs ${result.threads}: ${result.speedup.median.toFixed(2)}× (${result.speedup.low.toFixed(2)}–${result.speedup.high.toFixed(2)}, ${result.speedup.rounds} rounds)`
          : `${result.mode}${result.gil ? " + GIL" : ""} on ${result.threads}: ${Math.round(result.wallMs)} ms`,
      rows: result.results.map((sum, task) => ({
        mode: result.mode, workers: result.threads, gil: result.gil, tasks: params.tasks, n: params.n, chunks: params.chunks,
        wallMs: result.wallMs.toFixed(3), task, sum: sum ?? "", error: result.errors?.find((e) => e.task === task)?.message ?? "",
      })),
    });
  downloadsDemo.onRun = (result) =>
    histories.downloads.add({
      result,
      summary: `${result.mode}${result.limit ? ` (${result.limit})` : ""}, ${result.files.length} files: ${Math.round(result.wallMs)} ms`,
      rows: result.files.map((f) => ({
        mode: result.mode, limit: result.limit ?? "", network: result.network, wallMs: result.wallMs.toFixed(3), url: f.url, ok: f.ok,
        status: f.status, bytes: f.bytes, sha256: f.sha256 ?? "", startMs: f.startMs.toFixed(3), queuedMs: f.queuedMs.toFixed(3),
        firstByteMs: f.firstByteMs?.toFixed(3) ?? "", endMs: f.endMs.toFixed(3), error: f.error ?? "",
      })),
    });
  lab.onRun = (kind, result) => {
    const rows =
      kind === "compare"
        ? ["sequential", "threads", "processes"].map((way) => ({ experiment: kind, workers: result.workers, way, ...result[way] }))
        : kind === "counter"
          ? [{ experiment: kind, workers: result.threads, method: result.method, count: result.count, expected: result.expected, ms: result.ms }]
          : kind === "startup-costs"
            ? result.points.map((p) => ({ experiment: kind, workers: p.workers, threadStartMs: p.threads.startMs, threadMemoryBytes: p.threads.memoryBytes, processStartMs: p.processes.startMs, processColdStartMs: p.processes.coldStartMs, processMemoryBytes: p.processes.memoryBytes }))
          : result.points.map((p) => ({ experiment: kind, mode: result.mode, serialFraction: result.serialFraction, workers: p.workers, wallMs: p.wallMs, speedup: p.speedup, fittedSerialFraction: result.fittedSerialFraction }));
    histories.processes.add({ result: { experiment: kind, ...result }, summary: `${kind}: ${rows.length} row${rows.length > 1 ? "s" : ""}`, rows });
  };
}

/** The URL's demo: embed mode, its parameters, and a run when it asks for one. */
function followLink(link) {
  const problems = [...link.problems];
  if (link.demo) {
    problems.push(...restoreFields(link.demo));
    if (link.embed) {
      const { hide, problems: embedProblems } = embedOptions();
      finishEmbed(link.demo, hide);
      problems.push(...embedProblems);
    } else document.getElementById(DEMO_SECTIONS[link.demo]).scrollIntoView();
  }
  return problems;
}

const DEMO_SECTIONS = { cpu: "cpu", downloads: "downloads", processes: "lab", server: "server", gallery: "gallery" };

async function boot() {
  const link = requested();
  if (link.embed && link.demo) applyEmbed(link.demo);
  // The share panel's measuring frame (`embed=1&measure=1`) lays the demo out as a tutorial's reader
  // would see it — in a page that is not isolated, with the one-line note — and starts no process.
  const measuring = link.embed && link.demo !== null && embedOptions().measure;
  const isolation = measuring ? { isolated: false, reason: null, switchedOff: false, sharedMemory: false } : await becomeIsolated((text) => (status.textContent = text));
  const build = chooseBuild(isolation);
  // Isolated but without SharedArrayBuffer (WebKitGTK without its option): say so, not "not isolated".
  const withheld = isolation.isolated && !isolation.sharedMemory;
  if (withheld) threadsWithheldAlthoughIsolated(SHARED_MEMORY_WITHHELD);
  isolationState = {
    crossOriginIsolated: window.crossOriginIsolated === true,
    sharedMemory: isolation.sharedMemory,
    threads: build.threads,
    reason: build.threads ? null : withheld ? SHARED_MEMORY_WITHHELD : (isolation.reason ?? "the page is not cross-origin isolated (an iframe that no header can isolate)."),
  };
  useBuild(build);
  const reported = navigator.hardwareConcurrency || 1;
  const [bindings, module] = await Promise.all([import(build.glue), compileModule(build.wasm)]);
  // The page's own instance: drawing, checks, downloads. Instantiated from the module compiled once.
  await bindings.default({ module_or_path: module });
  // Every demo's form fields, from the schema Rust checks them against, before any demo reads one.
  renderFields(bindings.fieldSchema());
  const networkOff = simulatedNetworkRefusal();
  explainWhatIsOff(fallbackBanner, { isolation, threadsOff: !build.threads, networkOff });
  const runtime = new CpuRuntime(module);
  const pool = new ProcessPool(module);
  downloadsDemo = new DownloadsDemo({ bindings, module, networkOff });
  const prepared = downloadsDemo.prepare();
  // Awaited below; a failure meanwhile must not surface as an unhandled rejection.
  prepared.catch(() => {});
  const describe = (process) => {
    const logical = `${reported} logical core${reported > 1 ? "s" : ""} reported`;
    const full = cores?.measured != null ? `, ${cores.measured} at full speed` : "";
    status.textContent = build.threads
      ? `Cross-origin isolated ✓ · ${logical}${full} · ` +
        `process with ${process.threads} thread${process.threads > 1 ? "s" : ""} started in ${Math.round(process.startMs)} ms`
      : withheld
        ? `Cross-origin isolated ✓, but this browser withholds SharedArrayBuffer: the build without threads · ${logical} · ` +
          `a process started in ${Math.round(process.startMs)} ms`
        : `Not cross-origin isolated: the build without threads · ${logical} · ` +
          `a process started in ${Math.round(process.startMs)} ms`;
  };
  runtime.onChange = describe;
  status.textContent = build.threads ? `Starting a process with ${reported} threads…` : "Starting a process…";
  // How many threads run at full speed (a few tens of ms in the process the page needs anyway), so
  // every demo defaults to that, not to a reported count the cores cannot keep up with.
  cores = await threadsAtFullSpeed(runtime, reported, build.threads);
  runtime.defaultThreads = cores.defaultThreads;
  if (runtime.current) describe(runtime.current);
  const defaultThreads = cores.defaultThreads;
  cpuDemo = new CpuDemo({ bindings, runtime, pool, cores: reported, coreCheck: cores, threads: build.threads });
  lab = new Lab({ bindings, runtime, module, cpuDemo, cores: reported, defaultThreads, threads: build.threads });
  serverDemo = new ServerDemo({ bindings, runtime, cores: reported, threads: build.threads });
  galleryDemo = new GalleryDemo({ bindings, runtime, defaultThreads, threads: build.threads });
  // The CPU demo, the lab, the server lab and the gallery share processes and their control words: one run at a time.
  cpuDemo.busyElsewhere = () => lab.running || Boolean(serverDemo.running || galleryDemo.running);
  lab.busyElsewhere = () => Boolean(cpuDemo.running || serverDemo.running || galleryDemo.running);
  serverDemo.busyElsewhere = () => Boolean(cpuDemo.running || galleryDemo.running) || lab.running;
  galleryDemo.busyElsewhere = () => Boolean(cpuDemo.running || serverDemo.running) || lab.running;
  recordRuns();
  addSharePanels();
  const linkProblems = followLink(link);
  if (measuring) {
    // Laid out as a reader's embed will be once ready: the buttons' labels, the sample sizes.
    await prepared;
    cpuDemo.enable();
    lab.enable();
    serverDemo.enable();
    galleryDemo.enable();
    // A turn for what the demos redraw on resize; not a frame: browsers skip frames of a hidden iframe.
    await new Promise((settled) => setTimeout(settled, 50));
    postMeasurement(link.demo);
    return;
  }
  followEdits();
  if (build.threads && runtime.current?.threads !== defaultThreads) status.textContent = `Starting a process with ${defaultThreads} threads…`;
  await Promise.all([runtime.processWith(defaultThreads), prepared]);
  cpuDemo.enable();
  lab.enable();
  serverDemo.enable();
  galleryDemo.enable();
  if (link.demo && link.autorun) {
    const problem = autorun(link.demo, link.run);
    if (problem) linkProblems.push(problem);
  }
  if (linkProblems.length) showNotice(linkProblems.join(" "));
}

function showNotice(message) {
  const notice = document.getElementById("env-notice");
  notice.textContent = message;
  notice.hidden = false;
}

boot().then(resolveReady, (error) => {
  showProblem(error.message);
  rejectReady(error);
});
