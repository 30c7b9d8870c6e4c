// A cross-origin isolated page whose browser withholds SharedArrayBuffer: WebKitGTK does unless
// JavaScriptCore's option JSC_useSharedArrayBuffer=1 is in its environment (launchBrowser({ sharedMemory:
// false }) leaves it out). The page must load the build without threads and say what is really
// missing — not "not cross-origin isolated", which is false here and sends the reader to headers that are fine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ENGINE, skipIn, launchBrowser, openPage } from "./browser.mjs";
import { serveStatic, DIST } from "./server.mjs";

const ONLY_WEBKIT = "gives every cross-origin isolated page SharedArrayBuffer: the case exists only in WebKitGTK without JSC_useSharedArrayBuffer";
const options = skipIn({ chromium: `Chromium ${ONLY_WEBKIT}`, firefox: `Firefox ${ONLY_WEBKIT}` });

let server;
let browser;
let page;
let problems;

before(async () => {
  if (ENGINE !== "webkit") return;
  server = await serveStatic(DIST, { isolation: true });
  browser = await launchBrowser({ sharedMemory: false });
  ({ page, problems } = await openPage(browser, server.url));
  await page.evaluate(() => playground.ready);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe("isolated, without SharedArrayBuffer", () => {
  test("the browser really is in that state: isolated, no SharedArrayBuffer", options, async () => {
    assert.deepEqual(await page.evaluate(() => ({ isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer })), { isolated: true, sab: "undefined" });
    assert.deepEqual(await page.evaluate(() => playground.isolation), {
      crossOriginIsolated: true,
      sharedMemory: false,
      threads: false,
      reason: "this browser withholds SharedArrayBuffer (the shared memory threads need) although the page is cross-origin isolated: its headers are fine.",
    });
  });

  test("the status line and the banner name the missing SharedArrayBuffer, not the isolation", options, async () => {
    const status = await page.textContent("#env-status");
    assert.match(status, /^Cross-origin isolated ✓, but this browser withholds SharedArrayBuffer: the build without threads/);
    assert.doesNotMatch(status, /Not cross-origin isolated/);
    const banner = await page.textContent("#env-fallback");
    assert.match(banner, /withholds SharedArrayBuffer .* although the page is cross-origin isolated/);
    assert.match(banner, /Nothing on the host needs changing/);
    assert.doesNotMatch(banner, /serve the page with Cross-Origin-Opener-Policy/);
  });

  test("the API's refusal of threads names the missing SharedArrayBuffer; processes still run", options, async () => {
    const refused = await page.evaluate(() => playground.cpu({ mode: "threads" }).then(() => "ran", (error) => error.message));
    assert.match(refused, /^Threads are unavailable on this page: this browser withholds SharedArrayBuffer .* although the page is cross-origin isolated/);
    assert.doesNotMatch(refused, /not cross-origin isolated/);
    const counter = await page.evaluate(() => playground.counter({}).then(() => "ran", (error) => error.message));
    assert.equal(counter, refused);
    // Σ i² for i < 1000 = 999·1000·1999/6, in two processes.
    const run = await page.evaluate(() => playground.cpu({ mode: "processes", tasks: 2, n: 1000, processes: 2 }));
    assert.deepEqual(run.results, ["332833500", "332833500"]);
    assert.equal(await page.evaluate(() => playground.cores.measured), null);
    assert.deepEqual(problems, []);
  });
});
