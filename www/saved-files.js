// Where downloaded files are kept: this site's Origin Private File System (OPFS), folder "downloads".
// The Rust download writes each file there chunk by chunk as it arrives and records its SHA-256
// (computed while the bytes streamed in) beside it in "downloads/.index/<name>.json". Listing reads
// only those small records and each file's size and date — never a file's bytes — so a large saved
// file costs the listing nothing; a file without a current record is listed as "not checked".

const FOLDER = "downloads";
const RECORDS = ".index";

export class SavedFiles {
  /** `recordedHash(record, bytes, lastModified)`: the record's SHA-256 if it is still this file's. */
  constructor(recordedHash) {
    this.recordedHash = recordedHash;
    /** Why files cannot be saved here, for the page; null once `probe()` found the file system usable. */
    this.refusal = "the private file system was not checked yet";
  }

  /**
   * Finds out whether this page may save files: the browser must offer a writable OPFS, and grant it to
   * this page (a frame of another site is refused it where third-party storage is blocked).
   */
  async probe() {
    if (!navigator.storage?.getDirectory || !("createWritable" in (globalThis.FileSystemFileHandle?.prototype ?? {}))) {
      this.refusal = "this browser cannot save to its private file system";
      return;
    }
    try {
      await navigator.storage.getDirectory();
      this.refusal = null;
    } catch (error) {
      this.refusal = `this browser refuses this page its private file system (${error.message.replace(/\.$/, "")})`;
    }
  }

  /** Whether files can be saved here (after `probe()`). */
  get supported() {
    return this.refusal === null;
  }

  async #folder() {
    const root = await navigator.storage.getDirectory();
    return root.getDirectoryHandle(FOLDER, { create: true });
  }

  /** Every stored file: [{ name, url, bytes, sha256 (null: not checked), file }], by name. */
  async list() {
    const folder = await this.#folder();
    const records = await folder.getDirectoryHandle(RECORDS, { create: true });
    const files = [];
    for await (const handle of folder.values()) {
      if (handle.kind !== "file") continue;
      // A File is a snapshot of the file's metadata; its bytes are read only if someone reads it.
      const file = await handle.getFile();
      const record = await readRecord(records, handle.name);
      const sha256 = record ? (this.recordedHash(record, file.size, file.lastModified) ?? null) : null;
      files.push({ name: handle.name, url: typeof record?.url === "string" ? record.url : null, bytes: file.size, sha256, file });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  }

  async clear() {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(FOLDER, { recursive: true }).catch((error) => {
      if (error.name !== "NotFoundError") throw error;
    });
  }
}

/** The record kept beside `name`, or null when there is none or it is not JSON (then: not checked). */
async function readRecord(records, name) {
  try {
    const handle = await records.getFileHandle(`${name}.json`);
    return JSON.parse(await (await handle.getFile()).text());
  } catch {
    return null;
  }
}
