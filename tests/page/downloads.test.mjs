// The downloads demo in real Chromium, against dist/ on a real local server (plus a second server
// that refuses CORS, a closed port, a server that never answers and one serving a corrupted sample):
// every mode downloads the sample files with the published SHA-256, the schedules show in the spans,
// failures are named per file while the others succeed, cancel, saving, and no unexpected errors.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createHash } from "node:crypto";
import { ISOLATION_HEADERS, serveStatic, DIST } from "./server.mjs";
import { ENGINE, launchBrowser, openPage, skipIn } from "./browser.mjs";

const manifest = JSON.parse(await readFile(`${DIST}/samples/manifest.json`, "utf8")).files;
const CORRUPTED = manifest[2].name;
const LATENCY = { latencyMs: 150, kbps: 0 };
/** Firefox's page error for a fetch the page aborted while its service worker streamed the body. */
const FIREFOX_ABORTED_INTERCEPTED_BODY = "pageerror: Failed to load ‘’. A ServiceWorker intercepted the request and encountered an unexpected error.";
/**
 * WebKitGTK ships the File System API switched off (Safari has it on): there the page keeps each download
 * in memory and says it cannot save (checked in the buttons test), and the checks of saved files skip.
 */
const NO_PRIVATE_FILES =
  "WebKitGTK 2.50 ships without the Origin Private File System (navigator.storage is undefined; " +
  "MiniBrowser --features=+StorageAPI,+FileSystem adds it, but getDirectory() then fails with UnknownError in a WebDriver session)";
const SAVES = ENGINE !== "webkit";
/** A file's `savedAs` where this browser saves, else null. */
const savedAsHere = (name) => (SAVES ? name : null);

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
      // Bodies past a small maxBytes: one announces its size, one does not (chunked).
      "/big/with-length.bin": (request, response) => sendBody(response, BIG_BODY, { announce: true }),
      "/big/no-length.bin": (request, response) => sendBody(response, BIG_BODY, { announce: false }),
      // Two files with the same last path segment; /a/ changes on every request (a new version).
      "/a/same.bin": (request, response) => sendBody(response, sameA(), { announce: true }),
      "/b/same.bin": (request, response) => sendBody(response, SAME_B, { announce: true }),
      // `?bytes=N`: N bytes, generated as they are sent (no Content-Length), hashed here as they go.
      "/stream.bin": (request, response) => streamBytes(request, response),
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
  await warmSimulatedNetwork();
});

/**
 * One simulated download before the tests that time downloads. A browser's first service worker on a
 * fresh profile sets up its storage first: in one CI run Firefox took over 5 s to start it and then
 * stalled the next two runs' samples for 15 s each, which says nothing about the order of downloads.
 * The page's own start-up message for that case is the page's business; here it only must end.
 */
async function warmSimulatedNetwork() {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await download({ samples: 1, mode: "sequential", network: LATENCY });
      if (result.files.every((f) => f.ok && f.simulated)) break;
      throw new Error(JSON.stringify(result.files.map((f) => f.error)));
    } catch (error) {
      if (attempt === 3) throw new Error(`the simulated network never worked, three tries: ${error.message}`);
    }
  }
  const tookMs = Date.now() - started;
  if (tookMs > 2000) console.log(`the simulated network needed ${tookMs} ms to deliver its first sample`);
}

after(async () => {
  await browser?.close();
  await server?.close();
  await otherOrigin?.close();
});

const MiB = 1024 * 1024;
const BIG_BODY = pattern(3 * MiB, 1);
const SAME_B = pattern(20_000, 2);
let sameVersion = 0;
const sameA = () => pattern(10_000 + sameVersion, 100 + sameVersion++);
/** What /stream.bin sent, by its `bytes`: { bytes, sha256 } once the body has ended. */
const streamed = new Map();

/** `size` bytes that differ with `seed`. */
function pattern(size, seed) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 12)) & 255;
  return bytes;
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Writes `body` in 64 KiB pieces, waiting whenever the connection is full; stops if the client goes. */
function sendBody(response, body, { announce }) {
  response.writeHead(200, { "Content-Type": "application/octet-stream", ...(announce ? { "Content-Length": body.length } : {}) });
  response.on("error", () => {});
  let offset = 0;
  const pump = () => {
    while (offset < body.length && !response.destroyed) {
      const piece = body.subarray(offset, offset + 64 * 1024);
      offset += piece.length;
      if (!response.write(piece)) return void response.once("drain", pump);
    }
    response.end();
  };
  pump();
}

function streamBytes(request, response) {
  const total = Number(new URL(request.url, "http://localhost").searchParams.get("bytes"));
  const piece = pattern(64 * 1024, 3);
  const hash = createHash("sha256");
  response.writeHead(200, { "Content-Type": "application/octet-stream" });
  response.on("error", () => {});
  let sent = 0;
  const pump = () => {
    while (sent < total && !response.destroyed) {
      const part = piece.subarray(0, Math.min(piece.length, total - sent));
      sent += part.length;
      hash.update(part);
      if (!response.write(part)) return void response.once("drain", pump);
    }
    if (sent === total) streamed.set(total, { bytes: total, sha256: hash.digest("hex") });
    response.end();
  };
  pump();
}

/**
 * The name a URL's file is saved under, written out again here for plain names: the last path
 * segment with the first 12 hex digits of the whole URL's SHA-256 before its extension.
 */
function savedName(url) {
  const last = new URL(url).pathname.split("/").filter(Boolean).pop();
  const tag = sha256(url).slice(0, 12);
  const dot = last.lastIndexOf(".");
  return dot > 0 ? `${last.slice(0, dot)}-${tag}${last.slice(dot)}` : `${last}-${tag}`;
}

/** Every entry of the page's OPFS folder "downloads" (or a folder in it), read directly: [{ name, kind, bytes }]. */
const opfsEntries = (target = page, path = []) =>
  target.evaluate(async (path) => {
    let folder = await navigator.storage.getDirectory();
    for (const name of ["downloads", ...path]) folder = await folder.getDirectoryHandle(name, { create: true });
    const entries = [];
    for await (const handle of folder.values())
      entries.push({ name: handle.name, kind: handle.kind, bytes: handle.kind === "file" ? (await handle.getFile()).size : null });
    return entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  }, path);

/** The SHA-256 of a saved file's stored bytes, computed by the browser's own crypto (not the page's Rust). */
const opfsDigest = (name, target = page) =>
  target.evaluate(async (name) => {
    const root = await navigator.storage.getDirectory();
    const folder = await root.getDirectoryHandle("downloads");
    const bytes = await (await (await folder.getFileHandle(name)).getFile()).arrayBuffer();
    return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  }, name);

/** Every process below this one: the test's Chromium (browser, renderers, services). */
async function chromiumPids() {
  const parents = new Map();
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    try {
      parents.set(pid, (await readFile(`/proc/${pid}/status`, "utf8")).match(/^PPid:\s+(\d+)/m)[1]);
    } catch {
      // The process ended while being read.
    }
  }
  const mine = new Set([String(process.pid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents)
      if (!mine.has(pid) && mine.has(parent)) {
        mine.add(pid);
        grew = true;
      }
  }
  mine.delete(String(process.pid));
  return [...mine];
}

/** Resident memory (bytes) of `pids`, summed; read synchronously so that sampling stays cheap. */
function rssOf(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended.
    }
  }
  return sum;
}

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

  // What this checks is the simulation's queue (its size is Rust's HTTP/1.1 constant), not the browser:
  // that the browser itself makes six wait is measured with Resource Timing against a really slow
  // server in service-worker.test.mjs ("network none: the browser's real queue").
  test("12 files all at once on the simulated network: its queue makes six wait, and the page says simulated", async () => {
    const result = await download({ samples: 12, mode: "concurrent", network: { latencyMs: 300, kbps: 0 } });
    assertSamples(result, 12);
    const queued = result.files.filter((f) => f.queuedMs >= 1);
    assert.equal(queued.length, 6, `queued: ${result.files.map((f) => f.queuedMs.toFixed(0))}`);
    // A queued request waits until a slot holder has had its 300 ms of latency and sent its body,
    // less how much later than that holder it reached the worker: the twelve requests arrive over
    // ~10–30 ms here, and the first round's small bodies take a millisecond once the page reads them
    // as fast as they come (queued waits of 289–299 ms measured), so at least 0.9 of the latency.
    assert.ok(queued.every((f) => f.queuedMs >= 0.9 * 300), result.files.map((f) => f.queuedMs.toFixed(0)).join(" "));
    assert.equal(result.waitedForConnection, 6);
    assert.match(await page.textContent("#dl-queue-note"), /6 files waited for a connection/);
  });

  test("\"Most requests open at once\" is the most files between start and end at one moment, in every mode and on both networks; a wait is reported only where one could happen", async () => {
    const CONNECTIONS = 6; // the browser's HTTP/1.1 limit per host, which the simulated network keeps too
    const runs = [
      [{ mode: "sequential" }, 1],
      [{ mode: "concurrent" }, 6],
      [{ mode: "bounded", limit: 2 }, 2],
      [{ mode: "threads", limit: 3 }, 3],
      [{ mode: "concurrent", samples: 12 }, 12],
    ];
    for (const network of [LATENCY, "none"]) {
      for (const [options, mostOpen] of runs) {
        const label = `${JSON.stringify(network)} ${JSON.stringify(options)}`;
        const result = await download({ ...options, network });
        assert.ok(result.files.every((f) => f.ok), label);
        const shown = await page.textContent("#dl-in-flight");
        // The figure, from the run's own per-file timings and from the schedule that was asked for.
        assert.equal(maxInFlight(result.files), mostOpen, `${label}: ${JSON.stringify(result.files.map((f) => [f.startMs, f.endMs]))}`);
        assert.equal(Number(shown.match(/^\d+/)?.[0]), mostOpen, `${label}: shown ${shown}`);
        assert.equal(result.maxInFlight, mostOpen, label);
        // A file waited for a connection only if, when it was sent, every connection could be taken:
        // at least CONNECTIONS other files of the run open.
        const waited = result.files.filter((f) => f.queuedMs > 0);
        for (const file of waited) {
          const others = result.files.filter((o) => o !== file && o.startMs <= file.startMs && o.endMs > file.startMs).length;
          assert.ok(others >= CONNECTIONS, `${label}: ${file.name} waited ${file.queuedMs} ms with ${others} others open`);
        }
        assert.equal(result.waitedForConnection, waited.length, label);
        if (mostOpen <= CONNECTIONS) assert.equal(waited.length, 0, `${label}: ${mostOpen} requests fit ${CONNECTIONS} connections`);
        // The simulated network's queue holds every file past the sixth for a whole latency.
        else if (network !== "none") assert.equal(waited.length, mostOpen - CONNECTIONS, label);
        if (waited.length) assert.match(shown, new RegExp(`^${mostOpen} \\(of these, ${waited.length} waited for a connection`), label);
        else assert.equal(shown, String(mostOpen), label);
      }
    }
    assert.equal(await page.textContent("#dl-in-flight-meaning").then((t) => /^Most requests open at once: /.test(t)), true);
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
      const intact = SAVES ? [0, 1].map((i) => savedName(new URL(`samples/${manifest[i].name}`, corrupt.url).href)).sort() : [];
      assert.deepEqual(saved, intact, "only the intact files were kept");
      // Nothing to read back where the browser has no private file system (NO_PRIVATE_FILES).
      if (SAVES) assert.deepEqual((await opfsEntries(other)).map((e) => e.name), [".index", ...intact], "nothing else is in the private file system");
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
    const seen = problems.length;
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
    if (ENGINE === "firefox") {
      // Firefox reports each fetch the page aborted while the service worker was still streaming its
      // body (its own report, with an empty address; an abort before the body starts reports nothing).
      // At most six bodies stream at once on the simulated network (HTTP/1.1's six connections).
      const reports = problems.slice(seen).filter((p) => p === FIREFOX_ABORTED_INTERCEPTED_BODY);
      assert.ok(reports.length <= Math.min(6, cancelled.length), `${reports.length} reports for ${cancelled.length} cancelled`);
      problems.splice(seen, problems.length - seen, ...problems.slice(seen).filter((p) => p !== FIREFOX_ABORTED_INTERCEPTED_BODY));
    }
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
      if (SAVES) assert.ok(saved.some(([name, sha]) => name === savedName(sampleUrl(entry.name)) && sha === entry.sha256), `${entry.name} is saved intact`);
    if (!SAVES) {
      // The browser really has no private file system (else these checks belong in WebKit too), and the page says so.
      assert.equal(await page.evaluate(() => typeof navigator.storage?.getDirectory), "undefined", NO_PRIVATE_FILES);
      assert.deepEqual(saved, [], "nothing is listed as saved");
      assert.ok(run.files.every((f) => f.savedAs === null), "no file says it was saved");
      assert.match(await page.textContent("#dl-saved-status"), /^Downloads are kept in memory only: this browser cannot save to its private file system\./);
    }
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
    await assert.rejects(download({ speed: 1 }), /unknown option "speed"/i);
  });

  test("a file past maxBytes fails on its own row, with or without a Content-Length, and leaves nothing saved", async () => {
    const big = ["big/with-length.bin", "big/no-length.bin"].map((path) => new URL(path, server.url).href);
    const urls = [sampleUrl(manifest[0].name), ...big, sampleUrl(manifest[1].name)];
    const result = await download({ urls, mode: "concurrent", maxBytes: MiB });
    assert.deepEqual(result.files.map((f) => (f.ok ? "ok" : f.errorKind)), ["ok", "too-large", "too-large", "ok"]);
    assert.equal(result.files[1].error, "the server announced 3 MiB: larger than the 1 MiB limit; raise maxBytes to download it");
    assert.equal(result.files[2].error, "more than 1 MiB arrived: larger than the 1 MiB limit; raise maxBytes to download it (the partial file was removed)");
    assert.deepEqual(result.files.map((f) => f.savedAs), [savedAsHere(savedName(urls[0])), null, null, savedAsHere(savedName(urls[3]))]);
    const rows = await page.$$eval("#dl-files-body tr", (trs) => trs.map((tr) => tr.cells[4].textContent));
    assert.match(rows[1], /larger than the 1 MiB limit; raise maxBytes to download it/);
    assert.match(rows[2], /larger than the 1 MiB limit; raise maxBytes to download it/);
    // Read from the private file system itself: no file, no swap file, no record of the big ones.
    if (SAVES) {
      const names = (await opfsEntries()).map((e) => e.name);
      const records = (await opfsEntries(page, [".index"])).map((e) => e.name);
      for (const url of big) {
        assert.ok(!names.includes(savedName(url)), `${url} left a file: ${names}`);
        assert.ok(!records.includes(`${savedName(url)}.json`), `${url} left a record: ${records}`);
      }
      assert.ok(!names.some((n) => n.endsWith(".crswap")), `a swap file was left: ${names}`);
      assert.ok(records.includes(`${savedName(urls[0])}.json`), "the files that arrived have their record");
      assert.equal(await opfsDigest(savedName(urls[0])), manifest[0].sha256);
    }

    // Raised past the body's size, the same two arrive whole and are saved under their own names.
    const raised = await download({ urls: big, mode: "concurrent", maxBytes: 4 * MiB });
    for (const [i, file] of raised.files.entries()) {
      assert.equal(file.ok, true, file.error);
      assert.equal(file.bytes, BIG_BODY.length);
      assert.equal(file.sha256, sha256(BIG_BODY));
      assert.equal(file.savedAs, savedAsHere(savedName(big[i])));
      if (SAVES) assert.equal(await opfsDigest(file.savedAs), sha256(BIG_BODY), "the stored bytes are the body");
    }
    await assert.rejects(download({ maxBytes: 0 }), /maxBytes.*from 1 to 9007199254740991/);
    await assert.rejects(download({ maxBytes: 1.5 }), /maxBytes/);
  });

  test("two addresses ending in the same name are both kept; downloading one again replaces only its own file", skipIn({ webkit: NO_PRIVATE_FILES }), async () => {
    const urls = ["a/same.bin", "b/same.bin", "a/same.bin?v=2"].map((path) => new URL(path, server.url).href);
    const first = sameVersion;
    const result = await download({ urls, mode: "sequential" });
    assert.ok(result.files.every((f) => f.ok), JSON.stringify(result.files.map((f) => f.error)));
    const names = urls.map(savedName);
    assert.equal(new Set(names).size, 3);
    assert.deepEqual(result.files.map((f) => f.savedAs), names);
    const bodies = [pattern(10_000 + first, 100 + first), SAME_B, pattern(10_000 + first + 1, 101 + first)];
    for (const [i, name] of names.entries()) assert.equal(await opfsDigest(name), sha256(bodies[i]), `${urls[i]} kept its own bytes`);

    const again = await download({ urls: [urls[0]], mode: "sequential" });
    const now = pattern(10_000 + first + 2, 102 + first);
    assert.equal(again.files[0].savedAs, names[0]);
    assert.equal(await opfsDigest(names[0]), sha256(now), "replaced by the new download");
    assert.equal(await opfsDigest(names[1]), sha256(bodies[1]), "the other address's file is untouched");
    assert.equal(await opfsDigest(names[2]), sha256(bodies[2]), "the same path with a query is untouched");
    const same = (await opfsEntries()).filter((e) => e.kind === "file" && e.name.startsWith("same-"));
    assert.equal(same.length, 3, JSON.stringify(same));
  });

  /** The large file's download (once, by whichever test needs it first): `{ bytes, file }`. */
  let large = null;
  function downloadLarge() {
    // Twice the default limit (raised for it): holding the body would take at least this much memory.
    const bytes = 512 * MiB;
    const url = new URL(`stream.bin?bytes=${bytes}`, server.url).href;
    large ??= download({ urls: [url], mode: "sequential", timeoutMs: 60_000, maxBytes: 2 * bytes }).then((result) => ({ bytes, file: result.files[0] }));
    return large;
  }

  test(
    "a large file streams to disk in bounded memory",
    skipIn({
      firefox:
        "Firefox holds a streamed response in memory out of the page's reach: under WebDriver BiDi its parent process grows by " +
        "the body's size (+503 MiB for 512 MiB, +1022 MiB for 1 GiB; +26 MiB without automation), and its content process " +
        "buffers the unread body (a plain fetch read at full speed, without automation: +185 MiB for 512 MiB)",
      webkit: `${NO_PRIVATE_FILES}; the page keeps the file in memory instead`,
    }),
    async () => {
      const pids = await chromiumPids();
      const before = rssOf(pids);
      let peak = before;
      let samples = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssOf(pids));
        samples++;
      }, 50);
      let bytes, file;
      try {
        ({ bytes, file } = await downloadLarge());
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, rssOf(pids));
      assert.equal(file.ok, true, file.error);
      assert.deepEqual({ bytes: file.bytes, sha256: file.sha256 }, streamed.get(bytes));
      const grewMiB = (peak - before) / MiB;
      console.log(`downloading ${bytes / MiB} MiB: the browser's memory (${(before / MiB).toFixed(0)} MiB before, ${samples} samples) grew by ${grewMiB.toFixed(1)} MiB at most`);
      assert.ok(samples >= 5 && before > 50 * MiB, "the memory was measured");
      assert.ok(grewMiB < bytes / MiB / 4, `memory grew by ${grewMiB.toFixed(0)} MiB for a ${bytes / MiB} MiB file`);
    },
  );

  test("a large file arrives whole, and listing it after a reload does not read it", skipIn({ webkit: NO_PRIVATE_FILES }), async (t) => {
    const { bytes, file } = await downloadLarge();
    // The test profile lives in /tmp: the big file goes again once this test is over.
    t.after(() =>
      page
        .evaluate(async (name) => {
          const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle("downloads");
          await folder.removeEntry(name);
        }, file.savedAs)
        .catch(() => {}),
    );
    assert.equal(file.ok, true, file.error);
    assert.deepEqual({ bytes: file.bytes, sha256: file.sha256 }, streamed.get(bytes));

    // A file saved without a record (as an older version of the page saved them): listed, not read.
    await page.evaluate(async () => {
      const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle("downloads");
      const writable = await (await folder.getFileHandle("older-file.bin", { create: true })).createWritable();
      await writable.write(new Uint8Array(1000));
      await writable.close();
    });
    // The listing's time after a reload: from the manifest's arrival (the listing starts right after)
    // until the saved files' count is shown.
    await page.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () => {
        const count = document.getElementById("dl-saved-count");
        new MutationObserver(() => (window.listedAt ??= performance.now())).observe(count, { childList: true, characterData: true, subtree: true });
      });
    });
    await page.reload();
    await page.evaluate(() => playground.ready);
    await page.waitForFunction(() => window.listedAt !== undefined);
    const { listingMs, readMs } = await page.evaluate(async (name) => {
      const manifest = performance.getEntriesByType("resource").find((e) => e.name.endsWith("samples/manifest.json"));
      const listingMs = window.listedAt - manifest.responseEnd;
      // What reading the file to hash it costs, measured here: the bytes, then the browser's own SHA-256.
      const started = performance.now();
      const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle("downloads");
      const bytes = await (await (await folder.getFileHandle(name)).getFile()).arrayBuffer();
      await crypto.subtle.digest("SHA-256", bytes);
      return { listingMs, readMs: performance.now() - started };
    }, file.savedAs);
    console.log(`listing the saved files took ${listingMs.toFixed(0)} ms; reading and hashing the ${bytes / MiB} MiB file takes ${readMs.toFixed(0)} ms`);
    assert.ok(listingMs < readMs / 3, `listing took ${listingMs.toFixed(0)} ms, reading the file ${readMs.toFixed(0)} ms`);
    const rows = await page.$$eval("#dl-saved-body tr", (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[2].textContent]));
    assert.deepEqual(rows.find(([name]) => name === file.savedAs), [file.savedAs, streamed.get(bytes).sha256]);
    assert.deepEqual(rows.find(([name]) => name === "older-file.bin"), ["older-file.bin", "not checked (no SHA-256 was recorded when it was saved)"]);
    assert.match(await page.textContent("#dl-saved-status"), /Each download stops at 256 MiB \(playground\.downloads\(\{ maxBytes \}\) raises it\)/);
  });

  test("no page errors, and console errors only for the deliberately failing addresses", () => {
    const unexpected = problems.filter((p) => !expectedFailures.some((url) => p.includes(url)));
    assert.deepEqual(unexpected, []);
  });
});
