// The page's handle on one "process" (www/process-worker.js): start it, run work in it, watch its
// progress and cancel it through its shared memory, notice when it crashed or stopped answering,
// and end it. Nothing here blocks the main thread.
import { Watchdog, describeSilence, startWorker } from "./watchdog.js";

/** How often a busy process's crash report is looked at: a crashed thread cannot send a message. */
const CRASH_CHECK_MS = 50;
/** The only request a process serves with its event loop free (it can answer pings meanwhile). */
const ANSWERS_WHILE_BUSY = new Set(["serve"]);
/** Requests whose work checks in every block (src/exec/control.rs): their heartbeat must keep moving. */
const CHECKS_IN = new Set(["run", "chunk", "counter", "gallery"]);
/**
 * In Firefox (esr 153, on a loaded machine) about one start in seven never got past "starting its
 * threads": the process worker froze for good while wasm-bindgen-rayon started its pool threads (not
 * even its own timers ran), and the page waited out the 30 s start deadline. A healthy start takes
 * well under a second even then, so a start still in that step after THREADS_START_MS is ended and
 * a fresh process started, up to THREAD_START_ATTEMPTS starts in all.
 */
const THREADS_START_MS = 8_000;
const THREAD_START_ATTEMPTS = 3;

/**
 * An abort signal for one start attempt: follows `outer`, and (when `retry` allows) fires once the
 * worker has been in "starting its threads" for THREADS_START_MS; `fired` says whether it was that.
 */
function stallWatch(worker, outer, retry) {
  const controller = new AbortController();
  const watch = { signal: controller.signal, fired: false, stop: () => {} };
  let timer = null;
  const onOuter = () => controller.abort(outer.reason);
  if (outer?.aborted) onOuter();
  outer?.addEventListener("abort", onOuter);
  const onMessage = ({ data }) => {
    if (retry && data?.type === "start-busy" && data.step === "starting its threads" && timer === null)
      timer = setTimeout(() => {
        watch.fired = true;
        controller.abort();
      }, THREADS_START_MS);
  };
  worker.addEventListener("message", onMessage);
  watch.stop = () => {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuter);
    worker.removeEventListener("message", onMessage);
  };
  return watch;
}

/**
 * Which build the processes load: `{ glue, wasm, threads }` — the URL of the wasm-bindgen JS module,
 * of its .wasm, and whether it has threads (the default build) or not (the fallback build).
 */
let build = null;

/** Sets the build every process starts from (www/app.js, once it has chosen). */
export function useBuild(chosen) {
  build = chosen;
}

/** The build the processes use. */
export function activeBuild() {
  return build;
}

/** A process ended by a crash: the run it was doing is lost. */
export class ProcessLost extends Error {
  constructor(reason) {
    super(`The process was lost: ${reason}`);
    this.name = "ProcessLost";
    this.reason = reason;
  }
}

/** A process that gave no sign of life, or whose threads' work stalled: the page ended it. */
export class ProcessUnresponsive extends Error {
  constructor(silentMs, what) {
    super(
      what === "work"
        ? `The process stopped answering: its threads' work has not moved for ${describeSilence(silentMs)} ` +
            "(a thread died or is stuck, and the others wait for it), so the page ended it"
        : `The process stopped answering: no sign of life from it for ${describeSilence(silentMs)} (it died or is stuck), so the page ended it`,
    );
    this.name = "ProcessUnresponsive";
  }
}

export class ThreadProcess {
  /**
   * Starts a process with `threads` pool threads (0: no pool, one thread). `module` is the compiled
   * module (a warm start) or the .wasm URL as a string (a cold start: the process compiles it).
   * Resolves once the process is ready. A start that fails, stops answering, outlasts
   * START_TIMEOUT_MS or is aborted through `signal` ends its worker and rejects with the reason.
   */
  static async start(module, threads, { signal } = {}) {
    threads = build.threads ? threads : 0;
    const startedAt = performance.now();
    for (let attempt = 1; ; attempt++) {
      const worker = new Worker(new URL("./process-worker.js", import.meta.url), {
        type: "module",
        name: threads ? `process (${threads} pool thread${threads === 1 ? "" : "s"})` : "process (1 thread)",
      });
      const stalled = stallWatch(worker, signal, attempt < THREAD_START_ATTEMPTS);
      try {
        const ready = await startWorker(worker, { type: "start", module, threads, glue: build.glue }, { what: "The process", signal: stalled.signal });
        return new ThreadProcess(worker, threads, ready, performance.now() - startedAt);
      } catch (error) {
        // The pool threads stalled (startWorker has ended that worker): a fresh process starts normally.
        if (!stalled.fired || signal?.aborted) throw error;
      } finally {
        stalled.stop();
      }
    }
  }

  constructor(worker, threads, ready, startMs) {
    this.worker = worker;
    this.threads = threads;
    this.memory = ready.memory;
    /** Addresses in `memory`, by name, from Rust's own struct layouts (see process-worker.js). */
    this.control = ready.control;
    this.crash = ready.crash;
    /** Called once when the process ends for any reason other than `terminate()`. */
    this.onLost = () => {};
    this.crashWatch = null;
    /** Milliseconds from `new Worker` to a ready pool, seen from the page. */
    this.startMs = startMs;
    this.pending = new Map();
    this.nextId = 1;
    this.alive = true;
    // While work is pending: the process's messages and its shared heartbeat and progress are its signs of life.
    this.watchdog = new Watchdog(worker, {
      alive: () => this.#sharedWord(Uint32Array, "processHeartbeat"),
      work: () => `${this.#sharedWord(Uint32Array, "heartbeat")}:${this.#sharedWord(BigUint64Array, "itemsDone")}`,
      onSilent: (ms, what) => this.#unresponsive(ms, what),
    });
    worker.onmessage = ({ data }) => {
      this.watchdog.heard();
      this.#settle(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#lost(event.message || "the worker stopped");
    };
  }

  /** Whether the page can see this process's memory (shared: the threaded build only). */
  get sharesMemory() {
    return this.memory !== null;
  }

  /**
   * Runs the CPU job; resolves to the run's data or rejects with the reason (cancel included, and
   * `ProcessLost` when a thread crashed). `gil`, `crashTask` and `serialFraction` are the lab's options.
   */
  runCpu({ tasks, n, chunks, parallel, gil = false, crashTask = null, serialFraction = 0 }) {
    this.#resetControl();
    return this.#request({ type: "run", tasks, n, chunks, parallel, gil, crashTask, serialFraction });
  }

  /** Runs one chunk (the process pool's item): resolves to `{ sum, startMs, endMs }`. */
  runChunk({ task, chunk, start, end, originMs, crash = false }) {
    this.#resetControl();
    return this.#request({ type: "chunk", task, chunk, start, end, originMs, crash });
  }

  /** The shared-counter experiment on this process's threads: `{ count, expected, ms }`. */
  countShared({ threads, increments, method }) {
    this.#resetControl();
    return this.#request({ type: "counter", threads, increments, method });
  }

  /** Serves a load under a server model in this process (the server lab); see serveLoad in src/web/server.rs. */
  serve(options) {
    this.#resetControl();
    return this.#request({ type: "serve", ...options });
  }

  /**
   * The scheduler gallery: checks the options on this process's pool and makes the run's live feed;
   * resolves to `{ feed, items, pieces, pieceSize, width, height, maxIter, threads }` (src/web/gallery.rs).
   */
  prepareGallery({ kernel, schedule, pieces, size }) {
    return this.#request({ type: "gallery-prepare", kernel, schedule, pieces, size });
  }

  /** Runs the prepared gallery run; its feed fills meanwhile. Resolves to the run (src/web/gallery.rs). */
  runGallery() {
    this.#resetControl();
    return this.#request({ type: "gallery" });
  }

  /** Requests answered so far in the current serve (the same shared counter as the CPU progress). */
  answered() {
    return this.itemsDone();
  }

  /** Counts to `increments` on this process's own counter: `{ count, ms }`. */
  countAlone(increments) {
    return this.#request({ type: "count-alone", increments });
  }

  /** Sends `bytes` (an ArrayBuffer, copied by the message) and resolves to their byte sum. */
  checksumBytes(bytes) {
    return this.#request({ type: "checksum-bytes", bytes });
  }

  /** Copies `bytes` once into this process's shared memory, where all its threads can read them. */
  async shareInput(bytes) {
    const address = await this.#request({ type: "alloc-input", length: bytes.byteLength });
    new Uint8Array(this.memory.buffer, address, bytes.byteLength).set(new Uint8Array(bytes));
  }

  /** Every thread sums its slice of the shared input in place; resolves to the byte sum. */
  checksumShared() {
    return this.#request({ type: "checksum-shared" });
  }

  /** Bytes of wasm memory this process holds (its own address space). */
  get memoryBytes() {
    return this.memory.buffer.byteLength;
  }

  /** Average microseconds to send a trivial job through the pool and back. */
  tinyJobMicros(rounds) {
    return this.#request({ type: "tiny-jobs", rounds });
  }

  /** How many of this process's threads run at full speed: `{ threads, wallMs, chunkItems, checkMs }` (src/web/cores.rs). */
  calibrate(maxThreads) {
    return this.#request({ type: "calibrate", maxThreads });
  }

  /** Numbers summed so far in the current run, read straight from the process's memory (0 if unseen). */
  itemsDone() {
    return this.sharesMemory ? Number(Atomics.load(this.#itemsWord(), 0)) : 0;
  }

  /**
   * Asks the running job to stop; every chunk checks the flag at least every 65,536 numbers. A process
   * whose memory the page cannot see (the fallback build) cannot be asked: it is ended instead.
   */
  cancel() {
    if (this.sharesMemory) Atomics.store(this.#cancelWord(), 0, 1);
    else if (this.pending.size) {
      this.worker.terminate();
      this.#lost("the run was cancelled");
    }
  }

  terminate() {
    this.worker.terminate();
    this.#lost("the process was ended", { notify: false });
  }

  /** The message a crashed thread left in this process's memory, or null. */
  crashReport() {
    if (!this.sharesMemory) return null;
    const word = (name) => Atomics.load(new Int32Array(this.memory.buffer, this.crash[name], 1), 0);
    if (word("crashed") === 0) return null;
    const length = Math.min(word("length"), this.crash.messageBytes);
    // TextDecoder does not read shared memory: copy the bytes out first.
    const bytes = new Uint8Array(this.memory.buffer, this.crash.message, length).slice();
    return new TextDecoder().decode(bytes);
  }

  #resetControl() {
    if (!this.sharesMemory) return;
    // Reset both shared words *before* the work is sent: a Cancel pressed right after must stick.
    Atomics.store(this.#cancelWord(), 0, 0);
    Atomics.store(this.#itemsWord(), 0, 0n);
  }

  /** While work is pending, looks for a crash report: a crashed pool thread never answers. */
  #watchForCrash() {
    // Without shared memory, a crash can only happen on the process's own thread, which reports it.
    if (this.crashWatch || !this.sharesMemory) return;
    this.crashWatch = setInterval(() => {
      const report = this.crashReport();
      if (report !== null) this.#crashed(report);
    }, CRASH_CHECK_MS);
  }

  #crashed(message) {
    // After a panic the process cannot be trusted (a thread died mid-work, holding whatever it held).
    this.worker.terminate();
    this.#lost(`a thread panicked: ${message}`, { crash: true });
  }

  #cancelWord() {
    return new Int32Array(this.memory.buffer, this.control.cancel, 1);
  }

  #itemsWord() {
    return new BigUint64Array(this.memory.buffer, this.control.itemsDone, 1);
  }

  /** One of the control words by name (see controlWords in src/web/mod.rs), or 0 when the page cannot see them. */
  #sharedWord(View, name) {
    return this.sharesMemory ? Atomics.load(new View(this.memory.buffer, this.control[name], 1), 0) : 0;
  }

  #unresponsive(silentMs, what) {
    // Its pool threads outlive a terminated process and would work on for nothing: stop them first.
    if (this.sharesMemory) Atomics.store(this.#cancelWord(), 0, 1);
    this.worker.terminate();
    this.#lost(null, { error: new ProcessUnresponsive(silentMs, what) });
  }

  #request(message) {
    if (!this.alive) return Promise.reject(new Error("This process has ended."));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
      this.#watchForCrash();
      // A blocking run answers no ping: only a process whose memory the page sees can show it is alive
      // meanwhile, through the words its work bumps. The fallback build's process (no shared memory)
      // is watched only while its event loop is free; a blocking run there is not watched, and Cancel
      // ends it by terminating it. The short blocking requests that bump nothing (the hand-off, tiny
      // jobs, a process's own count) are not watched either; their callers end such a process on cancel.
      const checksIn = this.sharesMemory && CHECKS_IN.has(message.type);
      if (checksIn || ANSWERS_WHILE_BUSY.has(message.type)) this.watchdog.start({ watchWork: checksIn });
    });
  }

  #settle(data) {
    if (data.type === "crashed") {
      this.#crashed(data.message);
      return;
    }
    const waiting = this.pending.get(data.id);
    if (!waiting) return;
    this.pending.delete(data.id);
    if (this.pending.size === 0) this.#stopWatching();
    if (data.type === "done") waiting.resolve(data.run);
    else waiting.reject(new Error(data.message));
  }

  #stopWatching() {
    clearInterval(this.crashWatch);
    this.crashWatch = null;
    this.watchdog.stop();
  }

  #lost(reason, { notify = true, crash = false, error = null } = {}) {
    if (!this.alive) return;
    this.alive = false;
    this.#stopWatching();
    error ??= crash ? new ProcessLost(reason) : new Error(`The process was lost: ${reason}.`);
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    if (notify) this.onLost(error);
  }
}
