// The page shell as a phone user in dark mode sees it, and as a keyboard user drives it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { ENGINE, launchBrowser, openPage, servePlayground, sessionForFile, skipIn } from "./browser.mjs";
import { DIST, ISOLATION_HEADERS, serveStatic } from "./server.mjs";

let server;
let browser;
sessionForFile(servePlayground, (session) => ({ server, browser } = session));

/**
 * The accessible name the browser computes for every element matching `selector` (what a screen reader
 * announces: from a <label for>, aria-label, aria-labelledby, or a button's own text), read through
 * the DevTools protocol's accessibility tree (WebKit: WebDriver's Get Computed Label): `[{ id, name }]`.
 */
async function accessibleNames(page, selector) {
  if (ENGINE === "webkit") return page.computedLabels(selector);
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("Accessibility.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
    const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector });
    const names = [];
    for (const nodeId of nodeIds) {
      const { node } = await cdp.send("DOM.describeNode", { nodeId });
      const attributes = node.attributes ?? [];
      const at = attributes.findIndex((value, i) => i % 2 === 0 && value === "id");
      const id = at >= 0 ? attributes[at + 1] : `<${node.localName}> #${names.length}`;
      const { nodes } = await cdp.send("Accessibility.getPartialAXTree", { nodeId, fetchRelatives: false });
      names.push({ id, name: String(nodes[0]?.name?.value ?? "").trim() });
    }
    return names;
  } finally {
    await cdp.detach();
  }
}

test("on a phone in dark mode: no sideways scrolling, dark page and dark chart", skipIn({ webkit: "prefers-color-scheme cannot be set: classic WebDriver has no media emulation, and WebKitWebDriver speaks no CDP" }), async (t) => {
  // A browser started dark (Firefox's own setting; BiDi Firefox ignores emulateMedia).
  const dark = await launchBrowser({ colorScheme: "dark" });
  t.after(() => dark.close());
  const { page, problems } = await openPage(dark, server.url);
  assert.equal(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches), true, "the page sees dark mode");
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

test(
  "every control has a label",
  skipIn({
    firefox:
      "accessible names are the browser's own, read from its accessibility tree (CDP; WebDriver's Get Computed Label in WebKit): " +
      "WebDriver BiDi has no accessibility command, and Playwright 1.56's BiDi driver implements none",
  }),
  async () => {
    // Names are computed for rendered controls only: first show every control a user can reveal
    // (closed <details>, fields shown for one choice), on a page used for nothing else.
    const { page: revealed, problems: revealProblems } = await openPage(browser, server.url);
    await revealed.evaluate(() => playground.ready);
    await revealed.evaluate(() => {
      for (const details of document.querySelectorAll("details")) details.open = true;
      for (const hidden of document.querySelectorAll("[hidden]")) hidden.hidden = false;
    });
    const names = await accessibleNames(revealed, "input, button, select, textarea");
    await revealed.close();
    assert.deepEqual(revealProblems, []);
    assert.ok(names.length >= 20, `${names.length} controls found`);
    // Chromium's own accessible name: a <select>'s option text or a hint next to a field does not count.
    assert.deepEqual(names.filter((c) => !c.name).map((c) => c.id), [], JSON.stringify(names));
  },
);

test("the demo runs from the keyboard alone", async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  await page.focus("#cpu-n");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("2000000");
  // Enter in a field submits the form, which runs the primary button's comparison.
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /^Compared in/.test(document.getElementById("cpu-status").textContent), null, { timeout: 60_000 });
  assert.equal((await page.evaluate(() => playground.lastCpuRun)).mode, "compare");
  // Tab reaches the buttons in order.
  await page.focus("#cpu-with-processes");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "cpu-compare");
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
  // A server whose wasm arrives 1.5 s late, so the call below certainly comes before ready.
  const wasm = await readFile(`${DIST}/playground_bg.wasm`);
  const slow = await serveStatic(DIST, {
    routes: {
      "/playground_bg.wasm": (request, response) =>
        setTimeout(() => response.writeHead(200, { "Content-Type": "application/wasm", ...ISOLATION_HEADERS }).end(wasm), 1500),
    },
  });
  try {
    const { page, problems } = await openPage(browser, slow.url);
    const { calledBeforeReady, run } = await page.evaluate(async () => {
      let ready = false;
      playground.ready.then(() => (ready = true));
      // A settled promise's callbacks run before the next task: after this, `ready` is true if ready was.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const calledBeforeReady = !ready;
      const run = await playground.cpu({ tasks: 2, n: 1000, threads: 1, mode: "threads" });
      return { calledBeforeReady, run };
    });
    assert.equal(calledBeforeReady, true, "the call was made before ready");
    assert.equal(run.threads, 1);
    // Σ i² for i < 1000 = 999·1000·1999/6.
    assert.deepEqual(run.results, ["332833500", "332833500"]);
    const all = await page.evaluate(() => playground.cpu({ tasks: 4, n: 2_000_000, chunks: 2 }));
    assert.equal(all.threads, await page.evaluate(() => playground.cores.defaultThreads));
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await slow.close();
  }
});

test("a 'Start here' map leads to every demo, a line each, on a desktop and a phone; every code pair is folded into one line; an embed has no map", async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  /** Each map entry: where it leads, and whether its question and demo name sit on one line. */
  const entries = () =>
    page.evaluate(() =>
      [...document.querySelectorAll(".page-map li")].map((entry) => {
        const link = entry.querySelector("a");
        // Boxes of one line overlap vertically (a smaller font sits lower on the line, not on another).
        const boxes = [...entry.querySelectorAll("a, span")].flatMap((part) => [...part.getClientRects()]);
        const oneLine = boxes.every((a) => boxes.every((b) => a.top < b.bottom && b.top < a.bottom));
        return { href: link.getAttribute("href"), question: link.textContent.trim(), oneLine };
      }),
    );
  // One entry per demo section of the page, in the page's order, each a question on one line.
  const sections = await page.evaluate(() => [...document.querySelectorAll("main > section.demo")].map((section) => `#${section.id}`));
  assert.deepEqual(sections, ["#cpu", "#downloads", "#lab", "#server", "#gallery"]);
  // A phone is 390 px wide; WebKitGTK's MiniBrowser window is at least 447 CSS px wide (measured), its narrowest.
  for (const width of [1200, ENGINE === "webkit" ? 447 : 390]) {
    await page.setViewportSize({ width, height: 844 });
    const shown = await entries();
    assert.deepEqual(shown.map((entry) => entry.href), sections, `at ${width} px`);
    for (const entry of shown) {
      assert.match(entry.question, /\?$/, `at ${width} px, ${entry.href} asks no question`);
      assert.ok(entry.oneLine, `at ${width} px, "${entry.question}" takes more than one line`);
    }
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth }));
    assert.ok(scrollWidth <= innerWidth, `at ${width} px the page is ${scrollWidth} px wide on a ${innerWidth} px screen`);
  }
  // A link leads to its demo.
  await page.click('.page-map a[href="#server"]');
  await page.waitForFunction(() => Math.abs(document.getElementById("server").getBoundingClientRect().top) < 2);

  // Every code pair of index.html is folded where it stands, closed, under one line saying what is inside.
  const pairsInHtml = (await readFile("index.html", "utf8")).match(/class="code-pair"/g).length;
  const folds = await page.evaluate(() =>
    [...document.querySelectorAll(".code-pair")].map((pair) => ({
      fold: pair.parentElement.matches("details.embed-code") ? { open: pair.parentElement.open, summary: pair.parentElement.querySelector(":scope > summary").textContent } : null,
      shown: pair.checkVisibility(),
    })),
  );
  assert.equal(folds.length, pairsInHtml);
  for (const fold of folds) assert.deepEqual(fold, { fold: { open: false, summary: "The code: the tutorial's Python and the Rust that ran" }, shown: false });
  // Opened, the code is there to read.
  await page.click("details.embed-code:has(#lab-freeze-python) > summary");
  assert.equal(await page.isVisible("#lab-freeze-python"), true);
  assert.ok((await page.textContent("#lab-freeze-python")).includes("def cpu_bound_task"));
  assert.deepEqual(problems, []);
  await page.close();

  // An embed shows its one demo without the map.
  const { page: embed, problems: embedProblems } = await openPage(browser, `${server.url}?demo=processes&embed=1`);
  await embed.evaluate(() => playground.ready);
  assert.equal(await embed.isHidden(".page-map"), true);
  assert.deepEqual(embedProblems, []);
  await embed.close();
});
