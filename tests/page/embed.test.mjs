// Embedded where tutorials embed it: in an iframe of a page on ANOTHER site, in a browser whose user
// blocks third-party cookies (which refuses the frame its storage and service workers). Every demo
// loads, says in one line what is off, shows its controls in the iframe's first 720 px, runs what it can
// (processes, downloads, the lab's process experiments), reports its height to the page around it, and
// records no page error. With an isolated tutorial page that allows it, threads run too. The share
// panel's snippet carries a height measured from the embed, and its resize script keeps the iframe
// fitting as runs add results. `hide=` leaves parts out.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { serveStatic, DIST } from "./server.mjs";
import { ENGINE, launchBrowser, openPage } from "./browser.mjs";
import { playgroundFrame, tutorialSite } from "./tutorial-site.mjs";

/** sum(i * i for i in range(n)), from the closed form (n-1)n(2n-1)/6, as the page prints it. */
const sumOfSquares = (n) => String(((BigInt(n) - 1n) * BigInt(n) * (2n * BigInt(n) - 1n)) / 6n);
const manifest = JSON.parse(await readFile(`${DIST}/samples/manifest.json`, "utf8")).files;

/** A tutorial's text column, and the README's iframe height. */
const EMBED_WIDTH = 720;
const EMBED_HEIGHT = 720;

// WebKitGTK gives a third-party frame partitioned storage of its own; there is no switch that refuses it.
const BLOCKS_STORAGE = ENGINE !== "webkit";

let playground;
let browser;

before(async () => {
  playground = await serveStatic(DIST, { isolation: true });
  browser = await launchBrowser({ thirdPartyStorage: "blocked" });
});

after(async () => {
  await browser?.close();
  await playground?.close();
});

/** Opens a tutorial on another site embedding `query`; runs `check(frame, page)`; closes it all. */
async function embedded(query, options, check) {
  const tutorial = await tutorialSite(`${playground.url}?${query}`, { width: EMBED_WIDTH, height: EMBED_HEIGHT, ...options });
  const { page, problems } = await openPage(browser, tutorial.url, { waitForPlayground: false });
  try {
    const frame = await playgroundFrame(page, playground.url);
    await check(frame, page);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await tutorial.close();
  }
}

/**
 * Clicks `selector` in the embed as a reader would. Firefox under WebDriver BiDi delivers no input at all
 * to a frame of another site (Fission runs it in a process of its own: not even a mousedown arrives,
 * by mouse or keyboard), so there the element's own focus() and click() stand in: the same handlers run.
 */
async function press(frame, selector) {
  if (ENGINE === "firefox") await frame.evaluate((selector) => {
    const element = document.querySelector(selector);
    element.focus();
    element.click();
  }, selector);
  else await frame.click(selector);
}

/** What every embed must show a reader, whatever its demo. */
async function assertReaderView(frame, page, { demo, section }) {
  if (BLOCKS_STORAGE)
    assert.equal(await frame.evaluate(() => { try { return typeof localStorage.length; } catch (e) { return e.name; } }), "SecurityError", "the browser really refuses the frame its storage");
  // One line for the reader: what is off, and that the rest works; at most two lines tall.
  const line = await frame.evaluate(() => {
    const element = document.querySelector("#env-fallback .banner-line");
    const style = getComputedStyle(element);
    return { text: element.textContent, lines: Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight)) };
  });
  assert.match(line.text, /^Threads (and the simulated network )?are off in this embed; sequential runs, processes and downloads work\.$/);
  if (BLOCKS_STORAGE) assert.match(line.text, /the simulated network/);
  assert.ok(line.lines <= 2, `the reader's line takes ${line.lines} lines`);
  // The author's advice is there, behind "Why?", not in the reader's way.
  assert.equal(await frame.evaluate(() => document.querySelector("#env-fallback details").open), false);
  assert.match(await frame.textContent("#env-fallback details"), /allow="cross-origin-isolated"/);
  // The demo's first controls and their buttons, within the iframe's first screen.
  const buttons = await frame.evaluate((section) => document.querySelector(`#${section} .buttons`).getBoundingClientRect().toJSON(), section);
  assert.ok(buttons.top >= 0 && buttons.bottom <= EMBED_HEIGHT, `the ${demo} demo's buttons end at ${Math.round(buttons.bottom)} px`);
  // The height it tells the page around it is its document's (once its layout has settled).
  let told;
  let own;
  for (let tries = 0; tries < 50; tries++) {
    told = await page.evaluate(() => window.embedHeights.at(-1));
    own = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    if (told?.demo === demo && Math.abs(told.height - own) <= 1) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`the embed told its page ${JSON.stringify(told)}; its document is ${own} px tall`);
}

describe("embedded on another site that blocks third-party storage", () => {
  test("CPU demo: the reader's line, the controls in the first screen, processes and sequential runs exact", async () => {
    await embedded("demo=cpu&embed=1", {}, async (frame, page) => {
      await assertReaderView(frame, page, { demo: "cpu", section: "cpu" });
      assert.equal(await frame.isDisabled("#cpu-run-threads"), true);
      // A hint is one line; its field's focus shows it whole, over what follows: nothing below moves.
      const buttonsTop = () => frame.evaluate(() => document.querySelector("#cpu .buttons").getBoundingClientRect().top);
      const before = await buttonsTop();
      // A reader's tap: WebKit lets a frame of another site take focus only from a user's gesture.
      await press(frame, "#cpu-n");
      const hint = await frame.evaluate(() => {
        const field = document.getElementById("cpu-n").closest(".field");
        const element = field.querySelector(".hint");
        const whole = field.querySelector(".hint-whole:not([hidden])");
        return { text: element.textContent, whole: whole?.textContent ?? null, lines: Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)) };
      });
      assert.equal(hint.lines, 1);
      assert.equal(hint.whole, hint.text);
      assert.equal(await buttonsTop(), before);
      await frame.evaluate(() => document.activeElement.blur());
      // The seed's defaults: four tasks of n = 10,000,000 in two processes.
      await press(frame, "#cpu-run-processes");
      await frame.waitForFunction(() => document.querySelectorAll("#cpu-results-body tr").length === 4 && !document.getElementById("cpu-run-processes").disabled);
      assert.deepEqual(await frame.evaluate(() => playground.lastCpuRun.results), Array(4).fill(sumOfSquares(10_000_000)));
      const sequential = await frame.evaluate(() => playground.cpu({ mode: "sequential", tasks: 2, n: 12_345 }));
      assert.deepEqual(sequential.results, Array(2).fill(sumOfSquares(12_345)));
    });
  });

  test("downloads demo: the real network is chosen and says why, the button downloads every sample intact into memory", async () => {
    await embedded("demo=downloads&embed=1", {}, async (frame, page) => {
      await assertReaderView(frame, page, { demo: "downloads", section: "downloads" });
      if (BLOCKS_STORAGE) {
        assert.equal(await frame.inputValue("#dl-network"), "none");
        assert.match(await frame.textContent("#dl-network-hint"), /simulated networks are off here: .*third-party storage blocked/);
        assert.match(await frame.textContent("#dl-saved-status"), /kept in memory only: this browser refuses this page its private file system/);
      }
      await press(frame, "#dl-run-concurrent");
      await frame.waitForFunction(() => playground.lastDownloadsRun !== null);
      const run = await frame.evaluate(() => playground.lastDownloadsRun);
      assert.deepEqual(run.files.map((f) => [f.ok, f.sha256]), manifest.slice(0, run.files.length).map((f) => [true, f.sha256]));
      assert.equal(run.files.length, 6);
    });
  });

  test("threads vs processes lab: the process experiments run (sweep in processes, the crash of a process)", async () => {
    await embedded("demo=processes&embed=1", {}, async (frame, page) => {
      await assertReaderView(frame, page, { demo: "processes", section: "lab" });
      const sweep = await frame.evaluate(() => playground.sweep({ mode: "processes", maxWorkers: 2, tasks: 2, n: 200_000, serialFraction: 0 }));
      assert.deepEqual(sweep.points.map((p) => p.workers), [1, 2]);
      await press(frame, "#lab-crash-processes");
      await frame.waitForFunction(() => !document.getElementById("lab-crash-processes").disabled && document.getElementById("lab-crash-result").textContent !== "");
    });
  });

  test("web server lab: needs threads, and says so beside its disabled buttons", async () => {
    await embedded("demo=server&embed=1", {}, async (frame, page) => {
      await assertReaderView(frame, page, { demo: "server", section: "server" });
      assert.equal(await frame.isDisabled("#server-run"), true);
      assert.match(await frame.textContent("#server-status"), /needs threads/);
    });
  });

  test("a tutorial that is isolated and allows it: threads run in the embed, and only the simulated network is off", async () => {
    await embedded("demo=cpu&embed=1", { isolated: true, allow: true }, async (frame) => {
      assert.equal(await frame.evaluate(() => crossOriginIsolated), true);
      const run = await frame.evaluate(() => playground.cpu({ mode: "threads", tasks: 4, n: 100_000 }));
      assert.deepEqual(run.results, Array(4).fill(sumOfSquares(100_000)));
      if (BLOCKS_STORAGE) assert.equal(await frame.textContent("#env-fallback .banner-line"), "The simulated network is off in this embed; everything else works.");
      else assert.equal(await frame.isHidden("#env-fallback"), true);
    });
  });
});

describe("the embed's own layout", () => {
  test("code folds where it stands, history and sharing stay closed; hide= leaves parts out and names a wrong one", async () => {
    await embedded("demo=processes&embed=1", {}, async (frame) => {
      const layout = await frame.evaluate(() => ({
        folded: [...document.querySelectorAll("#lab .code-pair")].every((pair) => pair.parentElement.matches("details.embed-code:not([open])")),
        pairs: document.querySelectorAll("#lab .code-pair").length,
        closed: [...document.querySelectorAll("#lab details.history, #lab details.share")].map((d) => d.open),
      }));
      assert.ok(layout.pairs >= 1 && layout.folded, JSON.stringify(layout));
      assert.deepEqual(layout.closed, [false, false]);
    });
    await embedded("demo=cpu&embed=1&hide=code,history,share,bogus", {}, async (frame) => {
      for (const selector of ["#cpu .code-pair", "#cpu .history", "#cpu .share"]) assert.equal(await frame.isHidden(selector), true, selector);
      assert.equal(await frame.isVisible("#cpu-run-sequential"), true);
      assert.match(await frame.textContent("#env-notice"), /hide=bogus names no part of a demo/);
    });
  });
});

describe("the share panel's snippet", () => {
  test("its height is measured from the embed, fits it at 720 px, and its resize script follows the runs", async () => {
    const { page, problems } = await openPage(browser, playground.url);
    let snippet;
    let resize;
    let measured;
    try {
      await page.evaluate(() => playground.ready);
      await page.click("#cpu-share summary");
      await page.waitForFunction(() => /measured \d+ px/.test(document.getElementById("cpu-share-height").textContent), null, { timeout: 30_000 });
      measured = Number((await page.textContent("#cpu-share-height")).match(/measured (\d+) px/)[1]);
      snippet = await page.inputValue("#cpu-share-snippet");
      resize = await page.inputValue("#cpu-share-resize");
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
    assert.equal(Number(snippet.match(/height="(\d+)"/)[1]), measured);
    assert.match(snippet, /allow="cross-origin-isolated"/);
    const src = snippet.match(/src="([^"]+)"/)[1];
    // The snippet as given: the demo fits before its first run, and the measurement is the embed with
    // its result areas open (their rows still empty), nothing more.
    await embedded(src.slice(playground.url.length + 1), { height: measured }, async (frame) => {
      const content = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
      assert.ok(content <= measured, `the embed is ${content} px tall in a ${measured} px iframe`);
      const withResults = await frame.evaluate(() => {
        for (const results of document.querySelectorAll("#cpu .results[hidden]")) results.hidden = false;
        return Math.ceil(document.documentElement.getBoundingClientRect().height);
      });
      assert.ok(Math.abs(withResults - measured) <= 2, `the embed with its result areas open is ${withResults} px tall, the snippet offers ${measured} px`);
    });
    // With the resize script beside it, the iframe follows as a run adds its results.
    await embedded(src.slice(playground.url.length + 1), { height: measured, extraHtml: resize }, async (frame, page) => {
      await frame.evaluate(() => playground.cpu({ mode: "processes", tasks: 12, n: 1000 }));
      await page.waitForFunction(() => {
        const iframe = document.getElementById("demo");
        return Number(iframe.height) === window.embedHeights.at(-1)?.height;
      });
      // The frame lays itself out at its new height before its scroll size settles: wait for it.
      await frame.waitForFunction(() => document.documentElement.scrollHeight <= innerHeight + 1, null, { timeout: 5000 });
      assert.ok(Number(await page.getAttribute("#demo", "height")) > measured, "the run's twelve result rows made the iframe taller");
    });
  });
});
