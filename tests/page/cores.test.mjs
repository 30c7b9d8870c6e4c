// The default thread count: what ran at full speed in the page's short check, not the reported
// `navigator.hardwareConcurrency` (WebKit reported 4 on a 2-core machine). The browser runs on this
// machine, so Node's count of its cores is a second source the page's answer must stay within.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { readyPlayground, sessionForFile } from "./browser.mjs";

let page;
let problems;
sessionForFile(readyPlayground, (session) => ({ page, problems } = session));

describe("default thread count", () => {
  test("the measured count is at least 1 and at most this machine's cores and the reported count", async () => {
    const cores = await page.evaluate(() => playground.cores);
    const reported = await page.evaluate(() => navigator.hardwareConcurrency);
    const machine = availableParallelism();
    assert.equal(cores.reported, reported);
    // A check that could not run leaves measured null; its note says why (the page shows that note).
    assert.ok(Number.isInteger(cores.measured), `measured ${cores.measured}: ${cores.note}`);
    assert.ok(cores.measured >= 1, `measured ${cores.measured}`);
    assert.ok(cores.measured <= machine, `measured ${cores.measured} on a machine with ${machine} cores (${JSON.stringify(cores.wallMs)} ms)`);
    assert.ok(cores.measured <= reported, `measured ${cores.measured}, reported ${reported}`);
    assert.equal(cores.defaultThreads, cores.measured);
    // One timing per count tried, from 1 up: at least the chosen count, at most the reported one.
    assert.ok(cores.wallMs.length >= cores.measured && cores.wallMs.length <= reported, JSON.stringify(cores.wallMs));
    assert.ok(cores.checkMs > 0 && cores.checkMs < 2_000, `the check took ${cores.checkMs} ms`);
  });

  test("the page says the chosen count and the reported count, and its fields and button use the chosen one", async () => {
    const { measured, reported } = await page.evaluate(() => playground.cores);
    const hint = await page.textContent("#cpu-threads-hint");
    assert.match(hint, new RegExp(`^1 to ${reported}\\. ${measured} threads? by default: this device ran ${measured} at full speed in a \\d+ ms check; the browser reports ${reported} logical cores?\\.$`));
    assert.match(await page.textContent("#env-status"), new RegExp(`${reported} logical cores? reported, ${measured} at full speed`));
    assert.equal(await page.inputValue("#cpu-threads"), String(measured));
    assert.equal(await page.inputValue("#cpu-processes"), String(measured));
    assert.equal(await page.textContent("#cpu-run-threads"), `Run on ${measured} thread${measured === 1 ? "" : "s"}`);
    // The lab's experiments are about several workers at once: at least two where the browser reports two.
    const experimentWorkers = Math.min(reported, Math.max(2, measured));
    assert.equal(await page.inputValue("#lab-workers"), String(experimentWorkers));
    assert.equal(await page.inputValue("#lab-counter-threads"), String(experimentWorkers));
  });

  test("the API's default is the chosen count; more threads, up to the reported count, still run, with a note", async () => {
    const { measured, reported } = await page.evaluate(() => playground.cores);
    const run = await page.evaluate(() => playground.cpu({ tasks: 2, n: 1_000_000 }));
    assert.equal(run.threads, measured);
    assert.equal(run.mode, "threads");
    const more = await page.evaluate((threads) => playground.cpu({ tasks: 2, n: 1_000_000, threads }), reported);
    assert.equal(more.threads, reported);
    const status = await page.textContent("#cpu-status");
    if (reported > measured) assert.match(status, new RegExp(`${reported} threads on a device that ran ${measured} at full speed: .*oversubscribed`));
    else assert.equal(status.includes("oversubscribed"), false, status);
    await assert.rejects(
      page.evaluate((threads) => playground.cpu({ threads }), reported + 1),
      new RegExp(`threads`),
    );
    assert.deepEqual(problems, []);
  });

  test("a reload in the same tab keeps the answer instead of checking again", async () => {
    const first = await page.evaluate(() => playground.cores);
    await page.reload();
    await page.waitForFunction(() => window.playground !== undefined);
    await page.evaluate(() => playground.ready);
    const again = await page.evaluate(() => playground.cores);
    assert.equal(again.measured, first.measured);
    assert.equal(again.checkMs, first.checkMs);
    assert.match(await page.textContent("#cpu-threads-hint"), /earlier in this visit/);
    assert.deepEqual(problems, []);
  });
});
