// The soak's figures: the page's JS heap, DOM and wasm memories after the warm-up (every history
// full), halfway and at the end of 300+ mixed runs, with the growth bounds the soak test asserts
// (tests/page/soak.mjs). Prints one markdown table. Called by bench/run.sh after a release build.
import { readyPlayground } from "../tests/page/browser.mjs";
import { GROWTH_BOUNDS, runSoak } from "../tests/page/soak.mjs";
import { HISTORY_LIMIT } from "../www/history.js";
import { check, log } from "./table.mjs";

const MB = 1024 * 1024;
const mb = (bytes) => `${(bytes / MB).toFixed(2)} MB`;
/** Growth in KB: the bounds are fractions of a megabyte. */
const signedKb = (bytes) => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1024).toFixed(1)} KB`;

const session = await readyPlayground();
try {
  const started = performance.now();
  const { checkpoints, calls } = await runSoak(session.page, { historyLimit: HISTORY_LIMIT, log });
  const seconds = (performance.now() - started) / 1000;
  if (session.problems.length) throw new Error(`page problems during the soak: ${session.problems.join("; ")}`);

  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  console.log(
    `\nSoak: ${total} runs (${Object.entries(calls).map(([name, n]) => `${name} ${n}`).join(", ")}) in ${seconds.toFixed(0)} s, Chromium headless; ` +
      `each figure one measurement after a forced full garbage collection; the warm-up filled every history to ${HISTORY_LIMIT} runs.\n`,
  );
  console.log("| Checkpoint | After runs | JS heap used | DOM nodes | wasm: page + processes + download threads | Workers with an instance | wasm memories alive in the page |\n|---|---|---|---|---|---|---|");
  for (const { label, runs, memory } of checkpoints) {
    const inPage = memory.pageMemories.reduce((a, b) => a + b, 0);
    console.log(`| ${label} | ${runs} | ${mb(memory.jsHeapUsed)} (${memory.jsHeapUsed} bytes) | ${memory.nodes} | ${mb(memory.wasmBytes)} | ${memory.workers.length} | ${memory.pageMemories.length} (${mb(inPage)}) |`);
  }
  const start = checkpoints[0].memory;
  const worst = (key) => Math.max(...checkpoints.slice(1).map((c) => c.memory[key] - start[key]));
  console.log("\n| Growth after the warm-up (largest, middle or end) | Runs | Result | Goal | Met |\n|---|---|---|---|---|");
  const once = "1 soak, 1 measurement per checkpoint";
  const heap = worst("jsHeapUsed");
  console.log(`| JS heap | ${once} | ${signedKb(heap)} | ≤ ${GROWTH_BOUNDS.jsHeapBytes.bound / 1024} KB | ${check(heap <= GROWTH_BOUNDS.jsHeapBytes.bound)} |`);
  const nodes = worst("nodes");
  console.log(`| DOM nodes | ${once} | ${nodes >= 0 ? "+" : ""}${nodes} | ≤ ${GROWTH_BOUNDS.nodes.bound} | ${check(nodes <= GROWTH_BOUNDS.nodes.bound)} |`);
  const wasm = worst("wasmBytes");
  console.log(`| wasm memory (all instances) | ${once} | ${signedKb(wasm)} | ≤ ${GROWTH_BOUNDS.wasmBytes.bound} bytes | ${check(wasm <= GROWTH_BOUNDS.wasmBytes.bound)} |`);
} finally {
  await session.close();
}
