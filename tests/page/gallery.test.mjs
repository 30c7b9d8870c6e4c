// The scheduler gallery in a real browser: every kernel gives the exact result whatever the schedule
// and threads (the image's hash from a second implementation here, π(10,000,000), Σ i²); the tinted
// image shows each thread's rows as the run's own spans say; the image and the timeline fill in while
// the run runs; a static split of uneven work idles more than work stealing; cancel stops it; bad
// options are refused with their names.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readyPlayground, sessionForFile } from "./browser.mjs";

let page;
let problems;
sessionForFile(readyPlayground, (session) => ({ page, problems } = session));

const kernel = (options) => page.evaluate((o) => playground.kernel(o), options);
const rejection = (options) => page.evaluate((o) => playground.kernel(o).then(() => "resolved", (e) => `${e.name}: ${e.message}`), options);

/**
 * The uneven view's iteration counts and their FNV-1a hash, computed here in JavaScript: the same
 * float operations in the same order as the definition (x from −2.2 across 3 units, the real axis 70 %
 * down), not the page's code.
 */
function referenceHash(rows, maxIter = 2000) {
  const width = Math.floor((rows * 3) / 2);
  const step = 3 / width;
  const top = 0.7 * step * rows;
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  for (let row = 0; row < rows; row++) {
    const ci = top - row * step;
    for (let column = 0; column < width; column++) {
      const cr = -2.2 + column * step;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < maxIter) {
        const zr2 = zr * zr;
        const zi2 = zi * zi;
        if (zr2 + zi2 > 4) break;
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        n++;
      }
      for (let byte = 0; byte < 4; byte++) hash = ((hash ^ BigInt((n >>> (8 * byte)) & 0xff)) * prime) & mask;
    }
  }
  return hash.toString(16).padStart(16, "0");
}

/** Σ i² for i < n by the closed formula, in BigInt. */
const sumOfSquaresBelow = (n) => String((BigInt(n) * BigInt(n - 1) * BigInt(2 * n - 1)) / 6n);

/** Which thread each item went to, from a run's spans and its piece size (pieces are in item order). */
function itemWorkers(result, items) {
  const workers = new Array(items).fill(-1);
  for (const span of result.spans) for (let item = span.piece * result.pieceSize; item < Math.min(items, (span.piece + 1) * result.pieceSize); item++) workers[item] = span.worker;
  return workers;
}

/** How often a column of colours changes from one entry to the next. */
const changes = (list) => list.slice(1).filter((value, i) => value !== list[i]).length;

describe("scheduler gallery", () => {
  test("the image is the same under both schedules and on 1 or 2 threads, and is the reference's", async () => {
    const rows = 60;
    const expected = referenceHash(rows);
    for (const threads of [1, 2])
      for (const schedule of ["static", "dynamic"]) {
        const result = await kernel({ kernel: "mandelbrot", schedule, threads, size: rows });
        assert.equal(result.result, expected, `${schedule} on ${threads}`);
        assert.equal(result.threads, threads);
        assert.equal(result.schedule, schedule);
        // Every row in exactly one piece, each piece once.
        assert.deepEqual([...new Set(result.spans.map((s) => s.piece))].sort((a, b) => a - b), Array.from({ length: result.pieces }, (_, i) => i));
      }
  });

  test("primes and squares are exact under both schedules", async () => {
    for (const schedule of ["static", "dynamic"]) {
      // π(10,000,000) = 664,579: the count every table of primes gives.
      assert.equal((await kernel({ kernel: "primes", schedule, threads: 2, size: 10_000_000 })).result, 664_579, schedule);
      assert.equal((await kernel({ kernel: "squares", schedule, threads: 2, size: 1_000_003 })).result, sumOfSquaresBelow(1_000_003), schedule);
    }
  });

  test("tinted, a static run shows one band per thread and a dynamic run a mosaic, as the spans say", async () => {
    // By a click, as a reader toggles it (WebKit's driver has no check/uncheck).
    const tint = async (on) => {
      if ((await page.evaluate(() => document.getElementById("gallery-tint").checked)) !== on) await page.click("#gallery-tint");
    };
    await tint(true);
    const shownColumn = () =>
      page.evaluate(() => {
        // Column 0 is far outside the set: every row there has the same shade, so its colour is its thread's tint.
        const canvas = document.getElementById("gallery-image");
        const data = canvas.getContext("2d").getImageData(0, 0, 1, canvas.height).data;
        return Array.from({ length: canvas.height }, (_, row) => `${data[row * 4]},${data[row * 4 + 1]},${data[row * 4 + 2]}`);
      });
    const rows = 240;
    const fixed = await kernel({ kernel: "mandelbrot", schedule: "static", threads: 2, size: rows });
    const staticColumn = await shownColumn();
    assert.equal(new Set(staticColumn).size, 2, `static: colours ${[...new Set(staticColumn)]}`);
    assert.equal(changes(staticColumn), 1, "static: two contiguous bands");
    // The bands are where the run's spans put the threads: the same changes, at the same rows.
    const staticWorkers = itemWorkers(fixed, rows);
    assert.deepEqual(staticColumn.map((c) => c === staticColumn[0]), staticWorkers.map((w) => w === staticWorkers[0]));

    const stolen = await kernel({ kernel: "mandelbrot", schedule: "dynamic", threads: 2, size: rows, pieces: 30 });
    const dynamicColumn = await shownColumn();
    const dynamicWorkers = itemWorkers(stolen, rows);
    assert.equal(new Set(dynamicColumn).size, new Set(dynamicWorkers).size, "one colour per thread that took pieces");
    assert.equal(changes(dynamicColumn), changes(dynamicWorkers), `dynamic: ${changes(dynamicColumn)} colour changes, the spans say ${changes(dynamicWorkers)}`);
    // Both threads took pieces (the second takes its first piece within the first of 30 pieces' time).
    assert.equal(new Set(dynamicWorkers).size, 2, JSON.stringify(stolen.spans));
    // Untinted, the rows of both runs look alike: one shade down column 0.
    await tint(false);
    assert.equal(new Set(await shownColumn()).size, 1);
    await tint(true);
  });

  test("the image and the timeline fill in while the run runs", async () => {
    // A large image: a second or more on 2 threads, sampled twice before it ends.
    const samples = await page.evaluate(async () => {
      const sample = () => {
        const image = document.getElementById("gallery-image");
        const { data } = image.getContext("2d").getImageData(0, 0, image.width, image.height);
        let painted = 0;
        // Rows not yet computed keep the canvas's flat background (a grey, RGB all equal and 221 or 34).
        for (let row = 0; row < image.height; row++) {
          const at = row * image.width * 4;
          if (!(data[at] === data[at + 1] && data[at + 1] === data[at + 2] && (data[at] === 221 || data[at] === 34))) painted++;
        }
        const timeline = document.getElementById("gallery-timeline");
        const bars = timeline.getContext("2d").getImageData(0, 0, timeline.width, timeline.height).data;
        let threadColoured = 0;
        // Thread 0's and thread 1's colours (the timeline's first two), as the chart draws them.
        for (let i = 0; i < bars.length; i += 4)
          if ((bars[i] === 0 && bars[i + 1] === 114 && bars[i + 2] === 178) || (bars[i] === 230 && bars[i + 1] === 159 && bars[i + 2] === 0)) threadColoured++;
        return { painted, rows: image.height, threadColoured, running: !document.getElementById("gallery-cancel").disabled };
      };
      const run = playground.kernel({ kernel: "mandelbrot", schedule: "dynamic", threads: 2, size: 720, pieces: 120 });
      let finished = false;
      run.then(() => (finished = true), () => (finished = true));
      const seen = [];
      while (!finished) {
        await new Promise((settled) => setTimeout(settled, 150));
        if (!finished) seen.push(sample());
      }
      const result = await run;
      return { seen, wallMs: result.wallMs, end: sample() };
    });
    const during = samples.seen.filter((s) => s.running && s.painted > 0);
    assert.ok(during.length >= 2, `samples while running: ${JSON.stringify(samples.seen)} (run of ${samples.wallMs} ms)`);
    // Part of the image, not all of it, while the run runs; all of it at the end.
    assert.ok(during.some((s) => s.painted < s.rows), JSON.stringify(during));
    assert.equal(samples.end.painted, samples.end.rows);
    // Bars on the timeline before the run ended.
    assert.ok(during.some((s) => s.threadColoured > 0), JSON.stringify(during));
  });

  test("on uneven work a static split idles longer than work stealing; on even work both finish alike", async () => {
    const fixed = await kernel({ kernel: "mandelbrot", schedule: "static", threads: 2, size: 360 });
    const stolen = await kernel({ kernel: "mandelbrot", schedule: "dynamic", threads: 2, size: 360 });
    assert.equal(fixed.result, stolen.result);
    const most = (values) => Math.max(...values);
    // Static's cheap top block finishes early and its thread waits (the view's lower rows cost
    // several times the upper: src/kernels/mandelbrot.rs); pieces keep both busy to the end.
    assert.ok(most(fixed.idleMs) > 2 * most(stolen.idleMs), `idle static ${fixed.idleMs}, dynamic ${stolen.idleMs}`);
    for (const result of [fixed, stolen]) {
      // Busy + idle is each thread's share of the wall time.
      result.busyMs.forEach((busy, i) => assert.ok(Math.abs(busy + result.idleMs[i] - result.wallMs) < 1e-6 || result.idleMs[i] === 0, JSON.stringify(result)));
      assert.deepEqual(result.busyMs.map((_, t) => result.spans.filter((s) => s.worker === t).reduce((sum, s) => sum + s.endMs - s.startMs, 0)).map((v) => v.toFixed(6)), result.busyMs.map((v) => v.toFixed(6)));
    }
    // The page's words say what the two runs' numbers say.
    const words = await page.textContent("#gallery-words");
    if (fixed.wallMs / stolen.wallMs >= 1.1) assert.match(words, /^Dynamic finished \d+\.\d\d× faster than static/);
    assert.deepEqual(await page.$$eval("#gallery-body tr", (trs) => trs.map((tr) => tr.dataset.schedule)), ["static", "dynamic"]);
  });

  test("cancel stops a run within a moment, and the next run works", async () => {
    const outcome = await page.evaluate(async () => {
      const run = playground.kernel({ kernel: "primes", schedule: "dynamic", threads: 2, size: 50_000_000 });
      // Until the threads are at work: the status line says so.
      while (!document.getElementById("gallery-status").textContent.startsWith("Running")) await new Promise((settled) => setTimeout(settled, 10));
      await new Promise((settled) => setTimeout(settled, 200));
      const asked = performance.now();
      const cancelled = playground.cancel();
      const error = await run.then(() => null, (e) => e);
      return { cancelled, name: error?.name, ms: performance.now() - asked };
    });
    assert.deepEqual([outcome.cancelled, outcome.name], [true, "AbortError"]);
    // The threads look at the flag between items (a slice of 49,000 numbers at this size: measured
    // 12 ms in Chromium, 29 ms in Firefox, 108 ms in WebKit with 195,000-number slices, 4 × fewer now).
    assert.ok(outcome.ms < 250, `the run ended ${outcome.ms.toFixed(0)} ms after cancel()`);
    console.log(`gallery cancel: the run ended ${outcome.ms.toFixed(1)} ms after cancel()`);
    assert.equal((await kernel({ kernel: "primes", schedule: "static", threads: 2, size: 100_000 })).result, 9592);
  });

  test("bad options are refused with a message naming them, before any run", async () => {
    assert.match(await rejection({ kernel: "fractal" }), /kernel must be "mandelbrot", "primes" or "squares"/);
    assert.match(await rejection({ schedule: "guided" }), /schedule must be "static" or "dynamic"/);
    assert.match(await rejection({ schedule: "static", pieces: 4 }), /pieces applies to the "dynamic" schedule/);
    assert.match(await rejection({ pieces: 0 }), /pieces must be a whole number from 1 to/);
    assert.match(await rejection({ threads: 17 }), /threads must be a whole number from 1 to 16/);
    assert.match(await rejection({ kernel: "primes", size: 10 }), /size \(count the primes below it\) must be a whole number from 100 to 50000000/);
    assert.match(await rejection({ size: "big" }), /size/);
    assert.match(await rejection({ kernel: 3 }), /kernel/);
    assert.deepEqual(problems, []);
  });
});
