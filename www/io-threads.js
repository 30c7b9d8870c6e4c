// The downloads demo's "threads" mode: a pool of download threads (dedicated workers, each with its
// own instance of the Rust module). Each thread takes the next file from one shared queue and
// downloads it to the end before taking another — blocking I/O, one file per thread at a time.
import { activeBuild } from "./process.js";

export class DownloadThreads {
  constructor(module) {
    this.module = module;
    this.threads = [];
  }

  /** Starts threads until there are `count`; resolves to the milliseconds that took (0 if none new). */
  async ensure(count) {
    const started = performance.now();
    const starting = [];
    while (this.threads.length < count) {
      const worker = new Worker(new URL("./io-worker.js", import.meta.url), { type: "module", name: `download thread ${this.threads.length}` });
      const thread = { worker, ready: null };
      thread.ready = new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => (data.type === "ready" ? resolve() : undefined);
        worker.onerror = (event) => reject(new Error(`a download thread failed to start: ${event.message ?? "unknown error"}`));
      });
      worker.postMessage({ type: "start", module: this.module, glue: activeBuild().glue });
      this.threads.push(thread);
      starting.push(thread.ready);
    }
    await Promise.all(this.threads.slice(0, count).map((t) => t.ready));
    return starting.length ? performance.now() - started : 0;
  }

  /**
   * Downloads `files` on `count` threads. Results come back in file order, in `downloadFiles`' shape;
   * files never started because of `signal` are reported as cancelled.
   */
  async run({ files, count, originMs, timeoutMs, signal, onEvent }) {
    await this.ensure(count);
    const results = new Array(files.length);
    let next = 0;
    const now = () => performance.timeOrigin + performance.now() - originMs;
    const loop = async (thread) => {
      while (next < files.length) {
        const index = next++;
        if (signal.aborted) {
          results[index] = cancelled(files[index], index, now());
          continue;
        }
        results[index] = await this.#download(thread, files[index], index, originMs, timeoutMs, signal, onEvent);
      }
    };
    await Promise.all(this.threads.slice(0, count).map(loop));
    return results;
  }

  #download(thread, file, index, originMs, timeoutMs, signal, onEvent) {
    const { worker } = thread;
    return new Promise((resolve) => {
      const onAbort = () => worker.postMessage({ type: "cancel" });
      signal.addEventListener("abort", onAbort);
      worker.onmessage = ({ data }) => {
        if (data.type === "event") onEvent(data.event);
        else if (data.type === "result" || data.type === "failed") {
          signal.removeEventListener("abort", onAbort);
          const atMs = performance.timeOrigin + performance.now() - originMs;
          resolve(data.type === "result" ? data.result : failed(file, index, `the download thread failed: ${data.message}`, atMs));
        }
      };
      worker.postMessage({ type: "download", file, index, originMs, timeoutMs });
    });
  }

  terminate() {
    for (const { worker } of this.threads) worker.terminate();
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
