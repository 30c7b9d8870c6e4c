// Where the playground runs (each build's size is bench/size.mjs's table): load → ready on a host with the isolation
// headers, on a host without them (first visit: the service worker's one reload; later visits), and
// embedded in a page that is not isolated (the build without threads). Prints one markdown table.
// Called by bench/run.sh after a release build; BENCH_RUNS sets the runs per figure (median).
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { launchBrowser, openPage } from "../tests/page/browser.mjs";
import { RUNS as ALL_RUNS, createTable, log, median, medianOf, ms } from "./table.mjs";

// Each first visit launches a fresh browser: seven loads are plenty.
const RUNS = Math.min(ALL_RUNS, 7);
const { row, print } = createTable();

const withHeaders = await serveStatic(DIST, { isolation: true });
const withoutHeaders = await serveStatic(DIST, { isolation: false });
const tutorial = await serveStatic("tests/page", {
  isolation: false,
  routes: {
    "/tutorial.html": (request, response) => {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><title>A tutorial</title><link rel="icon" href="data:,"><iframe src="${withHeaders.url}" width="1000" height="800"></iframe>`);
    },
  },
});

/** Milliseconds from navigation to `playground.ready` in `frameOf(page)`, in a browser of its own. */
async function loadToReady(url, { fresh, frameOrigin = null, browser = null }) {
  const context = fresh ? await launchBrowser() : browser;
  try {
    const started = performance.now();
    const { page, problems } = await openPage(context, url, { waitForPlayground: frameOrigin === null && !fresh });
    let target = page;
    if (frameOrigin) {
      while (!(target = page.frames().find((f) => f.url().startsWith(frameOrigin)))) await page.waitForTimeout(5);
    }
    // A first visit without headers reloads once: wait for the isolated page's API.
    await target.waitForFunction(() => window.playground !== undefined && (window.crossOriginIsolated || !navigator.serviceWorker || window.top !== window), null, { timeout: 30_000 });
    await target.evaluate(() => playground.ready);
    const elapsed = performance.now() - started;
    if (problems.length) throw new Error(`page problems: ${problems.join("; ")}`);
    await page.close();
    return elapsed;
  } finally {
    if (fresh) await context.close();
  }
}

try {
  const times = { headers: [], firstVisit: [], firstVisitHeaders: [], laterVisit: [], embedded: [] };
  const browser = await launchBrowser();
  try {
    log(`load → ready × ${RUNS}: with headers, without (first and later visits), embedded without isolation…`);
    await loadToReady(withoutHeaders.url, { fresh: false, browser }); // registers the service worker for later visits
    for (let i = 0; i < RUNS; i++) {
      times.headers.push(await loadToReady(withHeaders.url, { fresh: false, browser }));
      times.laterVisit.push(await loadToReady(withoutHeaders.url, { fresh: false, browser }));
      times.embedded.push(await loadToReady(`${tutorial.url}tutorial.html`, { fresh: false, browser, frameOrigin: withHeaders.url }));
    }
  } finally {
    await browser.close();
  }
  // First visits in fresh profiles (empty caches), with and without the headers, alternating: the
  // difference is what the service worker's install and reload cost.
  for (let i = 0; i < RUNS; i++) {
    times.firstVisit.push(await loadToReady(withoutHeaders.url, { fresh: true }));
    times.firstVisitHeaders.push(await loadToReady(withHeaders.url, { fresh: true }));
  }

  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  row("Load → ready, host sends the isolation headers (threads)", medianOf(RUNS), `${ms(m.headers)} (first visit, empty caches: ${ms(m.firstVisitHeaders)})`);
  row("Load → ready, host without headers, first visit (service worker + one reload, threads)", medianOf(RUNS), ms(m.firstVisit));
  row("Load → ready, host without headers, later visits (service worker already active, threads)", medianOf(RUNS), ms(m.laterVisit));
  row("First-visit extra time of the service-worker reload (first visits: without − with headers)", `difference of two medians of ${RUNS}`, ms(m.firstVisit - m.firstVisitHeaders));
  row("Load → ready, embedded in a page that is not isolated (build without threads)", medianOf(RUNS), ms(m.embedded));

  print(`Hosts and builds: Chromium headless, 127.0.0.1; each row says how many loads its figure is the median of (first visits: a fresh browser profile each).`);
} finally {
  await withHeaders.close();
  await withoutHeaders.close();
  await tutorial.close();
}
