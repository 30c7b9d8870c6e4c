// Bounded memory: hundreds of mixed runs (CPU threads, processes and sequential, downloads, the
// counter, the server lab) through window.playground, the page's JS heap, DOM and wasm memories
// measured after the warm-up, halfway and at the end. Nothing may grow after the warm-up beyond the
// bounds in tests/page/soak.mjs, and each demo's history keeps its last runs and says how many it dropped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readyPlayground, skipIn } from "./browser.mjs";
import { GROWTH_BOUNDS, HISTORY_OF, describeMemory, runSoak } from "./soak.mjs";
import { HISTORY_LIMIT } from "../../www/history.js";

test(
  "300+ mixed runs: memory stays flat after the warm-up and every history keeps its last runs",
  {
    timeout: 300_000,
    ...skipIn({
      webkit: "the heaps and wasm memories of the page and its workers are read through CDP (a forced GC, heap usage, worker targets), which WebKitWebDriver does not speak",
      firefox: "the heaps and wasm memories of the page and its workers are read through CDP (a forced GC, heap usage, worker targets); Playwright drives Firefox over WebDriver BiDi, which has none of the three",
    }),
  },
  async () => {
  const session = await readyPlayground();
  try {
    const { page, problems } = session;
    const { checkpoints, calls } = await runSoak(page, { historyLimit: HISTORY_LIMIT, log: (line) => console.log(`soak: ${line}`) });
    for (const { label, runs, memory } of checkpoints) console.log(`soak: ${label} (after ${runs} runs): ${describeMemory(memory)}`);
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    assert.ok(total >= 300, `${total} runs`);

    const [start, ...later] = checkpoints.map((c) => c.memory);
    for (const [i, memory] of later.entries()) {
      const at = checkpoints[i + 1].label;
      const grew = memory.jsHeapUsed - start.jsHeapUsed;
      assert.ok(grew <= GROWTH_BOUNDS.jsHeapBytes.bound, `the JS heap grew by ${grew} bytes from start to ${at} (bound ${GROWTH_BOUNDS.jsHeapBytes.bound}: ${GROWTH_BOUNDS.jsHeapBytes.why})`);
      const nodes = memory.nodes - start.nodes;
      assert.ok(nodes <= GROWTH_BOUNDS.nodes.bound, `the DOM grew by ${nodes} nodes from start to ${at} (bound ${GROWTH_BOUNDS.nodes.bound}: ${GROWTH_BOUNDS.nodes.why})`);
      const wasm = memory.wasmBytes - start.wasmBytes;
      assert.ok(wasm <= GROWTH_BOUNDS.wasmBytes.bound, `wasm memory grew by ${wasm} bytes from start to ${at} (bound ${GROWTH_BOUNDS.wasmBytes.bound}: ${GROWTH_BOUNDS.wasmBytes.why})`);
      // The same processes and download threads serve every run: none leaked, none lost.
      assert.deepEqual(memory.workers.map((w) => w.url), start.workers.map((w) => w.url), `workers at ${at}`);
      assert.equal(memory.pageMemories.length, start.pageMemories.length, `wasm memories alive in the page at ${at}`);
    }
    // Every worker counted really has an instance (a worker whose memory could not be read would hide a leak).
    assert.ok(start.workers.length >= 3 && start.workers.every((w) => w.wasmBytes > 0), JSON.stringify(start.workers));

    // Each history: the last HISTORY_LIMIT runs, the rest dropped and said so, on the page and in the exports.
    for (const [name, demo] of Object.entries(HISTORY_OF)) {
      const recorded = Object.entries(calls).filter(([call]) => HISTORY_OF[call] === demo).reduce((sum, [, n]) => sum + n, 0);
      const expected = { kept: Math.min(recorded, HISTORY_LIMIT), dropped: Math.max(0, recorded - HISTORY_LIMIT) };
      const seen = await page.evaluate((demo) => {
        const history = playground.history[demo];
        const json = JSON.parse(history.json());
        return {
          kept: history.runs.length,
          numbers: history.runs.map((r) => r.run),
          shown: document.getElementById(`${demo}-history-count`).textContent,
          rows: document.getElementById(`${demo}-history-body`).children.length,
          note: document.getElementById(`${demo}-history-dropped`).textContent,
          jsonDropped: [...new Set(json.map((r) => r.runsDropped))],
          jsonKept: [...new Set(json.map((r) => r.runsKept))],
          csvHeader: history.csv().split("\r\n")[0].split(","),
        };
      }, demo);
      assert.ok(expected.dropped > 0, `${name}: the soak must overflow the ${demo} history`);
      assert.equal(seen.kept, expected.kept, `${demo}: runs kept`);
      assert.deepEqual(seen.numbers, Array.from({ length: expected.kept }, (_, i) => expected.dropped + i + 1), `${demo}: the newest runs, numbered from the first`);
      assert.equal(seen.shown, String(expected.kept));
      assert.equal(seen.rows, expected.kept, `${demo}: rows listed`);
      assert.match(seen.note, new RegExp(`last ${HISTORY_LIMIT} are kept; ${expected.dropped} older runs were dropped`));
      assert.deepEqual(seen.jsonDropped, [expected.dropped]);
      assert.deepEqual(seen.jsonKept, [expected.kept]);
      assert.ok(seen.csvHeader.includes("runsKept") && seen.csvHeader.includes("runsDropped"), seen.csvHeader.join(","));
    }
    assert.deepEqual(problems, []);
  } finally {
    await session.close();
  }
});
