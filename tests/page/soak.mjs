// The soak: hundreds of mixed runs through `window.playground`, with the page's memory measured
// between them. Shared by the soak test (tests/page/soak.test.mjs, which asserts) and the benchmark
// (bench/soak.mjs, which prints the figures).
//
// What is measured, and how, without the page exposing anything for it:
// - the page's JS heap: V8's own count through the DevTools protocol (HeapProfiler.collectGarbage,
//   then Runtime.getHeapUsage), after a full garbage collection;
// - the page's DOM: nodes and event listeners (Memory.getDOMCounters);
// - wasm memories: every WebAssembly.Memory alive in the page's heap (Runtime.queryObjects — the page's
//   own instance, and each process's shared memory the page was handed), and in each process and
//   download thread (a dedicated worker) the memory of its own instance, read from the wasm-bindgen
//   module that worker already imported (importing the same URL again gives the same module).

/** The runs that make one round of the mix, at sizes that take milliseconds. */
const MODELS = ["one-at-a-time", "thread-pool", "async", "async-pool"];
const COUNTER_METHODS = ["racy", "atomic", "mutex", "local"];
const DOWNLOAD_MODES = [
  { mode: "sequential" },
  { mode: "concurrent" },
  { mode: "bounded", limit: 2 },
  { mode: "threads", limit: 2 },
];

/** The `i`-th run of `kind`, its options varying from run to run so every mode and model is exercised. */
export function runOf(kind, i) {
  switch (kind) {
    case "cpu-threads":
      return ["cpu", { mode: "threads", threads: 2, tasks: 4, n: 100_000, chunks: 8 }];
    case "cpu-processes":
      return ["cpu", { mode: "processes", processes: 2, tasks: 4, n: 100_000, chunks: 8 }];
    case "cpu-sequential":
      return ["cpu", { mode: "sequential", tasks: 4, n: 100_000, chunks: 8 }];
    case "downloads":
      return ["downloads", { samples: 3, network: "none", ...DOWNLOAD_MODES[i % DOWNLOAD_MODES.length] }];
    case "counter":
      return ["counter", { threads: 2, increments: 1000, method: COUNTER_METHODS[i % COUNTER_METHODS.length] }];
    case "server":
      return ["server", { model: MODELS[i % MODELS.length], clients: 4, requests: 40, ioMs: 1, cpuMs: 0.2, ...(MODELS[i % MODELS.length] === "thread-pool" ? { poolSize: 4 } : {}) }];
    default:
      throw new Error(`no soak run called ${kind}`);
  }
}

/** One round of the mix: each kind of run once (three CPU modes, downloads, the counter, the server). */
export const MIX = ["cpu-threads", "cpu-processes", "cpu-sequential", "downloads", "counter", "server"];

/** Which history each kind of run lands in (`playground.history.<demo>`). */
export const HISTORY_OF = { cpu: "cpu", downloads: "downloads", counter: "processes", server: "server" };

/**
 * Runs the kinds in `list` one after another through `window.playground`; every run must succeed.
 * Returns how many runs each API function had.
 */
export async function runAll(page, list) {
  const calls = {};
  const nth = {};
  for (const [index, kind] of list.entries()) {
    nth[kind] = (nth[kind] ?? -1) + 1;
    const [name, options] = runOf(kind, nth[kind]);
    const outcome = await page.evaluate(
      async ([name, options]) => {
        try {
          const result = await playground[name](options);
          if (name === "downloads" && !result.files.every((f) => f.ok)) return `a download failed: ${JSON.stringify(result.files.find((f) => !f.ok))}`;
          return null;
        } catch (error) {
          return `${error?.name}: ${error?.message}`;
        }
      },
      [name, options],
    );
    if (outcome) throw new Error(`soak run ${index} (${kind}, ${JSON.stringify(options)}) failed: ${outcome}`);
    calls[name] = (calls[name] ?? 0) + 1;
  }
  return calls;
}

/** A CDP session on `page`, for the measurements below. */
export const memorySession = (page) => page.context().newCDPSession(page);

/**
 * The page's memory after a full garbage collection: `{ jsHeapUsed, jsHeapTotal, nodes, listeners,
 * pageMemories: [bytes…], workers: [{ url, wasmBytes }], wasmBytes }` where `wasmBytes` is the page's
 * own instance plus every process's and download thread's instance (each counted once).
 */
export async function measureMemory(page, cdp) {
  // Twice: objects freed by the first collection's finalizers go in the second.
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize, totalSize } = await cdp.send("Runtime.getHeapUsage");
  const { nodes, jsEventListeners } = await cdp.send("Memory.getDOMCounters");
  const group = "soak-measurement";
  let pageMemories;
  try {
    const { result: prototype } = await cdp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype", objectGroup: group });
    const { objects } = await cdp.send("Runtime.queryObjects", { prototypeObjectId: prototype.objectId, objectGroup: group });
    const { result } = await cdp.send("Runtime.callFunctionOn", {
      objectId: objects.objectId,
      functionDeclaration: "function () { return this.map((memory) => memory.buffer.byteLength); }",
      returnByValue: true,
      objectGroup: group,
    });
    pageMemories = result.value;
  } finally {
    // The handles above would keep every memory they found alive: let them go.
    await cdp.send("Runtime.releaseObjectGroup", { objectGroup: group });
  }
  // The build the page chose (threads or fallback): the module its processes and threads imported.
  const glue = await page.evaluate(async () => (await import("./www/process.js")).activeBuild().glue);
  const ownBytes = (glueUrl) =>
    import(glueUrl).then(async (bindings) => {
      try {
        bindings.hasThreads(); // throws while this realm's instance does not exist yet
      } catch {
        return null;
      }
      // Initialised already: returns the existing instance's exports, starts nothing.
      return (await bindings.default()).memory.buffer.byteLength;
    });
  const pageBytes = await page.evaluate(`(${ownBytes})(${JSON.stringify(glue)})`);
  const workers = [];
  for (const worker of page.workers()) {
    const url = worker.url();
    // Processes and download threads hold an instance of their own; a process's pool threads share
    // its memory, so they are not counted again.
    if (!/(process|io)-worker\.js/.test(url)) continue;
    workers.push({ url: url.replace(/^.*\//, ""), wasmBytes: await worker.evaluate(`(${ownBytes})(${JSON.stringify(glue)})`).catch(() => null) });
  }
  return {
    jsHeapUsed: usedSize,
    jsHeapTotal: totalSize,
    nodes,
    listeners: jsEventListeners,
    pageMemories,
    workers,
    wasmBytes: pageBytes + workers.reduce((sum, w) => sum + (w.wasmBytes ?? 0), 0),
  };
}

const MB = 1024 * 1024;
/** One line of figures for a checkpoint. */
export const describeMemory = (m) =>
  `JS heap ${(m.jsHeapUsed / MB).toFixed(2)} MB used (${(m.jsHeapTotal / MB).toFixed(2)} MB allocated), ${m.nodes} DOM nodes, ` +
  `${m.listeners} listeners; wasm ${(m.wasmBytes / MB).toFixed(1)} MB in ${m.workers.length} workers + the page; ` +
  `${m.pageMemories.length} wasm memories alive in the page (${(m.pageMemories.reduce((a, b) => a + b, 0) / MB).toFixed(1)} MB)`;

/**
 * The soak: a warm-up that fills every demo's history to `historyLimit` runs (and starts every
 * process, pool and download thread), then `rounds` rounds of the mix in two halves, with the memory
 * measured after the warm-up ("start"), after the first half ("middle") and at the end.
 * Resolves to `{ checkpoints: [{ label, runs, memory }], calls: { cpu, downloads, counter, server } }`.
 */
export async function runSoak(page, { historyLimit, rounds = 20, log = () => {} }) {
  const cdp = await memorySession(page);
  const calls = {};
  const count = (more) => {
    for (const [name, n] of Object.entries(more)) calls[name] = (calls[name] ?? 0) + n;
  };
  const runs = () => Object.values(calls).reduce((a, b) => a + b, 0);
  const warmUp = [];
  for (let i = 0; i < historyLimit; i++) warmUp.push(MIX[i % 3], "downloads", "counter", "server");
  log(`warm-up: ${warmUp.length} runs, every history filled to ${historyLimit}…`);
  count(await runAll(page, warmUp));
  const checkpoints = [{ label: "start", runs: runs(), memory: await measureMemory(page, cdp) }];
  for (const label of ["middle", "end"]) {
    log(`${rounds / 2} rounds of the mix (${(rounds / 2) * MIX.length} runs)…`);
    count(await runAll(page, Array.from({ length: rounds / 2 }, () => MIX).flat()));
    checkpoints.push({ label, runs: runs(), memory: await measureMemory(page, cdp) });
  }
  await cdp.detach();
  return { checkpoints, calls };
}

/**
 * How much the page may grow after the warm-up (every history full), each with its reason. Between
 * "start" and the later checkpoints nothing should be kept that was not kept before: every history
 * holds its last runs, each demo its last result, each pool its workers.
 */
export const GROWTH_BOUNDS = {
  jsHeapBytes: {
    bound: 64 * 1024,
    why: "measured after a full collection, the heap moved by −1.4 to +4.2 KB between checkpoints in four soaks of the capped page, and grew by 330 KB (2.8 KB a run) with the cap removed; 64 KB lets through less than 0.5 KB a run over the 120 measured runs",
  },
  nodes: {
    bound: 20,
    why: "each run replaces its demo's result table and timeline (0 nodes of growth measured); an uncapped history list adds 7 nodes a run, 840 over the 120 measured runs",
  },
  wasmBytes: {
    bound: 0,
    why: "a wasm memory only grows, and after the warm-up every allocation fits memory that was freed (0 bytes of growth measured): any growth is a leak in Rust or a new instance",
  },
};
