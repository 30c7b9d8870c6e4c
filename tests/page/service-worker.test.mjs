// The playground's service worker must never trap a site, in real Chromium against real local hosts:
// sw.js missing on a host without headers → the build without threads with the reason, and `ready`
// resolves; a host that starts sending the headers → the worker unregisters itself; a sibling page of
// the same folder → its responses unchanged (its third-party image loads); `?sw=off` and the banner's
// button remove it. And the downloads' words about waiting for a connection say where each figure
// comes from: the simulated network's queue, or the browser's real queue measured by Resource Timing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request as forwardRequest } from "node:http";
import { recordedHtml, serveStatic, DIST } from "./server.mjs";
import { CHROMIUM, CHROMIUM_FLAGS, launchBrowser, openPage } from "./browser.mjs";
import { chromium } from "playwright-core";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SEED_RESULT = "333333283333335000000";

let plain;
let isolated;
let images;
let browser;
const closers = [];

/**
 * A host for dist/ whose headers can change while the browser keeps its origin (and the worker's
 * registration): it forwards each request to a static server with or without the isolation headers,
 * as `host.sendsHeaders` says. `routes` answer before that (a missing sw.js, a sibling page).
 */
async function switchableHost({ sendsHeaders = false, routes = {} } = {}) {
  const sockets = new Set();
  const host = { sendsHeaders };
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://host").pathname;
    if (routes[path]) return routes[path](request, response);
    const upstream = host.sendsHeaders ? isolated : plain;
    const forward = forwardRequest({ host: "127.0.0.1", port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    });
    forward.on("error", () => response.destroy());
    request.pipe(forward);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  host.url = `http://127.0.0.1:${server.address().port}/`;
  closers.push(
    () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(done);
      }),
  );
  return host;
}

const registrations = (page) => page.evaluate(() => navigator.serviceWorker.getRegistrations().then((all) => all.map((r) => r.scope)));

/** Opens the playground on a host without headers and waits for the one reload that isolates it. */
async function isolatedByWorker(host) {
  const opened = await openPage(browser, host.url);
  await opened.page.waitForFunction(() => window.crossOriginIsolated && window.playground !== undefined, null, { timeout: 20_000 });
  await opened.page.evaluate(() => playground.ready);
  assert.equal(await opened.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), new URL("sw.js", host.url).href);
  assert.deepEqual(await registrations(opened.page), [host.url]);
  return opened;
}

before(async () => {
  plain = await serveStatic(DIST, { isolation: false });
  isolated = await serveStatic(DIST, { isolation: true });
  // A third party's server: an image with no Cross-Origin-Resource-Policy (most of the web).
  images = await serveStatic("tests/page", {
    isolation: false,
    routes: {
      "/dot.svg": (request, response) => {
        response.writeHead(200, { "Content-Type": "image/svg+xml" });
        response.end('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30"/></svg>');
      },
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const close of closers) await close();
  await plain?.close();
  await isolated?.close();
  await images?.close();
});

describe("the service worker never traps a site", () => {
  test("sw.js missing on a host without headers: the build without threads, with the reason, and ready resolves", async () => {
    const host = await switchableHost({
      routes: { "/sw.js": (request, response) => response.writeHead(404, { "Content-Type": "text/html" }).end("<h1>Not found</h1>") },
    });
    const { page, problems } = await openPage(browser, host.url);
    try {
      await page.evaluate(() => playground.ready);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      assert.match(await page.textContent("#env-status"), /the build without threads/);
      const banner = await page.textContent("#env-fallback");
      // Chromium's message names the status; where the browser's does not (WebKit: "Script … load failed"), the page adds it.
      assert.match(banner, /the service worker that would add them could not start: .*(\(404\)|\(the host answers \/sw\.js with HTTP 404\))/);
      assert.equal(await page.isVisible("#env-problem"), false, "no fatal error");
      const run = await page.evaluate(() => playground.cpu({ mode: "sequential", tasks: 2 }));
      assert.deepEqual(run.results, Array(2).fill(SEED_RESULT));
      assert.deepEqual(await registrations(page), []);
      // Chromium reports the failed registration on the console, and the WebKit run's server its 404s
      // for sw.js (the registration's and the page's look at the script): the reason shown above.
      const expected = (p) => /A bad HTTP response code \(404\) was received when fetching the script/.test(p) || p === `HTTP 404 for ${host.url}sw.js`;
      assert.deepEqual(problems.filter((p) => !expected(p)), []);
    } finally {
      await page.close();
    }
  });

  test("a host that starts sending the headers: the worker unregisters itself on the next visit", async () => {
    const host = await switchableHost();
    const { page, problems } = await isolatedByWorker(host);
    try {
      host.sendsHeaders = true;
      await page.reload();
      await page.waitForFunction(() => window.playground !== undefined);
      await page.evaluate(() => playground.ready);
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, "isolated by the host itself");
      // The worker unregisters itself while it answers this navigation; the page sees it a moment later.
      await page.waitForFunction(() => navigator.serviceWorker.getRegistrations().then((all) => all.length === 0), null, { timeout: 5_000 }).catch(() => {});
      assert.deepEqual(await registrations(page), [], "the worker unregistered itself");
      await page.reload();
      await page.waitForFunction(() => window.playground !== undefined);
      await page.evaluate(() => playground.ready);
      assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null, "the visit after that is not controlled");
      const run = await page.evaluate(() => playground.cpu({ mode: "threads" }));
      assert.deepEqual(run.results, Array(4).fill(SEED_RESULT));
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("a sibling page in the same folder gets its responses unchanged: no COEP, its third-party image loads", async () => {
    const imageUrl = new URL("dot.svg", images.url).href;
    const host = await switchableHost({
      routes: {
        "/other.html": (request, response) => {
          response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
          response.end(recordedHtml(`<!doctype html><title>Another page</title><link rel="icon" href="data:,"><img id="dot" src="${imageUrl}" alt="">`));
        },
        "/notes.txt": (request, response) => response.writeHead(200, { "Content-Type": "text/plain" }).end("a file of the site"),
      },
    });
    const { page, problems } = await isolatedByWorker(host);
    try {
      const answer = await page.goto(new URL("other.html", host.url).href);
      assert.equal((await answer.allHeaders())["cross-origin-embedder-policy"], undefined);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      await page.waitForFunction(() => document.getElementById("dot").complete);
      assert.equal(await page.evaluate(() => document.getElementById("dot").naturalWidth), 40, "the image loaded");
      // A plain file of the site, read through the page the worker controls: no header added.
      const headers = await page.evaluate(async () => Object.fromEntries((await fetch("notes.txt")).headers));
      assert.equal(headers["cross-origin-embedder-policy"], undefined);
      assert.equal(headers["cross-origin-resource-policy"], undefined);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("?sw=off removes the worker and reloads; the page runs without threads and says why", async () => {
    const host = await switchableHost();
    const { page, problems } = await isolatedByWorker(host);
    try {
      await page.goto(`${host.url}?sw=off`);
      await page.waitForFunction(() => window.playground !== undefined && !navigator.serviceWorker.controller);
      await page.evaluate(() => playground.ready);
      assert.deepEqual(await registrations(page), []);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      assert.match(await page.textContent("#env-fallback"), /switched off for this visit \(\?sw=off\)/);
      assert.equal(await page.getAttribute("#env-fallback a", "href"), host.url);
      // The simulated network needs the worker: it says so instead of bringing it back.
      const refused = await page.evaluate(() => playground.downloads({ samples: 2, network: "slow-3g" }).then(() => "ran", (e) => e.message));
      assert.match(refused, /\?sw=off switched off/);
      assert.deepEqual(await registrations(page), []);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("storage refused (cookies blocked): no reload, no fatal error, the build without threads says why", async () => {
    // A profile that blocks cookies for every site: Chromium then refuses the page its storage
    // ("Failed to read the 'sessionStorage' property from 'Window': Access is denied for this document")
    // and service workers, as it does in a third-party iframe under the same setting.
    const profile = await mkdtemp(join(tmpdir(), "playground-no-storage-"));
    await mkdir(join(profile, "Default"));
    await writeFile(join(profile, "Default", "Preferences"), JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }));
    const strict = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const host = await switchableHost();
      const { page, problems } = await openPage(strict, host.url);
      let loads = 0;
      page.on("load", () => loads++);
      await page.evaluate(() => playground.ready);
      assert.equal(await page.evaluate(() => { try { sessionStorage.length; return "allowed"; } catch (e) { return e.name; } }), "SecurityError", "the browser really refuses storage");
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      assert.match(await page.textContent("#env-fallback"), /refuses this page its session storage/);
      await page.waitForTimeout(500);
      assert.equal(loads, 0, "no reload after the first load");
      assert.deepEqual(problems, []);
    } finally {
      await strict.close();
    }
  });

  test("the fallback banner's button removes a worker left in an embed", async () => {
    // The playground (host without headers) in a tutorial's page that is not isolated: no reload can
    // isolate it; a simulated download registers the worker in the iframe's partition.
    const host = await switchableHost();
    const tutorial = await serveStatic("tests/page", {
      isolation: false,
      routes: {
        "/tutorial.html": (request, response) => {
          response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
          response.end(recordedHtml(`<!doctype html><title>A tutorial</title><link rel="icon" href="data:,"><iframe src="${host.url}" width="1000" height="800"></iframe>`));
        },
      },
    });
    closers.push(tutorial.close);
    const { page, problems } = await openPage(browser, `${tutorial.url}tutorial.html`, { waitForPlayground: false });
    try {
      const frame = async () => {
        let found;
        while (!(found = page.frames().find((f) => f.url().startsWith(host.url)))) await page.waitForTimeout(50);
        await found.waitForFunction(() => window.playground !== undefined);
        await found.evaluate(() => playground.ready);
        return found;
      };
      let embedded = await frame();
      assert.equal(await embedded.isVisible("#env-fallback"), true);
      assert.equal(await embedded.isVisible("#env-remove-sw"), false, "nothing registered, no button");
      const run = await embedded.evaluate(() => playground.downloads({ samples: 2, network: { latencyMs: 50, kbps: 0 } }));
      assert.ok(run.files.every((f) => f.ok && f.simulated));
      assert.equal((await registrations(embedded)).length, 1);
      await page.reload();
      embedded = await frame();
      await embedded.waitForSelector("#env-remove-sw");
      await embedded.click("#env-remove-sw");
      let reloaded;
      for (let i = 0; i < 100 && !reloaded; i++) {
        reloaded = page.frames().find((f) => f.url().includes("sw=off"));
        if (!reloaded) await page.waitForTimeout(50);
      }
      assert.ok(reloaded, "the iframe reloaded with ?sw=off");
      await reloaded.waitForFunction(() => window.playground !== undefined);
      await reloaded.evaluate(() => playground.ready);
      assert.deepEqual(await registrations(reloaded), []);
      assert.equal(await reloaded.evaluate(() => navigator.serviceWorker.controller), null);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});

describe("downloads: every connection wait says where it comes from", () => {
  const notes = (page) => page.textContent("#dl-queue-note");

  test("the simulated network's queue is labelled simulated", async () => {
    const { page, problems } = await openPage(browser, isolated.url);
    try {
      await page.evaluate(() => playground.ready);
      const result = await page.evaluate(() => playground.downloads({ samples: 12, mode: "concurrent", network: { latencyMs: 200, kbps: 0 } }));
      assert.ok(result.files.every((f) => f.ok && f.queuedFrom === "simulated"));
      assert.match(await notes(page), /^6 files waited for a connection \(simulated: the service worker's 6-connection queue/);
      assert.match(await page.textContent("#dl-in-flight"), /6 waited for a connection, simulated/);
      assert.match(await page.textContent("#dl-network-used"), /^simulated: /);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test("network \"none\": the browser's real queue, measured by Resource Timing, on a server that really waits", async () => {
    // Every sample waits 300 ms on the server: the browser sends 6 at once over HTTP/1.1, and files
    // 7–12 wait for one of those connections, at least the 300 ms its request spends on the server.
    const SERVER_WAIT_MS = 300;
    const slow = await serveStatic(DIST, { isolation: true, sampleLatencyMs: SERVER_WAIT_MS });
    closers.push(slow.close);
    const { page, problems } = await openPage(browser, slow.url);
    try {
      await page.evaluate(() => playground.ready);
      const result = await page.evaluate(() => playground.downloads({ samples: 12, mode: "concurrent", network: "none" }));
      assert.ok(result.files.every((f) => f.ok && !f.simulated && f.queuedFrom === "resource-timing"), JSON.stringify(result.files.map((f) => f.queuedFrom)));
      const waits = result.files.map((f) => f.queuedMs).sort((a, b) => a - b);
      assert.ok(waits.slice(0, 6).every((ms) => ms < SERVER_WAIT_MS / 2), `the first six went at once: ${waits.map(Math.round)}`);
      // A queued request waits from its own start, which comes a little after the first six were sent
      // (12 fetches issued one after another; 10–20 ms apart on a loaded machine): most of a server's turn.
      assert.ok(waits.slice(6).every((ms) => ms >= SERVER_WAIT_MS * 0.8), `six waited a server's turn: ${waits.map(Math.round)}`);
      assert.equal(result.waitedForConnection, 6);
      assert.match(await notes(page), /^6 files waited for a connection \(measured by the browser's Resource Timing, up to [\d,]+ ms\)/);
      assert.equal(await page.textContent("#dl-network-used"), "real (not simulated)");
      // One after another on the same server: nothing waits for a connection, and the note says so.
      const sequential = await page.evaluate(() => playground.downloads({ samples: 6, mode: "sequential", network: "none" }));
      assert.ok(sequential.files.every((f) => f.queuedFrom === "resource-timing" && f.queuedMs < SERVER_WAIT_MS / 2), JSON.stringify(sequential.files.map((f) => f.queuedMs)));
      assert.equal(await notes(page), "No file waited for a connection (measured by the browser's Resource Timing).");
      // On download threads the browser keeps the timing in each thread: nothing is claimed.
      const threads = await page.evaluate(() => playground.downloads({ samples: 3, mode: "threads", network: "none" }));
      assert.ok(threads.files.every((f) => f.ok && f.queuedFrom === null && f.queuedMs === 0));
      assert.match(await notes(page), /^Waits for a connection were not measured for 3 files/);
      assert.doesNotMatch(await notes(page), /waited for a connection/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
