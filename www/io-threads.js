// The downloads demo's "threads" mode: a pool of download threads (dedicated workers, each with its
// own instance of the Rust module). Each thread takes the next file from one shared queue and
// downloads it to the end before taking another — blocking I/O, one file per thread at a time.
// A thread that fails to start is not kept; one that dies or stops answering mid-file fails that
// file within a second (www/watchdog.js), leaves the pool, and the others take the remaining files.
import { takeJobsInTurn } from "./kit.js";
import { activeBuild } from "./process.js";
import { Watchdog, describeSilence, startWorker } from "./watchdog.js";

export class DownloadThreads {
  constructor(module) {
    this.module = module;
    /** Live threads: `{ worker, alive }`. */
    this.threads = [];
    this.started = 0;
  }

  /**
   * Starts threads until there are `count`; resolves to the milliseconds that took (0 if none new).
   * A thread that cannot start is ended and left out, and the call rejects with why; the next call
   * starts a new one.
   */
  async ensure(count) {
    const started = performance.now();
    const starting = [];
    while (this.threads.length + starting.length < count) starting.push(this.#startThread());
    const outcomes = await Promise.allSettled(starting);
    for (const outcome of outcomes) if (outcome.status === "fulfilled") this.threads.push(outcome.value);
    const failed = outcomes.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    return starting.length ? performance.now() - started : 0;
  }

  async #startThread() {
    const worker = new Worker(new URL("./io-worker.js", import.meta.url), { type: "module", name: `download thread ${this.started++}` });
    await startWorker(worker, { type: "start", module: this.module, glue: activeBuild().glue }, { what: "A download thread" });
    return { worker, alive: true };
  }

  /**
   * Downloads `files` on `count` threads. Results come back in file order, in `downloadFiles`' shape;
   * files never started because of `signal` are reported as cancelled, and the file of a thread that
   * died as failed.
   */
  async run({ files, count, originMs, timeoutMs, signal, onEvent }) {
    await this.ensure(count);
    const results = new Array(files.length);
    const now = () => performance.timeOrigin + performance.now() - originMs;
    const downloadOne = async (thread, file, index) => {
      results[index] = signal.aborted ? cancelled(file, index, now()) : await this.#download(thread, file, index, originMs, timeoutMs, signal, onEvent);
    };
    await takeJobsInTurn(files, this.threads.slice(0, count), downloadOne, (thread) => thread.alive);
    // Left over only when every thread died before the queue was empty.
    for (let index = 0; index < files.length; index++)
      results[index] ??= failed(files[index], index, "no download thread was left to take it", now());
    return results;
  }

  #download(thread, file, index, originMs, timeoutMs, signal, onEvent) {
    const { worker } = thread;
    const atMs = () => performance.timeOrigin + performance.now() - originMs;
    return new Promise((resolve) => {
      // Fetching leaves the thread's event loop free: it answers pings and sends progress meanwhile.
      const watchdog = new Watchdog(worker, {
        onSilent: (ms) => lose(`the download thread stopped answering (no sign of life for ${describeSilence(ms)}), so the page ended it`),
      });
      const onAbort = () => worker.postMessage({ type: "cancel" });
      const finish = () => {
        watchdog.stop();
        signal.removeEventListener("abort", onAbort);
        worker.onmessage = null;
        worker.onerror = null;
      };
      const lose = (message) => {
        finish();
        this.#end(thread);
        resolve(failed(file, index, message, atMs()));
      };
      signal.addEventListener("abort", onAbort);
      worker.onmessage = ({ data }) => {
        watchdog.heard();
        if (data.type === "event") onEvent(data.event);
        else if (data.type === "result" || data.type === "failed") {
          finish();
          resolve(data.type === "result" ? data.result : failed(file, index, `the download thread failed: ${data.message}`, atMs()));
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        lose(`the download thread failed: ${event.message || "it stopped"}`);
      };
      worker.postMessage({ type: "download", file, index, originMs, timeoutMs });
      watchdog.start();
    });
  }

  /** Ends a thread and takes it out of the pool (the next run starts a new one in its place). */
  #end(thread) {
    thread.alive = false;
    thread.worker.terminate();
    this.threads = this.threads.filter((t) => t !== thread);
  }

  terminate() {
    for (const thread of this.threads) {
      thread.alive = false;
      thread.worker.terminate();
    }
    this.threads = [];
  }
}

function cancelled(file, index, atMs) {
  return { index, url: file.url, ok: false, status: 0, bytes: 0, sha256: null, error: "cancelled", errorKind: "cancelled",
    retryable: true, startMs: atMs, queuedMs: 0, firstByteMs: null, endMs: atMs, verified: false, simulated: false };
}

function failed(file, index, message, atMs) {
  return { ...cancelled(file, index, atMs), error: message, errorKind: "internal" };
}
