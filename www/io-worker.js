// One download thread for the downloads demo's "threads" mode: a dedicated worker with its own
// instance of the Rust module, downloading one file at a time with the same `downloadFiles` the
// page uses, exactly like a Python thread running `urlopen` in a loop.
//
// Messages in: { type: "start", module, glue } → { type: "ready" } or { type: "start-failed", message };
// { type: "download", file, index, originMs, timeoutMs } → { type: "event", event }…, then
// { type: "result", result } or { type: "failed", index, message }; { type: "cancel" };
// { type: "ping" } → { type: "pong" } (the page's watchdog, www/watchdog.js: fetching leaves this
// thread's event loop free, so a thread that does not answer has died or is stuck).
let current = null;
/** The chosen build's `downloadFiles` (the page says which build in "start"). */
let downloadFiles = null;

onmessage = async ({ data }) => {
  if (data.type === "ping") {
    postMessage({ type: "pong" });
  } else if (data.type === "start") {
    try {
      const wasm = await import(data.glue);
      await wasm.default({ module_or_path: data.module });
      downloadFiles = wasm.downloadFiles;
      postMessage({ type: "ready" });
    } catch (error) {
      postMessage({ type: "start-failed", message: String(error?.message ?? error) });
    }
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
