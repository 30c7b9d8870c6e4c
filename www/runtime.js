// Keeps the page's one threaded process. A rayon pool cannot be resized, so asking for another
// thread count ends the current process and starts a new one (README.md, "How it is built").
import { ThreadProcess, activeBuild } from "./process.js";

export class CpuRuntime {
  constructor(module) {
    this.module = module;
    this.current = null;
    this.starting = null;
    this.onChange = () => {};
    /** Threads a process gets when nobody asked for a count: what ran at full speed here (www/cores.js). */
    this.defaultThreads = null;
  }

  /** A ready process with exactly `threads` threads, starting one if needed. */
  async processWith(threads) {
    if (!activeBuild().threads) threads = 0;
    if (this.current?.alive && this.current.threads === threads) return this.current;
    if (this.starting?.threads === threads) return this.starting.promise;
    this.current?.terminate();
    this.current = null;
    const promise = ThreadProcess.start(this.module, threads).then(
      (process) => {
        this.current = process;
        this.starting = null;
        this.onChange(process);
        return process;
      },
      (error) => {
        this.starting = null;
        throw error;
      },
    );
    this.starting = { threads, promise };
    return promise;
  }

  /** The current process whatever its thread count (a sequential run uses only its own thread). */
  async anyProcess() {
    if (this.current?.alive) return this.current;
    if (this.starting) return this.starting.promise.catch(() => this.processWith(this.#defaultThreads()));
    return this.processWith(this.#defaultThreads());
  }

  #defaultThreads() {
    // The fallback build has no threads: its processes have their own thread only.
    return activeBuild().threads ? (this.defaultThreads ?? (navigator.hardwareConcurrency || 1)) : 0;
  }
}
