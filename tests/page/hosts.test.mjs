// Where tutorials live, in real Chromium: a static host that sends no isolation headers (the service
// worker isolates the page after one reload), an iframe in a page that is not isolated (the build
// without threads, with its banner, while downloads and processes work), and an iframe with
// allow="cross-origin-isolated" in an isolated page (threads work). No page or console errors.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { serveStatic, DIST } from "./server.mjs";
import { playgroundFrame, tutorialSite } from "./tutorial-site.mjs";
import { launchBrowser, openPage } from "./browser.mjs";

const SEED_RESULT = "333333283333335000000";
const manifest = JSON.parse(await readFile(`${DIST}/samples/manifest.json`, "utf8")).files;

let withoutHeaders;
let withHeaders;
let browser;

before(async () => {
  withoutHeaders = await serveStatic(DIST, { isolation: false });
  withHeaders = await serveStatic(DIST, { isolation: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await withoutHeaders?.close();
  await withHeaders?.close();
});

describe("hosts and embeds", () => {
  test("a static host without isolation headers: the service worker isolates the page after one reload", async () => {
    const { page, problems } = await openPage(browser, withoutHeaders.url);
    await page.waitForFunction(() => window.crossOriginIsolated && window.playground !== undefined, null, { timeout: 20_000 });
    await page.evaluate(() => playground.ready);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    const run = await page.evaluate(() => playground.cpu({ mode: "threads" }));
    assert.deepEqual(run.results, Array(4).fill(SEED_RESULT));
    assert.equal(await page.isHidden("#env-fallback"), true);
    // A second visit is isolated from the start: no more reloads.
    await page.reload();
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => playground.ready);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("embedded in a page that is not isolated: the build without threads explains itself and the rest works", async () => {
    const tutorial = await tutorialSite(withHeaders.url, { isolated: false, allow: false, otherSite: false });
    const { page, problems } = await openPage(browser, tutorial.url, { waitForPlayground: false });
    try {
      const frame = await playgroundFrame(page, withHeaders.url);
      assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
      assert.match(await frame.textContent("#env-status"), /the build without threads/);
      assert.equal(await frame.isVisible("#env-fallback"), true);
      assert.match(await frame.textContent("#env-fallback"), /allow="cross-origin-isolated"/);
      assert.equal(await frame.isDisabled("#cpu-run-threads"), true);
      assert.equal(await frame.isDisabled("#cpu-run-processes"), false);
      // Processes: their own memories, no sharing needed.
      const run = await frame.evaluate(() => playground.cpu({ mode: "processes", processes: 2 }));
      assert.deepEqual(run.results, Array(4).fill(SEED_RESULT));
      const sequential = await frame.evaluate(() => playground.cpu({ mode: "sequential" }));
      assert.deepEqual(sequential.results, Array(4).fill(SEED_RESULT));
      // Downloads: all three schedules, checked against the manifest.
      for (const mode of ["concurrent", "sequential"]) {
        const result = await frame.evaluate((mode) => playground.downloads({ samples: 3, mode }), mode);
        assert.deepEqual(result.files.map((f) => f.sha256), manifest.slice(0, 3).map((f) => f.sha256), mode);
      }
      const threads = await frame.evaluate(() => playground.downloads({ samples: 3, mode: "threads" }));
      assert.ok(threads.files.every((f) => f.ok));
      // Cancel: a fallback process cannot see a shared flag, so it is ended, and the next run starts afresh.
      const cancelled = frame.evaluate(() => playground.cpu({ mode: "processes", processes: 2, n: 1_000_000_000 }).then(() => "ran", (e) => e.name));
      await frame.waitForFunction(() => document.getElementById("cpu-cancel").disabled === false);
      await frame.click("#cpu-cancel");
      assert.equal(await cancelled, "AbortError");
      const again = await frame.evaluate(() => playground.cpu({ mode: "processes", processes: 2 }));
      assert.deepEqual(again.results, Array(4).fill(SEED_RESULT));
      // Threads are refused with the reason, not a crash.
      const refused = await frame.evaluate(() => playground.cpu({ mode: "threads" }).then(() => "ran", (e) => e.message));
      assert.match(refused, /^Threads are unavailable on this page: it is not cross-origin isolated/);
      assert.match(await frame.evaluate(() => playground.counter({}).then(() => "ran", (e) => e.message)), /Threads are unavailable/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await tutorial.close();
    }
  });

  test("embedded with allow=\"cross-origin-isolated\" in an isolated page: threads run", async () => {
    const tutorial = await tutorialSite(withHeaders.url, { isolated: true, allow: true, otherSite: false });
    const { page, problems } = await openPage(browser, tutorial.url, { waitForPlayground: false });
    try {
      const frame = await playgroundFrame(page, withHeaders.url);
      assert.equal(await frame.evaluate(() => crossOriginIsolated), true);
      const run = await frame.evaluate(() => playground.cpu({ mode: "threads" }));
      assert.deepEqual(run.results, Array(4).fill(SEED_RESULT));
      assert.equal(await frame.isHidden("#env-fallback"), true);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await tutorial.close();
    }
  });
});
