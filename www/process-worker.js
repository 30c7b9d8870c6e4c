// A "process": one dedicated worker holding one wasm instance with its own memory.
// Its rayon pool (started by initThreadPool) are its threads; they share that memory. A process of
// the process pool (processes mode) has no pool: `threads: 0`, one thread, like a Python process.
//
// Messages in (each answered by { type: "done", id, run } or { type: "failed", id, message }):
//   { type: "start", module, threads, glue } → { type: "ready", memory, addresses, control, crash, startupMs }
//        `control` and `crash`: the addresses of the control words and the crash report's parts, by
//        name (controlWords and crashWords in src/web); `addresses` the control words as a list.
//        `glue` is the chosen build's wasm-bindgen module URL; `memory` is null for the fallback build.
//        `module` is a compiled WebAssembly.Module (a warm start) or the .wasm URL (a cold start:
//        this process fetches and compiles it itself, as a freshly spawned Python re-imports).
//   { type: "run", id, tasks, n, chunks, parallel, gil, crashTask, serialFraction }
//   { type: "chunk", id, task, chunk, start, end, originMs, crash }   one chunk (the process pool's item)
//   { type: "counter", id, threads, increments, method }
//   { type: "count-alone", id, increments }     this process's own counter (no threads)
//   { type: "checksum-bytes", id, bytes }       the hand-off: bytes copied in by the message
//   { type: "alloc-input", id, length }          the hand-off: room in shared memory for the page
//   { type: "checksum-shared", id }              the hand-off: threads read the shared input in place
//   { type: "tiny-jobs", id, rounds }
//   { type: "gallery-prepare", id, kernel, schedule, pieces, size } → the live feed's addresses (src/web/gallery.rs)
//   { type: "gallery", id }                      runs the prepared gallery run; the page reads the feed meanwhile
//   { type: "calibrate", id, maxThreads }        how many pool threads run at full speed (src/web/cores.rs)
//   { type: "serve", id, model, poolSize, clients, rate, requests, ioMs, cpuMs, cores }   the server lab (async;
//        the thread pool of k needs a process of k pool threads; `cores`: the device's, for the bound)
//   { type: "ping" } → { type: "pong" }   answered whenever the event loop is free: the page's watchdog
//        (www/watchdog.js) takes it as a sign of life; during a blocking run the shared heartbeat speaks.
// While starting, { type: "start-busy", step } says the start enters a step that may hold the event loop
// (the thread pool and the warm-up): no pong until "ready", so only the start's deadline applies.
// A panic aborts: a run that crashes answers { type: "crashed", id, message } and the page ends this
// process. A thread of the pool that crashes cannot answer at all: the page sees the crash report
// in shared memory (see crashWords in src/web/lab.rs) and ends the process.
/** The chosen build's wasm-bindgen module (the page says which in "start"). */
let wasm = null;

const WARM_UP_N = 2_000_000;

async function start({ module, threads, glue }) {
  const started = performance.now();
  wasm = await import(glue);
  // A compiled module skips a second compile; a URL makes this process compile its own.
  const exports = await wasm.default({ module_or_path: module });
  wasm.installCrashReporter();
  postMessage({ type: "start-busy", step: threads > 0 ? "starting its threads" : "warming up" });
  if (threads > 0) await wasm.initThreadPool(threads);
  // Warm-up: V8 first runs wasm with its baseline compiler and swaps in optimised code once a
  // function is hot. Without this, a learner's first run is the slow one and every speedup shown
  // against it is inflated. A small run on the calling thread and on every pool thread does it.
  wasm.runCpu("1", String(WARM_UP_N), "1", false);
  if (threads > 0) wasm.runCpu(String(threads), String(WARM_UP_N), "1", true);
  postMessage({
    type: "ready",
    // Only shared memory can be sent; the fallback build's memory stays private to this process.
    memory: wasm.hasThreads() ? exports.memory : null,
    addresses: Array.from(wasm.controlAddresses()),
    control: wasm.controlWords(),
    crash: wasm.crashWords(),
    startupMs: performance.now() - started,
  });
}

const handlers = {
  run: ({ tasks, n, chunks, parallel, gil = false, crashTask, serialFraction = 0 }) =>
    wasm.runCpuWith(String(tasks), String(n), String(chunks), parallel, gil, crashTask ?? undefined, serialFraction),
  chunk: ({ task, chunk, start, end, originMs, crash = false }) => wasm.runChunk(task, chunk, start, end, originMs, crash),
  counter: ({ threads, increments, method }) => wasm.countShared(threads, increments, method),
  "count-alone": ({ increments }) => wasm.countInProcess(increments),
  "checksum-bytes": ({ bytes }) => wasm.checksumBytes(new Uint8Array(bytes)),
  "alloc-input": ({ length }) => wasm.allocInput(length),
  "checksum-shared": () => wasm.checksumShared(),
  "tiny-jobs": ({ rounds }) => wasm.tinyJobMicros(rounds),
  calibrate: ({ maxThreads }) => wasm.calibrateThreads(maxThreads),
  "gallery-prepare": ({ kernel, schedule, pieces, size }) => wasm.prepareGallery(kernel, schedule, pieces ?? undefined, size ?? undefined),
  gallery: () => wasm.runGallery(),
  // Async: the server lab's event loop is this worker's; the answer comes when the load is served.
  serve: ({ model, poolSize, clients, rate, requests, ioMs, cpuMs, cores }) =>
    wasm.serveLoad(model, poolSize ?? undefined, clients ?? undefined, rate ?? undefined, requests, ioMs, cpuMs, cores ?? undefined),
};

async function answer(data) {
  let reply;
  try {
    reply = { type: "done", id: data.id, run: await handlers[data.type](data) };
  } catch (error) {
    reply = failure(data.id, error);
  }
  // Every request gets an answer, even one whose result cannot be sent.
  try {
    postMessage(reply);
  } catch (error) {
    postMessage({ type: "failed", id: data.id, message: `the result could not be sent: ${error?.message ?? error}` });
  }
}

/** The answer to a request that threw: a crash (with the panic's message) or a plain failure. */
function failure(id, error) {
  const message = error?.message ?? String(error);
  let crash;
  try {
    crash = wasm.crashMessage();
  } catch {
    // An instance that cannot even read its crash report after a trap is broken: report the trap.
    return { type: "crashed", id, message };
  }
  return crash !== undefined ? { type: "crashed", id, message: crash } : { type: "failed", id, message };
}

self.addEventListener("message", ({ data }) => {
  if (data?.type === "ping") {
    postMessage({ type: "pong" });
  } else if (data?.type === "start") {
    start(data).catch((error) => postMessage({ type: "start-failed", message: error?.message ?? String(error) }));
  } else if (Object.hasOwn(handlers, data?.type ?? "")) {
    answer(data);
  }
  // wasm-bindgen-rayon's own messages to nested workers never reach here; anything else is ignored.
});
