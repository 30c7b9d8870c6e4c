// Notices a worker that died or stopped answering. A terminated or wedged worker sends no `error`
// event and no message: without a sign of life and a deadline, a run waiting for it waits forever.
//
// Signs that the worker lives: any message from it (it answers `{ type: "ping" }` with
// `{ type: "pong" }` whenever its event loop is free), or a change of `alive()` (a busy process's own
// thread bumps a word in its shared memory, src/exec/control.rs). A run whose threads check in also
// has `work()`: the heartbeat and progress its threads bump. Both must keep moving: a pool thread
// that died stalls the work while its process lives on, and the pool threads of a process that died
// go on working without it.

/** No sign for this long ends the worker: a block of work takes well under a millisecond, a waiting
 * process beats every 50 ms and a free event loop answers a ping within a few, so 800 ms of silence
 * is no slow moment. */
export const SILENCE_LIMIT_MS = 800;
/** How often the watchdog looks (and pings). Silence is noticed at most this much after the limit. */
const CHECK_MS = 100;

export class Watchdog {
  /**
   * Watches `worker`. `alive()` and `work()` return values that change while the worker lives and
   * while its work moves on (constants when the page cannot see its memory). `onSilent(ms, what)` is
   * called once, with how long it was silent and `what` stalled ("worker" or "work"); the watch stops.
   */
  constructor(worker, { alive = () => "", work = () => "", onSilent }) {
    this.worker = worker;
    this.alive = alive;
    this.work = work;
    this.onSilent = onSilent;
    this.timer = null;
  }

  get watching() {
    return this.timer !== null;
  }

  /**
   * Starts watching (again); the silence counts from now, or with `fromFirstSign` from the worker's
   * first message (a starting worker's script may take a while to arrive over a slow network; until
   * it runs, only the start's own deadline applies). `watchWork` also requires `work()` to move.
   */
  start({ fromFirstSign = false, watchWork = false } = {}) {
    const now = performance.now();
    if (watchWork && !this.watchWork) {
      this.watchWork = true;
      this.lastWork = now;
      this.lastWorkPulse = this.work();
    }
    if (this.timer !== null) return;
    this.watchWork = watchWork;
    this.lastWork = now;
    this.lastWorkPulse = this.work();
    this.lastSign = fromFirstSign ? null : now;
    this.lastTick = now;
    this.lastAlive = this.alive();
    this.timer = setInterval(() => this.#tick(), CHECK_MS);
    this.worker.postMessage({ type: "ping" });
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.watchWork = false;
  }

  /** Any message from the worker: it is alive. */
  heard() {
    this.lastSign = performance.now();
  }

  #tick() {
    const now = performance.now();
    // When the page itself was held up (a long task, a throttled timer), the worker's answers may be
    // waiting behind this very tick: the page's own delay is not the worker's silence.
    if (now - this.lastTick > 3 * CHECK_MS) {
      if (this.lastSign !== null) this.lastSign = now;
      this.lastWork = now;
    }
    this.lastTick = now;
    const alive = this.alive();
    if (alive !== this.lastAlive) {
      this.lastAlive = alive;
      this.lastSign = now;
    }
    const work = this.work();
    if (work !== this.lastWorkPulse) {
      this.lastWorkPulse = work;
      this.lastWork = now;
    }
    const silentMs = this.lastSign === null ? 0 : now - this.lastSign;
    const stalledMs = this.watchWork ? now - this.lastWork : 0;
    if (silentMs > SILENCE_LIMIT_MS || stalledMs > SILENCE_LIMIT_MS) {
      this.stop();
      this.onSilent(Math.max(silentMs, stalledMs), silentMs > SILENCE_LIMIT_MS ? "worker" : "work");
      return;
    }
    this.worker.postMessage({ type: "ping" });
  }
}

/**
 * A start that keeps answering but is never ready (say, a pool thread that never came up) ends after
 * this long. Generous: a cold start compiles the module, and a slow network delays the scripts.
 */
export const START_TIMEOUT_MS = 30_000;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Sends `message` to a freshly created `worker` and resolves to its `{ type: "ready" }` answer. A start
 * that reports `{ type: "start-failed", message }`, raises an error, stops answering, is not ready
 * within START_TIMEOUT_MS or is aborted through `signal` terminates the worker and rejects, with
 * "`what` could not start: …" (or the signal's AbortError). Clears the worker's handlers either way.
 *
 * A worker that says `{ type: "start-busy", step }` enters a step of its start that may hold its event
 * loop (starting a thread pool: rayon waits, blocking, until every pool thread runs, and creating a
 * nested worker in Firefox waits on the browser; measured: over 0.8 s in Firefox on a loaded 2-core
 * machine). A held event loop answers no ping, so from there on the silence limit would end healthy
 * starts: only the start's deadline, error events and "start-failed" end it.
 */
export function startWorker(worker, message, { what, signal }) {
  return new Promise((resolve, reject) => {
    const watchdog = new Watchdog(worker, {
      onSilent: (ms) => fail(`it stopped answering while starting (no sign of life for ${seconds(ms)})`),
    });
    /** The step that may hold the worker's event loop, once it said so. */
    let busyStep = null;
    const deadline = setTimeout(
      () => fail(`it was not ready after ${seconds(START_TIMEOUT_MS)}${busyStep ? ` (${busyStep})` : ""}`),
      START_TIMEOUT_MS,
    );
    const onAbort = () => fail(new DOMException("The run was cancelled.", "AbortError"));
    const finish = () => {
      watchdog.stop();
      clearTimeout(deadline);
      signal?.removeEventListener("abort", onAbort);
      worker.onmessage = null;
      worker.onerror = null;
    };
    const fail = (reason) => {
      finish();
      worker.terminate();
      reject(reason instanceof Error || reason instanceof DOMException ? reason : new Error(`${what} could not start: ${reason}.`));
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort);
    worker.onmessage = ({ data }) => {
      watchdog.heard();
      if (data?.type === "ready") {
        finish();
        resolve(data);
      } else if (data?.type === "start-failed") fail(data.message);
      else if (data?.type === "start-busy") {
        busyStep = data.step;
        watchdog.stop();
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail(event.message || "its script failed to load");
    };
    worker.postMessage(message);
    watchdog.start({ fromFirstSign: true });
  });
}

/** How long a silence lasted, as the messages say it. */
export function describeSilence(ms) {
  return seconds(ms);
}
