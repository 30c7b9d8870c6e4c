// The scheduler gallery: uneven work (the Mandelbrot set, prime counting) or the even sums, cut
// statically (one block per thread, decided up front) or dynamically (many pieces that idle threads
// take: rayon's work stealing) over the threads of the page's process. While the run runs, the page
// reads the run's live feed in the process's shared memory every frame (src/web/gallery.rs): the
// image fills in row by row, tinted by the thread that computed it, and the timeline grows.
import { $, cell, formatMs, prefersDark, redrawOnThemeOrResize, showChartEmpty, showSource, showStatus } from "./kit.js";

const THREADS_UNAVAILABLE = "The gallery runs on threads, and this page has none (no shared memory): see the banner at the top.";
/** The live timeline is redrawn at most this often (Rust draws it; the image is updated every frame). */
const TIMELINE_REDRAW_MS = 100;
/** How much of the thread's colour a tinted pixel takes. */
const TINT = 0.55;
const NAMES = { mandelbrot: "the Mandelbrot set", primes: "counting primes", squares: "the sums of squares" };

export class GalleryDemo {
  constructor({ bindings, runtime, defaultThreads, threads }) {
    this.bindings = bindings;
    this.runtime = runtime;
    this.defaultThreads = defaultThreads;
    this.threadsAvailable = threads;
    if (threads) {
      const sources = bindings.gallerySources();
      showSource($("gallery-python"), sources.python);
      showSource($("gallery-rust"), sources.rust);
    }
    this.colors = bindings.threadColors();
    this.running = null;
    this.busyElsewhere = () => false;
    /** The last finished run of each schedule, for the comparison (same kernel, size and threads only). */
    this.lastRuns = new Map();
    /** The picture shown: `{ kernel, width, height, items, counts, itemWorker, maxIter }` (a copy out of the feed). */
    this.picture = null;
    this.live = null;
    this.lastResult = null;
    this.onRun = () => {};
    $("gallery-threads").value = String(defaultThreads);
    $("gallery-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#runFromPage(["static", "dynamic"]);
    });
    $("gallery-run-static").addEventListener("click", () => this.#runFromPage(["static"]));
    $("gallery-run-dynamic").addEventListener("click", () => this.#runFromPage(["dynamic"]));
    $("gallery-cancel").addEventListener("click", () => this.cancel());
    $("gallery-tint").addEventListener("change", () => this.#drawPicture());
    /** What the timeline shows now (`{ spans, rows }`), drawn again as it was on a new size or theme. */
    this.shownTimeline = null;
    redrawOnThemeOrResize([$("gallery-timeline")], () => this.shownTimeline && this.#drawTimeline(this.shownTimeline.spans, this.shownTimeline.rows));
    this.#setBusy(false, true);
  }

  enable() {
    this.#setBusy(false);
  }

  async #runFromPage(schedules) {
    $("gallery-error").textContent = "";
    const read = (id) => $(id).value.replace(/[_,\s]/g, "");
    const number = (text) => (text === "" ? undefined : Number(text));
    const options = {
      kernel: $("gallery-kernel").value,
      threads: number(read("gallery-threads")),
      pieces: number(read("gallery-pieces")),
      size: number(read("gallery-size")),
    };
    try {
      for (const schedule of schedules)
        await this.run({ ...options, schedule, pieces: schedule === "dynamic" ? options.pieces : undefined });
    } catch (error) {
      // run() has said it on the status line; a refused field is also named beside the form.
      if (error.name !== "AbortError") $("gallery-error").textContent = error.message;
    }
  }

  /**
   * `playground.kernel({ kernel, schedule, threads, pieces, size })` → `{ kernel, schedule, threads,
   * wallMs, result, pieces, pieceSize, spans: [{ worker, piece, startMs, endMs, cost }], busyMs, idleMs }`.
   */
  async run({ kernel = "mandelbrot", schedule = "dynamic", threads = this.defaultThreads, pieces, size } = {}) {
    if (!this.threadsAvailable) throw new Error(THREADS_UNAVAILABLE);
    // Checked before any process starts: bad input costs nothing.
    this.bindings.checkGalleryOptions(kernel, schedule, threads, pieces, size);
    if (this.running || this.busyElsewhere()) throw new Error("Another run is in progress: wait for it to finish or cancel it first.");
    const run = { cancelled: false, process: null };
    this.running = run;
    this.#setBusy(true);
    try {
      showStatus($("gallery-status"), `Starting ${threads} thread${threads === 1 ? "" : "s"}…`);
      const process = await this.runtime.processWith(threads);
      run.process = process;
      if (run.cancelled) throw abortError();
      const plan = await process.prepareGallery({ kernel, schedule, pieces, size });
      if (run.cancelled) throw abortError();
      showStatus($("gallery-status"), `Running ${NAMES[kernel]} on ${threads} thread${threads === 1 ? "" : "s"}, ${schedule === "static" ? "one block each" : `${plan.pieces} pieces of ${plan.pieceSize}`}…`);
      this.#startLive(process, plan, kernel);
      let result;
      try {
        result = await process.runGallery();
      } catch (error) {
        if (run.cancelled) throw abortError();
        throw error;
      } finally {
        this.#stopLive();
      }
      this.lastResult = result;
      // Compared only with the other schedule's run of the same work on as many threads.
      this.lastRuns.set(result.schedule, { result, work: `${kernel} ${size ?? "default"} ${threads}` });
      this.#drawTimeline(this.#finishedSpans(result));
      this.#showNumbers();
      showStatus($("gallery-status"), `Done: ${schedule} in ${formatMs(result.wallMs)}.`);
      this.onRun("gallery", result);
      return result;
    } catch (error) {
      if (error.name === "AbortError") showStatus($("gallery-status"), "Cancelled: the threads stopped between two items.");
      else showStatus($("gallery-status"), error.message, true);
      throw error;
    } finally {
      this.running = null;
      this.#setBusy(false);
    }
  }

  /** Stops the run in progress (its threads stop between two items); returns whether one was running. */
  cancel() {
    if (!this.running) return false;
    this.running.cancelled = true;
    this.running.process?.cancel();
    return true;
  }

  // ---- the live feed -----------------------------------------------------------------------------

  #startLive(process, plan, kernel) {
    const memory = process.memory;
    const { feed } = plan;
    this.picture = {
      kernel,
      width: plan.width,
      height: plan.height,
      items: plan.items,
      threads: plan.threads,
      counts: new Uint32Array(plan.width * plan.height),
      itemWorker: new Int16Array(plan.items).fill(-1),
      maxIter: plan.maxIter,
    };
    this.#prepareCanvas();
    // The last run's timeline goes: what grows now is this run's.
    this.#drawTimeline([]);
    const live = { memory, feed, plan, startedAt: performance.now(), frame: 0, lastTimeline: 0, spans: [], seenSlots: 0, stopped: false };
    this.live = live;
    const tick = () => {
      if (live.stopped) return;
      this.#readFeed(live);
      live.frame = requestAnimationFrame(tick);
    };
    live.frame = requestAnimationFrame(tick);
  }

  #stopLive() {
    const live = this.live;
    if (!live) return;
    live.stopped = true;
    cancelAnimationFrame(live.frame);
    // What the run finished since the last frame.
    this.#readFeed(live, true);
    this.live = null;
  }

  /** Copies what the feed has newly finished into the page's picture, and redraws what changed. */
  #readFeed(live, final = false) {
    const { memory, feed } = live;
    const picture = this.picture;
    const words = (address, length) => new Int32Array(memory.buffer, address, length);
    const itemWorker = words(feed.itemWorker, feed.items);
    const fresh = [];
    for (let item = 0; item < feed.items; item++) {
      if (picture.itemWorker[item] >= 0) continue;
      const worker = Atomics.load(itemWorker, item);
      if (worker === 0) continue;
      picture.itemWorker[item] = worker - 1;
      // The item's word was stored after its pixels: they are all there.
      if (feed.width) picture.counts.set(new Uint32Array(memory.buffer, feed.pixels + item * feed.width * 4, feed.width), item * feed.width);
      fresh.push(item);
    }
    if (fresh.length) this.#drawItems(fresh);
    const now = performance.now();
    if (final || now - live.lastTimeline >= TIMELINE_REDRAW_MS) {
      live.lastTimeline = now;
      this.#drawTimeline(this.#liveSpans(live, now));
    }
  }

  /** The finished pieces so far and each thread's piece in progress (drawn up to now). */
  #liveSpans(live, now) {
    const { memory, feed } = live;
    const slots = new Int32Array(memory.buffer, feed.spans, feed.spanSlots * 5);
    const taken = Math.min(Atomics.load(new Int32Array(memory.buffer, feed.spansTaken, 1), 0), feed.spanSlots);
    for (let slot = live.seenSlots; slot < taken; slot++) {
      if (Atomics.load(slots, slot * 5 + 4) !== 1) break;
      const at = slot * 5;
      live.spans.push({ worker: slots[at], piece: slots[at + 1], startMs: slots[at + 2] / 1000, endMs: slots[at + 3] / 1000 });
      live.seenSlots = slot + 1;
    }
    const spans = [...live.spans];
    const current = new Int32Array(memory.buffer, feed.current, feed.threads * 2);
    const latest = Math.max((now - live.startedAt), ...spans.map((s) => s.endMs));
    for (let worker = 0; worker < feed.threads; worker++) {
      const piece = Atomics.load(current, worker * 2);
      if (piece === 0) continue;
      const startMs = Atomics.load(current, worker * 2 + 1) / 1000;
      spans.push({ worker, piece: piece - 1, startMs, endMs: Math.max(startMs, latest), inProgress: true });
    }
    return spans;
  }

  #finishedSpans(result) {
    return result.spans.map((s) => ({ worker: s.worker, piece: s.piece, startMs: s.startMs, endMs: s.endMs }));
  }

  // ---- drawing -----------------------------------------------------------------------------------

  #prepareCanvas() {
    const canvas = $("gallery-image");
    const picture = this.picture;
    // Primes and squares have no image: one column per slice of the numbers, tinted by its thread.
    canvas.width = picture.width || picture.items;
    canvas.height = picture.height || 24;
    canvas.dataset.kernel = picture.kernel;
    showChartEmpty(canvas.closest("figure"), false);
    const context = canvas.getContext("2d");
    context.fillStyle = prefersDark() ? "#222" : "#ddd";
    context.fillRect(0, 0, canvas.width, canvas.height);
    this.image = context.createImageData(canvas.width, canvas.height);
    $("gallery-image-caption").textContent =
      picture.kernel === "mandelbrot"
        ? `The Mandelbrot set, ${picture.width} × ${picture.height}: each row appears as its thread finishes it. Black: inside the set (${picture.maxIter} iterations a pixel); the deeper a row goes through it, the more it costs.`
        : `${picture.items} slices of the numbers, left to right: each column appears in its thread's colour as it finishes.`;
  }

  #rgb(worker) {
    const [r, g, b] = this.colors[worker % this.colors.length].match(/\d+/g).map(Number);
    return [r, g, b];
  }

  /** Paints `items` (rows, or columns for the kernels without an image) into the canvas. */
  #drawItems(items) {
    const picture = this.picture;
    const canvas = $("gallery-image");
    const context = canvas.getContext("2d");
    const tint = $("gallery-tint").checked;
    const data = this.image.data;
    if (picture.width) {
      for (const row of items) {
        const worker = picture.itemWorker[row];
        const [tr, tg, tb] = worker >= 0 ? this.#rgb(worker) : [0, 0, 0];
        for (let x = 0; x < picture.width; x++) {
          const count = picture.counts[row * picture.width + x];
          // Outside the set: lighter the sooner it escaped; inside: black.
          const shade = count >= picture.maxIter ? 0 : 255 - Math.min(255, Math.round(255 * Math.sqrt(count / picture.maxIter) * 1.6));
          const at = (row * picture.width + x) * 4;
          const mix = (tone) => (tint && worker >= 0 ? Math.round(shade * (1 - TINT) + tone * TINT) : shade);
          data[at] = mix(tr);
          data[at + 1] = mix(tg);
          data[at + 2] = mix(tb);
          data[at + 3] = 255;
        }
        context.putImageData(this.image, 0, 0, 0, row, picture.width, 1);
      }
    } else {
      for (const column of items) {
        const worker = picture.itemWorker[column];
        const [r, g, b] = worker >= 0 ? this.#rgb(worker) : [128, 128, 128];
        for (let y = 0; y < canvas.height; y++) {
          const at = (y * canvas.width + column) * 4;
          data.set([r, g, b, 255], at);
        }
        context.putImageData(this.image, 0, 0, column, 0, 1, canvas.height);
      }
    }
  }

  #drawPicture() {
    if (!this.picture) return;
    const done = [];
    for (let item = 0; item < this.picture.items; item++) if (this.picture.itemWorker[item] >= 0) done.push(item);
    this.#drawItems(done);
  }

  #drawTimeline(spans, rows = this.picture?.threads ?? 1) {
    const canvas = $("gallery-timeline");
    showChartEmpty(canvas.closest("figure"), false);
    this.shownTimeline = { spans, rows };
    const height = `${90 + rows * 36}px`;
    // Set only when it changes: a new height is a resize, and the resize observer draws again.
    if (canvas.style.height !== height) canvas.style.height = height;
    // Coloured by thread (the task slot carries the thread), as the image's tints are.
    const flat = new Float64Array(spans.length * 5);
    spans.forEach((s, i) => flat.set([s.worker, s.worker, s.piece, s.startMs, s.endMs], i * 5));
    try {
      this.bindings.drawTimeline(canvas, flat, rows, "gallery", prefersDark());
    } catch (error) {
      showStatus($("gallery-status"), `The timeline could not be drawn: ${error.message}`, true);
    }
  }

  /** The numbers of the last run of each schedule, and what they say when both ran the same work. */
  #showNumbers() {
    const runs = ["static", "dynamic"].map((s) => this.lastRuns.get(s)).filter(Boolean);
    const latest = this.lastRuns.get(this.lastResult.schedule);
    const comparable = runs.filter((r) => r.work === latest.work).map((r) => r.result);
    const rows = comparable.map((r) => {
      const tr = document.createElement("tr");
      const perThread = (values) => values.map((ms, i) => `thread ${i}: ${formatMs(ms)}`).join(", ");
      const labelled = (content, label) => {
        const td = cell(content);
        td.dataset.label = label;
        return td;
      };
      tr.append(
        labelled(r.schedule, "Schedule"),
        labelled(formatMs(r.wallMs), "Wall time"),
        labelled(`${r.pieces} ${r.schedule === "static" ? "blocks" : "pieces"} of ≤ ${r.pieceSize}`, "Pieces"),
        labelled(perThread(r.busyMs), "Busy"),
        labelled(perThread(r.idleMs), "Idle"),
        labelled(String(r.result), "Result"),
      );
      tr.dataset.schedule = r.schedule;
      return tr;
    });
    $("gallery-body").replaceChildren(...rows);
    $("gallery-table").hidden = false;
    const [first, second] = comparable;
    let words = "";
    if (first && second) {
      const ratio = first.wallMs / second.wallMs;
      const staticIdle = Math.max(...first.idleMs);
      const dynamicIdle = Math.max(...second.idleMs);
      const same = first.result === second.result ? "The same result both ways" : "The results differ";
      words =
        ratio >= 1.1
          ? `Dynamic finished ${ratio.toFixed(2)}× faster than static (${formatMs(second.wallMs)} vs ${formatMs(first.wallMs)}): under the static split one thread sat idle for up to ${formatMs(staticIdle)} while another still worked through its costly block; with pieces, no thread idled more than ${formatMs(dynamicIdle)}. ${same}.`
          : ratio <= 1 / 1.1
            ? `Here static finished faster (${formatMs(first.wallMs)} vs ${formatMs(second.wallMs)}): this work is even enough for one block per thread, and ${second.pieces} pieces cost more to hand out than they saved. ${same}.`
            : `Static and dynamic took about as long (${formatMs(first.wallMs)} vs ${formatMs(second.wallMs)}): the threads' blocks cost about the same here, so handing out pieces had little to even out. ${same}.`;
    }
    $("gallery-words").textContent = words;
  }

  #setBusy(busy, initial = false) {
    const off = busy || initial || !this.threadsAvailable;
    for (const id of ["gallery-run", "gallery-run-static", "gallery-run-dynamic"]) $(id).disabled = off;
    $("gallery-cancel").disabled = !busy;
  }
}

function abortError() {
  return new DOMException("The run was cancelled.", "AbortError");
}
