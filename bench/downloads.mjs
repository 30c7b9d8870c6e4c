// The downloads benchmark: modes side by side on the simulated network, the Rust fetch path vs a
// plain JS fetch, the 6-connection plateau (simulated, and on a real slow server), cancel latency,
// and the seed's Python threads on the same real slow server. Prints one markdown table.
// Called by bench/run.sh after a release build; BENCH_RUNS sets the runs per figure (median).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic, DIST } from "../tests/page/server.mjs";
import { launchBrowser, openPage } from "../tests/page/browser.mjs";
import { RUNS, check, createTable, log, median, medianOf, mediansOf, ms, within } from "./table.mjs";

const LATENCY_MS = 300;
const { row, print } = createTable();
const latency = { latencyMs: LATENCY_MS, kbps: 0 };

const server = await serveStatic(DIST, { isolation: true });
// The same files from a server that really waits 300 ms before answering: the browser's own limit.
const slowServer = await serveStatic(DIST, { isolation: true, sampleLatencyMs: LATENCY_MS, cors: true });
const browser = await launchBrowser();
try {
  const { page, problems } = await openPage(browser, server.url);
  await page.evaluate(() => playground.ready);
  const download = (options) =>
    page.evaluate(async (o) => {
      await new Promise((settled) => setTimeout(settled, 100));
      const result = await playground.downloads(o);
      if (!result.files.every((f) => f.ok)) throw new Error(`a download failed: ${JSON.stringify(result.files.find((f) => !f.ok))}`);
      return result;
    }, options);

  // 1. The modes, alternating so every mode sees the same machine and network.
  log(`6 files at ${LATENCY_MS} ms latency: four modes × ${RUNS}…`);
  await download({ mode: "threads", limit: 6, network: latency }); // start the download threads first
  const modes = { sequential: [], concurrent: [], bounded: [], threads: [] };
  const slowestSingle = [];
  for (let i = 0; i < RUNS; i++) {
    const sequential = await download({ mode: "sequential", network: latency });
    modes.sequential.push(sequential.wallMs);
    // One after another, each file is alone on the network: its duration is that file's single time.
    slowestSingle.push(Math.max(...sequential.files.map((f) => f.endMs - f.startMs)));
    modes.concurrent.push((await download({ mode: "concurrent", network: latency })).wallMs);
    modes.bounded.push((await download({ mode: "bounded", limit: 2, network: latency })).wallMs);
    modes.threads.push((await download({ mode: "threads", limit: 6, network: latency })).wallMs);
  }

  // 2. The Rust path (gloo-net, streamed body, SHA-256, Blob) vs plain JS fetch + arrayBuffer.
  log(`Rust fetch path vs plain JS fetch × ${RUNS}…`);
  const plainFetch = (count, network) =>
    page.evaluate(
      async ({ count, network }) => {
        await new Promise((settled) => setTimeout(settled, 100));
        const { files } = await (await fetch("samples/manifest.json")).json();
        const query = network ? `?latency=${network.latencyMs}&kbps=${network.kbps}&connections=6` : "";
        const started = performance.now();
        const bodies = await Promise.all(
          files.slice(0, count).map((f) => fetch(`samples/${f.name}${query}`, { cache: "no-store" }).then((r) => r.arrayBuffer())),
        );
        const wallMs = performance.now() - started;
        if (bodies.some((b, i) => b.byteLength !== files[i].bytes)) throw new Error("plain fetch got the wrong sizes");
        return wallMs;
      },
      { count, network },
    );
  const paths = { rustLatency: [], jsLatency: [], rustLocal: [], jsLocal: [] };
  for (let i = 0; i < RUNS; i++) {
    paths.rustLatency.push((await download({ mode: "concurrent", network: latency })).wallMs);
    paths.jsLatency.push(await plainFetch(6, latency));
    paths.rustLocal.push((await download({ samples: 12, mode: "concurrent", network: "none" })).wallMs);
    paths.jsLocal.push(await plainFetch(12, null));
  }

  // 3. The 6-connection plateau: 6 vs 12 files all at once, simulated and on the real slow server.
  log(`6 vs 12 files all at once × ${RUNS} (simulated, then a real slow server)…`);
  const plateau = { sim6: [], sim12: [], real6: [], real12: [] };
  for (let i = 0; i < RUNS; i++) {
    plateau.sim6.push((await download({ samples: 6, mode: "concurrent", network: latency })).wallMs);
    plateau.sim12.push((await download({ samples: 12, mode: "concurrent", network: latency })).wallMs);
  }
  const { files: manifest } = await (await fetch(`${server.url}samples/manifest.json`)).json();
  const realUrls = (count) => manifest.slice(0, count).map((f) => `${slowServer.url}samples/${f.name}`);
  for (let i = 0; i < RUNS; i++) {
    plateau.real6.push((await download({ urls: realUrls(6), mode: "concurrent" })).wallMs);
    plateau.real12.push((await download({ urls: realUrls(12), mode: "concurrent" })).wallMs);
  }

  // 4. Cancel: 12 files on slow 3G, cancelled half a second in.
  log("cancel latency…");
  const cancels = [];
  for (let i = 0; i < 5; i++) {
    cancels.push(
      await page.evaluate(async () => {
        const run = playground.downloads({ samples: 12, mode: "concurrent", network: "slow-3g" });
        await new Promise((r) => setTimeout(r, 500));
        const asked = performance.now();
        playground.cancel();
        const result = await run;
        if (!result.files.some((f) => f.errorKind === "cancelled")) throw new Error("nothing was cancelled");
        return performance.now() - asked;
      }),
    );
  }
  if (problems.length) throw new Error(`page problems during the benchmark: ${problems.join("; ")}`);

  // 5. The seed's Python threads against the same real slow server.
  log("the seed's Python threads (bench/seed_downloads.py) on the real slow server…");
  // Timed two ways: from outside (the whole process: interpreter start included) and by the seed
  // itself, which prints its own time from the first thread's start to the last join.
  const python = { whole: [], inProcess: [] };
  const scratch = mkdtempSync(join(tmpdir(), "seed-downloads-"));
  try {
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      const started = performance.now();
      // Asynchronously: the slow server runs in this very process and must keep answering.
      const { stdout } = await promisify(execFile)("python3", [join(process.cwd(), "bench/seed_downloads.py"), ...realUrls(6)], { cwd: scratch });
      python.whole.push(performance.now() - started);
      const own = stdout.match(/(\d+) files in ([\d.]+) s/);
      if (!own || Number(own[1]) !== 6) throw new Error(`the seed printed ${stdout}`);
      python.inProcess.push(Number(own[2]) * 1000);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // --- the table -------------------------------------------------------------------------------------
  // Goals that say ≈ are bands with both ends; each band's reasoning is beside it.
  const m = Object.fromEntries(Object.entries(modes).map(([k, v]) => [k, median(v)]));
  row(`6 files, ${LATENCY_MS} ms latency: one after another`, medianOf(RUNS), ms(m.sequential));
  row(`6 files, ${LATENCY_MS} ms latency: all at once (one thread)`, medianOf(RUNS), `${ms(m.concurrent)} (${(m.sequential / m.concurrent).toFixed(1)}× faster)`);
  // Two at a time, six files: three rounds, each waiting the full latency, so never under 3 × 300 ms;
  // each round adds only the local transfer (~20 ms here). Past 3.5 rounds the run is nearer a fourth
  // round than the third (a limit of 1 would take 6, a limit of 3 two).
  const rounds = m.bounded / LATENCY_MS;
  row(`6 files, ${LATENCY_MS} ms latency: at most 2 at once`, medianOf(RUNS), `${ms(m.bounded)} = ${rounds.toFixed(2)} rounds of latency (${(m.sequential / m.bounded).toFixed(1)}× faster)`, "≈ 3 rounds: 3.0–3.5", check(within(rounds, 3, 3.5)));
  const single = median(slowestSingle);
  // All at once takes as long as its slowest file alone (the transfers overlap): 1, less a little
  // for the two medians coming from different runs; above 1.2 the files did not really overlap.
  row("All at once / slowest single file", mediansOf(RUNS), `${(m.concurrent / single).toFixed(2)} (${ms(m.concurrent)} vs ${ms(single)})`, "≈ 1: 0.95–1.2", check(within(m.concurrent / single, 0.95, 1.2)));
  // Threads wait for the same network: no faster, and slower only by a message hop per file.
  row("6 download threads / all at once on one thread", mediansOf(RUNS), `${(m.threads / m.concurrent).toFixed(2)} (${ms(m.threads)} vs ${ms(m.concurrent)})`, "≈ 1, threads are no faster: 0.95–1.2", check(within(m.threads / m.concurrent, 0.95, 1.2)));
  const rl = median(paths.rustLatency);
  const jl = median(paths.jsLatency);
  // Both paths wait the same 300 ms for each file, which dwarfs either one's own work: ≈ 1 ± 10 %.
  row(`Rust fetch path / plain JS fetch, 6 files at ${LATENCY_MS} ms`, mediansOf(RUNS), `${(rl / jl).toFixed(2)} (${ms(rl)} vs ${ms(jl)})`, "≈ 1: 0.9–1.1", check(within(rl / jl, 0.9, 1.1)));
  const rlo = median(paths.rustLocal);
  const jlo = median(paths.jsLocal);
  row("Rust fetch path (streamed, SHA-256, Blob) / plain JS fetch, 12 files (9.4 MB) at local speed", mediansOf(RUNS), `${(rlo / jlo).toFixed(2)} (${ms(rlo)} vs ${ms(jlo)})`, "", "");
  // Six connections per host: six files take one round of latency, twelve take two. Without the limit
  // it would be one round (1×), with a limit of four three rounds (3×): 2× is the nearest whole
  // number of rounds, so the band is halfway to either neighbour.
  const s6 = median(plateau.sim6);
  const s12 = median(plateau.sim12);
  row(`12 vs 6 files all at once, simulated ${LATENCY_MS} ms (6 connections per host)`, mediansOf(RUNS), `${(s12 / s6).toFixed(2)}× (${ms(s6)} → ${ms(s12)})`, "≈ 2× (the plateau): 1.5–2.5×", check(within(s12 / s6, 1.5, 2.5)));
  const r6 = median(plateau.real6);
  const r12 = median(plateau.real12);
  row(`12 vs 6 files all at once, a real server that waits ${LATENCY_MS} ms (the browser's own limit)`, mediansOf(RUNS), `${(r12 / r6).toFixed(2)}× (${ms(r6)} → ${ms(r12)})`, "≈ 2× (the plateau): 1.5–2.5×", check(within(r12 / r6, 1.5, 2.5)));
  const cancelMs = median(cancels);
  row("Cancel → every download stopped (seen by the page)", medianOf(cancels.length), ms(cancelMs), "≤ 100 ms", check(cancelMs <= 100));
  row(`Seed's Python, one thread per file, 6 files from the real ${LATENCY_MS} ms server: whole process (interpreter start included)`, medianOf(python.whole.length), ms(median(python.whole)), "", "");
  row(`…the same runs, as the seed times itself (first thread started → last joined)`, medianOf(python.inProcess.length), ms(median(python.inProcess)), "", "");

  print(`Downloads: Chromium headless, HTTP/1.1 on 127.0.0.1; each row says how many runs its figure is the median of.`);
} finally {
  await browser.close();
  await server.close();
  await slowServer.close();
}
