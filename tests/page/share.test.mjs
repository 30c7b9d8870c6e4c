// Shareable state in real Chromium: links restore each demo's parameters (and run once with
// autorun=1), embed=1 shows one demo alone, the share panel builds the link and the iframe snippet,
// the run history exports CSV and JSON that match what the page showed, and bad links are explained.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ENGINE, openPage, servePlayground, sessionForFile } from "./browser.mjs";
import { DIST } from "./server.mjs";

/** Σ i² for i < n by the closed formula n(n−1)(2n−1)/6, in BigInt: an answer the page did not compute. */
const sumOfSquaresBelow = (n) => String((BigInt(n) * BigInt(n - 1) * BigInt(2 * n - 1)) / 6n);
const grouped = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * Clicks `button` and returns the file the page hands the browser to save: `{ name, text }`, read in
 * the page from the `<a download>` it clicks (its name and its blob). Where Playwright reports
 * downloads (Chromium; its WebDriver BiDi driver does not, in Firefox) the file the browser really
 * saved must be the same.
 */
async function exportedFile(page, button) {
  await page.evaluate(() => {
    if (window.savedByPage) return;
    window.savedByPage = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      // The blob is read now: the page may revoke its address once the browser has it.
      if (this.hasAttribute("download")) savedByPage.push({ name: this.download, text: fetch(this.href).then((r) => r.text()) });
      return click.call(this);
    };
  });
  const count = await page.evaluate(() => savedByPage.length);
  const [download] = await Promise.all([ENGINE === "chromium" ? page.waitForEvent("download") : null, page.click(button)]);
  const saved = await page.evaluate(async (count) => {
    if (savedByPage.length !== count + 1) return null;
    const { name, text } = savedByPage[count];
    return { name, text: await text };
  }, count);
  assert.ok(saved, `clicking ${button} handed the browser one file`);
  if (download) {
    assert.equal(download.suggestedFilename(), saved.name);
    assert.equal(await readFile(await download.path(), "utf8"), saved.text);
  }
  return saved;
}

let server;
let browser;
sessionForFile(servePlayground, (session) => ({ server, browser } = session));

async function open(query) {
  const opened = await openPage(browser, `${server.url}${query}`);
  await opened.page.evaluate(() => playground.ready);
  return opened;
}

const visibleSections = (page) => page.$$eval("main > section", (sections) => sections.filter((s) => !s.hidden).map((s) => s.id));

/** Parses the CSV this page exports (RFC 4180 quoting). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  const [header, ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

describe("links, embeds and exports", () => {
  test("an embed link shows one demo, compact, with the link's parameters", async () => {
    const { page, problems } = await open("?demo=cpu&tasks=2&n=1000000&chunks=2&gil=1&embed=1");
    assert.deepEqual(await visibleSections(page), ["cpu"]);
    assert.equal(await page.isHidden(".site-header h1"), true);
    assert.equal(await page.inputValue("#cpu-tasks"), "2");
    assert.equal(await page.inputValue("#cpu-n"), "1000000");
    assert.equal(await page.inputValue("#cpu-chunks"), "2");
    assert.equal(await page.isChecked("#cpu-gil"), true);
    assert.equal(await page.evaluate(() => playground.lastCpuRun), null, "no autorun without autorun=1");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("autorun=1 runs the named way once, with the restored parameters", async () => {
    const query = "?demo=downloads&source=12&network=custom&latency=50&kbps=0&limit=3&run=bounded&autorun=1&embed=1";
    const { page, problems } = await open(query);
    await page.waitForFunction(() => playground.lastDownloadsRun);
    const run = await page.evaluate(() => playground.lastDownloadsRun);
    assert.equal(run.mode, "bounded");
    assert.equal(run.limit, 3);
    assert.equal(run.files.length, 12);
    assert.equal(run.network, "50 ms latency, unlimited bandwidth");
    assert.ok(run.files.every((f) => f.ok));
    assert.deepEqual(await visibleSections(page), ["downloads"]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the lab's link restores its fields, and the share panel gives the link and the iframe", async () => {
    const { page, problems } = await open("?demo=processes&workers=2&sweepMode=processes&serial=20");
    assert.equal(await page.inputValue("#lab-workers"), "2");
    assert.equal(await page.inputValue("#lab-sweep-mode"), "processes");
    assert.equal(await page.inputValue("#lab-sweep-serial"), "20");
    await page.fill("#cpu-tasks", "6");
    await page.dispatchEvent("#cpu-tasks", "change");
    assert.match(page.url(), /\?demo=cpu&tasks=6&/, "the address bar follows the last edited demo");
    await page.click("#cpu-share summary");
    // The panel fills its link on its toggle event, which the browser fires after the click returns.
    await page.waitForFunction(() => document.getElementById("cpu-share-link").value !== "");
    const link = new URL(await page.inputValue("#cpu-share-link"));
    assert.equal(link.searchParams.get("demo"), "cpu");
    assert.equal(link.searchParams.get("tasks"), "6");
    const snippet = await page.inputValue("#cpu-share-snippet");
    assert.match(snippet, /^<iframe src="[^"]*embed=1" title="Concurrency Playground: CPU-bound work" .*allow="cross-origin-isolated"/);
    // The link reopens the same state.
    const reopened = await open(link.search);
    assert.equal(await reopened.page.inputValue("#cpu-tasks"), "6");
    assert.deepEqual([...problems, ...reopened.problems], []);
    await reopened.page.close();
    await page.close();
  });

  test("the history's CSV and JSON downloads match the runs the page showed", async () => {
    const { page, problems } = await open("");
    // Expected values come from the inputs put in and the closed formula, never from the page.
    await page.evaluate(() => playground.cpu({ mode: "sequential", tasks: 3, n: 1_000_000, chunks: 2 }));
    const firstWall = await page.textContent("#cpu-wall");
    await page.evaluate(() => playground.cpu({ mode: "processes", processes: 2, tasks: 2, n: 2_000_000, crashTask: 1 }));
    const shown = await page.$$eval("#cpu-results-body td:last-child", (tds) => tds.map((td) => td.textContent));
    const oneMillion = sumOfSquaresBelow(1_000_000);
    const twoMillion = sumOfSquaresBelow(2_000_000);
    assert.equal(shown[0], grouped(twoMillion));
    assert.match(shown[1], /lost: its process crashed/);
    await page.click("#cpu-history summary");
    assert.equal(await page.textContent("#cpu-history-count"), "2", "two runs were made");

    const csv = await exportedFile(page, "#cpu-export-csv");
    assert.equal(csv.name, "playground-cpu-runs.csv");
    const rows = parseCsv(csv.text);
    assert.equal(rows.length, 3 + 2, "one row per task per run");
    assert.deepEqual(
      rows.map((r) => [r.run, r.mode, r.workers, r.tasks, r.n, r.chunks, r.task, r.sum]),
      [
        ["1", "sequential", "1", "3", "1000000", "2", "0", oneMillion],
        ["1", "sequential", "1", "3", "1000000", "2", "1", oneMillion],
        ["1", "sequential", "1", "3", "1000000", "2", "2", oneMillion],
        ["2", "processes", "2", "2", "2000000", "1", "0", twoMillion],
        ["2", "processes", "2", "2", "2000000", "1", "1", ""],
      ],
    );
    assert.match(rows[4].error, /task 1 crashed on purpose/);
    assert.deepEqual(rows.slice(0, 4).map((r) => r.error), ["", "", "", ""]);

    const json = await exportedFile(page, "#cpu-export-json");
    assert.equal(json.name, "playground-cpu-runs.json");
    const runs = JSON.parse(json.text);
    assert.deepEqual(runs.map((r) => r.run), [1, 2]);
    const [first, second] = runs.map((r) => r.result);
    assert.deepEqual([first.mode, first.threads, first.results], ["sequential", 1, [oneMillion, oneMillion, oneMillion]]);
    assert.deepEqual([second.mode, second.processes, second.results], ["processes", 2, [twoMillion, null]]);
    assert.deepEqual(second.errors.map((e) => e.task), [1]);
    // Each task's spans cover its numbers once: 0..n, in the chunks asked for (the crashed task has none).
    const coverage = (run, task) =>
      run.spans.filter((s) => s.task === task).map((s) => [s.rangeStart, s.rangeEnd]).sort((a, b) => a[0] - b[0]);
    for (const task of [0, 1, 2]) assert.deepEqual(coverage(first, task), [[0, 500_000], [500_000, 1_000_000]], `task ${task}`);
    assert.deepEqual(coverage(second, 0), [[0, 2_000_000]]);
    assert.deepEqual(coverage(second, 1), []);
    assert.equal(Number(rows[0].wallMs), Number(first.wallMs.toFixed(3)), "CSV and JSON give the same wall time");
    // ... and it is the one the page showed for that run (the page writes 12.3 ms, or 1,234 ms from 10 ms on).
    const ms = first.wallMs;
    assert.equal(firstWall, ms >= 10 ? `${Math.round(ms).toLocaleString("en-US")} ms` : `${ms.toFixed(1)} ms`);

    // The downloads' export: one row per file, with the SHA-256 of the very file on disk.
    await page.evaluate(() => playground.downloads({ samples: 2, mode: "concurrent" }));
    const downloadsCsv = parseCsv(await page.evaluate(() => playground.history.downloads.csv()));
    assert.equal(downloadsCsv.length, 2);
    for (const row of downloadsCsv) {
      const file = new URL(row.url).pathname;
      assert.match(file, /^\/samples\//);
      const onDisk = await readFile(`${DIST}${file}`);
      assert.equal(row.sha256, createHash("sha256").update(onDisk).digest("hex"), file);
      assert.equal(Number(row.bytes), onDisk.length, file);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a link with values that do not fit says so and keeps the defaults", async () => {
    const { page, problems } = await open("?demo=downloads&network=5g&embed=1&autorun=1&run=fly");
    await page.waitForFunction(() => !document.getElementById("env-notice").hidden);
    const notice = await page.textContent("#env-notice");
    assert.match(notice, /network=5g is not one of the choices/);
    assert.match(notice, /run=fly is not a way to run this demo/);
    assert.equal(await page.inputValue("#dl-network"), "far-server");
    const other = await open("?demo=fibers&embed=1");
    assert.match(await other.page.textContent("#env-notice"), /There is no demo called "fibers"; the demos are cpu, downloads, processes, server/);
    assert.deepEqual([...problems, ...other.problems], []);
    await other.page.close();
    await page.close();
  });
});
