// The web server lab's section: presets, the load form, the four models run in a process (its event
// loop and thread pool serve; src/web/server.rs), the results table with the queueing-theory bound,
// and the timeline of the first requests. `playground.server()` runs one model the same way. The
// thread pool of k runs in its own process with k pool threads: k real threads that block.
import { $, cell, formatMs, prefersDark, redrawOnThemeOrResize, showChartEmpty, showSource, showStatus, watchOverflow } from "./kit.js";
import { THREADS_UNAVAILABLE } from "./cpu-demo.js";
import { ThreadProcess } from "./process.js";
import { defaultOf } from "./schema.js";

/** Requests the timeline shows: 20, or 10 on a narrow screen (a phone), where 20 rows would not read. */
const TIMELINE_ROWS = 20;
const NARROW_TIMELINE_ROWS = 10;
const NARROW_PX = 560;
/** Each row's height (CSS px), and the caption, axis and margins around the rows (src/charts/downloads.rs). */
const TIMELINE_ROW_PX = 22;
const TIMELINE_FRAME_PX = 72;
const rate = (perSecond) => (Number.isFinite(perSecond) ? `${perSecond.toFixed(1)}/s` : "∞");
/** How often the progress line reads the process's answered count (a shared word: no message, no wait). */
const PROGRESS_MS = 200;
/** Requests per run when none are given: the form's default (src/model/schema.rs, SERVER_REQUESTS). */
const defaultRequests = () => Number(String(defaultOf("server-requests")).replace(/[_,\s]/g, ""));
const modelName = (model, poolSize) => (model === "thread-pool" ? `thread pool of ${poolSize}` : model);

export class ServerDemo {
  constructor({ bindings, runtime, cores, threads }) {
    this.bindings = bindings;
    this.runtime = runtime;
    this.cores = cores;
    this.threadsAvailable = threads;
    /** The model run in progress: `{ model, cancelled, process }`, or null. */
    this.running = null;
    /** A series of runs in progress (the Run button's four models, a sweep): `{ cancelled }`, or null. */
    this.series = null;
    this.results = new Map();
    this.shown = null;
    /** The thread pool's own process (at least k pool threads, k of which serve), kept for the next runs of k or fewer. */
    this.poolProcess = null;
    /** The progress line's runs: `[{ name, answered, requests, state }]`, one per model of the series. */
    this.progress = [];
    this.presets = threads ? bindings.serverPresets() : [];
    /** The models by their API names, in the order the runs and the table take them (from Rust). */
    this.models = threads ? bindings.serverModels() : [];
    /** Whether another demo runs work in the same processes (set by app.js). */
    this.busyElsewhere = () => false;
    /** Called with every finished model run; set by app.js. */
    this.onRun = () => {};
    if (threads) {
      const sources = bindings.serverSources();
      showSource($("server-python"), sources.python);
      showSource($("server-rust"), sources.rust);
    }
    $("server-pool").value = String(cores * 2);
    $("server-preset").addEventListener("change", () => this.#applyPreset());
    for (const id of ["server-io", "server-cpu"]) $(id).addEventListener("input", () => ($("server-preset").value = "custom"));
    $("server-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#runAll().catch((error) => this.#status(error.message, true));
    });
    $("server-cancel").addEventListener("click", () => this.cancel());
    $("server-sweep").addEventListener("click", () => {
      const load = this.#formLoad();
      this.sweep({ ioMs: load.ioMs, cpuMs: load.cpuMs, poolSize: load.poolSize }).catch((error) => this.#status(error.message, true));
    });
    $("server-body").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-model]");
      if (button) this.#draw(button.dataset.model);
    });
    redrawOnThemeOrResize([$("server-timeline")], () => this.#draw(this.shown));
    /** The last sweep's points, redrawn on a new size or colour scheme: `[clients, points, ioMs, cpuMs]`. */
    this.lastSweep = null;
    redrawOnThemeOrResize([$("server-sweep-chart")], () => this.lastSweep && this.#drawSweep(...this.lastSweep));
    watchOverflow($("server-table").parentElement, "The four models' results");
    this.#applyPreset();
  }

  enable() {
    this.#setBusy(false);
    if (!this.threadsAvailable) this.#status("The server lab needs threads (its CPU pool), which this page cannot use: see the banner above.", true);
  }

  #applyPreset() {
    const preset = this.presets.find((p) => p.name === $("server-preset").value);
    if (!preset) {
      $("server-takeaway").textContent = "your own numbers";
      return;
    }
    $("server-io").value = String(preset.ioMs);
    $("server-cpu").value = String(preset.cpuMs);
    $("server-takeaway").textContent = preset.takeaway;
  }

  /** The form as `server()` options (numbers as typed; Rust checks them). */
  #formLoad() {
    const number = (id) => ($(id).value.trim() === "" ? undefined : Number($(id).value.replace(/[_,\s]/g, "")));
    const rateValue = number("server-rate");
    return {
      clients: rateValue === undefined ? number("server-clients") : undefined,
      rate: rateValue,
      requests: number("server-requests"),
      ioMs: number("server-io"),
      cpuMs: number("server-cpu"),
      poolSize: number("server-pool"),
    };
  }

  async #runAll() {
    $("server-error").textContent = "";
    const load = this.#formLoad();
    const series = { cancelled: false };
    this.series = series;
    this.progress = this.models.map((model) => ({ model, name: modelName(model, load.poolSize), answered: 0, requests: load.requests ?? defaultRequests(), state: "waiting" }));
    this.#showProgress();
    try {
      for (const model of this.models) {
        if (series.cancelled) break;
        try {
          await this.run({ ...load, model, poolSize: model === "thread-pool" ? load.poolSize : undefined });
        } catch (error) {
          $("server-error").textContent = error.message;
          throw error;
        }
      }
    } finally {
      this.series = null;
    }
    const best = [...this.results.values()].sort((a, b) => b.throughput - a.throughput)[0];
    if (best && !series.cancelled) this.#status(`Done: ${best.model} answered the most, ${rate(best.throughput)}. ${$("server-takeaway").textContent}`);
  }

  /**
   * `playground.server({ model, clients?, rate?, requests, ioMs, cpuMs, poolSize? })`: serves the load under
   * one model and shows it. Resolves to `{ model, throughput, p50, p95, p99, bound, cancelled, requests }`.
   */
  async run(options = {}) {
    if (!this.threadsAvailable) throw new Error(THREADS_UNAVAILABLE);
    if (this.running) throw new Error("A server run is in progress: wait for it or cancel it.");
    // The server runs in the same process as the CPU demo and the lab: one run at a time there.
    if (this.busyElsewhere()) throw new Error("Another run is in progress: wait for it to finish or cancel it first.");
    const { model = "async", requests = defaultRequests(), ioMs = 100, cpuMs = 1, poolSize } = options;
    const clients = options.clients;
    this.running = { model, cancelled: false, process: null };
    this.#setBusy(true);
    // A run outside "Run all four" (the API, the sweep) shows its own progress line.
    let entry = this.progress.find((p) => p.model === model && p.state === "waiting");
    if (!this.series || !entry) {
      entry = { model, name: modelName(model, poolSize), answered: 0, requests, state: "waiting" };
      this.progress = [entry];
    }
    Object.assign(entry, { name: modelName(model, poolSize), requests, state: "starting" });
    this.#showProgress();
    this.#status(`Serving ${requests} requests with ${entry.name}…`);
    let ticker = null;
    try {
      const process = await this.#processFor(model, poolSize);
      this.running.process = process;
      entry.state = "running";
      ticker = setInterval(() => {
        entry.answered = process.answered();
        this.#showProgress();
      }, PROGRESS_MS);
      let result;
      try {
        const serving = process.serve({ model, poolSize, clients, rate: options.rate, requests, ioMs, cpuMs, cores: this.cores });
        // Cancelled while the process was starting: the serve (which clears the flag as it is sent)
        // stops at once and resolves marked cancelled, like any cancelled serve.
        if (this.running.cancelled) process.cancel();
        result = await serving;
      } finally {
        clearInterval(ticker);
        ticker = null;
      }
      Object.assign(entry, { answered: result.requests.length, state: result.cancelled ? "cancelled" : "done" });
      this.#showProgress();
      this.results.set(model, result);
      this.#show();
      this.#draw(model);
      this.onRun(result, { clients, rate: options.rate, requests, ioMs, cpuMs, poolSize });
      this.#status(result.cancelled ? `Cancelled: ${result.requests.length} requests were answered.` : `${model}: ${rate(result.throughput)}, p50 ${formatMs(result.p50)}.`);
      return result;
    } catch (error) {
      if (entry.state !== "done") entry.state = "failed";
      this.#showProgress();
      throw error;
    } finally {
      clearInterval(ticker);
      this.running = null;
      this.#setBusy(false);
    }
  }

  /**
   * The process a model serves in: the page's process (its pool threads are the CPU pool), or for the
   * thread pool of k a process of its own with at least k pool threads, each a Web Worker, of which k
   * serve: the k threads that block. The page's process keeps its own thread count for the other demos.
   * A pool process is kept for every smaller pool (its extra threads sleep), and a new one is started
   * only for a larger pool, with exactly that many threads: a process per size left WebKit, which frees
   * an ended process's memory only later, refusing to start another ("Out of memory") after a few
   * hundred runs of changing sizes. Not the next power of two: Firefox's pool start froze far more often
   * with 32 threads than with 16 (in nearly every start against 3 in 8, measured on this 2-core machine).
   */
  async #processFor(model, poolSize) {
    if (model !== "thread-pool") return this.runtime.processWith(this.cores);
    // Bad sizes are refused by Rust with its message; any process serves that refusal.
    const most = this.bindings.serverMaxPool();
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > most) return this.runtime.processWith(this.cores);
    if (this.poolProcess?.alive && this.poolProcess.threads >= poolSize) return this.poolProcess;
    this.poolProcess?.terminate();
    this.poolProcess = null;
    this.#status(`Starting a process with ${poolSize} threads (each a Web Worker) for the thread pool…`);
    this.poolProcess = await ThreadProcess.start(this.runtime.module, poolSize);
    return this.poolProcess;
  }

  /** One line per model of the series: answered / requests, while it runs and after. */
  #showProgress() {
    const line = $("server-progress");
    line.hidden = this.progress.length === 0;
    line.replaceChildren(
      ...this.progress.map((p) => {
        const item = document.createElement("span");
        item.className = `server-progress-item ${p.state}`;
        const count = p.state === "waiting" ? "waiting" : p.state === "starting" ? "starting" : `${p.answered} / ${p.requests}`;
        const suffix = p.state === "cancelled" ? " (cancelled)" : p.state === "failed" ? " (failed)" : "";
        item.textContent = `${p.name}: ${count}${suffix}`;
        const bar = document.createElement("progress");
        bar.max = p.requests;
        bar.value = p.state === "waiting" || p.state === "starting" ? 0 : p.answered;
        item.prepend(bar);
        return item;
      }),
    );
  }

  /**
   * `playground.serverSweep({ clients, ioMs, cpuMs, poolSize, requestsPerClient })`: every model at each client
   * count (closed loop, `requestsPerClient` requests per client, at least 8). Resolves to
   * `{ clients, points: [{ model, clients, throughput, bound }] }` and draws the saturation chart.
   */
  async sweep({ clients = [1, 2, 5, 10, 20, 40], ioMs = 100, cpuMs = 1, poolSize = this.cores * 2, requestsPerClient = 2 } = {}) {
    if (!Array.isArray(clients) || !clients.length || clients.some((c) => !Number.isInteger(c) || c < 1))
      throw new RangeError("clients must be a list of whole numbers of clients, e.g. [1, 2, 5, 10].");
    if (!Number.isInteger(requestsPerClient) || requestsPerClient < 1)
      throw new RangeError(`requestsPerClient must be a whole number of at least 1, not ${requestsPerClient}.`);
    const series = { cancelled: false };
    this.series = series;
    const points = [];
    try {
      for (const count of clients) {
        for (const model of this.models) {
          if (series.cancelled) break;
          const requests = Math.max(8, requestsPerClient * count);
          const result = await this.run({ model, clients: count, requests, ioMs, cpuMs, poolSize: model === "thread-pool" ? poolSize : undefined }).catch((error) => {
            if (error.name === "AbortError") throw error;
            // Say which of the sweep's own options led to the run's numbers.
            throw new RangeError(`${model} with ${count} clients × requestsPerClient ${requestsPerClient} (${requests} requests): ${error.message}`);
          });
          points.push({ model, clients: count, throughput: result.throughput, bound: result.bound });
          this.#drawSweep(clients, points, ioMs, cpuMs);
        }
      }
    } finally {
      this.series = null;
    }
    if (series.cancelled) {
      this.#status(`Sweep cancelled after ${points.length} of ${clients.length * this.models.length} runs; the chart shows those.`);
      throw new DOMException("The sweep was cancelled.", "AbortError");
    }
    this.#status("Sweep done: each line flattens where its model saturates.");
    return { clients, points };
  }

  #drawSweep(clients, points, ioMs, cpuMs) {
    const canvas = $("server-sweep-chart");
    this.lastSweep = [clients, points, ioMs, cpuMs];
    showChartEmpty(canvas.closest("figure"), false);
    const throughputs = this.models.flatMap((model) => clients.map((c) => points.find((p) => p.model === model && p.clients === c)?.throughput ?? Number.NaN));
    try {
      this.bindings.drawSaturation(canvas, new Float64Array(clients), this.models, new Float64Array(throughputs), `Database call ${ioMs} ms, CPU ${cpuMs} ms per request`, prefersDark());
    } catch (error) {
      this.#status(error.message, true);
    }
  }

  /**
   * Stops sending requests (those in flight are answered) and ends a series of runs; returns whether
   * anything was in progress. A cancelled run resolves marked `cancelled`; a cancelled sweep rejects
   * with an AbortError.
   */
  cancel() {
    if (!this.running && !this.series) return false;
    if (this.series) this.series.cancelled = true;
    if (this.running) {
      this.running.cancelled = true;
      this.running.process?.cancel();
    }
    for (const p of this.progress) if (p.state === "waiting") p.state = "cancelled";
    this.#showProgress();
    return true;
  }

  #show() {
    const fastest = Math.max(...[...this.results.values()].map((r) => r.throughput));
    $("server-body").replaceChildren(
      ...this.models.filter((m) => this.results.has(m)).map((model) => {
        const r = this.results.get(model);
        const tr = document.createElement("tr");
        const bar = Object.assign(document.createElement("span"), { className: "bar" });
        bar.style.setProperty("--share", String(r.throughput / fastest));
        const through = document.createElement("span");
        through.append(bar, rate(r.throughput));
        const show = Object.assign(document.createElement("button"), { type: "button", textContent: "show" });
        show.dataset.model = model;
        const name = modelName(model, r.poolSize);
        // data-label: what each figure is where a phone shows the row as a block (style.css).
        const figures = [
          [`${rate(r.bound)} (${((r.throughput / r.bound) * 100).toFixed(0)} % of it)`, "Bound"],
          [formatMs(r.p50), "p50"],
          [formatMs(r.p95), "p95"],
          [formatMs(r.p99), "p99"],
        ].map(([text, label]) => {
          const td = cell(text, label.toLowerCase());
          td.dataset.label = label;
          return td;
        });
        tr.append(cell(name, "model"), cell(through, "throughput"), ...figures, cell(show, "show"));
        return tr;
      }),
    );
    $("server-table").hidden = false;
    $("server-table-notes").hidden = false;
  }

  #draw(model) {
    const canvas = $("server-timeline");
    const result = model ? this.results.get(model) : null;
    this.shown = result ? model : null;
    // Before the first run the chart is its one line of text: there is nothing to draw yet.
    showChartEmpty(canvas.closest("figure"), !result);
    if (!result) return;
    const rows = canvas.parentElement.clientWidth < NARROW_PX ? NARROW_TIMELINE_ROWS : TIMELINE_ROWS;
    const first = result.requests.slice(0, rows);
    $("server-timeline-rows").textContent = String(first.length);
    canvas.style.height = `${TIMELINE_FRAME_PX + Math.max(first.length, 3) * TIMELINE_ROW_PX}px`;
    // Queued, waiting on the database, waiting for a core, computing (RequestRecord::phases in Rust).
    const flat = new Float64Array(first.flatMap((r) => [r.arriveMs, r.startMs, r.dbEndMs, r.ioEndMs, r.cpuStartMs, r.endMs, r.coreWaitMs]));
    // The thread that served it (thread pool), or the worker / pool thread that computed it.
    const names = first.map((r) => `request ${r.id} (${model === "thread-pool" ? "thread" : "w"}${r.worker})`);
    const caption = `${modelName(model, result.poolSize)}: the first ${first.length} requests`;
    try {
      this.bindings.drawServerTimeline(canvas, flat, names, caption, prefersDark());
    } catch (error) {
      this.#status(error.message, true);
    }
  }

  #setBusy(busy) {
    $("server-run").disabled = busy || !this.threadsAvailable;
    $("server-sweep").disabled = busy || !this.threadsAvailable;
    $("server-cancel").disabled = !busy;
  }

  #status(message, isError = false) {
    showStatus($("server-status"), message, isError);
  }
}
