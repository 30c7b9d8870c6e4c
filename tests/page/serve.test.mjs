// The README's serve command: `trunk serve` (what scripts/serve.sh runs after setup) brings the page up
// with the cross-origin isolation headers, and the page reaches a ready thread pool.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { launchBrowser, openPage } from "./browser.mjs";

// Not 8080, so a playground you are serving yourself keeps running; its own dist dir for the same reason.
const PORT = 18_080;
const URL_ROOT = `http://127.0.0.1:${PORT}/`;
let trunk;

before(async () => {
  trunk = spawn("trunk", ["serve", "--port", String(PORT), "--dist", "target/serve-dist", "--no-autoreload"], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let log = "";
  trunk.stderr.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  // A first build of the threaded wasm (std rebuilt with atomics) can take minutes.
  for (const deadline = Date.now() + 10 * 60_000; Date.now() < deadline; await sleep(1000)) {
    if (trunk.exitCode !== null) throw new Error(`trunk serve exited: ${log}`);
    const ok = await fetch(URL_ROOT).then((r) => r.ok, () => false);
    if (ok) return;
  }
  throw new Error(`trunk serve did not come up: ${log}`);
});

after(() => {
  if (trunk && trunk.exitCode === null) process.kill(-trunk.pid, "SIGTERM");
});

test("trunk serve sends the isolation headers on the page and on the wasm", async () => {
  for (const path of ["", "playground_bg.wasm", "www/process-worker.js"]) {
    const response = await fetch(URL_ROOT + path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("cross-origin-opener-policy"), "same-origin", path);
    assert.equal(response.headers.get("cross-origin-embedder-policy"), "require-corp", path);
  }
});

test("the served page is isolated and runs on threads", async () => {
  const browser = await launchBrowser();
  try {
    const { page, problems } = await openPage(browser, URL_ROOT);
    await page.evaluate(() => playground.ready);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    // Chunks of ~5 ms each (12.5M squares): a pool's second thread wakes 1–3 ms late (docs: TOOLCHAIN), so
    // with 0.2 ms chunks a quiet, fast machine let the first thread take all sixteen before it woke.
    // Every reported core, not the default: on a busy machine the page's check may settle on 1 thread.
    const run = await page.evaluate(() => playground.cpu({ tasks: 4, n: 50_000_000, chunks: 4, mode: "threads", threads: navigator.hardwareConcurrency }));
    // Σ i² for i < 50,000,000 by the closed formula n(n−1)(2n−1)/6.
    const n = 50_000_000n;
    assert.deepEqual(run.results, Array(4).fill(String((n * (n - 1n) * (2n * n - 1n)) / 6n)));
    assert.equal(run.mode, "threads");
    assert.equal(run.threads, await page.evaluate(() => navigator.hardwareConcurrency));
    // Sixteen chunks of real work (~90 ms in all): more than one pool thread took some.
    assert.ok(new Set(run.spans.map((s) => s.worker)).size >= 2, JSON.stringify(run.spans.map((s) => s.worker)));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
