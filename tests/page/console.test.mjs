// Normal use keeps the browser's console clean: no warning and no error from the page or from any of its
// workers (processes, their pool threads, download threads) while every demo runs once. A learner who
// opens the developer tools to see how it works should not meet noise there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readyPlayground } from "./browser.mjs";

test("every demo once: no console warning or error from the page or its workers", async () => {
  const session = await readyPlayground();
  const { page } = session;
  const noise = [];
  // Playwright reports the console of the page and of every worker it attached to (nested ones too).
  const listen = (message) => {
    if (message.type() === "warning" || message.type() === "error") noise.push(`${message.type()}: ${message.text()}`);
  };
  page.on("console", listen);
  try {
    // Reload so the console is watched from the very start: page load, service worker, first process.
    await page.reload();
    await page.evaluate(() => playground.ready);
    await page.evaluate(async () => {
      await playground.cpu({ mode: "threads", tasks: 4, n: 1_000_000, threads: 2 });
      await playground.cpu({ mode: "processes", tasks: 4, n: 1_000_000, processes: 2 });
      await playground.cpu({ mode: "sequential", tasks: 2, n: 1_000_000 });
      await playground.cpu({ mode: "threads", tasks: 2, n: 1_000_000, threads: 1 });
      await playground.downloads({ samples: 3, mode: "concurrent", network: "none" });
      await playground.downloads({ samples: 2, mode: "threads", limit: 2, network: "none" });
      await playground.counter({ threads: 2, increments: 100_000, method: "mutex" });
      await playground.server({ model: "thread-pool", poolSize: 2, requests: 20, ioMs: 5, cpuMs: 1, clients: 4 });
      await playground.sweep({ mode: "processes", maxWorkers: 2, tasks: 2, n: 1_000_000 });
      await playground.freeze({ where: "worker" });
    });
    assert.deepEqual(noise, []);
    assert.deepEqual(session.problems, []);
  } finally {
    await session.close();
  }
});
