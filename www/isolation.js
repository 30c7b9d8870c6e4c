// Cross-origin isolation and the playground's service worker (www/sw.js), seen from the page.
//
// Threads need a cross-origin isolated page. A host that sends COOP/COEP itself needs nothing from
// here. A host that cannot (GitHub Pages and the like) gets the headers from the service worker: the
// first visit registers it and reloads once. Anything that goes wrong on that way (no service worker
// in this browser or frame, storage refused, sw.js missing on the host) ends in the build without
// threads with the reason on screen, never in a broken page or a reload loop.
//
// The same worker simulates network conditions for the downloads demo's sample files; it is
// registered for that only when a simulated run starts (it claims the open page: no reload).
//
// `?sw=off` removes the worker (and reloads once if it controlled the page); the fallback banner
// offers the same as a button.

const SERVICE_WORKER = new URL("../sw.js", import.meta.url);
/** The worker's scope: the folder it sits in, the playground's root. */
const SCOPE = new URL("./", SERVICE_WORKER).href;
/** Set for the one reload that lets the service worker isolate the page: never a reload loop. */
const RELOADED_FOR_ISOLATION = "playground:reloaded-for-isolation";
/** Set for the one reload that `?sw=off` makes after removing the worker that controlled the page. */
const RELOADED_WITHOUT_WORKER = "playground:reloaded-without-service-worker";
/** How long registering and activating the worker may take before the page goes on without it. */
const START_TIMEOUT_MS = 10_000;
/**
 * The same for a simulated downloads run. A person is waiting, and the page says so meanwhile; but a
 * browser's first service worker on a fresh profile sets up its storage first, which took over 5 s
 * on a busy machine, so the wait is generous rather than a false failure.
 */
const SIMULATOR_TIMEOUT_MS = 20_000;

const never = () => new Promise(() => {});

/** `navigator.serviceWorker`, or null where the browser withholds it (insecure page, sandboxed frame, some private windows). */
function serviceWorkers() {
  try {
    // Reading the property itself throws in some frames ("Access to service workers is denied…").
    return window.isSecureContext ? (navigator.serviceWorker ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * This tab's session storage, read and written without throwing: a third-party iframe may be refused
 * it ("Failed to read the 'sessionStorage' property from 'Window': Access is denied for this document").
 * `read` gives null when the storage is refused, so a caller can tell "unset" (false) from "unknown".
 */
const session = {
  read(key) {
    try {
      return window.sessionStorage.getItem(key) !== null;
    } catch {
      return null;
    }
  },
  write(key) {
    try {
      window.sessionStorage.setItem(key, String(Date.now()));
      return true;
    } catch {
      return false;
    }
  },
  forget(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch {
      // Nothing stored where nothing can be stored.
    }
  },
};

/** Whether this page is inside another page's frame (a cross-origin `top` can still be compared). */
function inFrame() {
  try {
    return window.top !== window.self;
  } catch {
    return true;
  }
}

/** Whether this visit asked for no service worker (`?sw=off`). */
export function serviceWorkerSwitchedOff() {
  return new URLSearchParams(location.search).get("sw") === "off";
}

function controlledByPlayground(container) {
  return container?.controller?.scriptURL === SERVICE_WORKER.href;
}

/** The playground's registrations (its scope), or [] where they cannot be read. */
async function ownRegistrations(container) {
  try {
    return (await container.getRegistrations()).filter((registration) => registration.scope === SCOPE);
  } catch {
    return [];
  }
}

/** Removes the playground's service worker; resolves to whether there was one. */
export async function removeServiceWorker() {
  const container = serviceWorkers();
  if (!container) return false;
  const registrations = await ownRegistrations(container);
  const removed = await Promise.all(registrations.map((registration) => registration.unregister().catch(() => false)));
  return removed.some(Boolean);
}

/** Rejects with `message` unless `promise` settles within `ms`. */
function within(ms, promise, message) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * " (the host answers /sw.js with HTTP 404)" when a failed registration's message names no status and
 * the host answers the script with an error: Chromium's message has the status, WebKit's ("Script … load
 * failed") and Firefox's do not, and a missing sw.js is the usual cause on a host.
 */
async function scriptAnswer(message) {
  if (/\(\d{3}\)/.test(message)) return "";
  try {
    const response = await within(2000, fetch(SERVICE_WORKER, { cache: "no-store" }), "no answer");
    return response.ok ? "" : ` (the host answers ${SERVICE_WORKER.pathname} with HTTP ${response.status})`;
  } catch {
    return "";
  }
}

/** The registration's newest worker once it is activated. */
function activated(registration) {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (!worker) return Promise.reject(new Error("the browser registered the service worker but started none"));
  if (worker.state === "activated") return Promise.resolve(worker);
  return new Promise((resolve, reject) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve(worker);
      else if (worker.state === "redundant") reject(new Error("the service worker failed to install"));
    });
  });
}

/**
 * Whether this page has the shared memory threads need. An isolated page normally does, but WebKitGTK
 * withholds `SharedArrayBuffer` from isolated pages unless JavaScriptCore's option
 * `JSC_useSharedArrayBuffer=1` is set in its environment (Safari enables it for isolated pages).
 */
function hasSharedMemory() {
  return typeof SharedArrayBuffer === "function";
}

/** Why threads are off on a page that IS cross-origin isolated: the browser itself withholds shared memory. */
export const SHARED_MEMORY_WITHHELD =
  "this browser withholds SharedArrayBuffer (the shared memory threads need) although the page is cross-origin isolated: its headers are fine.";

/**
 * Makes the page cross-origin isolated if it can. Resolves to `{ isolated, sharedMemory, reason, switchedOff }`:
 * `reason` says in one line why the page is not isolated, when that is something a reader can act on
 * (null when the page is isolated, or is an iframe that no header could isolate). `sharedMemory` says
 * whether `SharedArrayBuffer` exists (false on an isolated page too in WebKitGTK without its option).
 * Never resolves while the page reloads. `say(text)` shows a status line.
 */
export async function becomeIsolated(say) {
  const isolation = await isolate(say);
  return { ...isolation, sharedMemory: hasSharedMemory() };
}

async function isolate(say) {
  const container = serviceWorkers();
  if (serviceWorkerSwitchedOff()) return switchOff(container, say);
  session.forget(RELOADED_WITHOUT_WORKER);
  if (window.crossOriginIsolated) {
    session.forget(RELOADED_FOR_ISOLATION);
    if (controlledByPlayground(container)) removeIfGoneFromHost();
    return { isolated: true, reason: null, switchedOff: false };
  }
  const notIsolated = (reason) => ({ isolated: false, reason, switchedOff: false });
  // A frame that is not isolated stays so whatever this page does: either its embedder is not isolated
  // or withholds allow="cross-origin-isolated", or this document came without the headers, and then
  // an isolated embedder's own Cross-Origin-Embedder-Policy would have refused to load it at all. So
  // no reload. (Chromium's document.featurePolicy could tell the missing allow alone; Firefox and
  // Safari have no such call, and the frame never needs it.)
  if (inFrame()) return notIsolated(null);
  if (!container)
    return notIsolated("the host sends no cross-origin isolation headers, and this browser offers no service worker here to add them (a private window, or a page not served over https or localhost).");
  const reloaded = session.read(RELOADED_FOR_ISOLATION);
  if (reloaded === null)
    return notIsolated("the browser refuses this page its session storage, which the one reload that isolates the page needs (so it does not reload at all).");
  if (reloaded)
    return notIsolated("the page reloaded once so the service worker could add the isolation headers, and is still not isolated.");
  try {
    const registration = await within(START_TIMEOUT_MS, container.register(SERVICE_WORKER), `registering sw.js took over ${START_TIMEOUT_MS / 1000} s`);
    await within(START_TIMEOUT_MS, activated(registration), `sw.js did not start within ${START_TIMEOUT_MS / 1000} s`);
  } catch (error) {
    return notIsolated(`the host sends no cross-origin isolation headers, and the service worker that would add them could not start: ${error.message}${await scriptAnswer(error.message)}`);
  }
  if (!session.write(RELOADED_FOR_ISOLATION)) return notIsolated("the browser refuses this page its session storage, which the one reload that isolates the page needs.");
  say("Reloading once so the page can use threads…");
  location.reload();
  return never();
}

/** `?sw=off`: removes the worker; reloads once if it controlled this page, so the page loads without it. */
async function switchOff(container, say) {
  const removed = container ? await removeServiceWorker() : false;
  if (removed && container.controller && session.read(RELOADED_WITHOUT_WORKER) === false && session.write(RELOADED_WITHOUT_WORKER)) {
    say("Removed the playground's service worker; reloading once without it…");
    location.reload();
    return never();
  }
  const isolated = window.crossOriginIsolated;
  return { isolated, reason: isolated ? null : "the playground's service worker is switched off for this visit (?sw=off).", switchedOff: true };
}

/**
 * A page isolated by the worker whose sw.js the host no longer serves: remove the worker, so it does
 * not go on adding headers for a site that dropped it. This visit stays as it is; the next one loads
 * as the host serves it. Runs in the background: nothing waits for it.
 */
function removeIfGoneFromHost() {
  fetch(SERVICE_WORKER, { cache: "no-store" })
    .then(async (response) => {
      if (response.status === 404 || response.status === 410) {
        await removeServiceWorker();
        console.info(`The host no longer serves ${SERVICE_WORKER.pathname} (HTTP ${response.status}): its service worker was removed.`);
      }
    })
    .catch(() => {
      // Offline, say: nothing is known about the host, so nothing changes.
    });
}

/**
 * Why the simulated network (the service worker) cannot run on this page, in words for the reader,
 * or null when it can. Known at once, before any run: `?sw=off`, no service worker offered here, or
 * storage refused, which in a frame of another site means service workers are refused too (the
 * browser's "block third-party cookies" covers both).
 */
export function simulatedNetworkRefusal() {
  if (serviceWorkerSwitchedOff()) return "?sw=off switched off the service worker it needs";
  if (!serviceWorkers()) return "this browser offers no service worker here, which it needs";
  if (storageRefused()) return "this browser keeps storage and service workers from this page (third-party storage blocked)";
  return null;
}

/**
 * Whether the browser refuses this page its storage. Asked of the two storages with a synchronous,
 * silent answer: Firefox still gives a blocked third-party frame its session storage but not its local
 * storage, and logs every refused service-worker call as an error even when the page handles it.
 */
function storageRefused() {
  try {
    void window.localStorage.length;
    void window.sessionStorage.length;
    return false;
  } catch {
    return true;
  }
}

/**
 * Fills the banner that says what is off on this page, for two audiences: one short line for the
 * reader (what is off, and that the rest works), and behind "Why?" the reasons and what the page's
 * author or host can change. `threadsOff`: the page runs the build without threads; `networkOff`:
 * `simulatedNetworkRefusal()`. While the playground's service worker is registered on a page without
 * threads, "Why?" also offers a button that removes it.
 */
export function explainWhatIsOff(banner, { isolation, threadsOff, networkOff }) {
  if (!threadsOff && !networkOff) return;
  banner.hidden = false;
  banner.replaceChildren();
  const embedded = inFrame();
  const off = [threadsOff && "Threads", networkOff && (threadsOff ? "the simulated network" : "The simulated network")].filter(Boolean);
  const works = threadsOff ? "sequential runs, processes and downloads work" : "everything else works";
  const line = document.createElement("span");
  line.className = "banner-line";
  line.textContent = `${off.join(" and ")} ${threadsOff ? "are" : "is"} off ${embedded ? "in this embed" : "on this page"}; ${works}.`;
  banner.append(line);
  if (isolation.switchedOff) {
    const again = new URL(location.href);
    again.searchParams.delete("sw");
    const link = document.createElement("a");
    link.href = again.href;
    link.textContent = "Use the service worker again";
    banner.append(" ", link);
  }
  const why = document.createElement("details");
  why.className = "banner-why";
  const summary = document.createElement("summary");
  summary.textContent = "Why?";
  why.append(summary);
  const say = (text) => why.append(Object.assign(document.createElement("p"), { textContent: text }));
  if (threadsOff) say(threadsReason(isolation, embedded));
  if (networkOff)
    say(
      `The simulated network is off: ${networkOff}. Downloads still run, over the real network at its real speed; ` +
        "in a frame of another site, a browser that blocks third-party storage also keeps downloaded files in memory rather than in its private file system.",
    );
  banner.append(" ", why);
  const container = serviceWorkers();
  // Where storage is refused no worker can be registered, and asking would log an error (Firefox).
  if (!threadsOff || isolation.switchedOff || !container || storageRefused()) return;
  ownRegistrations(container).then((registrations) => {
    if (!registrations.length && !controlledByPlayground(container)) return;
    const button = document.createElement("button");
    button.type = "button";
    button.id = "env-remove-sw";
    button.textContent = "Remove the playground's service worker";
    button.addEventListener("click", async () => {
      button.disabled = true;
      await removeServiceWorker();
      const off = new URL(location.href);
      off.searchParams.set("sw", "off");
      location.replace(off.href);
    });
    banner.append(" ", button);
  });
}

/** Why threads are off, and what the host or the embedding page can do: the "Why?" of the banner. */
function threadsReason(isolation, embedded) {
  if (isolation.isolated)
    return (
      `Threads are off: ${SHARED_MEMORY_WITHHELD} Nothing on the host needs changing: a browser that gives isolated pages shared memory ` +
      "(Chromium, Firefox, Safari) runs the threads here; WebKitGTK does with JavaScriptCore's option JSC_useSharedArrayBuffer=1 in its environment."
    );
  if (isolation.reason)
    return (
      `Threads are off: ${isolation.reason} To run threads, serve the page with Cross-Origin-Opener-Policy: same-origin and ` +
      "Cross-Origin-Embedder-Policy: require-corp (see the README's Deploying)."
    );
  return (
    `Threads are off: ${embedded ? "the page around this embed is" : "this page is"} not cross-origin isolated, so the browser withholds the shared memory ` +
    "threads need. To run threads, open the playground in its own tab. A page that embeds it can allow threads by serving itself with " +
    "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp and giving the iframe allow=\"cross-origin-isolated\" " +
    "(the playground's host must send those headers too: an isolated page loads no frame without them)."
  );
}

/**
 * Makes sure the simulated network (the service worker) controls this page before a simulated run:
 * registers the worker if needed and lets it claim the page. Rejects with a message for the reader.
 */
export async function simulatedNetworkReady() {
  if (serviceWorkerSwitchedOff())
    throw new Error('The simulated network needs the playground\'s service worker, which ?sw=off switched off for this visit. Choose the network "none", or open the page without ?sw=off.');
  const container = serviceWorkers();
  if (!container)
    throw new Error('The simulated network needs a service worker, which this browser does not offer here (a private window?). Choose "none".');
  if (controlledByPlayground(container)) return;
  const controlled = new Promise((resolve) => container.addEventListener("controllerchange", resolve, { once: true }));
  const start = async () => {
    let worker;
    try {
      worker = await activated(await container.register(SERVICE_WORKER));
    } catch (error) {
      throw new Error(`The simulated network needs the playground's service worker, which could not start: ${error.message} Choose "none".`);
    }
    // A fresh worker claims the page when it activates; one that was already active is asked to.
    if (!controlledByPlayground(container)) worker.postMessage("claim");
    if (!controlledByPlayground(container)) await controlled;
    if (!controlledByPlayground(container)) throw new Error('Another service worker controls this page, so the simulated network cannot run here. Choose "none".');
  };
  await within(SIMULATOR_TIMEOUT_MS, start(), `The simulated network's service worker did not start within ${SIMULATOR_TIMEOUT_MS / 1000} s; reload the page or choose "none".`);
}
