// Where downloaded files are kept: this site's Origin Private File System (OPFS), folder "downloads".
// The listing re-reads every stored file and hashes it with the page's Rust, so what it shows is what
// is really on disk.

const FOLDER = "downloads";

export class SavedFiles {
  constructor(sha256Hex) {
    this.sha256Hex = sha256Hex;
    // name → { bytes, lastModified, sha256 }: an unchanged file is not hashed again on every listing.
    this.hashes = new Map();
  }

  /** Whether this browser offers a writable OPFS to pages. */
  get supported() {
    return Boolean(navigator.storage?.getDirectory) && "createWritable" in (globalThis.FileSystemFileHandle?.prototype ?? {});
  }

  async #folder() {
    const root = await navigator.storage.getDirectory();
    return root.getDirectoryHandle(FOLDER, { create: true });
  }

  /** Stores `blob` as `name` (replacing a file of that name); resolves to the name used. */
  async save(name, blob) {
    const folder = await this.#folder();
    const handle = await folder.getFileHandle(name, { create: true });
    const writable = await handle.createWritable();
    try {
      await writable.write(blob);
    } finally {
      await writable.close();
    }
    return name;
  }

  /** Every stored file: [{ name, bytes, sha256, file }], by name. */
  async list() {
    const folder = await this.#folder();
    const files = [];
    for await (const handle of folder.values()) {
      if (handle.kind !== "file") continue;
      const file = await handle.getFile();
      const known = this.hashes.get(handle.name);
      const unchanged = known && known.bytes === file.size && known.lastModified === file.lastModified;
      const sha256 = unchanged ? known.sha256 : this.sha256Hex(new Uint8Array(await file.arrayBuffer()));
      this.hashes.set(handle.name, { bytes: file.size, lastModified: file.lastModified, sha256 });
      files.push({ name: handle.name, bytes: file.size, sha256, file });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  async clear() {
    this.hashes.clear();
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(FOLDER, { recursive: true }).catch((error) => {
      if (error.name !== "NotFoundError") throw error;
    });
  }
}

/** A safe file name for a URL: its last path segment, or "download", made unique among `taken`. */
export function fileNameFor(url, taken) {
  let base = "download";
  try {
    const last = new URL(url).pathname.split("/").filter(Boolean).pop();
    if (last) base = decodeURIComponent(last);
  } catch {
    // Keep the default name.
  }
  base = base.replace(/[^\w.\-]+/g, "_").replace(/^\.+/, "").slice(0, 80) || "download";
  let name = base;
  for (let copy = 2; taken.has(name); copy++) {
    const dot = base.lastIndexOf(".");
    name = dot > 0 ? `${base.slice(0, dot)}-${copy}${base.slice(dot)}` : `${base}-${copy}`;
  }
  taken.add(name);
  return name;
}
