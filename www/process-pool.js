// The analog of Python's `multiprocessing.Pool(N)`: N processes, each a dedicated worker with its own
// wasm instance and its own memory, no threads of their own. Chunks go out and results come back as
// messages (structured clone: the analog of pickling). A process that crashes is reported, its task
// is marked failed, and a new process takes its place; the other results still arrive. A process that
// stops answering (it died, or is stuck) fails the whole map: the others are stopped at once.
import { takeJobsInTurn } from "./kit.js";
import { ProcessLost, ThreadProcess } from "./process.js";

/** The plan Rust's `planChunks` returns (flat: task, chunk, start, end per chunk) as the pool's items. */
export function chunksOfPlan(flat) {
  const chunks = [];
  for (let i = 0; i < flat.length; i += 4) chunks.push({ task: flat[i], chunk: flat[i + 1], start: flat[i + 2], end: flat[i + 3] });
  return chunks;
}

export class ProcessPool {
  constructor(module) {
    this.module = module;
    this.processes = [];
    this.ended = false;
    /** Processes started to replace crashed ones, since the page opened. */
    this.replaced = 0;
  }

  /**
   * Makes sure `count` live processes exist; resolves to the milliseconds starting the missing ones
   * took. Rejects with the first start's failure (or an AbortError through `signal`) once every
   * start has ended: a start still under way would otherwise fill its slot after terminate().
   */
  async ensure(count, { signal } = {}) {
    const started = performance.now();
    const starting = [];
    for (let slot = 0; slot < count; slot++) {
      if (!this.processes[slot]?.alive) starting.push(this.#startAt(slot, signal));
    }
    const failed = (await Promise.allSettled(starting)).find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    return starting.length ? performance.now() - started : 0;
  }

  async #startAt(slot, signal) {
    // A slot whose start failed stays empty, so the next ensure() tries again.
    this.processes[slot] = undefined;
    const process = await ThreadProcess.start(this.module, 0, { signal });
    // Ended meanwhile (terminate() emptied the pool): this process has no slot to fill.
    if (this.ended) {
      process.terminate();
      throw new Error("The process pool was ended.");
    }
    this.processes[slot] = process;
    return process;
  }

  /** Bytes of wasm memory held by the first `count` processes together (each its own). */
  memoryBytes(count) {
    return this.processes.slice(0, count).reduce((sum, p) => sum + (p?.alive ? p.memoryBytes : 0), 0);
  }

  /** Numbers summed so far by the chunks in progress plus `finishedItems`. */
  itemsDone(count, finishedItems) {
    return this.processes.slice(0, count).reduce((sum, p) => sum + (p?.alive && p.busy ? p.itemsDone() : 0), finishedItems);
  }

  /**
   * Runs `chunks` ([{ task, chunk, start, end }]) on `count` processes, each taking the next chunk
   * when it is free (Pool.map with chunksize 1). `crashTask` makes that task's first chunk panic.
   * Resolves to `{ chunks: [{ task, chunk, sum, startMs, endMs, worker }], errors: [{ task, message }] }`;
   * a crashed chunk has `sum: null`. Rejects with an AbortError when `control.cancelled` is set, and
   * with the first other failure (a process that stopped answering, a start that failed) at once:
   * the other processes are asked to stop their chunks rather than finish the map.
   */
  async map(chunks, { count, crashTask = null, originMs, control }) {
    await this.ensure(count);
    const results = [];
    const errors = [];
    let failure = null;
    const slots = Array.from({ length: count }, (_, slot) => slot);
    const runChunk = async (slot, job) => {
      let process = this.processes[slot];
      try {
        if (!process?.alive) process = await this.#startAt(slot);
        process.busy = true;
        const done = await process.runChunk({ ...job, originMs, crash: job.task === crashTask });
        results.push({ ...job, sum: done.sum, startMs: done.startMs, endMs: done.endMs, worker: slot });
        control.finishedItems += job.end - job.start;
        return true;
      } catch (error) {
        if (error instanceof ProcessLost) {
          // The crashed process is gone; its chunk is lost, the pool goes on with a new process.
          errors.push({ task: job.task, message: error.reason });
          results.push({ ...job, sum: null, startMs: null, endMs: null, worker: slot });
          this.replaced++;
          try {
            await this.#startAt(slot);
            return true;
          } catch (startError) {
            error = startError;
          }
        }
        if (!failure && !control.cancelled) {
          failure = error;
          this.cancel(count);
        }
        return false;
      } finally {
        if (process) process.busy = false;
      }
    };
    await takeJobsInTurn(chunks, slots, runChunk, () => !control.cancelled && !failure);
    if (control.cancelled) throw new DOMException("The run was cancelled.", "AbortError");
    if (failure) throw failure;
    results.sort((a, b) => a.task - b.task || a.chunk - b.chunk);
    return { chunks: results, errors };
  }

  /** Asks every busy process to stop its chunk (each checks the flag every 65,536 numbers). */
  cancel(count) {
    for (const process of this.processes.slice(0, count)) if (process?.alive) process.cancel();
  }

  /** Ends every process; a pool ended once starts no more. */
  terminate() {
    this.ended = true;
    for (const process of this.processes) process?.terminate();
    this.processes = [];
  }
}
