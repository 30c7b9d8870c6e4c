// The CPU demo's section: reads the form, runs through the CPU runtime, shows results, progress and the
// timeline. Validation, arithmetic and drawing live in Rust; this file only wires them to the page.

import { $, breakableNumber, counted, formatMs, prefersDark, redrawOnThemeOrResize, showChartEmpty, showSource, showStatus } from "./kit.js";
import { chunksOfPlan } from "./process-pool.js";
import { defaultOf } from "./schema.js";
import { optionErrors } from "./api-options.js";
import { oversubscription } from "./cores.js";

const FIELDS = ["tasks", "n", "threads", "chunks"];
const LAB_FIELDS = { processes: "cpu-processes", crashTask: "cpu-crash" };
const MODES = new Set(["sequential", "threads", "processes"]);
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
    $("cpu-run-processes").addEventListener("click", () => this.#runFromForm("processes"));
    $("cpu-processes").addEventListener("input", () => this.#labelThreadsButton());
    $("cpu-cancel").addEventListener("click", () => this.cancel());
    // "Run on N threads" is the form's submit button, so Enter in any field runs it too.
    $("cpu-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#runFromForm("threads");
    });
    $("cpu-threads").addEventListener("input", () => this.#labelThreadsButton());
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
    if (options.processes !== undefined && mode !== "processes")
      throw new TypeError(`processes applies to the "processes" mode, not "${mode}".`);
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
    this.#showFieldErrors([]);
    this.#labelThreadsButton();
    return this.#start(checked.params, mode, { processes: lab.processes, crashTask: lab.crashTask, gil: options.gil === true });
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
              .catch((error) => {
                if (run.cancelledAt !== null) throw abortError();
                if (error.name !== "ProcessLost" && error.name !== "ProcessUnresponsive") throw error;
                const what =
                  error.name === "ProcessLost"
                    ? `${error.message}. One thread's panic took down the whole process with all ${process.threads} of its threads, so every result of this run is lost.`
                    : `${error.message}. Every result of this run is lost.`;
                this.#restartAfterLoss(what, process.threads);
                throw new Error(`${what} A fresh process is starting.`);
              });
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
      throw error;
    } finally {
      clearTimeout(busyTimer);
      run.finished = true;
      this.running = null;
      this.#setBusy(false);
    }
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
    if (mode === "processes") {
      this.lastResult.processes = threads;
      this.lastResult.errors = run.errors ?? [];
    }
    this.onRun(this.lastResult, run.params);
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
    const body = $("cpu-results-body");
    body.replaceChildren(
      ...run.results.map((value, task) => {
        const row = document.createElement("tr");
        const name = document.createElement("td");
        name.textContent = `T${task}`;
        const sum = document.createElement("td");
        const error = run.errors?.find((e) => e.task === task);
        if (value === null) {
          sum.textContent = `lost: its process crashed (${error?.message ?? "no message"})`;
          sum.className = "error";
        } else sum.append(...breakableNumber(groupDigits(value)));
        row.append(name, sum);
        return row;
      }),
    );
    const total = groupDigits(String(run.params.tasks * run.params.n));
    $("cpu-progress").value = 1;
    $("cpu-progress-text").textContent = `${total} of ${total} squares`;
    this.#redraw();
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
    $("cpu-run-sequential").disabled = busy;
    $("cpu-run-threads").disabled = busy || !this.threadsAvailable;
    $("cpu-threads").disabled = !this.threadsAvailable;
    $("cpu-gil").disabled = !this.threadsAvailable;
    $("cpu-run-processes").disabled = busy;
    $("cpu-cancel").disabled = !busy;
  }

  #labelThreadsButton() {
    const threads = $("cpu-threads").value.trim();
    $("cpu-run-threads").textContent = /^\d+$/.test(threads) ? `Run on ${counted(threads, "thread")}` : "Run on threads";
    // The limit, the default and why, and a note once the field asks for more than run at full speed.
    const crowded = /^\d+$/.test(threads) ? oversubscription(Number(threads), this.coreCheck) : "";
    $("cpu-threads-hint").textContent = [`1 to ${this.cores}.`, this.coreCheck.note, crowded].filter(Boolean).join(" ");
    const processes = $("cpu-processes").value.trim();
    $("cpu-run-processes").textContent = /^\d+$/.test(processes) ? `Run in ${counted(processes, "process", "processes")}` : "Run in processes";
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

function abortError() {
  return new DOMException("The run was cancelled.", "AbortError");
}
