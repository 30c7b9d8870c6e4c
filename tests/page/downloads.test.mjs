// The downloads demo in real Chromium, against dist/ on a real local server (plus a second server
// that refuses CORS, a closed port, a server that never answers and one serving a corrupted sample):
// every mode downloads the sample files with the published SHA-256, the schedules show in the spans,
// failures are named per file while the others succeed, cancel, saving, and no unexpected errors.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { ISOLATION_HEADERS, serveStatic, DIST } from "./server.mjs";
import { launchBrowser, openPage } from "./browser.mjs";

const manifest = JSON.parse(await readFile(`${DIST}/samples/manifest.json`, "utf8")).files;
const CORRUPTED = manifest[2].name;
const LATENCY = { latencyMs: 150, kbps: 0 };

let server;
let otherOrigin;
let browser;
let page;
let problems;
let closedPort;
const expectedFailures = [];

/** A port nothing listens on: bind one, then let it go. */
async function freePort() {
  const probe = createServer();
  await new Promise((ready) => probe.listen(0, "127.0.0.1", ready));
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  return port;
}

before(async () => {
  server = await serveStatic(DIST, {
    isolation: true,
    routes: {
      "/hangs.bin": () => {}, // accepts the request and never answers
    },
  });
  otherOrigin = await serveStatic(DIST, {
    isolation: false,
    routes: {
      // Readable by the isolated page as an opaque resource (CORP), but no CORS permission to read it.
      "/no-cors.bin": (request, response) => {
        response.writeHead(200, { "Content-Type": "application/octet-stream", "Cross-Origin-Resource-Policy": "cross-origin" });
        response.end(Buffer.alloc(1000));
      },
    },
  });
  closedPort = await freePort();
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, server.url));
  await page.evaluate(() => playground.ready);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await otherOrigin?.close();
});

const download = (options) => page.evaluate((o) => playground.downloads(o), options);
const sampleUrl = (name) => new URL(`samples/${name}`, server.url).href;

/** The most downloads in flight at once, computed here from the spans (not from the page). */
function maxInFlight(files) {
  const events = files.flatMap((f) => [[f.startMs, 1], [f.endMs, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, change] of events) most = Math.max(most, (running += change));
  return most;
}

function assertSamples(result, count) {
  assert.equal(result.files.length, count);
  result.files.forEach((file, i) => {
    assert.equal(file.ok, true, `${file.url}: ${file.error}`);
    assert.equal(file.url, sampleUrl(manifest[i].name));
    assert.equal(file.bytes, manifest[i].bytes);
    assert.equal(file.sha256, manifest[i].sha256, `${manifest[i].name} arrived with the published SHA-256`);
    assert.equal(file.verified, true);
    assert.ok(file.startMs <= file.firstByteMs && file.firstByteMs <= file.endMs, JSON.stringify(file));
  });
}

describe("downloads demo", () => {
  test("one after another: every sample arrives intact and no two downloads overlap", async () => {
    const result = await download({ mode: "sequential", network: LATENCY });
    assertSamples(result, 6);
    for (let i = 1; i < result.files.length; i++)
      assert.ok(result.files[i].startMs >= result.files[i - 1].endMs, `file ${i} started before file ${i - 1} ended`);
    assert.equal(maxInFlight(result.files), 1);
    assert.ok(result.files.every((f) => f.simulated), "the simulated network delivered every sample");
  });

  test("all at once: every download is in flight before the first one ends", async () => {
    const result = await download({ mode: "concurrent", network: LATENCY });
    assertSamples(result, 6);
    const firstEnd = Math.min(...result.files.map((f) => f.endMs));
    assert.ok(result.files.every((f) => f.startMs < firstEnd));
    assert.equal(maxInFlight(result.files), 6);
  });

  test("at most k at once: never more than k in flight, and k are", async () => {
    for (const limit of [2, 3]) {
      const result = await download({ mode: "bounded", limit, network: LATENCY });
      assertSamples(result, 6);
      assert.equal(maxInFlight(result.files), limit, `bounded(${limit})`);
    }
  });

  test("threads: worker threads download the same files intact, each one file at a time", async () => {
    const result = await download({ mode: "threads", limit: 3, network: LATENCY });
    assertSamples(result, 6);
    assert.equal(result.mode, "threads");
    assert.equal(maxInFlight(result.files), 3);
  });

  test("12 files all at once over HTTP/1.1: six wait for a connection", async () => {
    const result = await download({ samples: 12, mode: "concurrent", network: { latencyMs: 300, kbps: 0 } });
    assertSamples(result, 12);
    const queued = result.files.filter((f) => f.queuedMs >= 1);
    assert.equal(queued.length, 6, `queued: ${result.files.map((f) => f.queuedMs.toFixed(0))}`);
    // A queued request waits at least as long as the request it waits for takes to see its first byte.
    assert.ok(queued.every((f) => f.queuedMs >= 300), result.files.map((f) => f.queuedMs.toFixed(0)).join(" "));
    assert.equal(result.waitedForConnection, 6);
    assert.match(await page.textContent("#dl-queue-note"), /6 files waited for a connection/);
  });

  test("a 404, a CORS refusal and an unreachable host each fail on their own row while the others arrive", async () => {
    const urls = [
      sampleUrl(manifest[0].name),
      new URL("samples/missing.bin", server.url).href,
      new URL("no-cors.bin", otherOrigin.url).href,
      `http://127.0.0.1:${closedPort}/file.bin`,
      sampleUrl(manifest[1].name),
    ];
    expectedFailures.push(...urls.slice(1, 4));
    const result = await download({ urls, mode: "concurrent" });
    const kinds = result.files.map((f) => (f.ok ? "ok" : f.errorKind));
    assert.deepEqual(kinds, ["ok", "http", "cors", "unreachable", "ok"]);
    assert.equal(result.files[0].sha256, manifest[0].sha256);
    assert.equal(result.files[4].sha256, manifest[1].sha256);

    const rows = await page.$$eval("#dl-files-body tr", (trs) => trs.map((tr) => tr.cells[4].textContent));
    assert.match(rows[1], /the server has no file at this address \(HTTP 404/);
    assert.match(rows[2], /the server does not allow this page to read the file \(CORS\)/);
    assert.match(rows[3], /could not reach the server/);
    assert.match(rows[0], /matches the manifest/);
    // Retry is offered where trying again can help, not for a file that does not exist.
    const retry = await page.$$eval("#dl-files-body tr", (trs) => trs.map((tr) => Boolean(tr.querySelector("button[data-retry]"))));
    assert.deepEqual(retry, [false, false, true, true, false]);
    await page.click("#dl-files-body tr:nth-child(4) button[data-retry]");
    await page.waitForFunction(() => /Retry of .* failed/.test(document.getElementById("dl-status").textContent));
    assert.match(await page.textContent("#dl-files-body tr:nth-child(4) td:nth-child(5)"), /could not reach the server/);
  });

  test("a sample that does not match the manifest is an error and is not saved", async () => {
    // A second server whose copy of one sample has one byte flipped (same size, same name).
    const original = await readFile(`${DIST}/samples/${CORRUPTED}`);
    const corrupt = await serveStatic(DIST, {
      isolation: true,
      routes: {
        [`/samples/${CORRUPTED}`]: (request, response) => {
          const bytes = Buffer.from(original);
          bytes[1000] ^= 0xff;
          response.writeHead(200, { "Content-Type": "application/octet-stream", ...ISOLATION_HEADERS });
          response.end(bytes);
        },
      },
    });
    const { page: other, problems: otherProblems } = await openPage(browser, corrupt.url);
    try {
      await other.evaluate(() => playground.ready);
      const result = await other.evaluate(() => playground.downloads({ samples: 3, mode: "concurrent" }));
      assert.deepEqual(result.files.map((f) => f.ok), [true, true, false]);
      assert.equal(result.files[2].errorKind, "mismatch");
      assert.match(result.files[2].error, /^not the published file: its SHA-256 is [0-9a-f]{12}…, the manifest says [0-9a-f]{12}…; not saved$/);
      assert.match(await other.textContent("#dl-files-body tr:nth-child(3) td:nth-child(5)"), /not the published file/);
      const saved = await other.$$eval("#dl-saved-body tr", (trs) => trs.map((tr) => tr.cells[0].textContent));
      assert.deepEqual(saved, [manifest[0].name, manifest[1].name], "only the intact files were kept");
      assert.deepEqual(otherProblems, []);
    } finally {
      await other.close();
      await corrupt.close();
    }
  });

  test("a server that never answers times out on its row", async () => {
    const url = new URL("hangs.bin", server.url).href;
    expectedFailures.push(url);
    const result = await download({ urls: [url, sampleUrl(manifest[0].name)], mode: "concurrent", timeoutMs: 400 });
    assert.equal(result.files[0].errorKind, "timeout");
    assert.match(result.files[0].error, /timed out/);
    assert.equal(result.files[1].ok, true);
  });

  test("cancel stops every download and marks the unfinished ones cancelled; the next run works", async () => {
    const running = page.evaluate(() => playground.downloads({ samples: 12, mode: "concurrent", network: "slow-3g" }));
    await page.waitForFunction(() => document.getElementById("dl-status").textContent.startsWith("All at once: downloading"));
    await page.waitForTimeout(300);
    await page.click("#dl-cancel");
    const result = await running;
    const cancelled = result.files.filter((f) => f.errorKind === "cancelled");
    assert.ok(cancelled.length >= 6, `cancelled ${cancelled.length} of 12`);
    assert.ok(result.files.every((f) => f.ok || f.errorKind === "cancelled"));
    assert.match(await page.textContent("#dl-status"), /Cancelled \d+/);
    assert.equal(await page.isDisabled("#dl-cancel"), true);
    assertSamples(await download({ samples: 2, mode: "concurrent" }), 2);
  });

  test("the buttons run the form, and every saved file is listed with its stored SHA-256", async () => {
    await page.selectOption("#dl-source", "6");
    await page.selectOption("#dl-network", "none");
    await page.evaluate(() => (window.downloadsBefore = playground.lastDownloadsRun));
    await page.click("#dl-run-sequential");
    await page.waitForFunction(() => playground.lastDownloadsRun !== window.downloadsBefore);
    const run = await page.evaluate(() => playground.lastDownloadsRun);
    assert.equal(run.mode, "sequential");
    assertSamples(run, 6);
    const saved = await page.$$eval("#dl-saved-body tr", (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[2].textContent]));
    for (const entry of manifest.slice(0, 6))
      assert.ok(saved.some(([name, sha]) => name === entry.name && sha === entry.sha256), `${entry.name} is saved intact`);
    await page.screenshot({ path: "tests/artifacts/downloads.png", fullPage: true });
  });

  test("bad input on the page gets a clear message and starts nothing", async () => {
    await page.selectOption("#dl-source", "urls");
    await page.fill("#dl-urls", "https://example.com/ok.bin\nftp://example.com/a\nhttps://exa mple.com/b");
    const before = await page.evaluate(() => playground.lastDownloadsRun);
    await page.click("#dl-run-concurrent");
    const message = await page.textContent("#dl-urls-error");
    assert.match(message, /line 2: only http:\/\/ and https:\/\//);
    assert.match(message, /line 3: an address cannot contain spaces/);
    assert.equal(await page.getAttribute("#dl-urls", "aria-invalid"), "true");
    await page.fill("#dl-limit", "0");
    await page.click("#dl-run-bounded");
    assert.match(await page.textContent("#dl-limit-error"), /limit must be a whole number from 1 to 64/);
    await page.selectOption("#dl-network", "custom");
    await page.fill("#dl-latency", "-5");
    await page.selectOption("#dl-source", "6");
    await page.click("#dl-run-sequential");
    assert.match(await page.textContent("#dl-network-error"), /latency must be a whole number/);
    assert.deepEqual(await page.evaluate(() => playground.lastDownloadsRun), before, "no run started");
    await assert.rejects(download({ mode: "fast" }), /mode must be "sequential", "concurrent", "bounded" or "threads"/);
    await assert.rejects(download({ mode: "bounded" }), /needs a limit/);
    await assert.rejects(download({ network: "5g" }), /network must be/);
    await assert.rejects(download({ urls: ["javascript:alert(1)"] }), /not javascript:/);
    await assert.rejects(download({ speed: 1 }), /Unknown option "speed"/);
  });

  test("no page errors, and console errors only for the deliberately failing addresses", () => {
    const unexpected = problems.filter((p) => !expectedFailures.some((url) => p.includes(url)));
    assert.deepEqual(unexpected, []);
  });
});
