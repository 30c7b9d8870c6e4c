// Writes the downloads demo's sample files and their manifest into the build (trunk runs this as a
// post_build hook), so the repository holds no binary blobs. The bytes are deterministic: every build
// publishes the same files, and `sha256sum -c SHA256SUMS` in dist/samples/ checks them.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// 50 KB to 4 MB: small files where latency dominates, large ones where bandwidth does.
const SIZES_KB = [48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 2048, 4096];

/** Pseudo-random bytes (xorshift32), incompressible, so no server's gzip hides the transfer time. */
function sampleBytes(length, seed) {
  const words = new Uint32Array(Math.ceil(length / 4));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    words[i] = state;
  }
  return new Uint8Array(words.buffer, 0, length);
}

const label = (kb) => (kb >= 1024 ? `${kb / 1024}MB` : `${kb}KB`);

export async function makeSamples(directory) {
  await mkdir(directory, { recursive: true });
  const files = [];
  for (const [index, kb] of SIZES_KB.entries()) {
    const name = `sample-${String(index + 1).padStart(2, "0")}-${label(kb)}.bin`;
    const bytes = sampleBytes(kb * 1024, 0x9e3779b9 + index);
    await writeFile(join(directory, name), bytes);
    files.push({ name, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
  }
  const manifest = { about: "Sample files for the downloads demo; scripts/make-samples.mjs writes them.", files };
  await writeFile(join(directory, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  await writeFile(join(directory, "SHA256SUMS"), files.map((f) => `${f.sha256}  ${f.name}\n`).join(""));
  return files;
}

const staging = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!staging) {
  console.error("usage: node scripts/make-samples.mjs <output dir> (trunk sets TRUNK_STAGING_DIR)");
  process.exit(2);
}
const files = await makeSamples(join(staging, "samples"));
console.log(`make-samples: ${files.length} files in ${join(staging, "samples")}`);
