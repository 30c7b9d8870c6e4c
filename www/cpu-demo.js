// The CPU demo's section: reads the form, runs through the CPU runtime, shows results, progress and the
// timeline. Validation, arithmetic and drawing live in Rust; this file only wires them to the page.

import { $, breakableNumber, counted, formatMs, prefersDark, redrawOnThemeOrResize, showChartEmpty, showSource, showStatus } from "./kit.js";
import { chunksOfPlan } from "./process-pool.js";
import { defaultOf } from "./schema.js";
import { optionErrors } from "./api-options.js";
import { oversubscription } from "./cores.js";

const FIELDS = ["tasks", "n", "threads", "chunks"];
const LAB_FIELDS = { processes: "cpu-processes", crashTask: "cpu-crash" };
const MODES = new Set(["sequential", "threads", "processes", "compare"]);
/** How often the progress line moves during a comparison: rarely, so repaints take little from the runs. */
const COMPARE_PROGRESS_INTERVAL_MS = 250;
const PROGRESS_INTERVAL_MS = 100;
/** The API's rejection of a threads run on a page without threads (lab.js and server-demo.js use it too). */
export let THREADS_UNAVAILABLE =
  "Threads are unavailable on this page: it is not cross-origin isolated, so the browser withholds shared memory. " +
  'Use mode "processes" or "sequential", or open the playground in its own tab.';

/**
 * Names what is really missing when the page IS cross-origin isolated but the browser gives it no
 * SharedArrayBuffer (WebKitGTK without its option): opening the page in its own tab would not help.
 */
export function threadsWithheldAlthoughIsolated(reason) {
  THREADS_UNAVAILABLE = `Threads are unavailable on this page: ${reason} Use mode "processes" or "sequential".`;
}
const BUSY_DELAY_MS = 100;

/** "10,000,000": Rust writes every number its messages show (`groupDigits`); set once the module loads. */
let groupDigits = null;

export class CpuDemo {
  constructor({ bindings, runtime, pool, cores, coreCheck = null, threads = true }) {
    this.bindings = bindings;
    groupDigits = bindings.groupDigits;
    /** Whether this page's build has threads (false: the fallback build; see the banner). */
    this.threadsAvailable = threads;
    this.runtime = runtime;
    this.pool = pool;
    /** The most threads a run may have: the logical cores the browser reports. */
    this.cores = cores;
    /** How many run at full speed here and why (www/cores.js): the default for threads and processes. */
    this.coreCheck = coreCheck ?? { measured: null, defaultThreads: cores, note: "" };
    this.defaultThreads = this.coreCheck.defaultThreads;
    this.running = null;
    /** Whether the lab is running something in the same processes (set by app.js). */
    this.busyElsewhere = () => false;
    /** Called with every finished run (result in `cpu()`'s shape, and its parameters); set by app.js. */
    this.onRun = () => {};
    this.lastSequential = null;
    this.lastRun = null;
    /** The last finished run in `playground.cpu`'s result shape (from the API or the buttons), or null. */
    this.lastResult = null;

    $("cpu-threads").value = String(this.defaultThreads);
    $("cpu-processes").value = String(this.defaultThreads);
    showSource($("cpu-python"), bindings.seedCpuSource());
    showSource($("cpu-rust"), bindings.kernelSource());

    $("cpu-run-sequential").addEventListener("click", () => this.#runFromForm("sequential"));
    $("cpu-run-threads").addEventListener("click", () => this.#runFromForm("threads"));
    $("cpu-round").addEventListener("change", () => this.#showRound(Number($("cpu-round").value)));
    $("cpu-run-processes").addEventListener("click", () => this.#runFromForm("processes"));
    $("cpu-processes").addEventListener("input", () => this.#labelThreadsButton());
    $("cpu-cancel").addEventListener("click", () => this.cancel());
    // "Compare" is the form's submit button, so Enter in any field runs it too.
    $("cpu-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#runFromForm("compare");
    });
    $("cpu-threads").addEventListener("input", () => this.#labelThreadsButton());
    $("cpu-with-processes").addEventListener("change", () => this.#labelThreadsButton());
    redrawOnThemeOrResize([$("cpu-timeline")], () => this.#redraw());
    this.#labelThreadsButton();
    this.#redraw();
  }

  /** Enables the run buttons once a process is ready (they start disabled). */
  enable() {
    this.#setBusy(false);
  }

  /**
   * The JS API's `playground.cpu(options)`, its options already type-checked by `apiCall` (www/app.js): same checks
   * and same run as the buttons; the page shows it.
   * Missing options default to the form's defaults (the schema's: 4 tasks, n = 10,000,000, 1 chunk; the threads
   * that ran at full speed here (www/cores.js); threads).
   */
  async run(options = {}) {
    const mode = options.mode ?? (this.threadsAvailable ? "threads" : "processes");
    if (mode === "threads" && !this.threadsAvailable) throw new Error(THREADS_UNAVAILABLE);
    if (!MODES.has(mode))
      throw new TypeError(`mode must be "sequential", "threads" or "processes", not ${JSON.stringify(mode)}.`);
    if (options.gil !== undefined && typeof options.gil !== "boolean") throw new TypeError("gil must be true or false.");
    if (options.gil && mode !== "threads")
      throw new TypeError(`gil applies to the "threads" mode: each process has its own interpreter (and lock).`);
    if (options.processes !== undefined && mode !== "processes" && mode !== "compare")
      throw new TypeError(`processes applies to the "processes" and "compare" modes, not "${mode}".`);
    if (options.withProcesses !== undefined && mode !== "compare")
      throw new TypeError(`withProcesses applies to the "compare" mode, not "${mode}".`);
    if (mode === "compare" && options.crashTask !== undefined && options.crashTask !== null)
      throw new TypeError('crashTask applies to single runs: a comparison repeats its runs, and a crash would end it at the first round.');
    const text = (value, fallback) => (value === undefined || value === null ? fallback : String(value));
    const form = {
      tasks: text(options.tasks, defaultOf("cpu-tasks")),
      n: text(options.n, defaultOf("cpu-n")),
      threads: text(options.threads, String(this.defaultThreads)),
      chunks: text(options.chunks, defaultOf("cpu-chunks")),
    };
    const checked = this.#check(form);
    if (!checked.ok) throw optionErrors("cpu", checked.errors);
    const labForm = { processes: text(options.processes, String(this.defaultThreads)), crashTask: text(options.crashTask, "") };
    const lab = this.bindings.checkLabInput(labForm.processes, labForm.crashTask, checked.params.tasks);
    if (!lab.ok) throw optionErrors("cpu", lab.errors);
    for (const field of FIELDS) $(`cpu-${field}`).value = form[field];
    $("cpu-processes").value = labForm.processes;
    $("cpu-crash").value = labForm.crashTask;
    $("cpu-gil").checked = options.gil === true;
    if (mode === "compare") $("cpu-with-processes").checked = options.withProcesses === true;
    this.#showFieldErrors([]);
    this.#labelThreadsButton();
    const chosen = { processes: lab.processes, crashTask: lab.crashTask, gil: options.gil === true };
    if (mode === "compare") return this.#compare(checked.params, { ...chosen, withProcesses: options.withProcesses === true || !this.threadsAvailable });
    return this.#start(checked.params, mode, chosen);
  }

  /** Stops the run in progress, if any. The run's promise rejects with an AbortError. */
  cancel() {
    if (!this.running) return false;
    this.running.cancelledAt = performance.now();
    this.running.control.cancelled = true;
    this.runtime.current?.cancel();
    this.pool.cancel(this.running.lab.processes);
    this.#status("Cancelling…");
    return true;
  }

  #runFromForm(mode) {
    const form = Object.fromEntries(FIELDS.map((field) => [field, $(`cpu-${field}`).value]));
    const checked = this.#check(form);
    const lab = this.bindings.checkLabInput($("cpu-processes").value, $("cpu-crash").value, checked.ok ? checked.params.tasks : 64);
    const errors = [...(checked.ok ? [] : checked.errors), ...(lab.ok ? [] : lab.errors)];
    this.#showFieldErrors(errors);
    if (errors.length) {
      this.#status("Nothing ran: fix the highlighted fields first.", true);
      $(LAB_FIELDS[errors[0].field] ?? `cpu-${errors[0].field}`).focus();
      return;
    }
    const gil = $("cpu-gil").checked && mode === "threads";
    // Errors are already on the page; the click itself has nobody to reject to.
    if (mode === "compare") {
      // A comparison repeats its runs: the crash and GIL experiments belong to single runs.
      const withProcesses = $("cpu-with-processes").checked || !this.threadsAvailable;
      this.#compare(checked.params, { processes: lab.processes, crashTask: null, gil: false, withProcesses }).catch(() => {});
      return;
    }
    this.#start(checked.params, mode, { processes: lab.processes, crashTask: lab.crashTask, gil }).catch(() => {});
  }

  #check(form) {
    return this.bindings.checkCpuInput(form.tasks, form.n, form.threads, form.chunks, this.cores);
  }

  async #start(params, mode, lab = { processes: this.defaultThreads, crashTask: null, gil: false }) {
    if (this.running || this.busyElsewhere())
      throw new Error("A CPU run is already in progress: wait for it to finish or cancel it first.");
    const control = { cancelled: false, finishedItems: 0 };
    const run = { params, mode, lab, control, cancelledAt: null };
    this.running = run;
    const total = params.tasks * params.n;
    // The bar starts empty: a run that first starts a process must not show the last run's full bar meanwhile.
    $("cpu-progress").value = 0;
    $("cpu-progress-text").textContent = `0 of ${groupDigits(String(total))} squares`;
    let busyTimer;
    try {
      const starting =
        mode === "processes" ? !this.pool.processes.slice(0, lab.processes).every((p) => p?.alive) && lab.processes
          : mode === "threads" && this.runtime.current?.threads !== params.threads && params.threads;
      if (starting) {
        this.#setBusy(true);
        const what = mode === "processes" ? "process" : "thread";
        this.#status(`Starting ${mode === "processes" ? `${starting} processes` : `a new process with ${starting} ${what}${starting > 1 ? "s" : ""}`}…`);
      }
      if (mode === "processes") await this.pool.ensure(lab.processes);
      const process =
        mode === "threads" ? await this.runtime.processWith(params.threads)
          : mode === "sequential" ? await this.runtime.anyProcess() : null;
      await afterNextPaint();
      if (run.cancelledAt !== null) throw abortError();
      // The busy state appears only once the run has lasted BUSY_DELAY_MS. A quick run then ends
      // without a flicker and without the browser repainting meanwhile: on a 2-core machine that
      // repaint would take a core from the very threads being timed (measured: bench/run.sh).
      const itemsDone = mode === "processes" ? () => this.pool.itemsDone(lab.processes, control.finishedItems) : () => process.itemsDone();
      busyTimer = setTimeout(() => {
        this.#setBusy(true);
        this.#status(
          mode === "threads" ? `Running on ${process.threads} threads${lab.gil ? " under a simulated GIL" : ""}…`
            : mode === "processes" ? `Running in ${lab.processes} processes…` : "Running sequentially…",
        );
        this.#watchProgress(itemsDone, total, run);
      }, BUSY_DELAY_MS);
      const result =
        mode === "processes"
          ? await this.#runInProcesses(params, lab, control)
          : await process
              .runCpu({ tasks: params.tasks, n: params.n, chunks: params.chunks, parallel: mode === "threads", gil: lab.gil, crashTask: lab.crashTask })
              .catch((error) => this.#lost(error, run, process));
      const threads = mode === "threads" ? process.threads : mode === "processes" ? lab.processes : 1;
      this.#show({ ...result, mode, threads, gil: lab.gil, params });
      const crashed = result.errors?.length ?? 0;
      const crowded = mode === "threads" ? oversubscription(threads, this.coreCheck) : "";
      this.#status(
        crashed
          ? `Done in ${formatMs(result.wallMs)}, but ${crashed === 1 ? "one process" : `${crashed} processes`} crashed: ${result.errors
              .map((e) => `task ${e.task} (${e.message})`)
              .join("; ")}. Only that task is lost: the other results arrived, and a new process took the crashed one's place.`
          : `Done in ${formatMs(result.wallMs)}.${crowded ? ` ${crowded}` : ""}`,
        crashed > 0,
      );
      return this.lastResult;
    } catch (error) {
      if (error.name === "AbortError") {
        const after = performance.now() - run.cancelledAt;
        this.#status(`Cancelled; the run stopped ${formatMs(after)} after you pressed Cancel. Nothing from it is shown.`);
      } else {
        this.#status(`The run failed: ${error.message}`, true);
      }
      this.#markStale();
      throw error;
    } finally {
      clearTimeout(busyTimer);
      run.finished = true;
      this.running = null;
      this.#setBusy(false);
    }
  }

  /**
   * What a run that failed in its process throws: a cancel, a process lost with every result of the run
   * (a fresh one is started), or the error itself.
   */
  #lost(error, run, process) {
    if (run.cancelledAt !== null) throw abortError();
    if (error.name !== "ProcessLost" && error.name !== "ProcessUnresponsive") throw error;
    const what =
      error.name === "ProcessLost"
        ? `${error.message}. One thread's panic took down the whole process with all ${process.threads} of its threads, so every result of this run is lost.`
        : `${error.message}. Every result of this run is lost.`;
    this.#restartAfterLoss(what, process.threads);
    throw new Error(`${what} A fresh process is starting.`);
  }

  /**
   * The CPU demo's primary button: sequential and parallel runs of the same work in turns, round after
   * round (how many: src/model/compare.rs), then the median speedup with its spread. Every round's
   * runs are kept, and the round closest to the median is drawn first.
   */
  async #compare(params, lab) {
    if (this.running || this.busyElsewhere())
      throw new Error("A CPU run is already in progress: wait for it to finish or cancel it first.");
    const control = { cancelled: false, finishedItems: 0 };
    const run = { params, mode: "compare", lab, control, cancelledAt: null };
    this.running = run;
    const ways = [...(this.threadsAvailable ? ["threads"] : []), ...(lab.withProcesses ? ["processes"] : [])];
    $("cpu-progress").value = 0;
    $("cpu-progress-text").textContent = "Starting the comparison…";
    try {
      this.#setBusy(true);
      this.#status(`Comparing 1 thread with ${ways.map((way) => this.#wayName(way, params, lab)).join(" and with ")}: rounds in turns…`);
      if (ways.includes("processes")) await this.pool.ensure(lab.processes);
      const threaded = ways.includes("threads") ? await this.runtime.processWith(params.threads) : null;
      const single = threaded ?? (await this.runtime.anyProcess());
      const rounds = [];
      let measuredMs = 0;
      // One round first that is not counted: the first runs after a pause (or a process's start) meet
      // cold caches and a page still busy with the click, and would only widen the spread.
      let warmUp = true;
      let shownAt = -Infinity;
      while (warmUp || this.bindings.compareAnotherRound(rounds.length, measuredMs)) {
        // Which way runs first alternates, so neither always follows the other's after-effects.
        const order = rounds.length % 2 === 0 ? ["sequential", ...ways] : [...ways, "sequential"];
        const round = {};
        for (const way of order) {
          if (run.cancelledAt !== null) throw abortError();
          // The progress line moves between runs, never during one, and the run waits for its paint.
          if (performance.now() - shownAt >= COMPARE_PROGRESS_INTERVAL_MS) {
            const name = this.#wayName(way, params, lab);
            $("cpu-progress-text").textContent = warmUp ? `Warm-up round: ${name}…` : `Round ${rounds.length + 1}: ${name}…`;
            $("cpu-progress").value = Math.min(1, rounds.length / 5);
            shownAt = performance.now();
          }
          await afterNextPaint();
          const process = way === "threads" ? threaded : single;
          round[way] =
            way === "processes"
              ? await this.#runInProcesses(params, lab, control)
              : await process
                  .runCpu({ tasks: params.tasks, n: params.n, chunks: params.chunks, parallel: way === "threads" })
                  .catch((error) => this.#lost(error, run, process));
          if (run.cancelledAt !== null) throw abortError();
          measuredMs += round[way].wallMs;
        }
        if (warmUp) {
          warmUp = false;
          measuredMs = 0;
          continue;
        }
        rounds.push(round);
      }
      const results = rounds[0].sequential.results;
      const disagreeing = rounds.flatMap((round) => ways.filter((way) => round[way].results.some((sum, task) => sum !== results[task])));
      if (disagreeing.length) throw new Error(`The runs disagree: ${disagreeing[0]} gave other sums than the sequential run. Nothing is shown.`);
      const sequentialMs = rounds.map((round) => round.sequential.wallMs);
      const spreads = Object.fromEntries(
        ways.map((way) => [way, this.bindings.compareSpread(sequentialMs, rounds.map((round) => round[way].wallMs), way === "threads" ? params.threads : undefined)]),
      );
      const untimed = ways.find((way) => spreads[way] === undefined);
      if (untimed)
        throw new Error(
          `a run took less time than this browser's clock can measure, so there is no speedup to show. Give each task more work (a larger n).`,
        );
      this.#showComparison({ params, lab, ways, rounds, spreads });
      this.#status(`Compared in ${rounds.length} rounds, after one warm-up round that is not counted.`);
      return this.lastResult;
    } catch (error) {
      if (error.name === "AbortError") this.#status("Cancelled; nothing from this comparison is shown.");
      else this.#status(`The comparison failed: ${error.message}`, true);
      this.#markStale();
      throw error;
    } finally {
      run.finished = true;
      this.running = null;
      this.#setBusy(false);
    }
  }

  /**
   * After a run that left no results, what is still shown belongs to the run before it: greyed out and
   * labelled, so a failed run never seems to have the last run's time, speedup, sums and timeline.
   */
  #markStale(stale = true) {
    $("cpu-stale").hidden = !stale || $("cpu-results").hidden;
    for (const element of [$("cpu-results").querySelector("dl"), $("cpu-results").querySelector("table"), $("cpu-why"), $("cpu-timeline").closest("figure")])
      element.classList.toggle("stale", stale && !$("cpu-results").hidden);
    $("cpu-round").disabled = stale;
  }

  #wayName(way, params, lab) {
    return way === "sequential" ? "1 thread" : way === "threads" ? counted(params.threads, "thread") : counted(lab.processes, "process", "processes");
  }

  /** Shows a finished comparison: medians, speedups with their spread, the why, and one round's timeline. */
  #showComparison({ params, lab, ways, rounds, spreads }) {
    const primary = ways[0];
    const typical = spreads[primary].typicalRound;
    const rows = (way) => (way === "sequential" ? 1 : way === "threads" ? params.threads : lab.processes);
    this.comparison = { params, lab, ways, rounds, spreads, shown: typical };
    const roundsOut = rounds.map((round) =>
      Object.fromEntries(Object.entries(round).map(([way, r]) => [way, { wallMs: r.wallMs, spans: r.spans, ...(r.wakeMs !== undefined ? { wakeMs: r.wakeMs } : {}) }])),
    );
    const speedupOf = (way) => {
      const { median: m, low, high, perRound } = spreads[way];
      return { median: m, low, high, perRound, rounds: rounds.length };
    };
    this.lastResult = {
      results: rounds[0].sequential.results,
      wallMs: spreads[primary].parallelMs,
      spans: rounds[typical][primary].spans,
      mode: "compare",
      threads: primary === "threads" ? params.threads : lab.processes,
      gil: false,
      rounds: roundsOut,
      sequentialMs: spreads[primary].sequentialMs,
      speedup: speedupOf(primary),
      shownRound: typical,
      ...(ways.includes("threads") ? { threadsMs: spreads.threads.parallelMs } : {}),
      ...(ways.includes("processes") ? { processes: lab.processes, processesMs: spreads.processes.parallelMs, processesSpeedup: speedupOf("processes") } : {}),
    };
    this.onRun(this.lastResult, params);
    $("cpu-results").hidden = false;
    this.#markStale(false);
    $("cpu-wall").textContent = [
      `1 thread ${formatMs(this.lastResult.sequentialMs)}`,
      ...ways.map((way) => `${this.#wayName(way, params, lab)} ${formatMs(spreads[way].parallelMs)}`),
    ].join(" · ") + ` (medians of ${rounds.length} rounds)`;
    $("cpu-speedup").textContent = ways
      .map((way) => {
        const { median: m, low, high } = spreads[way];
        const figure = `${m.toFixed(2)}× (${low.toFixed(2)}–${high.toFixed(2)} over ${rounds.length} rounds)`;
        return ways.length > 1 ? `${this.#wayName(way, params, lab)}: ${figure}` : figure;
      })
      .join("; ");
    $("cpu-ran-on").textContent = `1 thread and ${ways.map((way) => this.#wayName(way, params, lab)).join(" and ")}, taking turns`;
    const why = $("cpu-why");
    const takeaway = spreads.threads?.takeaway;
    why.hidden = !takeaway;
    if (takeaway) {
      const link = document.createElement("a");
      link.href = "#lab-gil-title";
      link.textContent = "See it in the lab's GIL experiment";
      why.replaceChildren(`${takeaway} `, link, ".");
    }
    const picker = $("cpu-round");
    picker.replaceChildren(
      ...rounds.map((round, index) => {
        const option = document.createElement("option");
        option.value = String(index);
        const ratio = spreads[primary].perRound[index];
        option.textContent = `round ${index + 1} of ${rounds.length}: ${this.#wayName(primary, params, lab)}, ${formatMs(round[primary].wallMs)}, ${ratio.toFixed(2)}×${index === typical ? " (the median)" : ""}`;
        return option;
      }),
    );
    picker.value = String(typical);
    $("cpu-round-picker").hidden = false;
    this.#showSums(this.lastResult.results, params);
    $("cpu-progress-text").textContent = `All ${rounds.length} rounds done, each ${groupDigits(String(params.tasks * params.n))} squares ${ways.length + 1} ways`;
    this.comparison.rows = rows;
    this.#showRound(typical);
  }

  /** Draws one round of the last comparison: its parallel run's timeline. */
  #showRound(index) {
    const comparison = this.comparison;
    if (!comparison?.rounds[index]) return;
    comparison.shown = index;
    const way = comparison.ways[0];
    const shown = comparison.rounds[index][way];
    this.lastRun = { ...shown, mode: way, threads: comparison.rows(way), gil: false, params: comparison.params, compared: true };
    this.#redraw();
  }

  /**
   * Starts a fresh process after one was lost (the run's error says one is starting). The status says
   * when it is ready, or that it could not start, unless another run's words have replaced it by then.
   */
  #restartAfterLoss(what, threads) {
    // The words the failed run leaves on the page (see #start's catch).
    const starting = `The run failed: ${what} A fresh process is starting.`;
    const say = (message) => {
      if ($("cpu-status").textContent === starting) this.#status(`The run failed: ${what} ${message}`, true);
    };
    this.runtime.processWith(threads).then(
      (fresh) => say(`A fresh process with ${fresh.threads || 1} thread${fresh.threads > 1 ? "s" : ""} is ready.`),
      (startError) => say(`Starting a fresh process failed too (${startError.message}); the next run will try again.`),
    );
  }

  /** Processes mode: the plan's chunks go to the process pool; each task's parts are added in Rust. */
  async #runInProcesses(params, lab, control) {
    const chunks = chunksOfPlan(this.bindings.planChunks(String(params.tasks), String(params.n), String(params.chunks)));
    const originMs = performance.timeOrigin + performance.now();
    const mapped = await this.pool.map(chunks, { count: lab.processes, crashTask: lab.crashTask, originMs, control });
    const wallMs = performance.timeOrigin + performance.now() - originMs;
    const results = Array.from({ length: params.tasks }, (_, task) => {
      const parts = mapped.chunks.filter((c) => c.task === task);
      return parts.some((c) => c.sum === null) ? null : this.bindings.sumDecimals(parts.map((c) => c.sum));
    });
    const spans = mapped.chunks
      .filter((c) => c.sum !== null)
      .map((c) => ({ worker: c.worker, task: c.task, chunk: c.chunk, rangeStart: c.start, rangeEnd: c.end, startMs: c.startMs, endMs: c.endMs }));
    return { results, wallMs, spans, errors: mapped.errors };
  }

  #watchProgress(itemsDone, total, run) {
    const bar = $("cpu-progress");
    const text = $("cpu-progress-text");
    // Ten updates a second, by timer rather than requestAnimationFrame: a rAF loop makes the browser
    // produce a frame 60 times a second, and on a 2-core machine (software compositing) that takes
    // measurable time from the very threads being watched (bench/run.sh, "frame gap" and speedup rows).
    const tick = () => {
      if (run.finished) return;
      const done = Math.min(itemsDone(), total);
      bar.value = done / total;
      text.textContent = `${groupDigits(String(done))} of ${groupDigits(String(total))} squares`;
      setTimeout(tick, PROGRESS_INTERVAL_MS);
    };
    tick();
  }

  #show(run) {
    this.lastRun = run;
    const { results, wallMs, spans, mode, threads, gil } = run;
    this.lastResult = { results, wallMs, spans, mode, threads, gil };
    // How long the pool took to wake before the run's clock started (threads only; src/exec/awake.rs).
    if (run.wakeMs !== undefined) Object.assign(this.lastResult, { wakeMs: run.wakeMs, threadsWoken: run.threadsWoken });
    if (mode === "processes") {
      this.lastResult.processes = threads;
      this.lastResult.errors = run.errors ?? [];
    }
    this.onRun(this.lastResult, run.params);
    this.#markStale(false);
    this.comparison = null;
    $("cpu-why").hidden = true;
    $("cpu-round-picker").hidden = true;
    const sameWork = (a, b) => a.tasks === b.tasks && a.n === b.n && a.chunks === b.chunks;
    if (run.mode === "sequential") this.lastSequential = run;
    $("cpu-results").hidden = false;
    $("cpu-wall").textContent = formatMs(run.wallMs);
    $("cpu-ran-on").textContent =
      run.mode === "sequential" ? "1 thread, one chunk after another"
        : run.mode === "processes" ? `${run.threads} processes (own memory each)`
          : `${counted(run.threads, "thread")}${run.gil ? " under a simulated GIL" : ""}`;
    let speedup = "run sequentially to compare";
    if (run.mode === "sequential") speedup = "1× (this is the baseline)";
    else if (this.lastSequential && sameWork(this.lastSequential.params, run.params)) {
      const factor = this.bindings.speedup(this.lastSequential.wallMs, run.wallMs);
      if (factor !== undefined) speedup = `${factor.toFixed(2)}× vs sequential`;
    } else if (this.lastSequential) speedup = "the last sequential run had other inputs: run it again to compare";
    $("cpu-speedup").textContent = speedup;
    this.#showSums(run.results, run.params, run.errors);
    this.#redraw();
  }

  /** Every task's exact sum (or why it is missing), and the progress bar full. */
  #showSums(results, params, errors = []) {
    const body = $("cpu-results-body");
    body.replaceChildren(
      ...results.map((value, task) => {
        const row = document.createElement("tr");
        const name = document.createElement("td");
        name.textContent = `T${task}`;
        const sum = document.createElement("td");
        const error = errors.find((e) => e.task === task);
        if (value === null) {
          sum.textContent = `lost: its process crashed (${error?.message ?? "no message"})`;
          sum.className = "error";
        } else sum.append(...breakableNumber(groupDigits(value)));
        row.append(name, sum);
        return row;
      }),
    );
    const total = groupDigits(String(params.tasks * params.n));
    $("cpu-progress").value = 1;
    $("cpu-progress-text").textContent = `${total} of ${total} squares`;
  }

  #redraw() {
    const canvas = $("cpu-timeline");
    const run = this.lastRun;
    // Before the first run the chart is its one line of text: there is nothing to draw yet.
    showChartEmpty(canvas.closest("figure"), !run);
    if (!run) return;
    const rows = run.mode === "sequential" ? 1 : run.threads;
    const kind = run.mode === "threads" && run.gil ? "gil" : run.mode;
    canvas.style.height = `${90 + rows * 36}px`;
    const flat = new Float64Array(run.spans.length * 5);
    run.spans.forEach((s, i) => flat.set([s.worker, s.task, s.chunk, s.startMs, s.endMs], i * 5));
    try {
      this.bindings.drawTimeline(canvas, flat, rows, kind, prefersDark());
    } catch (error) {
      this.#status(`The timeline could not be drawn: ${error.message}`, true);
    }
  }

  #setBusy(busy) {
    $("cpu-compare").disabled = busy;
    $("cpu-run-sequential").disabled = busy;
    $("cpu-run-threads").disabled = busy || !this.threadsAvailable;
    $("cpu-threads").disabled = !this.threadsAvailable;
    $("cpu-gil").disabled = !this.threadsAvailable;
    $("cpu-run-processes").disabled = busy;
    $("cpu-cancel").disabled = !busy;
  }

  /** The run buttons name the counts they would run with, and only counts this page accepts. */
  #labelThreadsButton() {
    const threadsText = $("cpu-threads").value.trim();
    const threads = /^\d+$/.test(threadsText) && Number(threadsText) >= 1 && Number(threadsText) <= this.cores ? Number(threadsText) : null;
    $("cpu-run-threads").textContent = threads ? `Run on ${counted(threads, "thread")}` : "Run on threads";
    // The limit, the default and why, and a note once the field asks for more than run at full speed.
    const crowded = threads ? oversubscription(threads, this.coreCheck) : "";
    $("cpu-threads-hint").textContent = [`1 to ${this.cores}.`, this.coreCheck.note, crowded].filter(Boolean).join(" ");
    const processesText = $("cpu-processes").value.trim();
    const processes = /^\d+$/.test(processesText) && this.bindings.checkLabInput(processesText, "", 1).ok ? Number(processesText) : null;
    $("cpu-run-processes").textContent = processes ? `Run in ${counted(processes, "process", "processes")}` : "Run in processes";
    const withProcesses = $("cpu-with-processes").checked || !this.threadsAvailable;
    const others = [
      ...(this.threadsAvailable ? [threads ? counted(threads, "thread") : "threads"] : []),
      ...(withProcesses ? [processes ? counted(processes, "process", "processes") : "processes"] : []),
    ];
    $("cpu-compare").textContent = `Compare 1 thread with ${others.join(" and ")}`;
  }

  #showFieldErrors(errors) {
    const inputs = { ...Object.fromEntries(FIELDS.map((f) => [f, `cpu-${f}`])), ...LAB_FIELDS };
    for (const [field, input] of Object.entries(inputs)) {
      const error = errors.find((e) => e.field === field);
      $(`${input}-error`).textContent = error ? error.message : "";
      $(input).setAttribute("aria-invalid", error ? "true" : "false");
    }
  }

  #status(message, isError = false) {
    showStatus($("cpu-status"), message, isError);
  }
}

/**
 * Resolves once the browser has painted what the page just changed (the fields, the empty progress bar),
 * or after 50 ms where no frame comes (a hidden tab). A run started before that paint shares the
 * machine with it: on 2 cores the page's layout and paint took a core from the threads in the run's
 * first milliseconds (bench/first-click.mjs: single runs against the Compare button's back-to-back rounds).
 */
function afterNextPaint() {
  return new Promise((painted) => {
    const fallback = setTimeout(painted, 50);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        painted();
      }, 0),
    );
  });
}

function abortError() {
  return new DOMException("The run was cancelled.", "AbortError");
}
