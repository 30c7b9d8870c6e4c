// The code panes, in the page's own browser, against the files in this repository: the page fetches
// each shown source from its build (scripts/copy-sources.mjs, www/kit.js showSource), so what a learner
// reads must be, byte for byte, the file on disk, and a caption that names files must name the ones shown.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readyPlayground, sessionForFile } from "./browser.mjs";

const repository = new URL("../../", import.meta.url);
const onDisk = (path) => readFileSync(new URL(path, repository), "utf8");
/** A pane of several files shows each under a `// path` line, one after another. */
const expectedText = (paths) => (paths.length === 1 ? onDisk(paths[0]) : paths.map((path) => `// ${path}\n\n${onDisk(path)}`).join("\n"));
// The lab's freeze pane shows one call Rust formats (labConstants().freezeCall), not a file.
const NOT_A_FILE = new Set(["lab-freeze-rust"]);

let page;
sessionForFile(readyPlayground, (session) => ({ page } = session));

describe("code panes", () => {
  test("every code pane shows its files exactly as they are in the repository", async () => {
    // The fetches run after load; every file pane has its text (or its error) once all are settled.
    await page.waitForFunction(() =>
      [...document.querySelectorAll("pre > code[data-source]")].every((pane) => pane.textContent !== ""),
    );
    const panes = await page.evaluate(() =>
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
    const filePanes = panes.filter((pane) => !NOT_A_FILE.has(pane.id));
    assert.ok(filePanes.length >= 14, `only ${filePanes.length} code panes found`);
    for (const pane of filePanes) {
      assert.ok(pane.source, `#${pane.id} names no source`);
      assert.equal(pane.isError, false, `#${pane.id}: ${pane.text}`);
      const paths = pane.source.split(" ");
      assert.ok(pane.text === expectedText(paths), `#${pane.id} does not show ${paths.join(" + ")} as it is on disk`);
      if (pane.named.length > 0) assert.deepEqual(paths, pane.named, `#${pane.id}: its caption names other files`);
    }
  });
});
