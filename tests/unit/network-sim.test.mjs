// The simulated network of the service worker (www/network-sim.js) on a simulated clock: which
// requests wait for a connection and how long, the latency before the first byte, and when each
// piece of a body may go at the bandwidth asked. Every expected time is worked out from the inputs.
// The file is run as the classic script the service worker's importScripts() runs, not as a module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const file = new URL("../../www/network-sim.js", import.meta.url);
vm.runInThisContext(readFileSync(file, "utf8"), { filename: file.pathname });
const { PIECE_BYTES, conditions, transferMs, connectionPools, throttled, simulatedNetwork } = globalThis.networkSimulation;

/**
 * A clock that moves only when `run` fires a timer: everything that can move moves first, then the
 * earliest timer (the first set among equals) fires, as on an event loop.
 */
function simulatedClock() {
  let time = 0;
  let set = 0;
  const timers = [];
  const sleep = (ms, signal) =>
    new Promise((resolve, reject) => {
      const timer = { due: time + ms, order: set++, resolve };
      timers.push(timer);
      signal?.addEventListener("abort", () => {
        timers.splice(timers.indexOf(timer), 1);
        reject(signal.reason);
      });
    });
  /** Runs until `promise` settles and resolves to its value. */
  async function run(promise) {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return promise;
      if (!timers.length) throw new Error("the run waits for nothing: it would hang");
      timers.sort((a, b) => a.due - b.due || a.order - b.order);
      const next = timers.shift();
      time = Math.max(time, next.due);
      next.resolve();
    }
  }
  return { now: () => time, sleep, run };
}

/** Reads `stream` to its end: `[bytes, ms]` per piece, on `clock`. */
async function pieces(stream, clock) {
  const reader = stream.getReader();
  const seen = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    seen.push([value.length, clock.now()]);
  }
}

const bytes = (length, fill = 7) => new Uint8Array(length).fill(fill);
const streamOf = (chunks) =>
  new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

test("a sample request's conditions come from its query; the upstream URL keeps the rest", () => {
  const asked = conditions(new URL("http://127.0.0.1:8080/samples/a.bin?v=2&latency=400&kbps=400&connections=6"));
  assert.deepEqual({ ...asked, upstream: asked.upstream.href }, {
    latency: 400,
    kbps: 400,
    connections: 6,
    upstream: "http://127.0.0.1:8080/samples/a.bin?v=2",
  });
  const odd = conditions(new URL("http://h/samples/a.bin?latency=-5&kbps=fast"));
  assert.deepEqual([odd.latency, odd.kbps, odd.connections], [0, 0, 0], "missing, negative and non-numbers count as 0");
  assert.equal(conditions(new URL("http://h/samples/a.bin?kbps=400")), null, "no latency: no simulation");
});

test("transfer time is bits over kilobits per second", () => {
  assert.equal(transferMs(50_000, 8), 50_000, "8 kbit/s moves one byte per millisecond");
  assert.equal(transferMs(4 * 1024 * 1024, 400), 83_886.08);
  assert.equal(transferMs(10_000, 0), 0, "0 kbps is unlimited");
});

test("a host's connections: at most `size` at once, the rest wait first come first served", async () => {
  const clock = simulatedClock();
  const pools = connectionPools(clock.now);
  const waits = [];
  const asks = [0, 1, 2, 3].map((i) => pools.acquire("a", 2, undefined).then((ms) => waits.push([i, ms, clock.now()])));
  // Another host has its own connections.
  assert.equal(await pools.acquire("b", 2, undefined), 0);
  const releases = (async () => {
    await clock.sleep(30);
    pools.release("a"); // request 2 takes it, after 30 ms in the queue
    await clock.sleep(20);
    pools.release("a"); // request 3, after 50 ms
  })();
  await clock.run(Promise.all([...asks, releases]));
  assert.deepEqual(waits, [
    [0, 0, 0],
    [1, 0, 0],
    [2, 30, 30],
    [3, 50, 50],
  ]);
});

test("a request that gives up while queued leaves the queue; 0 connections means no limit", async () => {
  const clock = simulatedClock();
  const pools = connectionPools(clock.now);
  await pools.acquire("a", 1, undefined);
  const giveUp = new AbortController();
  const first = pools.acquire("a", 1, giveUp.signal);
  const second = pools.acquire("a", 1, undefined);
  giveUp.abort();
  await assert.rejects(first, { name: "AbortError" });
  pools.release("a");
  assert.equal(await second, 0, "the connection went to the one still waiting");
  const unlimited = await Promise.all(Array.from({ length: 50 }, () => pools.acquire("c", 0, undefined)));
  assert.deepEqual(new Set(unlimited), new Set([0]));
});

test("a throttled body goes in pieces of at most 16 KiB, each when the bandwidth allows", async () => {
  assert.equal(PIECE_BYTES, 16 * 1024);
  const clock = simulatedClock();
  let ended = 0;
  // 800 kbit/s is 100 bytes per ms. The source's chunks (40,000, 1,000 and 30,000 bytes) are cut
  // at 16,384 bytes; each piece leaves when all bytes so far have had their time.
  const body = throttled(streamOf([bytes(40_000), bytes(1_000), bytes(30_000)]), 800, () => ended++, clock);
  const seen = await clock.run(pieces(body, clock));
  assert.deepEqual(seen, [
    [16_384, 163.84],
    [16_384, 327.68],
    [7_232, 400],
    [1_000, 410],
    [16_384, 573.84],
    [13_616, 710],
  ]);
  assert.equal(ended, 1, "done once, at the end");
});

test("an unlimited body is only re-chunked, not delayed", async () => {
  const clock = simulatedClock();
  const seen = await clock.run(pieces(throttled(streamOf([bytes(20_000)]), 0, () => {}, clock), clock));
  assert.deepEqual(seen, [
    [16_384, 0],
    [3_616, 0],
  ]);
});

/** The simulated network in front of an upstream that has every file at once (the local server). */
function network(clock, sizes) {
  const fetch = async (url) => new Response(bytes(sizes[url.pathname]));
  return simulatedNetwork({ now: clock.now, sleep: clock.sleep, fetch });
}

async function download(respond, clock, name, query, signal = new AbortController().signal) {
  const url = new URL(`http://127.0.0.1:8080/samples/${name}?${query}`);
  const response = await respond({ signal }, conditions(url));
  const body = await pieces(response.body, clock);
  // Sums of simulated times carry float noise (202.4 + 100 + 102.4 = 404.79999…): microseconds suffice.
  const endMs = Math.round(body.at(-1)[1] * 1000) / 1000;
  return { name, queueMs: response.headers.get("x-simulated-queue-ms"), network: response.headers.get("x-simulated-network"), endMs, bytes: body.reduce((sum, [n]) => sum + n, 0) };
}

test("eight files over six connections: the last two wait for the first to finish", async () => {
  // Each file: 100 ms latency, then 10,240 bytes at 100 bytes per ms = 202.4 ms. Six go at once; the
  // seventh and eighth take the first connections freed, at 202.4 ms, and end at 404.8 ms.
  const clock = simulatedClock();
  const sizes = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`/samples/${i}.bin`, 10_240]));
  const respond = network(clock, sizes);
  const query = "latency=100&kbps=800&connections=6";
  const files = await clock.run(Promise.all(Array.from({ length: 8 }, (_, i) => download(respond, clock, `${i}.bin`, query))));
  assert.deepEqual(
    files.map((f) => [f.queueMs, f.endMs, f.bytes]),
    [...Array(6).fill(["0.0", 202.4, 10_240]), ...Array(2).fill(["202.4", 404.8, 10_240])],
  );
  assert.equal(files[0].network, "latency=100; kbps=800; connections=6");
  // Without a connection limit all eight overlap.
  const clock2 = simulatedClock();
  const unlimited = network(clock2, sizes);
  const together = await clock2.run(Promise.all(Array.from({ length: 8 }, (_, i) => download(unlimited, clock2, `${i}.bin`, "latency=100&kbps=800&connections=0"))));
  assert.deepEqual(new Set(together.map((f) => f.endMs)), new Set([202.4]));
});

test("a request cancelled during its latency frees its connection for the next", async () => {
  // One connection. The first request is cancelled 50 ms into its 100 ms latency; the second has
  // waited those 50 ms, then takes 100 ms latency and 102.4 ms of transfer: it ends at 252.4 ms.
  const clock = simulatedClock();
  const respond = network(clock, { "/samples/a.bin": 10_240, "/samples/b.bin": 10_240 });
  const query = "latency=100&kbps=800&connections=1";
  const cancel = new AbortController();
  const first = download(respond, clock, "a.bin", query, cancel.signal);
  const second = download(respond, clock, "b.bin", query);
  const canceller = clock.sleep(50).then(() => cancel.abort());
  const [gaveUp, file] = await clock.run(Promise.all([first.then(() => "finished", (e) => e.name), second, canceller]));
  assert.equal(gaveUp, "AbortError");
  assert.deepEqual([file.queueMs, file.endMs], ["50.0", 252.4]);
});
