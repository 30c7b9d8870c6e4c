// The page shell as a phone user in dark mode sees it, and as a keyboard user drives it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { openPage, servePlayground } from "./browser.mjs";

let session;
let server;
let browser;

before(async () => {
  session = await servePlayground();
  ({ server, browser } = session);
});

after(() => session?.close());

test("on a phone in dark mode: no sideways scrolling, dark page and dark chart", async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => playground.ready);
  await page.evaluate(() => playground.cpu({ tasks: 4, n: 1_000_000, mode: "threads" }));
  await page.evaluate(() => playground.downloads({ samples: 12, mode: "concurrent", network: { latencyMs: 50, kbps: 0 } }));
  const layout = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    background: getComputedStyle(document.body).backgroundColor,
  }));
  assert.ok(layout.scrollWidth <= layout.innerWidth, `page is ${layout.scrollWidth}px wide on a ${layout.innerWidth}px screen`);
  assert.equal(layout.background, "rgb(24, 26, 31)");
  // Each chart's corner pixel is its background: dark too.
  for (const id of ["cpu-timeline", "dl-timeline"]) {
    const corner = await page.evaluate((id) => {
      const canvas = document.getElementById(id);
      return Array.from(canvas.getContext("2d").getImageData(2, 2, 1, 1).data.slice(0, 3));
    }, id);
    assert.deepEqual(corner, [24, 26, 31], id);
  }
  await mkdir("tests/artifacts", { recursive: true });
  await page.screenshot({ path: "tests/artifacts/cpu-demo-phone-dark.png", fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("every control has a label and the demo runs from the keyboard alone", async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, button, select, textarea")]
      .filter((el) => !(el.labels?.length || el.textContent.trim() || el.getAttribute("aria-label")))
      .map((el) => el.id),
  );
  assert.deepEqual(unlabelled, []);
  await page.focus("#cpu-n");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("2000000");
  // Enter in a field submits the form, which runs on threads.
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /^Done in/.test(document.getElementById("cpu-status").textContent));
  assert.equal((await page.evaluate(() => playground.lastCpuRun)).mode, "threads");
  // Tab reaches the buttons in order.
  await page.focus("#cpu-gil");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "cpu-run-sequential");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => playground.lastCpuRun?.mode === "sequential");
  // The downloads form too: Enter in a field runs "All at once".
  await page.selectOption("#dl-network", "none");
  await page.focus("#dl-limit");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => playground.lastDownloadsRun?.mode === "concurrent");
  assert.ok((await page.evaluate(() => playground.lastDownloadsRun)).files.every((f) => f.ok));
  assert.deepEqual(problems, []);
  await page.close();
});

test("a tutorial may call playground.cpu before ready: the call waits and runs", async () => {
  const { page, problems } = await openPage(browser, server.url);
  // openPage returns as soon as window.playground exists, usually well before the process is ready.
  const run = await page.evaluate(() => playground.cpu({ tasks: 2, n: 1000, threads: 1, mode: "threads" }));
  assert.equal(run.threads, 1);
  assert.equal(run.results.length, 2);
  const all = await page.evaluate(() => playground.cpu({ tasks: 4, n: 2_000_000, chunks: 2 }));
  assert.equal(all.threads, await page.evaluate(() => navigator.hardwareConcurrency));
  assert.deepEqual(problems, []);
  await page.close();
});
