// The code panes, in the page's own browser, against the files in this repository: the page fetches
// each shown source from its build (scripts/copy-sources.mjs, www/kit.js showSource), so what a learner
// reads must be, byte for byte, the file on disk, and a caption that names files must name the ones shown.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openPage, readyPlayground, sessionForFile } from "./browser.mjs";
import { DIST, serveStatic } from "./server.mjs";

const repository = new URL("../../", import.meta.url);
const onDisk = (path) => readFileSync(new URL(path, repository), "utf8");
/** A pane of several files shows each under a `// path` line, one after another. */
const expectedText = (paths) => (paths.length === 1 ? onDisk(paths[0]) : paths.map((path) => `// ${path}\n\n${onDisk(path)}`).join("\n"));
// The lab's freeze pane shows one call Rust formats (labConstants().freezeCall), not a file.
const NOT_A_FILE = new Set(["lab-freeze-rust"]);

/** Each code pane: its id, the paths it says it shows, its text, and the files its caption names. */
async function readPanes(page) {
  // The fetches run after load; every file pane has its text (or its error) once all are settled.
  await page.waitForFunction(() =>
    [...document.querySelectorAll("pre > code[data-source]")].every((pane) => pane.textContent !== ""),
  );
  return page.evaluate(() =>
    [...document.querySelectorAll("figure pre > code")].map((pane) => ({
      id: pane.id,
      source: pane.dataset.source ?? null,
      text: pane.textContent,
      isError: pane.classList.contains("error"),
      // Files a caption names in <code>, in its order (the Python captions name none).
      named: [...pane.closest("figure").querySelectorAll("figcaption code")]
        .map((code) => code.textContent)
        .filter((name) => /^(src|bench)\/.*\.(rs|py)$/.test(name)),
    })),
  );
}

function assertShownAsOnDisk(pane) {
  assert.equal(pane.isError, false, `#${pane.id}: ${pane.text}`);
  const paths = pane.source.split(" ");
  assert.ok(pane.text === expectedText(paths), `#${pane.id} does not show ${paths.join(" + ")} as it is on disk`);
  if (pane.named.length > 0) assert.deepEqual(paths, pane.named, `#${pane.id}: its caption names other files`);
}

let session;
sessionForFile(readyPlayground, (ready) => (session = ready));

describe("code panes", () => {
  test("every code pane shows its files exactly as they are in the repository", async () => {
    const filePanes = (await readPanes(session.page)).filter((pane) => !NOT_A_FILE.has(pane.id));
    assert.ok(filePanes.length >= 14, `only ${filePanes.length} code panes found`);
    for (const pane of filePanes) {
      assert.ok(pane.source, `#${pane.id} names no source`);
      assertShownAsOnDisk(pane);
    }
  });

  test("the build without threads shows the same files (the server lab, which needs threads, shows none)", async () => {
    const server = await serveStatic(DIST, { isolation: false });
    try {
      // No headers and no service worker: the page cannot be isolated and loads the fallback build.
      const { page, problems } = await openPage(session.browser, `${server.url}?sw=off`);
      await page.evaluate(() => playground.ready);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      const shown = (await readPanes(page)).filter((pane) => pane.source !== null);
      assert.ok(shown.length >= 12, `only ${shown.length} code panes show a file`);
      for (const pane of shown) assertShownAsOnDisk(pane);
      assert.deepEqual(problems, []);
    } finally {
      await server.close();
    }
  });
});
