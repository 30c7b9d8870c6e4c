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
    assert.match(await other.page.textContent("#env-notice"), /There is no demo called "fibers"; the demos are cpu, downloads, processes, server, gallery/);
    assert.deepEqual([...problems, ...other.problems], []);
    await other.page.close();
    await page.close();
  });
});

// A link carries the author's experiment, not the author's machine: counts the page sets from the
// device's cores are left out (or written `all`), a count above the reader's per-core limit is
// clamped with a note, numbers are written without digit separators, and the link always runs.
describe("portable links", () => {
  /** The value of each field as a page with no link shows it here: the reader's own defaults. */
  /**
   * The fields' values on a page opened without a link, and that tab, where `followLink(query)` then
   * opens a link. The device's defaults come from the page's short thread check, which the tab keeps
   * for its next pages: two tabs could each measure a different answer (WebKit on 2 cores found 1 in
   * one tab and 3 in another), which says nothing about links.
   */
  async function plainPageValues(ids) {
    const tab = await open("");
    const values = {};
    for (const id of ids) values[id] = await tab.page.inputValue(`#${id}`);
    assert.deepEqual(tab.problems, []);
    const followLink = async (query) => {
      await tab.page.goto(`${server.url}${query}`);
      await tab.page.waitForFunction(() => window.playground !== undefined);
      await tab.page.evaluate(() => playground.ready);
      return tab;
    };
    return { values, followLink };
  }

  const digitsOf = (text) => text.replace(/[,_\s]/g, "");
  /** In the page: the CPU demo finished a run, or refused one ("Nothing ran: …"): a test need not wait out its timeout. */
  const finishedOrRefused = () => playground.lastCpuRun !== null || /Nothing ran/.test(document.getElementById("cpu-status").textContent);

  for (const run of ["processes", "threads"]) {
    test(`a link asking for 16 threads and 16 processes (run=${run}) clamps to this device's cores, says so, and runs`, async (t) => {
      const tasks = 3;
      const n = 2_000_000;
      const { page, problems } = await open(`?demo=cpu&tasks=${tasks}&n=${n}&threads=16&processes=16&autorun=1&run=${run}`);
      const { cores, hardware, threadsBuild } = await page.evaluate(() => ({
        cores: playground.cores.reported,
        hardware: navigator.hardwareConcurrency,
        threadsBuild: playground.isolation.threads,
      }));
      assert.equal(cores, hardware, "the page's limit is the core count the browser reports");
      if (cores >= 16) return t.skip(`this device reports ${cores} cores: 16 threads fit, nothing to clamp`);
      if (run === "threads" && !threadsBuild) return t.skip("this page runs the build without threads");
      await page.waitForFunction(finishedOrRefused, null, { timeout: 120_000 });
      assert.equal(await page.inputValue("#cpu-threads"), String(cores), "threads clamped to the reported cores");
      assert.equal(await page.inputValue("#cpu-processes"), "16", "16 processes are within the fixed limit of 16");
      assert.equal(await page.isVisible("#env-notice"), true, "the clamp is said on the page");
      const notice = await page.textContent("#env-notice");
      assert.match(notice, new RegExp(`\\b16\\b[^.]*\\bthreads?\\b|\\bthreads?\\b[^.]*\\b16\\b`, "i"), notice);
      assert.match(notice, new RegExp(`\\b${cores}\\b`), `the note names this device's ${cores}: ${notice}`);
      assert.doesNotMatch(notice, /above the limit|Nothing ran/, notice);
      const result = await page.evaluate(() => playground.lastCpuRun);
      assert.ok(result, `a run finished; the page says: ${await page.textContent("#cpu-status")}`);
      assert.equal(result.mode, run);
      if (run === "threads") assert.equal(result.threads, cores);
      assert.deepEqual(result.results, Array(tasks).fill(sumOfSquaresBelow(n)), "the exact sums, by the closed formula");
      assert.equal(await page.textContent("#cpu-threads-error"), "", "no message under Threads");
      assert.deepEqual(problems, []);
      await page.close();
    });
  }

  test("a link with numbers no device accepts keeps those defaults, says so, and still runs", async () => {
    const { values: own, followLink } = await plainPageValues(["cpu-n", "cpu-threads", "cpu-processes"]);
    const { page, problems } = await followLink("?demo=cpu&tasks=2&n=5000000000&threads=lots&processes=0&autorun=1&run=processes");
    await page.waitForFunction(finishedOrRefused, null, { timeout: 120_000 });
    const notice = await page.textContent("#env-notice");
    assert.match(notice, /n=5000000000 is above 1,000,000,000, the most n per task can be; kept the default/);
    assert.match(notice, /threads=lots is not a whole number from 1 to \d+; kept the default/);
    assert.match(notice, /processes=0 is below 1, the least Processes can be; kept the default/);
    for (const id of ["cpu-n", "cpu-threads", "cpu-processes"]) assert.equal(await page.inputValue(`#${id}`), own[id], id);
    const run = await page.evaluate(() => playground.lastCpuRun);
    assert.ok(run, `a run finished; the page says: ${await page.textContent("#cpu-status")}`);
    const n = Number(own["cpu-n"].replace(/,/g, ""));
    assert.deepEqual([run.mode, run.results], ["processes", [sumOfSquaresBelow(n), sumOfSquaresBelow(n)]]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the lab's counter threads above this device's limit are clamped with a note; the server's pool has a fixed limit", async () => {
    const lab = await open("?demo=processes&counterThreads=64&workers=16");
    const cores = await lab.page.evaluate(() => playground.cores.reported);
    assert.equal(await lab.page.inputValue("#lab-counter-threads"), String(cores));
    assert.equal(await lab.page.inputValue("#lab-workers"), "16", "16 workers are within the fixed limit of 16");
    assert.match(await lab.page.textContent("#env-notice"), new RegExp(`\\b64\\b.*\\b${cores}\\b`));
    // The thread pool's threads are real threads that mostly wait: 32 on any device (src/model/server.rs,
    // MAX_POOL), so a link's 32 opens as 32 on a 2-core reader, and 999 on none: the default, and a note.
    const maxPool = await lab.page.evaluate(() => import(new URL("playground.js", document.baseURI)).then((glue) => glue.serverMaxPool()));
    assert.equal(maxPool, 32);
    const wide = await open(`?demo=server&pool=${maxPool}`);
    assert.equal(await wide.page.inputValue("#server-pool"), String(maxPool), "within the fixed limit");
    const server = await open(`?demo=server&pool=999`);
    assert.equal(await server.page.inputValue("#server-pool"), String(2 * cores), "the default: 2 per core");
    assert.match(await server.page.textContent("#env-notice"), new RegExp(`\\b999\\b.*\\b${maxPool}\\b`));
    assert.deepEqual([...lab.problems, ...wide.problems, ...server.problems], []);
    await lab.page.close();
    await wide.page.close();
    await server.page.close();
  });

  test("a share link writes numbers plainly and leaves out counts still at this device's default", async () => {
    const { page, problems } = await open("");
    const { defaultThreads } = await page.evaluate(() => playground.cores);
    await page.fill("#cpu-n", "100,000,000");
    await page.dispatchEvent("#cpu-n", "change");
    await page.click("#cpu-share summary");
    await page.waitForFunction(() => document.getElementById("cpu-share-link").value !== "");
    const shared = await page.inputValue("#cpu-share-link");
    const link = new URL(shared);
    assert.equal(link.searchParams.get("n"), "100000000");
    assert.doesNotMatch(link.search, /%2C|,/i, "no digit separators in the link");
    for (const key of ["threads", "processes"]) assert.ok([null, "all"].includes(link.searchParams.get(key)), `${key} at this device's default: ${shared}`);
    assert.doesNotMatch(page.url(), /%2C/i, "the address bar's link is plain too");
    // A count the author chose is kept (1 is on every device; where 1 is the default, 1 is left out).
    await page.fill("#cpu-threads", "1");
    await page.dispatchEvent("#cpu-threads", "change");
    const chosen = new URL(await page.inputValue("#cpu-share-link"));
    assert.equal(chosen.searchParams.get("threads"), defaultThreads === 1 ? null : "1");
    // The plain link reopens the same n.
    const reopened = await open(link.search);
    assert.equal(digitsOf(await reopened.page.inputValue("#cpu-n")), "100000000");
    assert.deepEqual([...problems, ...reopened.problems], []);
    await reopened.page.close();
    await page.close();
  });

  test("old links with digit separators still open: n=100%2C000%2C000 and n=100_000_000 run with n = 100,000,000", async () => {
    const n = 100_000_000;
    const { page, problems } = await open("?demo=cpu&tasks=1&n=100%2C000%2C000&autorun=1&run=sequential");
    assert.equal(digitsOf(await page.inputValue("#cpu-n")), String(n));
    await page.waitForFunction(finishedOrRefused, null, { timeout: 120_000 });
    const run = await page.evaluate(() => playground.lastCpuRun);
    assert.deepEqual([run.mode, run.results], ["sequential", [sumOfSquaresBelow(n)]]);
    assert.equal(await page.isHidden("#env-notice"), true, "nothing to say about a well-formed old link");
    const underscores = await open("?demo=cpu&n=100_000_000");
    assert.equal(digitsOf(await underscores.page.inputValue("#cpu-n")), String(n));
    assert.equal(await underscores.page.isHidden("#env-notice"), true);
    assert.deepEqual([...problems, ...underscores.problems], []);
    await underscores.page.close();
    await page.close();
  });

  test("`all` opens with the reader's own default in every count the page sets from the device", async () => {
    const ids = ["cpu-threads", "cpu-processes", "lab-workers", "lab-counter-threads", "lab-sweep-max", "server-pool"];
    const { values: own, followLink } = await plainPageValues(ids);
    const links = {
      cpu: ["threads", "processes"],
      processes: ["workers", "counterThreads", "sweepMax"],
      server: ["pool"],
    };
    const idOf = { threads: "cpu-threads", processes: "cpu-processes", workers: "lab-workers", counterThreads: "lab-counter-threads", sweepMax: "lab-sweep-max", pool: "server-pool" };
    let tab;
    for (const [demo, keys] of Object.entries(links)) {
      tab = await followLink(`?demo=${demo}&${keys.map((k) => `${k}=all`).join("&")}`);
      for (const key of keys) assert.equal(await tab.page.inputValue(`#${idOf[key]}`), own[idOf[key]], `${demo}: ${key}=all`);
      assert.equal(await tab.page.isHidden("#env-notice"), true, `${demo}: nothing to say about all`);
      assert.deepEqual(tab.problems, []);
    }
    await tab.page.close();
  });

  test("`threads=all` with autorun runs on the reader's default threads", async (t) => {
    const { page, problems } = await open("?demo=cpu&tasks=2&n=1000000&threads=all&autorun=1&run=threads");
    const { defaultThreads, threads } = await page.evaluate(() => ({ ...playground.cores, threads: playground.isolation.threads }));
    if (!threads) return t.skip("this page runs the build without threads");
    await page.waitForFunction(finishedOrRefused, null, { timeout: 60_000 });
    const run = await page.evaluate(() => playground.lastCpuRun);
    assert.ok(run, `a run finished; the page says: ${await page.textContent("#cpu-status")}`);
    assert.deepEqual([run.mode, run.threads, run.results], ["threads", defaultThreads, [sumOfSquaresBelow(1_000_000), sumOfSquaresBelow(1_000_000)]]);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
