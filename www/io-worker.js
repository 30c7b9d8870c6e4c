// One download thread for the downloads demo's "threads" mode: a dedicated worker with its own
// instance of the Rust module, downloading one file at a time with the same `downloadFiles` the
// page uses, exactly like a Python thread running `urlopen` in a loop.
let current = null;
/** The chosen build's `downloadFiles` (the page says which build in "start"). */
let downloadFiles = null;

onmessage = async ({ data }) => {
  if (data.type === "start") {
    const wasm = await import(data.glue);
    await wasm.default({ module_or_path: data.module });
    downloadFiles = wasm.downloadFiles;
    postMessage({ type: "ready" });
  } else if (data.type === "download") {
    current = new AbortController();
    const forward = (event) => postMessage({ type: "event", event: { ...event, index: data.index } });
    try {
      const [result] = await downloadFiles([data.file], "sequential", undefined, data.originMs, data.timeoutMs, current.signal, forward);
      postMessage({ type: "result", result: { ...result, index: data.index } });
    } catch (error) {
      postMessage({ type: "failed", index: data.index, message: String(error?.message ?? error) });
    } finally {
      current = null;
    }
  } else if (data.type === "cancel") {
    current?.abort();
  }
};
