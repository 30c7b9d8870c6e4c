// A "process": one dedicated worker holding one wasm instance with its own memory.
// Its rayon pool (started by initThreadPool) are its threads; they share that memory.
//
// Messages in:  { type: "start", module, threads }   → { type: "ready", memory, addresses, startupMs }
//               { type: "run", id, tasks, n, chunks, parallel } → { type: "done", id, run }
//                                                             or { type: "failed", id, message }
//               { type: "tiny-jobs", id, rounds }     → { type: "done", id, run: microsPerJob }
// A run blocks this worker until it ends; progress and cancel therefore go through shared memory
// (see controlAddresses in src/web/mod.rs), never through messages.
import init, * as wasm from "../playground.js";

const WARM_UP_N = 2_000_000;

async function start({ module, threads }) {
  const started = performance.now();
  // The page compiled the module once; instantiating it here skips a second compile.
  const exports = await init({ module_or_path: module });
  await wasm.initThreadPool(threads);
  // Warm-up: V8 first runs wasm with its baseline compiler and swaps in optimised code once a
  // function is hot. Without this, a learner's first run is the slow one and every speedup shown
  // against it is inflated. A small run on the calling thread and on every pool thread does it.
  wasm.runCpu("1", String(WARM_UP_N), "1", false);
  wasm.runCpu(String(threads), String(WARM_UP_N), "1", true);
  postMessage({
    type: "ready",
    memory: exports.memory,
    addresses: Array.from(wasm.controlAddresses()),
    startupMs: performance.now() - started,
  });
}

function run({ id, tasks, n, chunks, parallel }) {
  try {
    const result = wasm.runCpu(String(tasks), String(n), String(chunks), parallel);
    postMessage({ type: "done", id, run: result });
  } catch (error) {
    postMessage({ type: "failed", id, message: error?.message ?? String(error) });
  }
}

self.addEventListener("message", ({ data }) => {
  switch (data?.type) {
    case "start":
      start(data).catch((error) =>
        postMessage({ type: "start-failed", message: error?.message ?? String(error) }),
      );
      break;
    case "run":
      run(data);
      break;
    case "tiny-jobs":
      postMessage({ type: "done", id: data.id, run: wasm.tinyJobMicros(data.rounds) });
      break;
    default:
      // wasm-bindgen-rayon's own messages to nested workers never reach here; ignore anything else.
      break;
  }
});
