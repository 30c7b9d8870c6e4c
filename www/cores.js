// How many threads the page offers by default. `navigator.hardwareConcurrency` is only a hint (WebKit
// reported 4 on a 2-core machine, where 4 threads ran slower than 2): it stays the upper limit, and the
// default is what a short check in the threaded process found to run at full speed (src/exec/calibrate.rs).
// The check runs once per visit; its answer is kept in the tab's session storage when the browser allows.

const STORAGE_KEY = "playground:cores";

const plural = (count, word, many = `${word}s`) => `${count} ${count === 1 ? word : many}`;

/** The check's answer kept from earlier in this visit, if it was for the same reported count. */
function remembered(reported) {
  try {
    const kept = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "null");
    const whole = (x) => Number.isInteger(x) && x >= 1;
    if (kept?.reported === reported && whole(kept.measured) && kept.measured <= reported && Number.isFinite(kept.checkMs))
      return { reported, measured: kept.measured, checkMs: kept.checkMs, wallMs: Array.isArray(kept.wallMs) ? kept.wallMs : null, remembered: true };
  } catch {
    // Storage refused (a third-party iframe) or unreadable: check again.
  }
  return null;
}

function remember(cores) {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ reported: cores.reported, measured: cores.measured, checkMs: cores.checkMs, wallMs: cores.wallMs }));
  } catch {
    // Storage refused: the next load of this tab checks again (a few tens of milliseconds).
  }
}

/**
 * `{ reported, measured, checkMs, wallMs, defaultThreads, note }`: `wallMs[k - 1]` is how long k equal
 * chunks started together took; `measured` is null where nothing could be
 * measured (the build without threads, or a check that failed: `note` says which).
 * `runtime.processWith(reported)` hosts the check; the caller then keeps the process it needs.
 */
export async function threadsAtFullSpeed(runtime, reported, hasThreads) {
  if (!hasThreads) return describe({ reported, measured: null, checkMs: null, failure: null });
  const kept = remembered(reported);
  if (kept) return describe(kept);
  try {
    const process = await runtime.processWith(reported);
    const found = await process.calibrate(reported);
    const cores = { reported, measured: found.threads, checkMs: found.checkMs, wallMs: found.wallMs };
    remember(cores);
    return describe(cores);
  } catch (error) {
    return describe({ reported, measured: null, checkMs: null, failure: error?.message ?? String(error) });
  }
}

function describe({ reported, measured, checkMs, wallMs = null, remembered = false, failure = null }) {
  const logical = `the browser reports ${plural(reported, "logical core")}`;
  let note;
  if (measured !== null) {
    const check = `${remembered ? "earlier in this visit, " : ""}in a ${Math.max(1, Math.round(checkMs))} ms check`;
    note = `${plural(measured, "thread")} by default: this device ran ${measured} at full speed ${check}; ${logical}.`;
  } else if (failure !== null) {
    note = `${plural(reported, "thread")} by default, as many as ${logical}: the check of how many run at full speed failed (${failure}).`;
  } else {
    note = `${plural(reported, "process", "processes")} by default: ${logical} (without threads nothing was measured).`;
  }
  return { reported, measured, checkMs, wallMs, defaultThreads: measured ?? reported, note };
}

/** A short note when `threads` is more than run at full speed here, or "" when it is not. */
export function oversubscription(threads, cores) {
  if (cores.measured === null || !(threads > cores.measured)) return "";
  return `${plural(threads, "thread")} on a device that ran ${cores.measured} at full speed: they take turns on its cores (oversubscribed), so expect no gain over ${cores.measured}.`;
}
