// The downloads demo's section: reads the form, runs the Rust downloads (on the page's thread, or on
// download threads), shows each file's progress, result and the timeline, and keeps the files in
// the browser's private file system. Checks, hashing, scheduling and drawing live in Rust.
import { $, cell, fileNameCell, formatMs, prefersDark, redrawOnThemeOrResize, showChartEmpty, showHash, showSource, watchOverflow } from "./kit.js";
import { DownloadThreads } from "./io-threads.js";
import { SavedFiles } from "./saved-files.js";
import { simulatedNetworkReady } from "./isolation.js";

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_TIMEOUT_MS = 3_600_000;
const PROGRESS_INTERVAL_MS = 100;
const MODE_TITLES = {
  sequential: "One after another",
  concurrent: "All at once",
  bounded: "At most k at once",
  threads: "On threads",
};

const now = () => performance.timeOrigin + performance.now();
const formatBytes = (bytes) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`;

export class DownloadsDemo {
  /** `networkOff`: why the simulated network cannot run on this page (isolation.js), or null. */
  constructor({ bindings, module, networkOff = null }) {
    this.bindings = bindings;
    this.threads = new DownloadThreads(module);
    this.saved = new SavedFiles((record, bytes, lastModified) => bindings.savedFileHash(record, bytes, lastModified));
    // Each file's size limit (Rust's default, 256 MiB) unless `downloads({ maxBytes })` raises it.
    this.sizeLimit = bindings.downloadSizeLimit(undefined);
    this.manifest = [];
    this.running = null;
    this.lastRun = null;
    this.lastResult = null;
    this.lastSequential = new Map();
    /** Called with every finished run in `downloads()`'s shape; set by app.js. */
    this.onRun = () => {};
    this.lastConcurrent = new Map();
    // The simulated network keeps the browser's per-host limit only where the browser has one.
    const protocol = performance.getEntriesByType("navigation")[0]?.nextHopProtocol ?? "http/1.1";
    this.connections = bindings.connectionsPerHost(protocol);
    /** Browsers' limit of HTTP/1.1 connections per host, as the simulated network keeps it (Rust). */
    this.http1Connections = bindings.connectionsPerHost("http/1.1");

    showSource($("dl-python"), bindings.seedDownloadsSource());
    showSource($("dl-rust"), bindings.downloadsSource());
    $("dl-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#runFromForm("concurrent");
    });
    for (const mode of ["sequential", "bounded", "threads"])
      $(`dl-run-${mode}`).addEventListener("click", () => this.#runFromForm(mode));
    $("dl-cancel").addEventListener("click", () => this.cancel());
    $("dl-source").addEventListener("change", () => this.#showSource());
    $("dl-network").addEventListener("change", () => this.#fillNetworkFields());
    for (const id of ["dl-latency", "dl-kbps"]) $(id).addEventListener("input", () => ($("dl-network").value = "custom"));
    $("dl-files-body").addEventListener("click", (event) => this.#onRowButton(event));
    $("dl-saved-clear").addEventListener("click", () => this.#clearSaved());
    redrawOnThemeOrResize([$("dl-timeline")], () => this.#redraw());
    watchOverflow($("dl-files").parentElement, "Every file of the last run");
    watchOverflow($("dl-saved-table").parentElement, "Saved files");
    this.#fillNetworkFields();
    if (networkOff) this.#withoutSimulatedNetwork(networkOff);
    this.#showSource();
    this.#redraw();
  }

  /** Loads and checks the sample manifest, then enables the buttons. */
  async prepare() {
    const response = await fetch(new URL("samples/manifest.json", document.baseURI), { cache: "no-store" });
    if (!response.ok) throw new Error(`The sample manifest could not be loaded (HTTP ${response.status}); rebuild with trunk.`);
    const { files } = await response.json();
    this.bindings.checkManifest(files);
    this.manifest = files;
    const perHost = this.http1Connections;
    $("dl-queue-note").textContent = `Browsers open at most ${perHost} HTTP/1.1 connections to one host: with ${files.length} files "all at once", files ${perHost + 1}–${files.length} queue (grey) until a connection frees up. HTTP/2 and HTTP/3 carry every request on one connection.`;
    const total = (count) => formatBytes(files.slice(0, count).reduce((sum, f) => sum + f.bytes, 0));
    // The sample sets' labels come from the schema (src/model/schema.rs); their sizes from the manifest.
    for (const option of $("dl-source").options) if (option.value !== "urls") option.textContent += ` (${total(Number(option.value))} in all)`;
    const limit = `Each download stops at ${this.sizeLimit.label} (playground.downloads({ maxBytes }) raises it).`;
    await this.saved.probe();
    if (!this.saved.supported) $("dl-saved-status").textContent = `Downloads are kept in memory only: ${this.saved.refusal}. ${limit}`;
    else {
      $("dl-saved-status").textContent = limit;
      // Listing reads only the small records beside the files; still, it need not hold up the page.
      this.#listSaved().catch((error) => ($("dl-saved-status").textContent = `Listing the saved files failed: ${error.message}`));
    }
    this.#setBusy(false);
  }

  /**
   * `playground.downloads(options)`: `{ urls?, samples?, mode, limit?, network?, timeoutMs? }`. Without
   * `urls`, the first `samples` (default 6) sample files. `network` (default "none") is a preset name or
   * `{ latencyMs, kbps }` and applies to the sample files. `maxBytes` (default 256 MiB) is each file's
   * size limit: a file past it fails on its own row and nothing of it is kept.
   */
  async run(options = {}) {
    let addresses;
    if (options.urls !== undefined) {
      if (!Array.isArray(options.urls) || options.urls.some((u) => typeof u !== "string"))
        throw new TypeError("urls must be an array of strings.");
      addresses = this.#checkUrls(options.urls.join("\n"));
      if (!addresses.ok) throw new RangeError(`playground.downloads: option "urls": ${addresses.errors.map((e) => e.message).join("; ")}`);
      addresses = addresses.urls.map((u) => u.url);
    } else {
      addresses = this.#sampleAddresses(options.samples ?? 6);
    }
    const mode = this.bindings.checkDownloadMode(options.mode ?? "concurrent", options.limit, addresses.length);
    let network;
    try {
      network = this.bindings.networkConditions(options.network ?? "none", this.connections);
    } catch (error) {
      throw new RangeError(`playground.downloads: option "network": ${error.message}`);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // At most an hour: the idle timeout crosses into Rust as a u32, where a larger number would wrap.
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)
      throw new RangeError(`timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS.toLocaleString("en-US")} (an hour), not ${timeoutMs}.`);
    let sizeLimit;
    try {
      sizeLimit = this.bindings.downloadSizeLimit(options.maxBytes);
    } catch (error) {
      throw new RangeError(`playground.downloads: option "maxBytes": ${error.message}`);
    }
    return this.#start({ addresses, mode, network, timeoutMs, sizeLimit });
  }

  /** Cancels the run in progress; returns whether there was one. */
  cancel() {
    if (!this.running) return false;
    this.running.controller.abort();
    $("dl-status").textContent = "Cancelling…";
    return true;
  }

  #sampleAddresses(count) {
    if (!Number.isInteger(count) || count < 1 || count > this.manifest.length)
      throw new RangeError(`samples must be a whole number from 1 to ${this.manifest.length}.`);
    return this.manifest.slice(0, count).map((f) => `samples/${f.name}`);
  }

  #checkUrls(text) {
    return this.bindings.checkUrlList(text, location.protocol === "https:");
  }

  #runFromForm(modeName) {
    this.#showFieldErrors({});
    const errors = {};
    let addresses;
    if ($("dl-source").value === "urls") {
      const checked = this.#checkUrls($("dl-urls").value);
      if (!checked.ok) errors.urls = checked.errors.map((e) => e.message).join("\n");
      else if (checked.urls.length === 0) errors.urls = "Enter at least one address, one per line.";
      else addresses = checked.urls.map((u) => u.url);
    } else {
      addresses = this.#sampleAddresses(Number($("dl-source").value));
    }
    const count = addresses?.length ?? 1;
    let mode;
    const limitField = modeName === "bounded" ? "limit" : modeName === "threads" ? "threads" : null;
    try {
      const text = limitField ? $(`dl-${limitField}`).value.trim() : "";
      // Empty: the bounded mode says it needs a k; the threads mode starts one thread per file.
      mode = this.bindings.checkDownloadMode(modeName, text === "" ? undefined : Number(text), count);
    } catch (error) {
      errors[limitField] = error.message;
    }
    let network;
    try {
      network = this.bindings.networkConditions(this.#networkSpec(), this.connections);
    } catch (error) {
      errors.network = error.message;
    }
    if (Object.keys(errors).length) {
      this.#showFieldErrors(errors);
      $("dl-status").textContent = "Fix the marked fields, then run again.";
      return;
    }
    this.#start({ addresses, mode, network, timeoutMs: DEFAULT_TIMEOUT_MS, sizeLimit: this.sizeLimit }).catch((error) => this.#showError(error));
  }

  #networkSpec() {
    const preset = $("dl-network").value;
    if (preset !== "custom") return preset;
    const read = (id) => ($(id).value.trim() === "" ? Number.NaN : Number($(id).value.replace(/[_,\s]/g, "")));
    return { latencyMs: read("dl-latency"), kbps: read("dl-kbps") };
  }

  #fillNetworkFields() {
    const preset = $("dl-network").value;
    if (preset === "custom") return;
    const network = this.bindings.networkConditions(preset, this.connections);
    $("dl-latency").value = String(network.latencyMs);
    $("dl-kbps").value = String(network.kbps);
    $("dl-network-hint").textContent = `${network.label}; applies to the sample files`;
  }

  /** Leaves the real network the only choice, and says why beside it (nothing disabled without a reason). */
  #withoutSimulatedNetwork(reason) {
    for (const option of $("dl-network").options) option.disabled = option.value !== "none";
    $("dl-network").value = "none";
    this.#fillNetworkFields();
    for (const id of ["dl-latency", "dl-kbps"]) $(id).disabled = true;
    $("dl-network-hint").textContent += `. The simulated networks are off here: ${reason}.`;
  }

  #showSource() {
    const own = $("dl-source").value === "urls";
    $("dl-urls-field").hidden = !own;
    if (own) $("dl-urls").focus();
  }

  #showFieldErrors(errors) {
    const fields = { urls: "dl-urls", limit: "dl-limit", threads: "dl-threads", network: "dl-latency" };
    for (const [key, input] of Object.entries(fields)) {
      const message = errors[key] ?? "";
      $(key === "network" ? "dl-network-error" : `${input}-error`).textContent = message;
      if (message) $(input).setAttribute("aria-invalid", "true");
      else $(input).removeAttribute("aria-invalid");
    }
    const first = firstInvalidField(errors);
    if (first) $(fields[first]).focus();
  }

  /** Resolves an address against the page, and matches it to the manifest when it is a sample file. */
  #plan(address, network) {
    const url = new URL(address, document.baseURI);
    const sample = this.manifest.find((f) => new URL(`samples/${f.name}`, document.baseURI).href === url.href);
    if (!sample) return { url: url.href, fetchUrl: url.href, name: null };
    const fetchUrl = network.simulated ? `${url.href}?${network.query}` : url.href;
    return { url: url.href, fetchUrl, name: sample.name, bytes: sample.bytes, sha256: sample.sha256 };
  }

  async #start({ addresses, mode, network, timeoutMs, sizeLimit }) {
    if (this.running) throw new Error("A download run is already in progress; cancel it or wait for it to finish.");
    const plans = addresses.map((address) => this.#plan(address, network));
    const controller = new AbortController();
    this.running = { controller };
    this.#setBusy(true);
    try {
      // The simulated network is the service worker: registered only now, when a run needs it.
      if (network.simulated && plans.some((p) => p.name)) {
        $("dl-status").textContent = "Starting the simulated network (the playground's service worker)…";
        await simulatedNetworkReady();
      }
      this.#renderRows(plans);
      let threadStartMs = 0;
      if (mode.mode === "threads") {
        $("dl-status").textContent = `Starting ${mode.limit} download thread${mode.limit > 1 ? "s" : ""}…`;
        threadStartMs = await this.threads.ensure(mode.limit);
      }
      $("dl-status").textContent = `${MODE_TITLES[mode.mode]}: downloading ${plans.length} file${plans.length > 1 ? "s" : ""}…`;
      const progress = plans.map(() => ({ bytes: 0, total: null, state: "queued" }));
      const onEvent = (event) => Object.assign(progress[event.index], eventState(event));
      const ticker = setInterval(() => this.#renderProgress(progress), PROGRESS_INTERVAL_MS);
      const files = plans.map((p) => this.#fileSpec(p, sizeLimit));
      // Download threads keep their own timing records: only this thread's requests can be measured.
      const waits = mode.mode === "threads" ? null : new ConnectionWaits(files.map((f) => f.url));
      const originMs = now();
      let results;
      try {
        results =
          mode.mode === "threads"
            ? await this.threads.run({ files, count: mode.limit, originMs, timeoutMs, signal: controller.signal, onEvent })
            : await this.bindings.downloadFiles(files, mode.mode, mode.limit ?? undefined, originMs, timeoutMs, controller.signal, onEvent);
      } finally {
        clearInterval(ticker);
      }
      const wallMs = now() - originMs;
      await attachConnectionWaits(results, waits, originMs);
      const run = this.#finish(plans, results, { mode, network, wallMs, threadStartMs, sizeLimit });
      await this.#keep(run);
      this.lastResult = run.api;
      this.onRun(run.api);
      return run.api;
    } finally {
      this.running = null;
      this.#setBusy(false);
    }
  }

  /**
   * What Rust downloads for one plan: the address, the manifest entry of a sample, the size limit, and
   * the saved file's name — from the address without the simulated network's query, so a file
   * downloaded again, on any network, replaces its own copy and no other.
   */
  #fileSpec(plan, sizeLimit) {
    return {
      url: plan.fetchUrl, name: plan.name ?? undefined, bytes: plan.bytes, sha256: plan.sha256,
      // Where the private file system is refused, Rust keeps the file in memory (within the same limit).
      maxBytes: sizeLimit.maxBytes, saveAs: this.saved.supported ? this.bindings.savedFileName(plan.url) : undefined,
    };
  }

  #finish(plans, results, { mode, network, wallMs, threadStartMs, sizeLimit }) {
    const files = results.map((r, i) => ({ ...r, url: plans[i].url, name: plans[i].name ?? fileNameFromUrl(plans[i].url) }));
    const concurrency = this.bindings.downloadFigures(flatSpans(files), new Float64Array(files.map((f) => this.#connectionLimit(f))));
    // A measured gap that no full set of connections explains is not a wait for a connection (Rust decides).
    files.forEach((f, i) => (f.queuedMs = concurrency.queuedMs[i]));
    const flat = flatSpans(files);
    // Comparisons only between runs of the same files on the same network.
    const sameWork = JSON.stringify([plans.map((p) => p.url), network.query]);
    if (mode.mode === "sequential") this.lastSequential.set(sameWork, wallMs);
    if (mode.mode === "concurrent") this.lastConcurrent.set(sameWork, wallMs);
    const sequentialMs = this.lastSequential.get(sameWork);
    const concurrentMs = this.lastConcurrent.get(sameWork);
    const run = { files, flat, mode, network, wallMs, concurrency, threadStartMs, sequentialMs, concurrentMs, sizeLimit };
    this.lastRun = run;
    run.api = {
      files: files.map((f) => ({
        url: f.url, name: f.name, ok: f.ok, status: f.status, bytes: f.bytes, sha256: f.sha256,
        ...(f.ok ? {} : { error: f.error, errorKind: f.errorKind }),
        startMs: f.startMs, queuedMs: f.queuedMs, queuedFrom: f.queuedFrom, firstByteMs: f.firstByteMs, endMs: f.endMs,
        verified: f.verified, simulated: f.simulated, savedAs: f.savedAs ?? null,
      })),
      wallMs,
      mode: mode.mode,
      limit: mode.limit,
      network: network.label,
      maxInFlight: concurrency.mostOpen,
      waitedForConnection: concurrency.waitedForConnection,
    };
    this.#renderResults(run);
    return run;
  }

  /**
   * The connection limit a file's request met, as far as the run knows it: the simulated network's
   * own limit, the browser's HTTP/1.1 limit where Resource Timing measured the wait, NaN where no
   * wait was measured (download threads, servers that hide their timing).
   */
  #connectionLimit(file) {
    if (file.queuedFrom === "simulated") return this.connections;
    if (file.queuedFrom === "resource-timing") return this.http1Connections;
    return Number.NaN;
  }

  /** Shows the saved files again: Rust streamed every file that arrived intact into the private file system. */
  async #keep(run) {
    if (!this.saved.supported || !run.files.some((f) => f.savedAs)) return;
    try {
      await this.#listSaved();
    } catch (error) {
      $("dl-saved-status").textContent = `Listing the saved files failed: ${error.message}`;
    }
  }

  async #listSaved() {
    const files = await this.saved.list();
    $("dl-saved-count").textContent = String(files.length);
    const body = $("dl-saved-body");
    body.replaceChildren(
      ...files.map((f) => {
        const row = document.createElement("tr");
        const link = document.createElement("button");
        link.type = "button";
        link.textContent = "Save to disk";
        link.addEventListener("click", () => saveToDisk(f.file, f.name));
        const name = fileNameCell(f.name, f.url ? `${f.name}\n${f.url}` : f.name);
        const hash = f.sha256 ? showHash(cell(""), f.sha256, f.name) : cell("not checked (no SHA-256 was recorded when it was saved)", "muted");
        row.append(name, cell(formatBytes(f.bytes)), hash, cell(link));
        return row;
      }),
    );
  }

  async #clearSaved() {
    try {
      await this.saved.clear();
      await this.#listSaved();
      $("dl-saved-status").textContent = "Deleted.";
    } catch (error) {
      $("dl-saved-status").textContent = `Deleting failed: ${error.message}`;
    }
  }

  async #onRowButton(event) {
    const button = event.target.closest("button[data-retry]");
    if (!button || this.running || !this.lastRun) return;
    const index = Number(button.dataset.retry);
    const previous = this.lastRun;
    const plan = this.#plan(previous.files[index].url, previous.network);
    const controller = new AbortController();
    this.running = { controller };
    this.#setBusy(true);
    $("dl-status").textContent = `Retrying ${previous.files[index].name}…`;
    try {
      const file = this.#fileSpec(plan, previous.sizeLimit ?? this.sizeLimit);
      const originMs = now();
      const [result] = await this.bindings.downloadFiles([file], "sequential", undefined, originMs, DEFAULT_TIMEOUT_MS, controller.signal, () => {});
      const retried = { ...result, url: plan.url, name: previous.files[index].name };
      previous.files[index] = retried;
      const row = $("dl-files-body").rows[index];
      fillRow(row, retried, index);
      $("dl-status").textContent = retried.ok
        ? `Retry of ${retried.name} succeeded in ${formatMs(retried.endMs)}.`
        : `Retry of ${retried.name} failed: ${retried.error}.`;
      if (retried.savedAs) await this.#listSaved();
    } catch (error) {
      this.#showError(error);
    } finally {
      this.running = null;
      this.#setBusy(false);
    }
  }

  #renderRows(plans) {
    $("dl-files-body").replaceChildren(
      ...plans.map((p) => {
        const row = document.createElement("tr");
        const bar = document.createElement("progress");
        bar.max = 1;
        bar.value = 0;
        bar.setAttribute("aria-label", `Progress of ${p.name ?? p.url}`);
        // data-label: what each cell is where a phone shows the row as a block (style.css).
        const time = cell("–", "time");
        time.dataset.label = "Time";
        const hash = cell("–", "hash");
        hash.dataset.label = "SHA-256";
        row.append(fileNameCell(p.name ?? p.url), cell(bar), time, hash, cell("queued", "wide"));
        return row;
      }),
    );
  }

  #renderProgress(progress) {
    const rows = $("dl-files-body").rows;
    progress.forEach((p, i) => {
      const row = rows[i];
      if (!row || row.dataset.done) return;
      const bar = row.cells[1].firstChild;
      if (p.total) bar.value = Math.min(1, p.bytes / p.total);
      else if (p.state === "transfer") bar.removeAttribute("value"); // size unknown: indeterminate
      row.cells[4].textContent = p.state === "transfer" ? `${formatBytes(p.bytes)}${p.total ? ` of ${formatBytes(p.total)}` : ""}` : p.state;
    });
  }

  #renderResults(run) {
    const rows = $("dl-files-body").rows;
    run.files.forEach((file, i) => fillRow(rows[i], file, i));
    const failed = run.files.filter((f) => !f.ok).length;
    const cancelledCount = run.files.filter((f) => f.errorKind === "cancelled").length;
    $("dl-results").hidden = false;
    $("dl-wall").textContent = `${formatMs(run.wallMs)}${run.files.some((f) => f.simulated) ? " (simulated network)" : ""}`;
    $("dl-speedup").textContent =
      run.sequentialMs && run.mode.mode !== "sequential" ? `${(this.bindings.speedup(run.sequentialMs, run.wallMs) ?? NaN).toFixed(2)}× faster` : run.mode.mode === "sequential" ? "this is the baseline" : "run one after another first";
    $("dl-in-flight").textContent = inFlightText(run);
    $("dl-network-used").textContent = run.files.some((f) => f.simulated) ? `simulated: ${run.network.label}` : "real (not simulated)";
    const threads = run.mode.mode === "threads" && run.threadStartMs ? ` (starting the threads took ${formatMs(run.threadStartMs)}, not counted)` : "";
    $("dl-status").classList.toggle("error", failed > 0 && cancelledCount < failed);
    $("dl-status").textContent =
      `${MODE_TITLES[run.mode.mode]}: ${run.files.length - failed} of ${run.files.length} files in ${formatMs(run.wallMs)}${threads}.` +
      (cancelledCount ? ` Cancelled ${cancelledCount}.` : "") +
      (failed - cancelledCount > 0 ? ` ${failed - cancelledCount} failed — see each file's reason below.` : "") +
      (run.mode.mode === "threads" && run.concurrentMs && !failed
        ? ` All at once on one thread took ${formatMs(run.concurrentMs)}: for waiting, ${run.mode.limit} threads buy nothing one thread's futures don't.`
        : "");
    $("dl-queue-note").textContent = this.#queueNote(run.files);
    this.#redraw();
  }

  /**
   * What the run shows about waiting for a connection, each figure with its source: the service
   * worker's simulated queue, the browser's real queue measured by Resource Timing, or nothing claimed.
   */
  #queueNote(files) {
    const from = (source) => files.filter((f) => f.queuedFrom === source);
    // Each file's wait was judged in Rust against the whole run (#finish): above 0 means it waited.
    const waitedAmong = (some) => some.filter((f) => f.queuedMs > 0).length;
    const filesText = (n) => `${n} file${n === 1 ? "" : "s"}`;
    const notes = [];
    const simulated = from("simulated");
    if (simulated.length) {
      const n = waitedAmong(simulated);
      const limit = this.connections ? `${this.connections}-connection` : "unlimited";
      notes.push(
        n
          ? `${filesText(n)} waited for a connection (simulated: the service worker's ${limit} queue, standing in for the browser's limit of ${this.connections} HTTP/1.1 connections per host), so "all at once" meant "${this.connections} at once" here.`
          : `No file waited for a connection in the simulated network (the service worker's ${limit} queue).`,
      );
    }
    const measured = from("resource-timing");
    if (measured.length) {
      const n = waitedAmong(measured);
      const longest = Math.max(...measured.map((f) => f.queuedMs));
      notes.push(
        n
          ? `${filesText(n)} waited for a connection (measured by the browser's Resource Timing, up to ${formatMs(longest)}): browsers open at most ${this.http1Connections} HTTP/1.1 connections to one host; HTTP/2 and HTTP/3 carry every request on one connection.`
          : `No file waited for a connection (measured by the browser's Resource Timing).`,
      );
    }
    const unmeasured = files.filter((f) => !f.queuedFrom && f.status > 0).length;
    if (unmeasured)
      notes.push(
        `Waits for a connection were not measured for ${filesText(unmeasured)}: the browser shares request timing only with the page that sent the request (not download threads) and, for other servers, only with Timing-Allow-Origin.`,
      );
    return notes.join(" ");
  }

  #redraw() {
    const canvas = $("dl-timeline");
    const run = this.lastRun;
    // Before the first run the chart is its one line of text: there is nothing to draw yet.
    showChartEmpty(canvas.closest("figure"), !run);
    if (!run) return;
    const rows = Math.max(run.files.length, 3);
    canvas.style.height = `${Math.min(60 + rows * 26, 420)}px`;
    const caption = `${MODE_TITLES[run.mode.mode]}${run.mode.limit ? ` (${run.mode.limit})` : ""}: ${run.files.length} files in ${formatMs(run.wallMs)}`;
    try {
      this.bindings.drawDownloadTimeline(canvas, run.flat, run.files.map((f) => f.name), caption, prefersDark());
    } catch (error) {
      this.#showError(error);
    }
  }

  #setBusy(busy) {
    for (const mode of ["sequential", "concurrent", "bounded", "threads"]) $(`dl-run-${mode}`).disabled = busy;
    $("dl-cancel").disabled = !busy;
    for (const button of $("dl-files-body").querySelectorAll("button[data-retry]")) button.disabled = busy;
  }

  #showError(error) {
    $("dl-status").classList.add("error");
    $("dl-status").textContent = error.message;
  }
}

/**
 * The browser's own record of this page's requests (Resource Timing), collected while a run is in
 * flight: an observer, so the 250-entry buffer of `performance.getEntries()` never drops one.
 */
class ConnectionWaits {
  constructor(urls) {
    this.wanted = new Set(urls);
    this.entries = [];
    try {
      this.observer = new PerformanceObserver((list) => this.collect(list.getEntries()));
      this.observer.observe({ type: "resource" });
    } catch {
      this.observer = null; // no Resource Timing here: nothing is measured, nothing claimed
    }
  }

  collect(entries) {
    for (const entry of entries) if (this.wanted.has(entry.name)) this.entries.push(entry);
  }

  /** Every record of the run; a file's record is filed a moment after its body ends, so wait briefly for it. */
  async records(expected) {
    if (!this.observer) return [];
    for (let tries = 0; tries < RECORD_WAIT_TRIES; tries++) {
      this.collect(this.observer.takeRecords());
      if (this.entries.length >= expected) break;
      await new Promise((done) => setTimeout(done, RECORD_WAIT_STEP_MS));
    }
    this.collect(this.observer.takeRecords());
    this.observer.disconnect();
    return this.entries;
  }
}

/** How long to wait for the browser to file the last requests' timing records: 10 × 20 ms at most. */
const RECORD_WAIT_TRIES = 10;
const RECORD_WAIT_STEP_MS = 20;

/**
 * Sets each result's `queuedMs` and `queuedFrom`: "simulated" (the service worker's queue reported the
 * wait), "resource-timing" (the browser's real wait for a connection, measured), or null (not measured).
 * A request waited for a connection when it was sent (requestStart) only after another request of the
 * run had finished with its connection (responseEnd): the wait runs from its fetchStart to that moment.
 * The rest of the gap before requestStart is the browser's own hand-over (1–10 ms here), not a queue.
 */
async function attachConnectionWaits(results, waits, originMs) {
  for (const result of results) result.queuedFrom = result.simulated ? "simulated" : null;
  const real = results.filter((r) => !r.simulated && r.status > 0);
  if (!waits || !real.length) {
    await waits?.records(0);
    return;
  }
  const unused = [...(await waits.records(real.length))];
  const matched = [];
  for (const result of real) {
    // The same address may come twice in a run: each file takes the record that began nearest its start.
    const startedAt = originMs - performance.timeOrigin + result.startMs;
    let best = -1;
    unused.forEach((entry, i) => {
      if (entry.name === result.url && (best < 0 || Math.abs(entry.startTime - startedAt) < Math.abs(unused[best].startTime - startedAt))) best = i;
    });
    // requestStart 0: another origin's server that sends no Timing-Allow-Origin; the browser hides the phases.
    if (best >= 0 && unused[best].requestStart > 0) matched.push({ result, entry: unused.splice(best, 1)[0] });
  }
  for (const { result, entry } of matched) {
    const freed = matched
      .map((other) => other.entry.responseEnd)
      .filter((end) => end > entry.fetchStart && end <= entry.requestStart);
    result.queuedMs = freed.length ? Math.max(...freed) - entry.fetchStart : 0;
    result.queuedFrom = "resource-timing";
  }
}

/** A run's files as the flat spans Rust reads: `file, startMs, queuedMs, firstByteMs, endMs, ok` each. */
function flatSpans(files) {
  return new Float64Array(files.flatMap((f, i) => [i, f.startMs, f.queuedMs, f.firstByteMs ?? Number.NaN, f.endMs, f.ok ? 1 : 0]));
}

/**
 * "Most requests open at once", then, only where some file really waited for a connection, how many
 * waited (the queue note below says whose queue and its limit).
 */
function inFlightText(run) {
  const { mostOpen, waitedForConnection: waited } = run.concurrency;
  if (!waited) return String(mostOpen);
  const simulated = run.files.some((f) => f.queuedMs > 0 && f.queuedFrom === "simulated");
  return `${mostOpen} (of these, ${waited} waited for a connection${simulated ? ", simulated" : ""})`;
}

function firstInvalidField(errors) {
  return ["urls", "network", "limit", "threads"].find((k) => errors[k]);
}

function eventState(event) {
  switch (event.type) {
    case "start":
      return { state: "waiting for the first byte" };
    case "response":
      return { state: "transfer", total: event.total };
    default:
      return { state: "transfer", bytes: event.bytes, total: event.total };
  }
}

function fileNameFromUrl(url) {
  const path = new URL(url).pathname.split("/").filter(Boolean).pop();
  return path ? decodeURIComponent(path) : new URL(url).host;
}

function fillRow(row, file, index) {
  row.dataset.done = "1";
  const bar = row.cells[1].firstChild;
  bar.value = file.ok ? 1 : bar.value || 0;
  row.cells[2].textContent = formatMs(file.endMs - file.startMs);
  if (file.sha256) showHash(row.cells[3], file.sha256, file.name);
  else row.cells[3].replaceChildren("–");
  const result = row.cells[4];
  result.replaceChildren();
  result.className = `wide ${file.ok ? "ok" : "error"}`;
  if (file.ok) {
    result.textContent = `${formatBytes(file.bytes)}${file.verified ? ", matches the manifest" : ""}`;
  } else {
    result.textContent = file.error;
    if (file.retryable) {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.dataset.retry = String(index);
      retry.textContent = "Retry";
      result.append(" ", retry);
    }
  }
}

function saveToDisk(file, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(file);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
