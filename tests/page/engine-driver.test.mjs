// The harness itself, in whichever engine PLAYGROUND_ENGINE names: a page's errors must reach the
// test's `problems` (browser.mjs's openPage), or every "no errors" assertion in the suite would pass
// vacuously. In WebKit they travel through the error recorder tests/page/server.mjs puts in every
// page (./webdriver.mjs); in Chromium and Firefox through Playwright's events.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic } from "./server.mjs";
import { launchBrowser, openPage } from "./browser.mjs";

const PAGE = `<!doctype html><html><head><title>Errors on purpose</title><link rel="icon" href="data:,">
<script>
  console.error("deliberate console error");
  Promise.reject(new Error("deliberate rejection"));
  throw new Error("deliberate error while loading");
</script></head>
<body><button id="late" onclick="setTimeout(() => { throw new Error('deliberate error after a click'); })">throw</button>
<img src="missing.png" alt=""><iframe src="frame.html"></iframe></body></html>`;

const FRAME = `<!doctype html><html><head><title>Frame</title></head><body><script>throw new Error("deliberate error in an iframe");</script></body></html>`;

let server;
let browser;

before(async () => {
  const root = await mkdtemp(join(tmpdir(), "playground-errors-"));
  await writeFile(join(root, "index.html"), PAGE);
  await writeFile(join(root, "frame.html"), FRAME);
  await writeFile(join(root, "quiet.html"), `<!doctype html><html><head><title>Quiet</title><link rel="icon" href="data:,"></head><body><p id="p">fine</p></body></html>`);
  server = await serveStatic(root, { isolation: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Waits (at most 10 s) until `problems` has an entry that `matches`. */
async function expectProblem(page, problems, matches, what) {
  for (let waited = 0; waited < 10_000 && !problems.some(matches); waited += 100) await page.waitForTimeout(100);
  assert.ok(problems.some(matches), `${what} reached problems: ${JSON.stringify(problems)}`);
}

test("errors a page throws or logs, while loading, after a click, after a reload and in an iframe, reach problems", async () => {
  const { page, problems } = await openPage(browser, server.url, { waitForPlayground: false });
  try {
    await expectProblem(page, problems, (p) => p === "pageerror: deliberate error while loading", "an error thrown while loading");
    await expectProblem(page, problems, (p) => p.startsWith("console error: deliberate console error"), "console.error");
    await expectProblem(page, problems, (p) => p === "pageerror: deliberate rejection", "an unhandled rejection");
    await expectProblem(page, problems, (p) => p.startsWith("HTTP 404") && p.includes("missing.png"), "a 404 for an image");
    await expectProblem(page, problems, (p) => p === "pageerror: deliberate error in an iframe", "an error in an iframe");

    await page.click("#late");
    await expectProblem(page, problems, (p) => p === "pageerror: deliberate error after a click", "an error after a click");

    problems.length = 0;
    await page.reload();
    await expectProblem(page, problems, (p) => p === "pageerror: deliberate error while loading", "an error thrown while loading again, after a reload");
  } finally {
    await page.close();
  }
});

test("a quiet page leaves problems empty, and evaluate carries values both ways", async () => {
  const { page, problems } = await openPage(browser, `${server.url}quiet.html`, { waitForPlayground: false });
  try {
    assert.equal(await page.textContent("#p"), "fine");
    assert.deepEqual(await page.evaluate((x) => [x.n * 2, typeof x.u, x.s + "!"], { n: 21, s: "hi" }), [42, "undefined", "hi!"]);
    assert.equal(await page.evaluate(() => undefined), undefined);
    assert.equal(await page.evaluate(async () => new Promise((r) => setTimeout(() => r("late"), 300))), "late");
    await assert.rejects(page.evaluate(() => { throw new RangeError("thrown on purpose"); }), /RangeError: thrown on purpose/);
    // The rejection above was the test's own call, not the page's: nothing recorded.
    await page.waitForTimeout(300);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
