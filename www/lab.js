// The threads-vs-processes lab: side-by-side comparison, crash isolation, the shared counter, the
// simulated GIL, the Amdahl sweep and the frozen page. Work runs in processes (www/process.js) and
// in Rust; this file wires buttons, tables and the JS API (compare, counter, sweep, freeze).
import { $, cell, formatMs, prefersDark, redrawOnThemeOrResize, showChartEmpty, showSource, watchOverflow } from "./kit.js";
import { THREADS_UNAVAILABLE } from "./cpu-demo.js";
import { ProcessPool, chunksOfPlan } from "./process-pool.js";
import { ThreadProcess, activeBuild } from "./process.js";
import { optionErrors } from "./api-options.js";
import { defaultOf } from "./schema.js";

const now = () => performance.timeOrigin + performance.now();
const formatMB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const HANDOFF_BYTES = 64 * 1024 * 1024;
/** How engines word a refused wasm memory (WebKit, Firefox; Chromium). */
const OUT_OF_MEMORY = /out of memory|could not allocate memory/i;
/** A pause for the browser to collect the processes just ended, before one more try. */
const OUT_OF_MEMORY_PAUSE_MS = 1000;
/** The most rounds of `startupCosts`: each starts every count afresh, ~2 s on two cores. */
const MAX_COST_ROUNDS = 9;
const METHOD_NAMES = {
  racy: "racy: load, then store",
  atomic: "atomic fetch_add",
  mutex: "Mutex",
  local: "local sums, added once",
};

/** A cell that names its column on a phone, where the stacked table hides its header. */
function labelledCell([text, label]) {
  const td = document.createElement("td");
  td.textContent = text;
  td.dataset.label = label;
  return td;
}

export class Lab {
  constructor({ bindings, runtime, module, cpuDemo, cores, defaultThreads = cores, threads = true }) {
    this.bindings = bindings;
    this.threadsAvailable = threads;
    this.runtime = runtime;
    this.module = module;
    this.cpuDemo = cpuDemo;
    this.cores = cores;
    /** Threads (and processes) that ran at full speed here (www/cores.js). */
    this.defaultThreads = defaultThreads;
    /**
     * The comparison's and the counter's default: what ran at full speed, but at least two workers
     * (where the browser reports two cores or more). These experiments are about several workers at
     * once: with one, no update can be lost and threads and processes do the same thing.
     */
    this.experimentWorkers = Math.min(cores, Math.max(2, defaultThreads));
    this.running = false;
    /** Aborts the experiment in progress (see cancel()); null when none runs. */
    this.current = null;
    this.sweepPool = new ProcessPool(module);
    this.lastSweep = null;
    /** The counter's latest run of each method: `{ count, expected, ms, threads, increments }`. */
    this.counterRuns = new Map();
    /** Whether another demo runs work in the same processes (set by app.js). */
    this.busyElsewhere = () => false;
    /** Called with every finished experiment: (kind, result); set by app.js. */
    this.onRun = () => {};

    const sources = bindings.labSources();
    showSource($("lab-pool-python"), sources.pythonPool);
    showSource($("lab-crash-rust"), sources.rustCrash);
    showSource($("lab-counter-python"), sources.pythonCounter);
    showSource($("lab-counter-rust"), sources.rustCounter);
    showSource($("lab-gil-python"), sources.pythonThreads);
    showSource($("lab-gil-rust"), sources.rustCpu);
    showSource($("lab-sweep-python"), sources.pythonSweep);
    showSource($("lab-sweep-rust"), sources.rustAmdahl);
    showSource($("lab-freeze-python"), sources.pythonFreeze);
    /** `{ counterMethods, serialTask, freezeJob, freezeCall }`: the lab's constants, from Rust. */
    this.constants = bindings.labConstants();
    $("lab-freeze-rust").textContent = this.constants.freezeCall;
    watchOverflow($("lab-freeze-rust").closest("pre"), "The Rust that ran");
    for (const [id, label] of [["lab-compare-table", "Side by side"], ["lab-costs-table", "What one more costs"], ["lab-counter-table", "One counter, four ways"], ["lab-gil-table", "Threads with and without the GIL"]])
      watchOverflow($(id).parentElement, label);
    const { tasks, n } = this.constants.experimentJob;
    $("lab-compare").textContent = `Compare on ${tasks} × n = ${n.toLocaleString("en-US")}`;
    $("lab-workers").value = String(this.experimentWorkers);
    $("lab-counter-threads").value = String(this.experimentWorkers);
    // The sweep goes up to every reported core: where the speedup stops growing is its lesson.
    $("lab-sweep-max").value = String(cores);
    $("lab-col-threads").textContent = `${this.experimentWorkers} threads`;
    $("lab-col-processes").textContent = `${this.experimentWorkers} processes`;

    const report = (element) => (error) => {
      $(element).classList.add("error");
      $(element).textContent = error.message;
    };
    $("lab-compare").addEventListener("click", () => this.#compareFromPage().catch(report("lab-compare-status")));
    $("lab-costs-run").addEventListener("click", () => this.#costsFromPage().catch(report("lab-costs-status")));
    $("lab-crash-processes").addEventListener("click", () => this.#crash("processes"));
    $("lab-crash-threads").addEventListener("click", () => this.#crash("threads"));
    $("lab-counter-run").addEventListener("click", () => this.#countFromPage().catch(report("lab-counter-error")));
    $("lab-gil-run").addEventListener("click", () => this.#gilFromPage().catch(report("lab-crash-result")));
    $("lab-sweep-run").addEventListener("click", () => this.#sweepFromPage().catch(report("lab-sweep-status")));
    $("lab-sweep-serial").addEventListener("input", () => ($("lab-sweep-serial-value").textContent = `${$("lab-sweep-serial").value} %`));
    $("lab-freeze-main").addEventListener("click", () => this.freeze({ where: "main-thread" }).catch(report("lab-freeze-result")));
    $("lab-freeze-worker").addEventListener("click", () => this.freeze({ where: "worker" }).catch(report("lab-freeze-result")));
    redrawOnThemeOrResize([$("lab-sweep-chart")], () => this.#drawSweep());
    this.#animateWhileVisible();
    if (!threads) $("lab-sweep-mode").value = "processes";
  }

  /** "2.00×": how many times faster than `sequentialMs` (Rust's `speedup`). */
  #times(sequentialMs, wallMs) {
    return `${(this.bindings.speedup(sequentialMs, wallMs) ?? NaN).toFixed(2)}×`;
  }

  /** The experiments that need threads (shared memory) throw on a page without them. */
  #needThreads() {
    if (!this.threadsAvailable) throw new Error(THREADS_UNAVAILABLE);
  }

  enable() {
    this.#setBusy(false);
  }

  /**
   * Runs `work(signal)` unless another run (here or in the CPU demo) is in progress. `signal` aborts
   * when cancel() is called; whatever the work then throws, the experiment rejects with an AbortError.
   */
  async #exclusive(work) {
    if (this.running || this.busyElsewhere())
      throw new Error("Another run is in progress: wait for it to finish or cancel it first.");
    const controller = new AbortController();
    this.running = true;
    this.current = controller;
    this.#setBusy(true);
    try {
      return await work(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw abortError();
      throw error;
    } finally {
      this.running = false;
      this.current = null;
      this.#setBusy(false);
    }
  }

  /**
   * Stops the experiment in progress (compare, counter, sweep, freeze in a worker): its processes are
   * asked to stop (or, the comparison's own, ended) and its promise rejects with an AbortError.
   * Returns whether one was running. (A freeze on the main thread cannot be reached while it runs:
   * nothing on the page can, that is its lesson.)
   */
  cancel() {
    if (!this.current) return false;
    this.current.abort();
    return true;
  }

  #setBusy(busy) {
    const needThreads = new Set(["lab-compare", "lab-costs-run", "lab-crash-threads", "lab-counter-run", "lab-gil-run"]);
    for (const id of ["lab-compare", "lab-costs-run", "lab-crash-processes", "lab-crash-threads", "lab-counter-run", "lab-gil-run", "lab-sweep-run", "lab-freeze-main", "lab-freeze-worker"])
      $(id).disabled = busy || (needThreads.has(id) && !this.threadsAvailable);
    $("lab-sweep-mode").querySelector('option[value="threads"]').disabled = !this.threadsAvailable;
  }

  #workers(text, field) {
    const checked = this.bindings.checkLabInput(String(text), "", 1);
    if (!checked.ok) throw new RangeError(`${field}: ${checked.errors[0].message}`);
    return checked.processes;
  }

  /** `tasks` tasks of `n` numbers each as a job for the processes, checked by Rust (errors name the option). */
  #job(api, tasks, n) {
    const checked = this.bindings.checkCpuInput(String(tasks), String(n), "1", "1", 1);
    if (!checked.ok) throw optionErrors(api, checked.errors);
    return { tasks: String(checked.params.tasks), n: String(checked.params.n), chunks: "1" };
  }

  // ---- 1. side by side ------------------------------------------------------------------------------

  async #compareFromPage() {
    $("lab-compare-status").classList.remove("error");
    $("lab-workers-error").textContent = "";
    let workers;
    try {
      workers = this.#workers($("lab-workers").value, "Workers");
    } catch (error) {
      $("lab-workers-error").textContent = error.message;
      return;
    }
    $("lab-compare-status").textContent = `Starting fresh processes and threads, then running the same work three ways…`;
    await this.compare({ workers });
  }

  #showComparison(workers, result) {
    $("lab-compare-status").classList.remove("error");
    $("lab-compare-status").textContent = "Done. Every run gave the same four exact sums (best of three runs each).";
    $("lab-col-threads").textContent = `${workers} threads`;
    $("lab-col-processes").textContent = `${workers} processes`;
    const row = (label, ...cells) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      tr.append(th, ...cells.map((text) => Object.assign(document.createElement("td"), { textContent: text })));
      return tr;
    };
    const { sequential, threads, processes } = result;
    $("lab-compare-body").replaceChildren(
      row("Wall time", formatMs(sequential.wallMs), `${formatMs(threads.wallMs)} (${this.#times(sequential.wallMs, threads.wallMs)})`, `${formatMs(processes.wallMs)} (${this.#times(sequential.wallMs, processes.wallMs)})`),
      row("Start-up", "–", `${formatMs(threads.startMs)}: one process, ${workers} threads`, `${formatMs(processes.startMs)} warm (module handed over), ${formatMs(processes.coldStartMs)} cold (each compiles)`),
      // wasm memory only: each thread's stack lives in the shared memory; each process also carries a
      // JavaScript engine of its own, which the page cannot measure and this row leaves out.
      row("wasm memory", "–", `${formatMB(threads.memoryBytes)}, shared by all (each thread's stack included)`, `${formatMB(processes.memoryBytes)}: ${workers} × its own (plus a JS engine each, not counted)`),
      row("Hand over a 64 MB input", "–", `${formatMs(threads.handoffMs)}: copied once, read in place`, `${formatMs(processes.handoffMs)}: copied to each process`),
    );
    $("lab-compare-table").hidden = false;
  }

  /**
   * `playground.compare({ workers, tasks, n })`: sequential vs `workers` threads vs `workers` processes
   * on fresh processes. Resolves to `{ sequential: { wallMs }, threads: { wallMs, startMs, memoryBytes,
   * handoffMs }, processes: { wallMs, startMs, coldStartMs, memoryBytes, handoffMs }, results }`.
   */
  compare({ workers = this.experimentWorkers, tasks = this.constants.experimentJob.tasks, n = this.constants.experimentJob.n } = {}) {
    this.#needThreads();
    workers = this.#workers(workers, "workers");
    const job = this.#job("compare", tasks, n);
    return this.#exclusive(async (signal) => {
      // Every process here is the comparison's own: a cancel ends them all, and every wait on them ends.
      let threaded = null;
      const pool = new ProcessPool(this.module);
      const endAll = () => {
        threaded?.terminate();
        pool.terminate();
      };
      signal.addEventListener("abort", endAll, { once: true });
      const wasmUrl = activeBuild().wasm;
      try {
        let started = performance.now();
        threaded = await ThreadProcess.start(this.module, workers, { signal });
        const threadsStartMs = performance.now() - started;
        started = performance.now();
        await pool.ensure(workers, { signal });
        const warmMs = performance.now() - started;
        started = performance.now();
        const cold = await Promise.allSettled(Array.from({ length: workers }, () => ThreadProcess.start(wasmUrl, 0, { signal })));
        const coldMs = performance.now() - started;
        for (const outcome of cold) if (outcome.status === "fulfilled") outcome.value.terminate();
        const coldFailure = cold.find((outcome) => outcome.status === "rejected");
        if (coldFailure) throw coldFailure.reason;

        const chunks = chunksOfPlan(this.bindings.planChunks(job.tasks, job.n, job.chunks));
        // Three rounds, the three ways alternating so each sees the same machine; the best of each
        // counts (noise on a shared machine only ever adds time).
        let sequential;
        let threads;
        let processesMs = Infinity;
        let processResults;
        for (let round = 0; round < 3; round++) {
          const s = await threaded.runCpu({ ...job, parallel: false });
          const t = await threaded.runCpu({ ...job, parallel: true });
          const originMs = now();
          const mapped = await pool.map(chunks, { count: workers, originMs, control: { cancelled: false, finishedItems: 0 } });
          processesMs = Math.min(processesMs, now() - originMs);
          processResults = mapped.chunks.map((c) => c.sum);
          if (!sequential || s.wallMs < sequential.wallMs) sequential = s;
          if (!threads || t.wallMs < threads.wallMs) threads = t;
        }
        if (JSON.stringify(processResults) !== JSON.stringify(threads.results) || JSON.stringify(sequential.results) !== JSON.stringify(threads.results))
          throw new Error("The three runs disagree; please report this.");
        const threadsMemory = threaded.memoryBytes;
        const processesMemory = pool.memoryBytes(workers);

        // The hand-off: the same 64 MB, copied once into the shared memory vs cloned to every process.
        const input = new Uint8Array(HANDOFF_BYTES);
        for (let i = 0; i < input.length; i += 4096) input[i] = i & 0xff;
        started = performance.now();
        await threaded.shareInput(input.buffer);
        const sharedSum = await threaded.checksumShared();
        const threadsHandoff = performance.now() - started;
        started = performance.now();
        const copiedSums = await Promise.all(pool.processes.slice(0, workers).map((p) => p.checksumBytes(input.buffer)));
        const processesHandoff = performance.now() - started;
        if (!copiedSums.every((sum) => sum === sharedSum)) throw new Error("The hand-off checksums disagree; please report this.");
        const result = {
          results: threads.results,
          sequential: { wallMs: sequential.wallMs },
          threads: { wallMs: threads.wallMs, startMs: threadsStartMs, memoryBytes: threadsMemory, handoffMs: threadsHandoff },
          processes: { wallMs: processesMs, startMs: warmMs, coldStartMs: coldMs, memoryBytes: processesMemory, handoffMs: processesHandoff },
        };
        this.#showComparison(workers, result);
        this.onRun("compare", { workers, tasks, n, ...result });
        return result;
      } finally {
        signal.removeEventListener("abort", endAll);
        endAll();
      }
    });
  }

  // ---- 1b. what one more costs ------------------------------------------------------------------------

  async #costsFromPage() {
    $("lab-costs-status").classList.remove("error");
    $("lab-costs-status").textContent = "Starting 1, 2, 4 and 8 threads in a fresh process, then as many fresh processes, three times…";
    await this.startupCosts();
  }

  #showCosts(result) {
    const cells = (p) =>
      [
        [`${p.workers}`, "Workers"],
        [formatMs(p.threads.startMs), "Threads: start"],
        [formatMB(p.threads.memoryBytes), "Threads: memory"],
        [formatMs(p.processes.startMs), "Processes: start (warm)"],
        [formatMs(p.processes.coldStartMs), "Processes: start (cold)"],
        [formatMB(p.processes.memoryBytes), "Processes: memory"],
      ].map(labelledCell);
    const rows = result.points.map((p) => {
      const tr = document.createElement("tr");
      tr.append(...cells(p));
      return tr;
    });
    const extra = result.perExtraWorker;
    // One decimal, as the words below write the same figures.
    const slope = (value, unit) => (value === null ? "–" : `+${(Math.max(0, value) / (unit === "MB" ? 1024 * 1024 : 1)).toFixed(1)} ${unit}`);
    const last = document.createElement("tr");
    last.className = "per-extra";
    last.append(
      ...[
        ["One more", "Workers"],
        [slope(extra.threadStartMs, "ms"), "Threads: start"],
        [slope(extra.threadMemoryBytes, "MB"), "Threads: memory"],
        [slope(extra.processStartMs, "ms"), "Processes: start (warm)"],
        [slope(extra.processColdStartMs, "ms"), "Processes: start (cold)"],
        [slope(extra.processMemoryBytes, "MB"), "Processes: memory"],
      ].map(labelledCell),
    );
    $("lab-costs-body").replaceChildren(...rows, last);
    $("lab-costs-table").hidden = false;
    $("lab-costs-words").textContent = result.words;
    const each = result.rounds === 1 ? "one start-up at each count" : `the median of ${result.rounds} start-ups at each count`;
    $("lab-costs-status").textContent = `Done: ${each}; "one more" is the slope of a straight line through them.`;
  }

  /**
   * `playground.startupCosts({ workers: [1, 2, 4, 8], rounds: 3 })`: at each count, a fresh process with
   * that many pool threads, and that many fresh processes (warm: handed the compiled module; cold: each
   * compiles it), timed from the request to every worker ready, with their wasm memory. Resolves to
   * `{ rounds, points: [{ workers, threads: { startMs, memoryBytes }, processes: { startMs, coldStartMs,
   * memoryBytes } }], perExtraWorker: { threadStartMs, threadMemoryBytes, processStartMs,
   * processColdStartMs, processMemoryBytes }, words }` (each value a median over the rounds; the slopes
   * and the words from Rust, src/model/kitchen.rs).
   */
  startupCosts({ workers = [1, 2, 4, 8], rounds = 3 } = {}) {
    this.#needThreads();
    const checked = this.bindings.checkWorkerCounts(Float64Array.from(workers));
    if (!checked.ok) throw new RangeError(`playground.startupCosts: option "workers": ${checked.message}.`);
    if (!(rounds >= 1 && rounds <= MAX_COST_ROUNDS)) throw new RangeError(`playground.startupCosts: option "rounds": must be from 1 to ${MAX_COST_ROUNDS}, not ${rounds}.`);
    const counts = checked.workers;
    return this.#exclusive(async (signal) => {
      const alive = new Set();
      const endAll = () => {
        for (const process of alive) process.terminate();
      };
      signal.addEventListener("abort", endAll, { once: true });
      // Starts `count` processes of `threads` pool threads each from `module`, all at once; resolves to
      // the time until every one was ready and their wasm memory, and ends them.
      const start = async (module, count, threads, retried = false) => {
        const startedAt = performance.now();
        const outcomes = await Promise.allSettled(
          Array.from({ length: count }, () =>
            ThreadProcess.start(module, threads, { signal }).then((process) => {
              alive.add(process);
              return process;
            }),
          ),
        );
        const startMs = performance.now() - startedAt;
        const started = outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value);
        const memoryBytes = started.reduce((sum, process) => sum + process.memoryBytes, 0);
        for (const process of started) {
          process.terminate();
          alive.delete(process);
        }
        const failure = outcomes.find((o) => o.status === "rejected");
        // Ended processes give their memory back only when the browser collects them, which WebKit may
        // not have done yet after dozens of start-ups: one more try after a pause, timed afresh.
        if (failure && !retried && OUT_OF_MEMORY.test(failure.reason?.message) && !signal.aborted) {
          await new Promise((settled) => setTimeout(settled, OUT_OF_MEMORY_PAUSE_MS));
          return start(module, count, threads, true);
        }
        if (failure && OUT_OF_MEMORY.test(failure.reason?.message))
          throw new Error(`The browser refused memory for ${count} more process${count === 1 ? "" : "es"} (${failure.reason.message}): it has not yet freed the ones this experiment ended. Try again in a moment, or with fewer workers.`);
        if (failure) throw failure.reason;
        // A Worker's end is asynchronous: let the ended ones go before the next start is timed.
        await new Promise((settled) => setTimeout(settled, 50));
        return { startMs, memoryBytes };
      };
      const wasmUrl = activeBuild().wasm;
      const samples = counts.map(() => ({ threads: [], warm: [], cold: [] }));
      try {
        for (let round = 0; round < rounds; round++) {
          for (const [i, count] of counts.entries()) {
            $("lab-costs-status").textContent = `Round ${round + 1} of ${rounds}: ${count} worker${count === 1 ? "" : "s"}…`;
            // Alternate which way starts first, so neither always meets a machine still busy with the other.
            const ways = [
              async () => samples[i].threads.push(await start(this.module, 1, count)),
              async () => samples[i].warm.push(await start(this.module, count, 0)),
              async () => samples[i].cold.push(await start(wasmUrl, count, 0)),
            ];
            if (round % 2 === 1) ways.reverse();
            for (const way of ways) await way();
          }
        }
      } finally {
        signal.removeEventListener("abort", endAll);
        endAll();
      }
      const middle = (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const half = sorted.length >> 1;
        return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
      };
      const points = counts.map((count, i) => ({
        workers: count,
        threads: { startMs: middle(samples[i].threads.map((s) => s.startMs)), memoryBytes: middle(samples[i].threads.map((s) => s.memoryBytes)) },
        processes: {
          startMs: middle(samples[i].warm.map((s) => s.startMs)),
          coldStartMs: middle(samples[i].cold.map((s) => s.startMs)),
          memoryBytes: middle(samples[i].warm.map((s) => s.memoryBytes)),
        },
      }));
      const column = (pick) => Float64Array.from(points.map(pick));
      const summary = this.bindings.startupCostSummary(
        column((p) => p.workers),
        column((p) => p.threads.startMs),
        column((p) => p.threads.memoryBytes),
        column((p) => p.processes.startMs),
        column((p) => p.processes.coldStartMs),
        column((p) => p.processes.memoryBytes),
      );
      const result = { rounds, points, perExtraWorker: summary.perExtraWorker, words: summary.words };
      this.#showCosts(result);
      this.onRun("startup-costs", result);
      return result;
    });
  }

  // ---- 2. crash -------------------------------------------------------------------------------------

  async #crash(mode) {
    const out = $("lab-crash-result");
    out.classList.remove("error");
    if (this.running) return;
    try {
      const run = await this.cpuDemo.run({ mode, crashTask: 1, tasks: 4, n: 10_000_000, chunks: 1 });
      const arrived = run.results.filter((r) => r !== null).length;
      out.textContent =
        `Processes: ${arrived} of ${run.results.length} results arrived. ${run.errors.map((e) => `Task ${e.task}'s process crashed (${e.message})`).join("; ")}. ` +
        "The pool started a new process in its place; the CPU demo above shows the results and the timeline.";
    } catch (error) {
      out.classList.add("error");
      out.textContent = `Threads: ${error.message}`;
    }
  }

  // ---- 3. counter -----------------------------------------------------------------------------------

  async #countFromPage() {
    $("lab-counter-error").textContent = "";
    const threads = Number($("lab-counter-threads").value.trim());
    const increments = Number($("lab-counter-increments").value.replace(/[_,\s]/g, ""));
    $("lab-counter-body").replaceChildren();
    this.counterRuns.clear();
    $("lab-counter-costs").textContent = "";
    for (const method of this.constants.counterMethods) await this.counter({ threads, increments, method });
    const perProcess = await this.#exclusive(async () => {
      const pool = this.sweepPool;
      await pool.ensure(threads);
      return Promise.all(pool.processes.slice(0, threads).map((p) => p.countAlone(increments)));
    });
    $("lab-counter-processes").textContent =
      `In ${threads} processes, each adding ${increments.toLocaleString("en-US")} to "the" counter: ` +
      perProcess.map((r, i) => `process ${i} counted ${r.count.toLocaleString("en-US")}`).join(", ") +
      ". Nobody lost an update, and nobody saw anybody else's: each process has its own counter in its own memory.";
  }

  /** `playground.counter({ threads, increments, method })` → `{ count, expected, ms }`. */
  counter({ threads = this.experimentWorkers, increments = Number(defaultOf("lab-counter-increments").replace(/,/g, "")), method = "atomic" } = {}) {
    this.#needThreads();
    this.bindings.checkCounterThreads(threads, this.cores);
    this.bindings.checkCounterInput(method, increments);
    return this.#exclusive(async (signal) => {
      // The page's default process when it has threads enough: no restart for the usual counts.
      const process = await this.runtime.processWith(threads <= this.defaultThreads ? this.defaultThreads : this.cores);
      const result = await untilCancelled(signal, () => process.cancel(), () => process.countShared({ threads, increments, method }));
      this.#showCount(method, { ...result, threads, increments });
      this.onRun("counter", { threads, increments, method, ...result });
      return result;
    });
  }

  /** Puts one method's outcome in the counter table (replacing an earlier row of that method). */
  #showCount(method, run) {
    const { count, expected, ms } = run;
    this.counterRuns.set(method, run);
    $("lab-counter-costs").textContent = this.#lockCostNote();
    const tr = document.createElement("tr");
    tr.dataset.method = method;
    const lost = expected - count;
    const lostCell = cell(lost ? `${lost.toLocaleString("en-US")} lost` : "none");
    if (lost) lostCell.className = "error";
    tr.append(cell(METHOD_NAMES[method]), cell(count.toLocaleString("en-US")), cell(expected.toLocaleString("en-US")), lostCell, cell(formatMs(ms)));
    const body = $("lab-counter-body");
    const earlier = body.querySelector(`tr[data-method="${method}"]`);
    if (earlier) earlier.replaceWith(tr);
    else body.append(tr);
    $("lab-counter-table").hidden = false;
  }

  /**
   * Why the Mutex took longer than fetch_add, or what can make it faster, from the latest atomic and
   * Mutex runs of the same size (nothing until both ran). Measured on 2 cores at the defaults
   * (bench/counter.mjs, 20 runs each), the Mutex was faster in 0 runs in Chromium and Firefox and in
   * 1 in WebKit, and in none natively (tests/counter.rs): the usual text explains the usual result,
   * and the rare one says what can cause it, not that it did.
   */
  #lockCostNote() {
    const atomic = this.counterRuns.get("atomic");
    const mutex = this.counterRuns.get("mutex");
    if (!atomic || !mutex || atomic.threads !== mutex.threads || atomic.increments !== mutex.increments) return "";
    const times = `${formatMs(mutex.ms)} vs ${formatMs(atomic.ms)}`;
    if (mutex.ms < atomic.ms)
      return (
        `The Mutex counted faster than fetch_add this time (${times}). A lock can win under contention: every fetch_add ` +
        "pulls the counter's cache line over from the other core, while a thread that takes the Mutex again right after " +
        "releasing it keeps the line on its own core for a long stretch, so the threads can end up taking turns instead of colliding."
      );
    return (
      `The Mutex took ${(mutex.ms / atomic.ms).toFixed(1)}× as long as fetch_add (${times}): fetch_add is one indivisible ` +
      "instruction per increment, while the Mutex takes and releases a lock around each one (at least two atomic operations " +
      "instead of one) and makes a thread that finds it taken wait."
    );
  }

  // ---- 4. GIL ---------------------------------------------------------------------------------------

  async #gilFromPage() {
    if (this.running) return;
    const job = this.constants.experimentJob;
    const sequential = await this.cpuDemo.run({ ...job, mode: "sequential" });
    const processes = await this.cpuDemo.run({ ...job, mode: "processes" });
    const threads = await this.cpuDemo.run({ ...job, mode: "threads" });
    const gil = await this.cpuDemo.run({ ...job, mode: "threads", gil: true });
    const row = (label, run) => {
      const tr = document.createElement("tr");
      tr.append(cell(label), cell(formatMs(run.wallMs)), cell(this.#times(sequential.wallMs, run.wallMs)));
      return tr;
    };
    $("lab-gil-body").replaceChildren(
      row("Sequential", sequential),
      row(`${threads.threads} threads`, threads),
      row(`${gil.threads} threads under the GIL`, gil),
      row(`${processes.processes} processes`, processes),
    );
    $("lab-gil-table").hidden = false;
  }

  // ---- 5. Amdahl ------------------------------------------------------------------------------------

  async #sweepFromPage() {
    $("lab-sweep-error").textContent = "";
    $("lab-sweep-status").classList.remove("error");
    let maxWorkers;
    try {
      maxWorkers = this.#workers($("lab-sweep-max").value, "Up to");
    } catch (error) {
      $("lab-sweep-error").textContent = error.message;
      return;
    }
    $("lab-sweep-status").textContent = "Sweeping…";
    await this.sweep({ mode: $("lab-sweep-mode").value, maxWorkers, serialFraction: Number($("lab-sweep-serial").value) / 100 });
  }

  /**
   * `playground.sweep({ mode, maxWorkers, tasks, n, serialFraction })`: the same work on 1..maxWorkers
   * threads or processes (plus a serial phase of `serialFraction` of the work). Resolves to
   * `{ points: [{ workers, wallMs, speedup }], fittedSerialFraction, sequentialMs }`.
   */
  sweep({ mode = this.threadsAvailable ? "threads" : "processes", maxWorkers = this.cores, tasks = this.constants.experimentJob.tasks, n = this.constants.experimentJob.n, serialFraction = 0 } = {}) {
    if (mode !== "threads" && mode !== "processes") throw new TypeError(`mode must be "threads" or "processes", not ${JSON.stringify(mode)}.`);
    if (mode === "threads") this.#needThreads();
    maxWorkers = this.#workers(maxWorkers, "maxWorkers");
    const job = this.#job("sweep", tasks, n);
    const serialItems = this.bindings.serialItemsFor(serialFraction, Number(job.tasks) * Number(job.n));
    return this.#exclusive(async (signal) => {
      // Each point is the best of two runs (the machine's noise only ever adds time), each after a
      // pause that lets the page finish painting: a repaint would take a core from the workers.
      const settle = () => new Promise((resolve) => setTimeout(resolve, 60));
      const best = async (runOnce) => {
        await settle();
        const first = await runOnce();
        await settle();
        return Math.min(first, await runOnce());
      };
      const baseline = await this.runtime.processWith(this.defaultThreads);
      const runOn = (process, parallel) => async () =>
        (await untilCancelled(signal, () => process.cancel(), () => process.runCpu({ ...job, parallel, serialFraction }))).wallMs;
      const sequentialMs = await best(runOn(baseline, false));
      const points = [];
      for (let workers = 1; workers <= maxWorkers; workers++) {
        let wallMs;
        if (mode === "threads") {
          const process = await this.runtime.processWith(workers);
          wallMs = await best(runOn(process, true));
        } else {
          wallMs = await best(() => this.#processesOnce(job, workers, serialItems, signal));
        }
        points.push({ workers, wallMs, speedup: this.bindings.speedup(sequentialMs, wallMs) ?? NaN });
      }
      const fitted = this.bindings.fitSerialFraction(points.map((p) => p.workers), points.map((p) => p.speedup));
      // What the points can carry: only workers on cores of their own, a ceiling only from enough points.
      const { words, ...fit } = this.bindings.amdahlFit(points.map((p) => p.workers), points.map((p) => p.speedup), this.defaultThreads);
      this.lastSweep = { mode, maxWorkers, points, fitted: fitted ?? null, serialFraction };
      this.#drawSweep();
      $("lab-sweep-status").classList.remove("error");
      $("lab-sweep-status").textContent =
        `${mode}: ` + points.map((p) => `${p.workers} → ${p.speedup.toFixed(2)}× (${formatMs(p.wallMs)})`).join(" · ") + ` — ${words}`;
      const result = { points, fittedSerialFraction: fitted ?? null, fit: { ...fit, words }, sequentialMs };
      this.onRun("sweep", { mode, maxWorkers, tasks, n, serialFraction, ...result });
      return result;
    });
  }

  async #processesOnce(job, workers, serialItems, signal) {
    const pool = this.sweepPool;
    await pool.ensure(workers, { signal });
    const chunks = chunksOfPlan(this.bindings.planChunks(job.tasks, job.n, job.chunks));
    const control = { cancelled: false, finishedItems: 0 };
    const stop = () => {
      control.cancelled = true;
      pool.cancel(workers);
    };
    const originMs = now();
    // The serial phase runs in one process before the parallel part, like the threads' serial phase.
    if (serialItems > 0)
      await untilCancelled(signal, stop, () => pool.processes[0].runChunk({ task: this.constants.serialTask, chunk: 0, start: 0, end: serialItems, originMs }));
    await untilCancelled(signal, stop, () => pool.map(chunks, { count: workers, originMs, control }));
    return now() - originMs;
  }

  #drawSweep() {
    const canvas = $("lab-sweep-chart");
    const sweep = this.lastSweep;
    // Before the first sweep the chart is its one line of text: there is nothing to draw yet.
    showChartEmpty(canvas.closest("figure"), !sweep);
    if (!sweep) return;
    const caption = sweep
      ? `${sweep.mode === "threads" ? "Threads" : "Processes"}, serial part ${Math.round(sweep.serialFraction * 100)} %`
      : "Run the sweep to see the speedup per worker count";
    try {
      this.bindings.drawSpeedup(
        canvas,
        new Float64Array(sweep?.points.map((p) => p.workers) ?? []),
        new Float64Array(sweep?.points.map((p) => p.speedup) ?? []),
        sweep?.fitted ?? Number.NaN,
        sweep?.maxWorkers ?? this.cores,
        caption,
        prefersDark(),
      );
    } catch (error) {
      $("lab-sweep-status").textContent = error.message;
    }
  }

  // ---- 6. the frozen page ----------------------------------------------------------------------------

  /**
   * `playground.freeze({ where: "main-thread" | "worker" })`: runs the same job on the page's own thread
   * or in a process, watching the page's frames meanwhile. Resolves to `{ where, runMs, longestFrameGapMs }`.
   */
  freeze({ where = "main-thread" } = {}) {
    if (where !== "main-thread" && where !== "worker") throw new TypeError(`where must be "main-thread" or "worker", not ${JSON.stringify(where)}.`);
    return this.#exclusive(async (signal) => {
      $("lab-freeze-result").classList.remove("error");
      $("lab-freeze-result").textContent = where === "main-thread" ? "Running on the main thread: watch the dot and the clock…" : "Running in a worker…";
      // Let that message and a few frames paint before the work starts.
      await frames(3);
      signal.throwIfAborted();
      const watch = watchFrames();
      const started = performance.now();
      if (where === "main-thread") {
        const job = this.constants.freezeJob;
        this.bindings.runCpu(job.tasks, job.n, job.chunks, false);
      } else {
        const process = await this.runtime.anyProcess();
        await untilCancelled(signal, () => process.cancel(), () => process.runCpu({ ...this.constants.freezeJob, parallel: false }));
      }
      const runMs = performance.now() - started;
      await frames(2);
      const longestFrameGapMs = watch();
      const result = { where, runMs, longestFrameGapMs };
      this.lastFreeze = { ...this.lastFreeze, [where]: result };
      showFreezes($("lab-freeze-result"), this.lastFreeze);
      return result;
    });
  }

  /** Moves the dot and the clock every frame, but only while they are on screen (no idle repaints). */
  #animateWhileVisible() {
    const dot = $("lab-freeze-dot");
    const clock = $("lab-freeze-clock");
    let visible = false;
    const tick = (time) => {
      if (!visible) return;
      const phase = (time / 1500) % 2;
      const x = phase < 1 ? phase : 2 - phase;
      dot.style.transform = `translateX(calc(${x} * (min(24rem, 100vw - 4rem) - 1.6rem)))`;
      clock.textContent = `${(time / 1000).toFixed(1)} s`;
      requestAnimationFrame(tick);
    };
    new IntersectionObserver(([entry]) => {
      const was = visible;
      visible = entry.isIntersecting;
      if (visible && !was) requestAnimationFrame(tick);
    }).observe($("lab-freeze-panel"));
  }
}

/**
 * Starts a request with `start()` unless `signal` was already aborted, and calls `stop()` if it is
 * aborted while the request runs (a process's cancel flag, read by its threads every block). Both
 * happen in one go: the request resets the flag before it is sent, so a later cancel sticks.
 */
async function untilCancelled(signal, stop, start) {
  signal.throwIfAborted();
  const running = start();
  signal.addEventListener("abort", stop, { once: true });
  try {
    return await running;
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

function abortError() {
  return new DOMException("The run was cancelled.", "AbortError");
}

/**
 * The latest freeze of each kind, in words, each with the longest time the page did not draw (the
 * gap the learner saw, or did not see) as its own figure: `#lab-freeze-main-gap`,
 * `#lab-freeze-worker-gap`, their exact milliseconds in `data-ms`.
 */
function showFreezes(element, { "main-thread": main, worker }) {
  const gap = (where, ms) => {
    const figure = document.createElement("strong");
    figure.id = `lab-freeze-${where}-gap`;
    figure.dataset.ms = String(ms);
    figure.textContent = formatSeconds(ms);
    return figure;
  };
  const parts = [];
  if (main)
    parts.push("On the main thread: the page did not draw for ", gap("main", main.longestFrameGapMs), ` (its longest gap between frames) while ${formatSeconds(main.runMs)} of sums ran.`);
  if (main && worker) parts.push(" ");
  if (worker)
    parts.push(`In a worker: the same sums took ${formatSeconds(worker.runMs)}, and the page never went more than `, gap("worker", worker.longestFrameGapMs), " without drawing.");
  element.replaceChildren(...parts);
}

/** A duration as a learner reads it: "2.1 s" from a second up, "45 ms" below. */
const formatSeconds = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : formatMs(ms));

/** Resolves after `count` animation frames. */
function frames(count) {
  return new Promise((resolve) => {
    const step = () => (--count <= 0 ? resolve() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  });
}

/** Starts watching the gaps between frames; the returned function stops and gives the longest. */
function watchFrames() {
  let last = performance.now();
  let longest = 0;
  let watching = true;
  // The clock is read when each frame's callback really runs (not the frame's nominal start), so a
  // blocked main thread shows as a gap at least as long as the block.
  const tick = () => {
    const time = performance.now();
    longest = Math.max(longest, time - last);
    last = time;
    if (watching) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return () => {
    watching = false;
    return Math.max(longest, performance.now() - last);
  };
}
