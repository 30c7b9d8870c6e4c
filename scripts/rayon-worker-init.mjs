// Trunk post_build hook: wasm-bindgen-rayon 1.3.0's no-bundler worker starts each pool thread with
// `init(module, memory)`, the form wasm-bindgen deprecated in 0.2.93, so every pool thread printed
// "using deprecated parameters for the initialization function; pass a single object instead".
// The bundler variant of that file was fixed upstream (RReverser/wasm-bindgen-rayon#13); this hook
// gives the no-bundler copy in our build the same one-object call. It fails the build if the file
// changes shape, so an upgrade of the crate cannot silently drop (or double) the fix.
//
// Second fix, same file: each pool thread's script was fetched with `fetch(import.meta.url)` and started
// from a blob URL (upstream's way to start workers from a script hosted on another origin; ours is
// always the page's own). In Firefox (esr 153) those fetches in the process worker could stall for
// good: one thread's response body never finished and the other's fetch never answered (seen on a
// loaded machine with `cache: "no-store"` too), so the process sat in "starting its threads" until
// the page's 30 s start deadline: the thread-count check failed and the fuzz test's starts timed out
// (FUZZ_SEED=1856 PLAYGROUND_ENGINE=firefox failed every time). The pool thread now starts straight
// from the script's own URL, loaded by the browser's worker loader: no fetch of ours to stall.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!staging) {
  console.error("usage: node scripts/rayon-worker-init.mjs <output dir> (trunk sets TRUNK_STAGING_DIR)");
  process.exit(2);
}
const OLD_CALL = "await pkg.default(data.module, data.memory);";
const NEW_CALL = "await pkg.default({ module_or_path: data.module, memory: data.memory });";
// Two lines (the file has CRLF line ends): the fetch, then the blob URL.
const OLD_FETCH = "let scriptBlob = await fetch(import.meta.url).then(r => r.blob());";
const NEW_FETCH = "const url = import.meta.url; // the pool thread starts from this script's own URL (no fetch, no blob)";
const OLD_BLOB_URL = "let url = URL.createObjectURL(scriptBlob);";

const snippets = join(staging, "snippets");
const folders = (await readdir(snippets).catch(() => [])).filter((name) => name.startsWith("wasm-bindgen-rayon-"));
if (folders.length === 0) {
  console.error(`rayon-worker-init: no wasm-bindgen-rayon snippet under ${snippets}`);
  process.exit(1);
}
for (const folder of folders) {
  const file = join(snippets, folder, "src", "workerHelpers.no-bundler.js");
  let source = await readFile(file, "utf8");
  for (const [before, after, what] of [
    [OLD_CALL, NEW_CALL, "initialises with one options object"],
    [OLD_FETCH, NEW_FETCH, "starts each pool thread from the script's own URL"],
    [OLD_BLOB_URL, "", "makes no blob URL for a pool thread"],
  ]) {
    if (after ? source.includes(after) : !source.includes(before) && source.includes(NEW_FETCH)) continue;
    if (source.split(before).length !== 2) {
      console.error(`rayon-worker-init: ${file} no longer has exactly one \`${before}\`; check the crate's new version`);
      process.exit(1);
    }
    source = source.replace(before, after);
    console.log(`rayon-worker-init: ${file} now ${what}`);
  }
  await writeFile(file, source);
}
