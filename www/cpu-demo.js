// The CPU demo's section: reads the form, runs through the CPU runtime, shows results, progress and the
// timeline. Validation, arithmetic and drawing live in Rust; this file only wires them to the page.

const FIELDS = ["tasks", "n", "threads", "chunks"];
const OPTIONS = new Set([...FIELDS, "mode"]);
const MODES = new Set(["sequential", "threads"]);
const PROGRESS_INTERVAL_MS = 100;
const BUSY_DELAY_MS = 100;

const $ = (id) => document.getElementById(id);
const groupDigits = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const formatMs = (ms) => (ms >= 10 ? `${Math.round(ms).toLocaleString("en-US")} ms` : `${ms.toFixed(1)} ms`);

export class CpuDemo {
  constructor({ bindings, runtime, cores }) {
    this.bindings = bindings;
    this.runtime = runtime;
    this.cores = cores;
    this.running = null;
    this.lastSequential = null;
    this.lastRun = null;
    /** The last finished run in `playground.cpu`'s result shape (from the API or the buttons), or null. */
    this.lastResult = null;
    this.dark = matchMedia("(prefers-color-scheme: dark)");

    $("cpu-threads").value = String(cores);
    $("cpu-threads-hint").textContent = `1 to ${cores} (your logical cores)`;
    // The limits come from the Rust that checks them, so the hints cannot drift from the checks.
    const limits = bindings.cpuLimits();
    const upTo = (max) => max.toLocaleString("en-US");
    $("cpu-tasks-hint").textContent = `like the 4 items given to pool.map (1 to ${upTo(limits.maxTasks)})`;
    $("cpu-n-hint").textContent = `each task sums i² for i in 0..n (1 to ${upTo(limits.maxN)})`;
    $("cpu-chunks-hint").textContent = `more chunks, finer load balancing (1 to ${upTo(limits.maxChunks)})`;
    $("cpu-python").textContent = bindings.seedCpuSource();
    $("cpu-rust").textContent = bindings.kernelSource();

    $("cpu-run-sequential").addEventListener("click", () => this.#runFromForm("sequential"));
    $("cpu-cancel").addEventListener("click", () => this.cancel());
    // "Run on N threads" is the form's submit button, so Enter in any field runs it too.
    $("cpu-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#runFromForm("threads");
    });
    $("cpu-threads").addEventListener("input", () => this.#labelThreadsButton());
    this.dark.addEventListener("change", () => this.#redraw());
    new ResizeObserver(() => this.#redraw()).observe($("cpu-timeline"));
    this.#labelThreadsButton();
    this.#redraw();
  }

  /** Enables the run buttons once a process is ready (they start disabled). */
  enable() {
    this.#setBusy(false);
  }

  /**
   * The JS API's `playground.cpu(options)`: same checks and same run as the buttons; the page shows it.
   * Missing options default to the form's defaults (4 tasks, n = 10,000,000, all cores, 1 chunk, threads).
   */
  async run(options = {}) {
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw new TypeError("playground.cpu expects an options object, e.g. { mode: \"threads\" }.");
    const unknown = Object.keys(options).filter((key) => !OPTIONS.has(key));
    if (unknown.length)
      throw new TypeError(`Unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; known: ${[...OPTIONS].join(", ")}.`);
    const mode = options.mode ?? "threads";
    if (!MODES.has(mode)) throw new TypeError(`mode must be "sequential" or "threads", not ${JSON.stringify(mode)}.`);
    const text = (value, fallback) => (value === undefined ? fallback : String(value));
    const form = {
      tasks: text(options.tasks, "4"),
      n: text(options.n, "10000000"),
      threads: text(options.threads, String(this.cores)),
      chunks: text(options.chunks, "1"),
    };
    const checked = this.#check(form);
    if (!checked.ok) throw new RangeError(checked.errors.map((e) => e.message).join(" "));
    for (const field of FIELDS) $(`cpu-${field}`).value = form[field];
    this.#showFieldErrors([]);
    this.#labelThreadsButton();
    return this.#start(checked.params, mode);
  }

  /** Stops the run in progress, if any. The run's promise rejects with an AbortError. */
  cancel() {
    if (!this.running) return false;
    this.running.cancelledAt = performance.now();
    this.runtime.current?.cancel();
    this.#status("Cancelling…");
    return true;
  }

  #runFromForm(mode) {
    const form = Object.fromEntries(FIELDS.map((field) => [field, $(`cpu-${field}`).value]));
    const checked = this.#check(form);
    this.#showFieldErrors(checked.ok ? [] : checked.errors);
    if (!checked.ok) {
      this.#status("Nothing ran: fix the highlighted fields first.", true);
      $(`cpu-${checked.errors[0].field}`).focus();
      return;
    }
    // Errors are already on the page; the click itself has nobody to reject to.
    this.#start(checked.params, mode).catch(() => {});
  }

  #check(form) {
    return this.bindings.checkCpuInput(form.tasks, form.n, form.threads, form.chunks, this.cores);
  }

  async #start(params, mode) {
    if (this.running)
      throw new Error("A CPU run is already in progress: wait for it to finish or cancel it first.");
    const run = { params, mode, cancelledAt: null };
    this.running = run;
    const total = params.tasks * params.n;
    let busyTimer;
    try {
      if (mode === "threads" && this.runtime.current?.threads !== params.threads) {
        this.#setBusy(true);
        this.#status(`Starting a new process with ${params.threads} thread${params.threads > 1 ? "s" : ""}…`);
      }
      const process =
        mode === "threads" ? await this.runtime.processWith(params.threads) : await this.runtime.anyProcess();
      if (run.cancelledAt !== null) throw abortError();
      // The busy state appears only once the run has lasted BUSY_DELAY_MS. A quick run then ends
      // without a flicker and without the browser repainting meanwhile: on a 2-core machine that
      // repaint would take a core from the very threads being timed (measured: bench/run.sh).
      busyTimer = setTimeout(() => {
        this.#setBusy(true);
        this.#status(mode === "threads" ? `Running on ${process.threads} threads…` : "Running sequentially…");
        this.#watchProgress(process, total, run);
      }, BUSY_DELAY_MS);
      const result = await process
        .runCpu({ tasks: params.tasks, n: params.n, chunks: params.chunks, parallel: mode === "threads" })
        .catch((error) => {
          throw run.cancelledAt !== null ? abortError() : error;
        });
      this.#show({ ...result, mode, threads: mode === "threads" ? process.threads : 1, params });
      this.#status(`Done in ${formatMs(result.wallMs)}.`);
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

  #watchProgress(process, total, run) {
    const bar = $("cpu-progress");
    const text = $("cpu-progress-text");
    // Ten updates a second, by timer rather than requestAnimationFrame: a rAF loop makes the browser
    // produce a frame 60 times a second, and on a 2-core machine (software compositing) that takes
    // measurable time from the very threads being watched (bench/run.sh, "frame gap" and speedup rows).
    const tick = () => {
      if (run.finished) return;
      const done = Math.min(process.itemsDone(), total);
      bar.value = done / total;
      text.textContent = `${groupDigits(String(done))} of ${groupDigits(String(total))} squares`;
      setTimeout(tick, PROGRESS_INTERVAL_MS);
    };
    tick();
  }

  #show(run) {
    this.lastRun = run;
    const { results, wallMs, spans, mode, threads } = run;
    this.lastResult = { results, wallMs, spans, mode, threads };
    const sameWork = (a, b) => a.tasks === b.tasks && a.n === b.n && a.chunks === b.chunks;
    if (run.mode === "sequential") this.lastSequential = run;
    $("cpu-results").hidden = false;
    $("cpu-wall").textContent = formatMs(run.wallMs);
    $("cpu-ran-on").textContent =
      run.mode === "sequential" ? "1 thread, one chunk after another" : `${run.threads} threads`;
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
        sum.textContent = groupDigits(value);
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
    const rows = run ? (run.mode === "sequential" ? 1 : run.threads) : this.cores;
    canvas.width = Math.max(300, canvas.clientWidth);
    canvas.height = 90 + rows * 36;
    const flat = new Float64Array((run?.spans.length ?? 0) * 5);
    run?.spans.forEach((s, i) => flat.set([s.worker, s.task, s.chunk, s.startMs, s.endMs], i * 5));
    try {
      this.bindings.drawTimeline(canvas, flat, rows, run?.mode === "sequential", this.dark.matches);
    } catch (error) {
      this.#status(`The timeline could not be drawn: ${error.message}`, true);
    }
  }

  #setBusy(busy) {
    $("cpu-run-sequential").disabled = busy;
    $("cpu-run-threads").disabled = busy;
    $("cpu-cancel").disabled = !busy;
  }

  #labelThreadsButton() {
    const threads = $("cpu-threads").value.trim();
    $("cpu-run-threads").textContent = /^\d+$/.test(threads) ? `Run on ${threads} threads` : "Run on threads";
  }

  #showFieldErrors(errors) {
    for (const field of FIELDS) {
      const error = errors.find((e) => e.field === field);
      $(`cpu-${field}-error`).textContent = error ? error.message : "";
      $(`cpu-${field}`).setAttribute("aria-invalid", error ? "true" : "false");
    }
  }

  #status(message, isError = false) {
    const status = $("cpu-status");
    status.textContent = message;
    status.classList.toggle("error", isError);
  }
}

function abortError() {
  return new DOMException("The run was cancelled.", "AbortError");
}
