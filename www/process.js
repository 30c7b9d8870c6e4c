// The page's handle on one "process" (www/process-worker.js): start it, run work in it, watch its
// progress and cancel it through its shared memory, notice when it crashed, and end it. Nothing here
// blocks the main thread.

const CANCEL = 0;
const ITEMS_DONE = 1;
/** How often a busy process's crash report is looked at: a crashed thread cannot send a message. */
const CRASH_CHECK_MS = 50;

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

export class ThreadProcess {
  /**
   * Starts a process with `threads` pool threads (0: no pool, one thread). `module` is the compiled
   * module (a warm start) or the .wasm URL as a string (a cold start: the process compiles it).
   * Resolves once the process is ready.
   */
  static async start(module, threads) {
    const worker = new Worker(new URL("./process-worker.js", import.meta.url), {
      type: "module",
      name: threads ? `process (${threads} threads)` : "process (1 thread)",
    });
    const startedAt = performance.now();
    const ready = await new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => {
        if (data.type === "ready") resolve(data);
        else if (data.type === "start-failed")
          reject(new Error(`The process could not start: ${data.message}`));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`The process could not start: ${event.message || "its script failed to load"}`));
      };
      worker.postMessage({ type: "start", module, threads: build.threads ? threads : 0, glue: build.glue });
    });
    return new ThreadProcess(worker, build.threads ? threads : 0, ready, performance.now() - startedAt);
  }

  constructor(worker, threads, ready, startMs) {
    this.worker = worker;
    this.threads = threads;
    this.memory = ready.memory;
    this.addresses = ready.addresses;
    this.crashAddress = ready.crashAddress;
    /** Called once when the process ends for any reason other than `terminate()`. */
    this.onLost = () => {};
    this.crashWatch = null;
    /** Milliseconds from `new Worker` to a ready pool, seen from the page. */
    this.startMs = startMs;
    this.pending = new Map();
    this.nextId = 1;
    this.alive = true;
    worker.onmessage = ({ data }) => this.#settle(data);
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
    const words = new Int32Array(this.memory.buffer, this.crashAddress, 2);
    if (Atomics.load(words, 0) === 0) return null;
    const length = Atomics.load(words, 1);
    // TextDecoder does not read shared memory: copy the bytes out first.
    const bytes = new Uint8Array(this.memory.buffer, this.crashAddress + 8, length).slice();
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
    return new Int32Array(this.memory.buffer, this.addresses[CANCEL], 1);
  }

  #itemsWord() {
    return new BigUint64Array(this.memory.buffer, this.addresses[ITEMS_DONE], 1);
  }

  #request(message) {
    if (!this.alive) return Promise.reject(new Error("This process has ended."));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
      this.#watchForCrash();
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
  }

  #lost(reason, { notify = true, crash = false } = {}) {
    if (!this.alive) return;
    this.alive = false;
    this.#stopWatching();
    const error = crash ? new ProcessLost(reason) : new Error(`The process was lost: ${reason}.`);
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    if (notify) this.onLost(error);
  }
}
