// Copies the sources the page shows in its code panes into the build (trunk runs this as a post_build
// hook): every `src/**/*.rs` and `bench/seed_*.py`, at the same relative path below `sources/`. The
// page fetches them from there (www/kit.js showSource) rather than carrying ~70 KB of text inside the
// wasm; which file is shown where is written once, in Rust (src/web/). Copying them all keeps this
// script free of a second list.
import { cp, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The shown files, as paths relative to the repository root. */
async function shownFiles() {
  const entries = await readdir(join(root, "src"), { recursive: true, withFileTypes: true });
  const rust = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".rs"))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(root.length));
  const python = (await readdir(join(root, "bench"))).filter((name) => /^seed_.*\.py$/.test(name)).map((name) => `bench/${name}`);
  return [...rust, ...python].sort();
}

const staging = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!staging) {
  console.error("usage: node scripts/copy-sources.mjs <output dir> (trunk sets TRUNK_STAGING_DIR)");
  process.exit(2);
}
const files = await shownFiles();
for (const file of files) await cp(join(root, file), join(staging, "sources", file));
console.log(`copy-sources: ${files.length} files in ${join(staging, "sources")}`);
