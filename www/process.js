// The page's handle on one "process" (www/process-worker.js): start it, run work in it, watch its
// progress and cancel it through its shared memory, and end it. Nothing here blocks the main thread.

const CANCEL = 0;
const ITEMS_DONE = 1;

export class ThreadProcess {
  /** Starts a process with `threads` pool threads. Resolves once its pool is ready. */
  static async start(module, threads) {
    const worker = new Worker(new URL("./process-worker.js", import.meta.url), {
      type: "module",
      name: `process (${threads} threads)`,
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
      worker.postMessage({ type: "start", module, threads });
    });
    return new ThreadProcess(worker, threads, ready, performance.now() - startedAt);
  }

  constructor(worker, threads, ready, startMs) {
    this.worker = worker;
    this.threads = threads;
    this.memory = ready.memory;
    this.addresses = ready.addresses;
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

  /** Runs the CPU job; resolves to the run's data or rejects with the reason (cancel included). */
  runCpu({ tasks, n, chunks, parallel }) {
    // Reset both shared words *before* the run is sent: a Cancel pressed right after must stick.
    Atomics.store(this.#cancelWord(), 0, 0);
    Atomics.store(this.#itemsWord(), 0, 0n);
    return this.#request({ type: "run", tasks, n, chunks, parallel });
  }

  /** Average microseconds to send a trivial job through the pool and back. */
  tinyJobMicros(rounds) {
    return this.#request({ type: "tiny-jobs", rounds });
  }

  /** Numbers summed so far in the current run, read straight from the process's memory. */
  itemsDone() {
    return Number(Atomics.load(this.#itemsWord(), 0));
  }

  /** Asks the running job to stop; every chunk checks the flag at least every 65,536 numbers. */
  cancel() {
    Atomics.store(this.#cancelWord(), 0, 1);
  }

  terminate() {
    this.worker.terminate();
    this.#lost("the process was ended");
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
    });
  }

  #settle(data) {
    const waiting = this.pending.get(data.id);
    if (!waiting) return;
    this.pending.delete(data.id);
    if (data.type === "done") waiting.resolve(data.run);
    else waiting.reject(new Error(data.message));
  }

  #lost(reason) {
    this.alive = false;
    for (const { reject } of this.pending.values()) reject(new Error(`The process was lost: ${reason}.`));
    this.pending.clear();
  }
}
