// Trunk post_build hook: wasm-bindgen-rayon 1.3.0's no-bundler worker starts each pool thread with
// `init(module, memory)`, the form wasm-bindgen deprecated in 0.2.93, so every pool thread printed
// "using deprecated parameters for the initialization function; pass a single object instead".
// The bundler variant of that file was fixed upstream (RReverser/wasm-bindgen-rayon#13); this hook
// gives the no-bundler copy in our build the same one-object call. It fails the build if the file
// changes shape, so an upgrade of the crate cannot silently drop (or double) the fix.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!staging) {
  console.error("usage: node scripts/rayon-worker-init.mjs <output dir> (trunk sets TRUNK_STAGING_DIR)");
  process.exit(2);
}
const OLD_CALL = "await pkg.default(data.module, data.memory);";
const NEW_CALL = "await pkg.default({ module_or_path: data.module, memory: data.memory });";

const snippets = join(staging, "snippets");
const folders = (await readdir(snippets).catch(() => [])).filter((name) => name.startsWith("wasm-bindgen-rayon-"));
if (folders.length === 0) {
  console.error(`rayon-worker-init: no wasm-bindgen-rayon snippet under ${snippets}`);
  process.exit(1);
}
for (const folder of folders) {
  const file = join(snippets, folder, "src", "workerHelpers.no-bundler.js");
  const source = await readFile(file, "utf8");
  if (source.includes(NEW_CALL)) continue;
  if (source.split(OLD_CALL).length !== 2) {
    console.error(`rayon-worker-init: ${file} no longer has exactly one \`${OLD_CALL}\`; check the crate's new version`);
    process.exit(1);
  }
  await writeFile(file, source.replace(OLD_CALL, NEW_CALL));
  console.log(`rayon-worker-init: ${file} now initialises with one options object`);
}
