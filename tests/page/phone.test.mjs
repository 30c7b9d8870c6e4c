// Phones are a first-class screen (issue 13): at 390 × 844 and 360 × 740, light and dark, every demo
// after a real run fits the screen, reflows its tables, wraps numbers only at digit groups, keeps its
// charts legible, shows the first demo's button on the first screen, and an undrawn chart is a short
// line of text rather than a tall empty box. Screenshots go to tests/artifacts/ (not in git).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import playwright from "playwright-core";
import { CHROMIUM, CHROMIUM_FLAGS, ENGINE, launchBrowser, openPage, sessionForFile, skipIn } from "./browser.mjs";
import { DIST, serveStatic } from "./server.mjs";

const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];
const SCHEMES = ["light", "dark"];
// Measured: asked for 390 × 844, WebKitGTK's MiniBrowser gives 447 × 844 (its narrowest window).
const WEBKIT_CANNOT = {
  webkit: "MiniBrowser's window is at least 447 CSS px wide (asked for 390, it gives 447) and classic WebDriver has no device or colour-scheme emulation, so no phone-sized screen can be had",
};
const ARTIFACTS = "tests/artifacts";

let server;
sessionForFile(
  async () => {
    const started = await serveStatic(DIST, { isolation: true });
    return { server: started, close: () => started.close() };
  },
  (session) => ({ server } = session),
);

/**
 * A phone: Chromium emulates one (device pixels ×2, a touch screen, the mobile viewport rules);
 * Firefox over BiDi cannot, so it gets a phone-sized window, as a narrow desktop window is (WebKit: see WEBKIT_CANNOT).
 */
async function openPhone({ width, height }, colorScheme) {
  if (ENGINE === "chromium") {
    const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const { page, problems } = await openPage(context, server.url);
    return { page, problems, close: () => browser.close() };
  }
  const context = await launchBrowser({ colorScheme });
  try {
    const { page, problems } = await openPage(context, server.url);
    await page.setViewportSize({ width, height });
    return { page, problems, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** Runs every demo once with small inputs, through the public API (and the lab's GIL button). */
async function runEveryDemo(page) {
  await page.evaluate(async () => {
    await playground.cpu({ tasks: 4, n: 10_000_000, mode: "threads" });
    await playground.downloads({ samples: 12, mode: "concurrent", network: "none" });
    await playground.compare({ workers: 2, tasks: 2, n: 1_000_000 });
    for (const method of ["racy", "atomic"]) await playground.counter({ threads: 2, increments: 10_000, method });
    await playground.sweep({ mode: "processes", maxWorkers: 2, tasks: 2, n: 1_000_000 });
    for (const model of ["one-at-a-time", "thread-pool", "async", "async-pool"])
      await playground.server({ model, requests: 24, ioMs: 5, cpuMs: 1, clients: 4, ...(model === "thread-pool" ? { poolSize: 2 } : {}) });
    await playground.serverSweep({ clients: [1, 2], ioMs: 5, cpuMs: 1, poolSize: 2 });
    for (const schedule of ["static", "dynamic"]) await playground.kernel({ kernel: "mandelbrot", schedule, threads: 2, size: 120 });
  });
  await page.click("#lab-gil-run");
  await page.waitForFunction(() => !document.getElementById("lab-gil-table").hidden, null, { timeout: 60_000 });
}

// ---- what the page looks like, measured in the page ------------------------------------------------

/** Every chart's figure, with its size and whether it says in words what will appear. */
const chartFigures = () =>
  [...document.querySelectorAll("figure.chart")].map((figure) => {
    const canvas = figure.querySelector("canvas");
    const canvasShown = canvas.getClientRects().length > 0 && canvas.getBoundingClientRect().height > 0;
    return { id: canvas.id, height: Math.round(figure.getBoundingClientRect().height), canvasShown, text: figure.innerText.trim() };
  });

/** The page's layout problems on this screen, each a sentence naming the element. */
function layoutProblems() {
  /**
   * Whether `element` is a scroll container a reader can see and reach: it scrolls sideways, is
   * focusable (keyboard users scroll it with the arrow keys), is a named region, and, while its content
   * is wider than it, shows a cue (a "scroll" hint, or a shadow at the edge that hides content).
   */
  function markedScrollable(element) {
    const style = getComputedStyle(element);
    if (style.overflowX !== "auto" && style.overflowX !== "scroll") return { ok: false, why: "does not scroll" };
    if (element.tabIndex < 0) return { ok: false, why: "not focusable" };
    if (element.getAttribute("role") !== "region" || !element.getAttribute("aria-label")) return { ok: false, why: "not a named region" };
    if (element.scrollWidth > element.clientWidth + 1) {
      const hint = getComputedStyle(element, "::before");
      const cue = (hint.display !== "none" && /scroll/i.test(hint.content)) || style.boxShadow !== "none";
      if (!cue) return { ok: false, why: "overflows with no visible cue" };
    }
    return { ok: true };
  }
  const describe = (el) => `${el.localName}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}${el.id ? "" : ` in #${el.closest("[id]")?.id}`}`;
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) problems.push(`the page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
  // An element sticking out is fine only where a marked scroll container (or a clipping box) holds it.
  const contained = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "hidden" || overflow === "clip") return true;
      if (overflow === "auto" || overflow === "scroll") return markedScrollable(up).ok;
    }
    return false;
  };
  // Only the outermost element that sticks out is named: its contents stick out with it.
  const reported = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.getClientRects().length || reported.has(el.parentElement)) {
      if (reported.has(el.parentElement)) reported.add(el);
      continue;
    }
    const right = el.getBoundingClientRect().right;
    if (right > width + 0.5 && !contained(el)) {
      reported.add(el);
      problems.push(`${describe(el)} reaches ${Math.round(right)}px (screen ${width}px)`);
    }
  }
  // Every table fits its container, or sits in a marked scroll container.
  for (const table of document.querySelectorAll("main table")) {
    if (!table.getClientRects().length) continue;
    const box = table.parentElement;
    if (table.getBoundingClientRect().width <= box.clientWidth + 0.5 && box.scrollWidth <= box.clientWidth + 1) continue;
    const scroller = table.closest("*:not(table, thead, tbody, tr, td, th, caption)");
    const marked = markedScrollable(scroller);
    if (!marked.ok) problems.push(`${describe(table)} is ${Math.round(table.getBoundingClientRect().width)}px in a ${box.clientWidth}px box, and its container ${marked.why}`);
  }
  return problems;
}

/**
 * Numbers and hashes broken across lines: every digit group (1,234,567: a break only after a comma)
 * and every hex hash (never) must stay on one line. Characters are followed through text nodes within
 * one block, so a number split into several nodes (a <wbr> between groups) is checked as one.
 */
function brokenNumbers() {
  const blockOf = (node) => {
    let el = node.parentElement;
    while (el && getComputedStyle(el).display.startsWith("inline") && el.parentElement) el = el.parentElement;
    return el;
  };
  const runs = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const el = node.parentElement;
    if (el.closest("pre, script, style, select, textarea, option") || !el.getClientRects().length) continue;
    const block = blockOf(node);
    const last = runs.at(-1);
    if (last?.block === block) last.parts.push(node);
    else runs.push({ block, parts: [node] });
  }
  const problems = [];
  for (const { parts } of runs) {
    const chars = parts.flatMap((node) => [...node.data].map((ch, offset) => ({ ch, node, offset })));
    const text = chars.map((c) => c.ch).join("");
    for (const match of text.matchAll(/\d{1,3}(?:,\d{3})+|[0-9a-f]{12,}|\d+(?:\.\d+)?/gi)) {
      let previousTop = null;
      for (let i = match.index; i < match.index + match[0].length; i++) {
        const range = document.createRange();
        range.setStart(chars[i].node, chars[i].offset);
        range.setEnd(chars[i].node, chars[i].offset + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (previousTop !== null && rect.top > previousTop + 2 && text[i - 1] !== ",")
          problems.push(`"${match[0]}" breaks after "${text.slice(match.index, i)}" (in #${chars[i].node.parentElement.closest("[id]")?.id})`);
        previousTop = rect.top;
      }
    }
  }
  return problems;
}

/** What each drawn chart reports of its text and rows (src/web/canvas.rs writes it on the canvas). */
const chartLegibility = () =>
  [...document.querySelectorAll("figure.chart canvas")]
    .filter((canvas) => canvas.getClientRects().length)
    .map((canvas) => ({ id: canvas.id, labelPx: Number(canvas.dataset.labelPx), rowPx: canvas.dataset.rowPx === undefined ? null : Number(canvas.dataset.rowPx) }));

// ---- the tests -------------------------------------------------------------------------------------

for (const phone of PHONES) {
  for (const scheme of SCHEMES) {
    const name = `${phone.width}x${phone.height}-${scheme}`;
    test(`a ${phone.width} × ${phone.height} phone, ${scheme}: every demo fits, reflows and reads`, skipIn(WEBKIT_CANNOT), async (t) => {
      const { page, problems, close } = await openPhone(phone, scheme);
      t.after(close);
      // Every finding is collected, so one run shows all that is wrong on this screen.
      const failed = [];
      const check = (ok, message) => ok || failed.push(message);
      await page.evaluate(() => playground.ready);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/phone-${name}-first-screen.png` });

      // The first screen shows the first demo's primary button.
      const button = await page.evaluate(() => {
        const rect = document.getElementById("cpu-compare").getBoundingClientRect();
        return { bottom: Math.round(rect.bottom + scrollY), screen: innerHeight, scrollY };
      });
      check(button.bottom <= button.screen, `#cpu-compare ends at ${button.bottom}px, below the first screen (${button.screen}px)`);

      // Before any run, each chart is a short text saying what will appear.
      for (const figure of await page.evaluate(chartFigures)) {
        check(!figure.canvasShown && figure.height <= 140, `${figure.id} before a run: ${figure.height}px tall, canvas ${figure.canvasShown ? "shown" : "hidden"}`);
        check(/\brun\b.*\bsee\b/i.test(figure.text), `${figure.id} does not say what will appear: ${JSON.stringify(figure.text)}`);
      }

      await runEveryDemo(page);
      // Open what a reader can open: the history panels (their tables count too).
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));

      if (ENGINE === "chromium")
        for (const id of ["cpu", "downloads", "lab", "server", "gallery"])
          await page.locator(`#${id}`).screenshot({ path: `${ARTIFACTS}/phone-${name}-${id}.png` });

      failed.push(...(await page.evaluate(layoutProblems)), ...(await page.evaluate(brokenNumbers)));

      // Every chart has been drawn now, with labels of at least 11 px and rows tall enough for them.
      const figures = await page.evaluate(chartFigures);
      for (const f of figures) check(f.canvasShown, `${f.id} is not drawn after its run`);
      for (const chart of await page.evaluate(chartLegibility)) {
        check(chart.labelPx >= 11, Number.isNaN(chart.labelPx) ? `${chart.id}: the chart reports no label size` : `${chart.id}: labels of ${chart.labelPx}px`);
        if (chart.rowPx !== null) check(chart.rowPx >= chart.labelPx * 1.3, `${chart.id}: rows ${chart.rowPx}px apart for ${chart.labelPx}px labels`);
      }

      // The downloads table: a file name on one line (ellipsized, the full name on hover and focus), a
      // short hash with the full one in its title and a copy button that copies exactly that hash.
      const run = await page.evaluate(() => playground.lastDownloadsRun);
      const rows = await page.$$eval("#dl-files-body tr", (trs) => {
        // Lines a cell's text takes: the distinct tops of its text's line boxes.
        const lines = (el) => {
          const tops = [];
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let node; (node = walker.nextNode()); ) {
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const rect of range.getClientRects()) if (rect.width > 0 && !tops.some((top) => Math.abs(top - rect.top) < 3)) tops.push(rect.top);
          }
          return tops.length;
        };
        return trs.map((tr) => {
          const [nameCell, , , hashCell] = tr.cells;
          const titled = (cell) => cell.querySelector("[title]")?.title ?? cell.title;
          const copy = [...hashCell.querySelectorAll("button")].map((b) => b.getAttribute("aria-label") ?? b.textContent).find((label) => /copy/i.test(label));
          return {
            name: nameCell.textContent, nameTitle: titled(nameCell), nameLines: lines(nameCell), nameFocusable: nameCell.tabIndex >= 0 || [...nameCell.querySelectorAll("*")].some((el) => el.tabIndex >= 0),
            hash: hashCell.textContent, hashTitle: titled(hashCell), hashLines: lines(hashCell), copy: copy ?? null,
          };
        });
      });
      assert.equal(rows.length, run.files.length);
      run.files.forEach((file, i) => {
        const row = rows[i];
        const expected = { name: file.name, nameTitle: file.name, nameLines: 1, nameFocusable: true, hash: file.sha256, hashTitle: file.sha256, hashLines: 1 };
        for (const [key, value] of Object.entries(expected)) check(row[key] === value, `downloads row ${i}: ${key} is ${JSON.stringify(row[key])}, not ${JSON.stringify(value)}`);
        check(/copy/i.test(row.copy ?? ""), `downloads row ${i}: no copy button for the hash`);
      });
      if (ENGINE === "chromium" && rows[1].copy) {
        await page.locator("#dl-files-body tr:nth-child(2) td:nth-child(4) button").click();
        check((await page.evaluate(() => navigator.clipboard.readText())) === run.files[1].sha256, "the copy button does not copy the full hash");
      }
      // The downloads table's first rows, for before/after pictures (tests/artifacts/downloads-phone-*.png).
      if (ENGINE === "chromium" && phone.width === 390 && scheme === "light") {
        const table = await page.evaluate(() => {
          const rect = document.getElementById("dl-files").getBoundingClientRect();
          return { top: rect.top + scrollY, height: rect.height };
        });
        const clip = { x: 0, y: table.top, width: phone.width, height: Math.min(table.height, 560) };
        await page.screenshot({ path: `${ARTIFACTS}/downloads-phone-latest.png`, fullPage: true, clip });
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(failed, [], `${name}: what is wrong on this screen`);
    });
  }
}
