// WebKit for the page tests: WebKitGTK's MiniBrowser driven by Debian's WebKitWebDriver over classic
// WebDriver (plain HTTP, no npm dependency), wrapped in the part of Playwright's BrowserContext / Page /
// Frame API the tests use, with Playwright's semantics: selectors auto-wait (30 s by default, then a
// clear timeout error), `evaluate(fn, arg)` takes a function (or its source) and one serialisable
// argument and awaits a promise it returns, `page.frames()` and `page.url()` are synchronous.
//
// Why this shape:
// - WebKitWebDriver 2.50 refuses `webSocketUrl` (BiDi), and Playwright's patched WebKit cannot be
//   installed here, so classic WebDriver is all there is.
// - Classic WebDriver has no console, page-error or network events and no "add init script". The
//   page therefore records them itself: tests/page/server.mjs (in the WebKit run) puts
//   <script src="/__error-recorder.js"> first in <head> of every HTML page it serves, and that script
//   (`installRecorder` below, plus the init scripts added so far) runs before the page's own scripts,
//   on every load and reload and in iframes. The driver drains it with every script it runs and in a
//   light background poll, and emits Playwright's "console", "pageerror" and "load" events. HTTP
//   answers ≥ 400 come from the test server itself (`noteResponse`), which knows what it sent:
//   WebKit's Resource Timing has no `responseStatus`.
// - Out of reach: console messages and errors inside workers (classic WebDriver cannot enter a
//   worker), messages the browser itself logs (CSP, mixed content; a failed load is reported by the
//   element's error event or the server's status instead), pages not served by serveStatic until the
//   first command installs the recorder late (see `withRecorder` for a route's own HTML), media
//   emulation, CDP, downloads other than an <a download> of a blob: or data: URL (the recorder reads
//   those), and full-page screenshots (WebKitGTK clips even Element Screenshot of <html> to the
//   viewport, so `fullPage` shots show the viewport only).
// - Commands to the driver go through one queue (WebDriver has one current window and frame per
//   session); a long evaluation does not hold the queue: it is started in the page and polled.
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const DEFAULT_TIMEOUT = 30_000;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const RECORDER_PATH = "/__error-recorder.js";

function findMiniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  try {
    const listed = execFileSync("dpkg", ["-L", "libwebkit2gtk-4.1-0"], { encoding: "utf8" });
    const found = listed.split("\n").find((line) => line.endsWith("/MiniBrowser"));
    if (found) return found;
  } catch {
    // fall through to the message below
  }
  throw new Error("WebKit: MiniBrowser not found (install libwebkit2gtk-4.1-0, or set MINIBROWSER=/path/to/MiniBrowser)");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// What runs in the page. These functions are sent as source, so each is self-contained.

/** Playwright-like serialisation of a value crossing between Node and the page (undefined, NaN, ±Infinity, -0, BigInt, Date, RegExp, Error survive). */
function encodeValue(value, seen = new Set()) {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return { $u: 1 };
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { $n: "NaN" };
    if (value === Infinity) return { $n: "Infinity" };
    if (value === -Infinity) return { $n: "-Infinity" };
    if (Object.is(value, -0)) return { $n: "-0" };
    return value;
  }
  if (typeof value === "bigint") return { $b: String(value) };
  if (value instanceof Date) return { $d: value.getTime() };
  if (value instanceof RegExp) return { $r: [value.source, value.flags] };
  if (value instanceof Error) return { $e: { name: value.name, message: value.message, stack: value.stack } };
  if (seen.has(value)) return { $u: 1 };
  seen.add(value);
  let encoded;
  if (Array.isArray(value)) encoded = value.map((item) => encodeValue(item, seen));
  else {
    const fields = {};
    for (const key of Object.keys(value)) fields[key] = encodeValue(value[key], seen);
    encoded = { $o: fields };
  }
  seen.delete(value);
  return encoded;
}

function decodeValue(value) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  if ("$u" in value) return undefined;
  if ("$n" in value) return value.$n === "-0" ? -0 : Number(value.$n);
  if ("$b" in value) return BigInt(value.$b);
  if ("$d" in value) return new Date(value.$d);
  if ("$r" in value) return new RegExp(value.$r[0], value.$r[1]);
  if ("$e" in value) return Object.assign(new Error(value.$e.message), value.$e);
  const fields = {};
  for (const [key, item] of Object.entries(value.$o ?? {})) fields[key] = decodeValue(item);
  return fields;
}

/**
 * The error recorder: uncaught errors, unhandled rejections, console calls and failed element loads
 * of this document, kept until the driver takes them. Then the init scripts meant for this window.
 */
function installRecorder(initScripts) {
  if (window.__pgRecorder) return;
  const events = [];
  const push = (event) => {
    if (events.length < 5000) events.push(event);
  };
  const describe = (value) => {
    if (typeof value === "string") return value;
    if (value instanceof Error) return String(value);
    try {
      const json = JSON.stringify(value);
      return json === undefined ? String(value) : json;
    } catch {
      return String(value);
    }
  };
  // The caller's script: the first stack line that is not this recorder's.
  const caller = () => {
    const lines = String(new Error().stack ?? "").split("\n");
    for (const line of lines.slice(2)) {
      const match = /@?(\w+:\/\/[^\s]*?):\d+:\d+\)?$/.exec(line);
      if (match && !match[1].includes("__error-recorder")) return match[1];
    }
    return location.href;
  };
  const types = { log: "log", debug: "debug", info: "info", warn: "warning", error: "error" };
  for (const [method, type] of Object.entries(types)) {
    const original = console[method];
    console[method] = function (...args) {
      push({ kind: "console", type, text: args.map(describe).join(" "), url: caller() });
      return original.apply(this, args);
    };
  }
  addEventListener(
    "error",
    (event) => {
      if (event instanceof ErrorEvent) {
        const error = event.error;
        // The browser's own notice, not an exception: no engine's Playwright reports it as a page error.
        if (!error && /^ResizeObserver loop/.test(event.message)) return;
        push({ kind: "pageerror", name: error?.name ?? "Error", message: error?.message ?? event.message, stack: error?.stack ?? "" });
      } else if (event.target && event.target !== window) {
        const url = event.target.currentSrc || event.target.src || event.target.href || "";
        push({ kind: "console", type: "error", text: `Failed to load resource: ${url}`, url });
      }
    },
    true,
  );
  addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    const isError = reason instanceof Error;
    push({ kind: "pageerror", name: isError ? reason.name : "Error", message: isError ? reason.message : describe(reason), stack: isError ? reason.stack : "" });
  });
  // Downloads (an <a download> with a blob: or data: URL, as the page's exports make): read here and
  // handed to the driver, since WebDriver cannot see downloads; the browser's own download is skipped.
  const download = (anchor) => {
    const url = anchor.href;
    if (!anchor.hasAttribute("download") || !/^(blob|data):/.test(url)) return false;
    const name = anchor.getAttribute("download") || url.split("/").pop();
    fetch(url)
      .then((response) => response.blob())
      .then((blob) => new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result).split(",")[1] ?? "");
        reader.readAsDataURL(blob);
      }))
      .then((data) => push({ kind: "download", name, url, data }));
    return true;
  };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (!this.isConnected && download(this)) return;
    return click.call(this);
  };
  addEventListener(
    "click",
    (event) => {
      const anchor = event.target instanceof Element ? event.target.closest("a") : null;
      if (anchor && download(anchor)) event.preventDefault();
    },
    true,
  );
  window.__pgRecorder = { take: () => events.splice(0, events.length) };
  for (const { source, arg, window: only } of initScripts) {
    if (only !== null && window.name !== only) continue;
    try {
      // eslint-disable-next-line no-eval
      (0, eval)(`(${source})`)(arg);
    } catch (error) {
      push({ kind: "pageerror", name: error?.name ?? "Error", message: error?.message ?? String(error), stack: error?.stack ?? "" });
    }
  }
}

/**
 * Sent before every script: the codec, the recorder (installed late in a page the server did not
 * serve), and `__pgDrain()`, which returns this document's news: its URL, an id that changes when
 * the document does, its frame count and the recorder's events.
 */
const PRELUDE = `${encodeValue}\n${decodeValue}\n${installRecorder}
installRecorder([]);
window.__pgPending ??= new Map();
const __pgDrain = () => {
  if (!window.__pgDocument && document.readyState === "complete") window.__pgDocument = Math.random().toString(36).slice(2);
  return { url: location.href, document: window.__pgDocument ?? null, frames: window.frames.length, events: window.__pgRecorder.take() };
};
`;

/**
 * Runs `source` (a function's source, called with the decoded argument, or an expression) in the
 * current frame. A result that settles within `quickMs` comes back at once; a slower promise is
 * parked in the page under an id for `poll` to collect, so the queue stays free meanwhile.
 */
function startScript(source, id, quickMs) {
  return `${PRELUDE}
const __pgArgs = arguments;
return (async () => {
  let outcome;
  try {
    const target = (${source});
    let value = typeof target === "function" ? target(decodeValue(__pgArgs[0])) : target;
    if (value && typeof value.then === "function") {
      const settled = Promise.resolve(value).then((v) => ({ ok: encodeValue(v) }), (e) => ({ error: encodeValue(e instanceof Error ? e : new Error(String(e))) }));
      const quick = await Promise.race([settled, new Promise((r) => setTimeout(r, ${quickMs}))]);
      if (!quick) {
        window.__pgPending.set(${JSON.stringify(id)}, { done: false });
        settled.then((result) => window.__pgPending.set(${JSON.stringify(id)}, { done: true, result }));
        return { pending: true, news: __pgDrain() };
      }
      outcome = quick;
    } else outcome = { ok: encodeValue(value) };
  } catch (e) {
    outcome = { error: encodeValue(e instanceof Error ? e : new Error(String(e))) };
  }
  return { result: outcome, news: __pgDrain() };
})();`;
}

function pollScript(id) {
  return `${PRELUDE}
const entry = window.__pgPending.get(${JSON.stringify(id)});
if (entry?.done) window.__pgPending.delete(${JSON.stringify(id)});
return { entry: entry ?? null, news: __pgDrain() };`;
}

// In-page helpers for selectors, sent as part of the functions that use them.
const DOM_HELPERS = `
const visible = (el) => {
  if (!el || !el.isConnected) return false;
  const style = getComputedStyle(el);
  if (style.visibility !== "visible") return false;
  const rect = el.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0;
};
const disabled = (el) => {
  if (["BUTTON", "INPUT", "SELECT", "TEXTAREA", "OPTION", "OPTGROUP", "FIELDSET"].includes(el.tagName) && el.matches(":disabled")) return true;
  return !!el.closest('[aria-disabled="true"]');
};
`;

/** A function source `(a) => …` that waits until `body` (which sees `el` and `a`) gives a truthy value. */
const onElement = (body) => `(a) => { ${DOM_HELPERS} const el = document.querySelector(a.selector); ${body} }`;

// ---------------------------------------------------------------------------------------------
// The Node side.

const liveContexts = new Set();

/**
 * Called by tests/page/server.mjs for every answer it sends: one with status ≥ 400 to WebKit (its
 * User-Agent) becomes a Playwright "response" event on every open page, as the tests listen for them.
 */
export function noteResponse(request, response) {
  const agent = request.headers["user-agent"] ?? "";
  if (!agent.includes("AppleWebKit") || liveContexts.size === 0) return;
  response.on("finish", () => {
    if (response.statusCode < 400) return;
    const url = `http://${request.headers.host}${request.url}`;
    const status = response.statusCode;
    for (const context of liveContexts) {
      for (const page of context.pages()) page._emit("response", { status: () => status, url: () => url, ok: () => false });
    }
  });
}

/** The recorder's script as served at RECORDER_PATH: the recorder and every init script added so far. */
export function recorderScript() {
  const scripts = [...liveContexts].flatMap((context) => context._initScripts);
  return `(${installRecorder})(${JSON.stringify(scripts)});\n`;
}

/** `html` (string or Buffer) with the recorder's script tag first in its <head> (or at its very start). */
export function withRecorder(html) {
  const text = String(html);
  const tag = `<script src="${RECORDER_PATH}"></script>`;
  const head = /<head(\s[^>]*)?>/i.exec(text);
  if (head) return text.slice(0, head.index + head[0].length) + tag + text.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(text);
  return doctype ? doctype[0] + tag + text.slice(doctype[0].length) : tag + text;
}

class WebDriverError extends Error {
  constructor(command, value) {
    super(`${command}: ${value.error}: ${value.message}`);
    this.code = value.error;
  }
}

/** A WebKitWebDriver process (under its own Xvfb) and one session; commands run one at a time. */
class Driver {
  constructor(child, port, session) {
    this.child = child;
    this.base = `http://127.0.0.1:${port}/session/${session}`;
    this.queue = Promise.resolve();
    this.window = null;
    this.frame = [];
    this.closed = false;
  }

  async raw(method, path, body) {
    const response = await fetch(this.base + path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = await response.json();
    if (value && typeof value === "object" && typeof value.error === "string") throw new WebDriverError(`${method} ${path}`, value);
    return value;
  }

  /** Runs `task(driver)` alone, after switching the session to `page`'s window and `frame` (a path of indexes). */
  run(page, frame, task) {
    const job = this.queue.then(async () => {
      if (this.closed) throw new Error("WebKit: the browser has been closed");
      if (page) {
        if (page.closed) throw new Error("WebKit: the page has been closed");
        if (this.window !== page.handle) {
          this.window = null;
          await this.raw("POST", "/window", { handle: page.handle });
          this.window = page.handle;
          this.frame = null;
        }
        if (this.frame === null || this.frame.join() !== frame.join()) {
          this.frame = null;
          await this.raw("POST", "/frame", { id: null });
          for (const index of frame) await this.raw("POST", "/frame", { id: index });
          this.frame = [...frame];
        }
      }
      try {
        return await task(this);
      } catch (error) {
        // A navigation or a closed frame may have moved the session: switch again next time.
        this.frame = null;
        throw error;
      }
    });
    this.queue = job.catch(() => {});
    return job;
  }
}

async function startDriver({ sharedMemory }) {
  const binary = findMiniBrowser();
  const port = await freePort();
  const env = { ...process.env };
  // WebKitGTK withholds SharedArrayBuffer even from a cross-origin isolated page unless this
  // JavaScriptCore option is in the driver's (and so the browser's) environment.
  if (sharedMemory) env.JSC_useSharedArrayBuffer = "1";
  else delete env.JSC_useSharedArrayBuffer;
  // MiniBrowser has no headless mode: a virtual screen, large enough for any window the tests ask for.
  const child = spawn("xvfb-run", ["-a", "-s", "-screen 0 2560x1600x24", "WebKitWebDriver", `--port=${port}`], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const killGroup = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", killGroup);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const started = Date.now();
  for (;;) {
    try {
      const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
      if (status.value?.ready !== false) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() - started > DEFAULT_TIMEOUT) {
      killGroup();
      throw new Error(`WebKit: WebKitWebDriver did not start (is webkit2gtk-driver installed? xvfb?): ${stderr.trim()}`);
    }
    await sleep(100);
  }
  let created;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { binary, args: ["--automation"] } } } }),
    });
    created = (await response.json()).value;
    if (!created?.sessionId) throw new Error(`${created?.error}: ${created?.message}`);
  } catch (error) {
    killGroup();
    throw new Error(`WebKit: no WebDriver session with ${binary}: ${error.message} ${stderr.trim()}`);
  }
  const driver = new Driver(child, port, created.sessionId);
  driver.stop = async () => {
    driver.closed = true;
    // Ending the session lets the driver close MiniBrowser itself; then the whole group goes.
    await Promise.race([fetch(driver.base, { method: "DELETE" }).catch(() => {}), sleep(5000)]);
    killGroup();
    await Promise.race([exited, sleep(5000)]);
    process.off("exit", killGroup);
  };
  // Scripts are started in the page and polled (see startScript), so no script should take long;
  // a page whose main thread hangs fails the command after this long instead of hanging the test.
  await driver.raw("POST", "/timeouts", { script: 120_000, pageLoad: DEFAULT_TIMEOUT, implicit: 0 });
  return driver;
}

const KEYS = {
  Enter: "\uE007",
  Tab: "\uE004",
  Escape: "\uE00C",
  Backspace: "\uE003",
  Delete: "\uE017",
  ArrowLeft: "\uE012",
  ArrowUp: "\uE013",
  ArrowRight: "\uE014",
  ArrowDown: "\uE015",
  Home: "\uE011",
  End: "\uE010",
  PageUp: "\uE00E",
  PageDown: "\uE00F",
  Space: " ",
  Shift: "\uE008",
  Control: "\uE009",
  Alt: "\uE00A",
  Meta: "\uE03D",
};

const keyValue = (name) => {
  if (KEYS[name]) return KEYS[name];
  if ([...name].length === 1) return name;
  throw new Error(`keyboard: unknown key "${name}" (known: ${Object.keys(KEYS).join(", ")} and single characters)`);
};

let nextId = 0;

/** What Playwright's Frame offers the tests; the page's main frame is the page itself. */
class Frame {
  constructor(page, path) {
    this._page = page;
    this._path = path;
    this._url = "about:blank";
  }

  url() {
    return this._path.length === 0 ? this._page._url : this._url;
  }

  page() {
    return this._page;
  }

  _name(method) {
    return `${this._path.length === 0 ? "page" : "frame"}.${method}`;
  }

  /** Runs a script in this frame and hands the page's news to the page. */
  async _script(script, args = []) {
    const driver = this._page._context._driver;
    const reply = await driver.run(this._page, this._path, (d) => d.raw("POST", "/execute/sync", { script, args }));
    this._page._news(this._path, reply.news);
    return reply;
  }

  /**
   * Evaluates `fn` (function or source) with `arg` in this frame and returns the decoded result;
   * `deadline` (ms since the epoch) bounds a slow promise, otherwise it may take as long as it takes.
   */
  async _evaluate(method, fn, arg, { deadline = Infinity, timeoutMessage } = {}) {
    const source = typeof fn === "function" ? fn.toString() : String(fn);
    const id = `pg${++nextId}`;
    let reply;
    try {
      reply = await this._script(startScript(source, id, 100), [encodeValue(arg)]);
    } catch (error) {
      throw new Error(`${this._name(method)}: ${error.message}`);
    }
    let outcome = reply.result;
    let wait = 10;
    while (!outcome) {
      if (Date.now() > deadline) throw new Error(timeoutMessage);
      await sleep(wait);
      wait = Math.min(100, wait * 1.5);
      const polled = await this._script(pollScript(id));
      if (polled.entry === null) throw new Error(`${this._name(method)}: Execution context was destroyed, most likely because of a navigation`);
      if (polled.entry.done) outcome = polled.entry.result;
    }
    if ("error" in outcome) {
      const error = decodeValue(outcome.error);
      const failure = new Error(`${this._name(method)}: ${error.name}: ${error.message}`);
      failure.stack = `${failure.message}\n${error.stack ?? ""}`;
      throw failure;
    }
    return decodeValue(outcome.ok);
  }

  evaluate(fn, arg) {
    return this._evaluate("evaluate", fn, arg);
  }

  /**
   * Playwright's waitForFunction: polls `fn(arg)` in the page (every animation frame, or every
   * `polling` ms) until it is truthy, across navigations, for at most `timeout` ms.
   */
  async waitForFunction(fn, arg, { timeout = DEFAULT_TIMEOUT, polling = "raf" } = {}, method = "waitForFunction") {
    const source = typeof fn === "function" ? fn.toString() : String(fn);
    const started = Date.now();
    const deadline = timeout > 0 ? started + timeout : Infinity;
    const timeoutMessage = `${this._name(method)}: Timeout ${timeout}ms exceeded waiting for ${source.slice(0, 200)}`;
    const waiter = `async (a) => {
      const target = (${source});
      const test = typeof target === "function" ? () => target(a.arg) : () => target;
      const end = performance.now() + a.left;
      for (;;) {
        const value = await test();
        if (value) return { value };
        if (performance.now() > end) return { timedOut: true };
        await new Promise((r) => (a.polling === "raf" ? requestAnimationFrame(() => r()) : setTimeout(r, a.polling)));
      }
    }`;
    for (;;) {
      const left = deadline === Infinity ? 1e9 : Math.max(0, deadline - Date.now());
      try {
        const result = await this._evaluate(method, waiter, { arg, left, polling }, { deadline: deadline + 2000, timeoutMessage });
        if (result.timedOut) throw new Error(timeoutMessage);
        const value = result.value;
        return { jsonValue: async () => value, dispose: async () => {}, evaluate: (f, a) => this.evaluate(f, a) };
      } catch (error) {
        // A navigation in between: start again in the new document, as Playwright does.
        if (!/Execution context was destroyed|navigat|no such frame|stale/i.test(error.message) || Date.now() > deadline) throw error;
        await sleep(50);
      }
    }
  }

  waitForTimeout(ms) {
    return this._page.waitForTimeout(ms);
  }

  /** Waits until `body` (seeing `el`, the first match of `selector`, and `a.extra`) is truthy; returns its `.value`. */
  async _waitOnElement(method, selector, body, options = {}, extra) {
    const handle = await this.waitForFunction(onElement(body), { selector, extra }, { timeout: options.timeout ?? DEFAULT_TIMEOUT }, method).catch((error) => {
      throw new Error(error.message.replace(/ waiting for [\s\S]*/, ` waiting for locator('${selector}')`));
    });
    const result = await handle.jsonValue();
    if (result.error) throw new Error(`${this._name(method)}: ${result.error}`);
    return result.value;
  }

  textContent(selector, options) {
    return this._waitOnElement("textContent", selector, "return el && { value: el.textContent };", options);
  }

  innerText(selector, options) {
    return this._waitOnElement("innerText", selector, "return el && { value: el.innerText };", options);
  }

  inputValue(selector, options) {
    return this._waitOnElement(
      "inputValue",
      selector,
      `if (!el) return null;
       if (!["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) return { error: "Not an <input>, <textarea> or <select> element" };
       return { value: el.value };`,
      options,
    );
  }

  getAttribute(selector, name, options) {
    return this._waitOnElement("getAttribute", selector, "return el && { value: el.getAttribute(a.extra) };", options, name);
  }

  async isVisible(selector) {
    return this._evaluate("isVisible", onElement("return visible(el);"), { selector });
  }

  async isHidden(selector) {
    return !(await this.isVisible(selector));
  }

  isEnabled(selector, options) {
    return this._waitOnElement("isEnabled", selector, "return el && { value: !disabled(el) };", options);
  }

  isDisabled(selector, options) {
    return this._waitOnElement("isDisabled", selector, "return el && { value: disabled(el) };", options);
  }

  isChecked(selector, options) {
    return this._waitOnElement(
      "isChecked",
      selector,
      `if (!el) return null;
       if (el.type === "checkbox" || el.type === "radio") return { value: el.checked };
       const aria = el.getAttribute("aria-checked");
       return aria === null ? { error: "Not a checkbox or radio button" } : { value: aria === "true" };`,
      options,
    );
  }

  async waitForSelector(selector, { state = "visible", timeout } = {}) {
    const conditions = {
      attached: "return el ? { value: true } : null;",
      detached: "return el ? null : { value: true };",
      visible: "return visible(el) ? { value: true } : null;",
      hidden: "return visible(el) ? null : { value: true };",
    };
    if (!conditions[state]) throw new Error(`${this._name("waitForSelector")}: unknown state "${state}"`);
    await this._waitOnElement("waitForSelector", selector, conditions[state], { timeout });
    return state === "detached" || state === "hidden" ? null : { selector };
  }

  /** Playwright's actionability checks before a click: attached, visible, stable (same box over two frames), enabled. */
  _actionable(method, selector, options) {
    return this._waitOnElement(
      method,
      selector,
      `if (!visible(el) || disabled(el)) return null;
       const before = el.getBoundingClientRect();
       return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => {
         const after = el.getBoundingClientRect();
         r(before.x === after.x && before.y === after.y && before.width === after.width && before.height === after.height ? { value: true } : null);
       })));`,
      options,
    );
  }

  /** A real click (WebDriver Element Click) on the first match, once it is actionable. */
  async click(selector, options = {}) {
    const deadline = Date.now() + (options.timeout ?? DEFAULT_TIMEOUT);
    const driver = this._page._context._driver;
    for (;;) {
      await this._actionable("click", selector, { timeout: Math.max(1, deadline - Date.now()) });
      try {
        await driver.run(this._page, this._path, async (d) => {
          const found = await d.raw("POST", "/element", { using: "css selector", value: selector });
          await d.raw("POST", `/element/${found[ELEMENT]}/click`, {});
        });
        break;
      } catch (error) {
        const retry = ["element click intercepted", "element not interactable", "stale element reference", "no such element"].includes(error.code);
        if (!retry || Date.now() > deadline) throw new Error(`${this._name("click")}: ${error.message}`);
        await sleep(100);
      }
    }
    await this._page._drain().catch(() => {});
  }

  /** Like Playwright's fill: focus, select all, insert the text as one edit (input event; change follows on blur). */
  async fill(selector, value, options = {}) {
    await this._waitOnElement("fill", selector, "return visible(el) && !disabled(el) && !el.readOnly ? { value: true } : null;", options);
    const error = await this._evaluate(
      "fill",
      `(a) => {
        const el = document.querySelector(a.selector);
        const kinds = ["date", "time", "datetime-local", "month", "week", "color", "range"];
        if (el.tagName === "INPUT" && kinds.includes(el.type)) {
          el.focus();
          el.value = a.value;
          if (el.value !== a.value) return "Malformed value";
          el.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
          el.dispatchEvent(new Event("change", { bubbles: true }));
          return null;
        }
        if (el.tagName === "INPUT" && el.type === "number" && a.value.trim() !== "" && isNaN(Number(a.value))) return "Cannot type text into input[type=number]";
        if (!["INPUT", "TEXTAREA"].includes(el.tagName) && !el.isContentEditable) return "Element is not an <input>, <textarea> or [contenteditable] element";
        el.focus();
        if (el.select) el.select(); else document.execCommand("selectAll");
        const inserted = a.value === "" ? document.execCommand("delete") : document.execCommand("insertText", false, a.value);
        if (!inserted || (el.value !== undefined && el.value !== a.value)) {
          el.value = a.value;
          el.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertText", data: a.value }));
        }
        return null;
      }`,
      { selector, value: String(value) },
    );
    if (error) throw new Error(`${this._name("fill")}: ${error}`);
  }

  async selectOption(selector, values, options = {}) {
    await this._waitOnElement("selectOption", selector, "return el && !disabled(el) ? { value: true } : null;", options);
    const wanted = (Array.isArray(values) ? values : [values]).map((v) => (typeof v === "string" ? { value: v, label: v } : v));
    const result = await this._evaluate(
      "selectOption",
      `(a) => {
        const el = document.querySelector(a.selector);
        if (el.tagName !== "SELECT") return { error: "Element is not a <select> element" };
        const options = [...el.options];
        const chosen = a.wanted.map((w) => options.find((o) => (w.value !== undefined && o.value === w.value) || (w.label !== undefined && o.label === w.label) || (w.index !== undefined && o.index === w.index)));
        if (chosen.some((o) => !o)) return { retry: true };
        for (const o of options) o.selected = chosen.includes(o);
        el.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
        return { value: chosen.map((o) => o.value) };
      }`,
      { selector, wanted },
    );
    if (result.error) throw new Error(`${this._name("selectOption")}: ${result.error}`);
    if (result.retry) throw new Error(`${this._name("selectOption")}: no option matches ${JSON.stringify(values)} in ${selector}`);
    return result.value;
  }

  async focus(selector, options) {
    await this._waitOnElement("focus", selector, "if (!el) return null; el.focus(); return { value: true };", options);
  }

  async dispatchEvent(selector, type, eventInit = {}, options) {
    await this._waitOnElement(
      "dispatchEvent",
      selector,
      `if (!el) return null;
       const [type, init] = a.extra;
       const full = { bubbles: true, cancelable: true, composed: true, ...init };
       const Kind = /^(click|dblclick|mouse|contextmenu|auxclick)/.test(type) ? MouseEvent
         : /^pointer/.test(type) ? PointerEvent : /^key/.test(type) ? KeyboardEvent
         : /^(focus|blur)/.test(type) ? FocusEvent : Event;
       el.dispatchEvent(new Kind(type, full));
       return { value: true };`,
      options,
      [type, eventInit],
    );
  }

  $$eval(selector, fn, arg) {
    const source = typeof fn === "function" ? fn.toString() : String(fn);
    return this._evaluate("$$eval", `(a) => (${source})([...document.querySelectorAll(a.selector)], a.arg)`, { selector, arg });
  }

  async $eval(selector, fn, arg) {
    const source = typeof fn === "function" ? fn.toString() : String(fn);
    const result = await this._evaluate(
      "$eval",
      `async (a) => { const el = document.querySelector(a.selector); return el ? { value: await (${source})(el, a.arg) } : { missing: true }; }`,
      { selector, arg },
    );
    if (result.missing) throw new Error(`${this._name("$eval")}: Failed to find element matching selector "${selector}"`);
    return result.value;
  }

  locator(selector) {
    return {
      count: () => this._evaluate("locator.count", (a) => document.querySelectorAll(a.selector).length, { selector }),
      textContent: (options) => this.textContent(selector, options),
      inputValue: (options) => this.inputValue(selector, options),
      isVisible: () => this.isVisible(selector),
      isHidden: () => this.isHidden(selector),
      click: (options) => this.click(selector, options),
      fill: (value, options) => this.fill(selector, value, options),
      allTextContents: () => this.$$eval(selector, (els) => els.map((el) => el.textContent)),
      waitFor: (options) => this.waitForSelector(selector, options),
    };
  }
}

/** What Playwright's Page offers the tests, on one WebDriver window. */
class Page extends Frame {
  constructor(context, handle) {
    super(null, []);
    this._page = this;
    this._context = context;
    this.handle = handle;
    this.closed = false;
    this._listeners = new Map();
    this._frames = new Map();
    this._frameCount = 0;
    this._framesCheckedAt = 0;
    this._document = null;
    this.keyboard = {
      press: (key) => this._keys(key.split("+").map(keyValue), true),
      type: (text) => this._keys([...text].map(keyValue), false),
      down: (key) => this._actions([{ type: "keyDown", value: keyValue(key) }]),
      up: (key) => this._actions([{ type: "keyUp", value: keyValue(key) }]),
      insertText: (text) => this.evaluate((t) => document.execCommand("insertText", false, t), text),
    };
  }

  context() {
    return this._context;
  }

  mainFrame() {
    return this;
  }

  isClosed() {
    return this.closed;
  }

  on(event, listener) {
    if (!this._listeners.has(event)) this._listeners.set(event, []);
    this._listeners.get(event).push(listener);
    return this;
  }

  off(event, listener) {
    const list = this._listeners.get(event) ?? [];
    const at = list.indexOf(listener);
    if (at >= 0) list.splice(at, 1);
    return this;
  }

  once(event, listener) {
    const wrapped = (...args) => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  _emit(event, payload) {
    for (const listener of [...(this._listeners.get(event) ?? [])]) listener(payload);
  }

  /** Takes a frame's news (see PRELUDE): URL, document changes ("load") and recorded events. */
  _news(path, news) {
    if (!news) return;
    if (path.length === 0) {
      this._url = news.url;
      this._frameCount = news.frames;
      if (news.document && news.document !== this._document) {
        const first = this._document === null;
        this._document = news.document;
        if (!first) this._emit("load", this);
      }
    } else {
      const frame = this._frames.get(path.join());
      if (frame) frame._url = news.url;
    }
    for (const event of news.events) {
      if (event.kind === "pageerror") {
        const error = new Error(event.message);
        error.name = event.name;
        error.stack = event.stack || `${event.name}: ${event.message}`;
        this._emit("pageerror", error);
      } else if (event.kind === "download") {
        const data = Buffer.from(event.data, "base64");
        const save = async (path) => {
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, data);
        };
        let saved;
        this._emit("download", {
          url: () => event.url,
          suggestedFilename: () => event.name,
          path: async () => (saved ??= (async () => {
            const path = join(await mkdtemp(join(tmpdir(), "playground-webkit-download-")), event.name);
            await save(path);
            return path;
          })()),
          saveAs: save,
          failure: async () => null,
          page: () => this,
        });
      } else {
        this._emit("console", {
          type: () => event.type,
          text: () => event.text,
          location: () => ({ url: event.url, lineNumber: 0, columnNumber: 0 }),
          args: () => [],
          page: () => this,
        });
      }
    }
  }

  /** Collects the news of the page and, when it has frames, of each frame (and learns their URLs). */
  async _drain() {
    if (this.closed) return;
    await this._script(`${PRELUDE}\nreturn { news: __pgDrain() };`);
    if (this._frameCount === 0 && this._frames.size === 0) return;
    const seen = new Set();
    const visit = async (path, count) => {
      for (let index = 0; index < count && path.length < 3; index++) {
        const childPath = [...path, index];
        const key = childPath.join();
        if (!this._frames.has(key)) this._frames.set(key, new Frame(this, childPath));
        try {
          const reply = await this._frames.get(key)._script(`${PRELUDE}\nreturn { news: __pgDrain() };`);
          seen.add(key);
          await visit(childPath, reply.news.frames);
        } catch {
          // A frame that went away while we looked.
        }
      }
    };
    await visit([], this._frameCount);
    for (const key of this._frames.keys()) if (!seen.has(key)) this._frames.delete(key);
    this._framesCheckedAt = Date.now();
  }

  /** Synchronous, as in Playwright: the main frame and the frames found by the latest drain. */
  frames() {
    return [this, ...this._frames.values()];
  }

  url() {
    return this._url;
  }

  async goto(url, options = {}) {
    const previous = this._document;
    const driver = this._context._driver;
    await driver.run(this, [], (d) => d.raw("POST", "/url", { url: new URL(url).href })).catch((error) => {
      throw new Error(`page.goto: ${error.message}`);
    });
    await this._loaded("goto", previous);
    if (options.waitUntil === "networkidle") await this.waitForTimeout(500);
    return this._response();
  }

  /**
   * The navigation's response, as far as classic WebDriver can tell: WebDriver does not expose it, so
   * status and headers come from the page fetching its own URL again (through its service worker,
   * as the navigation went), when first asked.
   */
  _response() {
    let answer;
    const read = () =>
      (answer ??= this.evaluate(async () => {
        const response = await fetch(location.href, { cache: "no-store" });
        return { url: response.url, status: response.status, headers: Object.fromEntries(response.headers) };
      }));
    const url = this._url;
    return {
      url: () => url,
      status: async () => (await read()).status,
      ok: async () => (await read()).status < 400,
      headers: async () => (await read()).headers,
      allHeaders: async () => (await read()).headers,
      headerValue: async (name) => (await read()).headers[name.toLowerCase()] ?? null,
    };
  }

  async reload() {
    const previous = this._document;
    await this._context._driver.run(this, [], (d) => d.raw("POST", "/refresh", {})).catch((error) => {
      throw new Error(`page.reload: ${error.message}`);
    });
    await this._loaded("reload", previous);
    return null;
  }

  /**
   * WebKitWebDriver's Refresh (and at times Navigate To) returns while the new document is still
   * "interactive", before its module scripts ran (measured: 363 ms into the new document, no
   * `window.playground` yet); Playwright returns after the load event. So wait for a document other
   * than `previous` to be complete.
   */
  async _loaded(method, previous) {
    await this.waitForFunction((old) => document.readyState === "complete" && window.__pgDocument !== old, previous, {}, method);
    await this._drain();
  }

  async waitForTimeout(ms) {
    await sleep(ms);
    await this._drain().catch(() => {});
  }

  async waitForLoadState() {
    await this.waitForFunction(() => document.readyState === "complete");
  }

  async close() {
    if (this.closed) return;
    await this._context._driver.run(this, [], async (d) => {
      await d.raw("DELETE", "/window");
      d.window = null;
    });
    this.closed = true;
    this._context._pages.delete(this);
    this._emit("close", this);
  }

  async _actions(keyActions) {
    await this._context._driver.run(this, [], async (d) => {
      await d.raw("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions: keyActions }] });
      await d.raw("DELETE", "/actions");
    });
    await this._drain().catch(() => {});
  }

  /** `chord`: keys held together (press "Control+A") or typed one after another (type "2000"). */
  _keys(keys, chord) {
    const actions = chord
      ? [...keys.map((value) => ({ type: "keyDown", value })), ...keys.reverse().map((value) => ({ type: "keyUp", value }))]
      : keys.flatMap((value) => [
          { type: "keyDown", value },
          { type: "keyUp", value },
        ]);
    return this._actions(actions);
  }

  async addInitScript(fn, arg) {
    // Served with the recorder, for this window only: its name is set so the recorder can tell.
    const name = `pg-${this.handle}`;
    await this.evaluate((n) => (window.name = n), name);
    this._context._initScripts.push({ source: typeof fn === "function" ? fn.toString() : `() => { ${fn} }`, arg, window: name });
  }

  async setViewportSize({ width, height }) {
    const driver = this._context._driver;
    for (let attempt = 0; attempt < 3; attempt++) {
      const inner = await this.evaluate(() => [innerWidth, innerHeight]);
      if (inner[0] === width && inner[1] === height) return;
      const rect = await driver.run(this, [], (d) => d.raw("GET", "/window/rect"));
      await driver.run(this, [], (d) => d.raw("POST", "/window/rect", { width: rect.width + width - inner[0], height: rect.height + height - inner[1] }));
    }
    const inner = await this.evaluate(() => [innerWidth, innerHeight]);
    if (inner[0] !== width || inner[1] !== height) throw new Error(`page.setViewportSize: asked for ${width}×${height}, WebKit gave ${inner[0]}×${inner[1]}`);
  }

  viewportSize() {
    return this._viewport ?? null;
  }

  /**
   * WebDriver's screenshot. `fullPage` asks for Element Screenshot of <html>, which WebKitGTK 2.50
   * still clips to the viewport (measured: 1200×900 for a taller page).
   */
  async screenshot({ path, fullPage = false } = {}) {
    const base64 = await this._context._driver.run(this, [], async (d) => {
      if (!fullPage) return d.raw("GET", "/screenshot");
      const html = await d.raw("POST", "/element", { using: "css selector", value: "html" });
      return d.raw("GET", `/element/${html[ELEMENT]}/screenshot`);
    });
    const png = Buffer.from(base64, "base64");
    if (path) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, png);
    }
    return png;
  }

  /**
   * The accessible name WebKit computes for every element matching `selector`, by WebDriver's Get
   * Computed Label (the browser's own computation, what a screen reader announces), with each element's
   * id (or its tag and position): `[{ id, name }]`; a label that is only the element's description
   * counts as none. Not Playwright's API: Chromium's tests read the
   * same from CDP's accessibility tree, which WebKitWebDriver does not offer.
   */
  async computedLabels(selector) {
    return this._context._driver.run(this, [], async (d) => {
      const elements = await d.raw("POST", "/elements", { using: "css selector", value: selector });
      const names = [];
      for (const element of elements) {
        const at = element[ELEMENT];
        const id = (await d.raw("GET", `/element/${at}/attribute/id`)) || `<${await d.raw("GET", `/element/${at}/name`)}> #${names.length}`;
        const label = String((await d.raw("GET", `/element/${at}/computedlabel`)) ?? "").replace(/\s+/g, " ").trim();
        // WebKitGTK answers a control without a name with its description (aria-describedby's text,
        // measured: an unlabelled field gave its hint), which is no name: a screen reader reads it after one.
        const description = await d.raw("POST", "/execute/sync", {
          script: `const ids = (arguments[0].getAttribute("aria-describedby") ?? "").split(/\\s+/).filter(Boolean);
return ids.map((i) => document.getElementById(i)?.textContent ?? "").join(" ").replace(/\\s+/g, " ").trim();`,
          args: [element],
        });
        names.push({ id, name: label && label === description ? "" : label });
      }
      return names;
    });
  }

  async emulateMedia() {
    throw new Error("page.emulateMedia: not supported by WebKitWebDriver (classic WebDriver has no media emulation)");
  }

  /** The next `event` ("download", "console", "pageerror", "response", "load"), within `timeout` ms. */
  waitForEvent(event, options = {}) {
    const { timeout = DEFAULT_TIMEOUT, predicate = () => true } = typeof options === "function" ? { predicate: options } : options;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, listener);
        reject(new Error(`page.waitForEvent: Timeout ${timeout}ms exceeded while waiting for event "${event}"`));
      }, timeout);
      const listener = (payload) => {
        if (!predicate(payload)) return;
        clearTimeout(timer);
        this.off(event, listener);
        resolve(payload);
      };
      this.on(event, listener);
    });
  }

  workers() {
    // Classic WebDriver cannot see or enter workers.
    return [];
  }

  bringToFront() {
    return this._context._driver.run(this, [], () => {});
  }
}

/** What Playwright's BrowserContext offers the tests: one MiniBrowser, one WebDriver session. */
class Context {
  constructor(driver, home, viewport) {
    this._driver = driver;
    this._home = { handle: home, closed: false };
    this._viewport = viewport;
    this._pages = new Set();
    this._initScripts = [];
    liveContexts.add(this);
    // A light background poll, so `problems` is current even when a test only waits.
    this._poller = setInterval(() => this._poll(), 250);
    this._poller.unref();
  }

  async _poll() {
    if (this._polling || this._driver.closed) return;
    this._polling = true;
    try {
      for (const page of this._pages) {
        if (!page.closed && Date.now() - page._framesCheckedAt > 200) await page._drain().catch(() => {});
      }
    } finally {
      this._polling = false;
    }
  }

  pages() {
    return [...this._pages];
  }

  async newPage() {
    // Each page is a window of its own; the session's first window stays open (and blank) so that
    // closing every page never ends the session.
    const { handle } = await this._driver.run(this._home, [], (d) => d.raw("POST", "/window/new", { type: "window" }));
    const page = new Page(this, handle);
    page._viewport = { ...this._viewport };
    this._pages.add(page);
    await page.setViewportSize(this._viewport);
    return page;
  }

  async addInitScript(fn, arg) {
    this._initScripts.push({ source: typeof fn === "function" ? fn.toString() : `() => { ${fn} }`, arg, window: null });
  }

  async newCDPSession() {
    throw new Error("newCDPSession: not supported in WebKit (CDP is Chromium's protocol; WebKitWebDriver speaks classic WebDriver)");
  }

  async close() {
    if (this._driver.closed) return;
    clearInterval(this._poller);
    liveContexts.delete(this);
    for (const page of this._pages) page.closed = true;
    await this._driver.stop();
  }
}

/** Starts MiniBrowser under WebKitWebDriver and returns a Playwright-like BrowserContext. */
export async function launchWebKit({ viewport = { width: 1200, height: 900 }, sharedMemory = true } = {}) {
  const driver = await startDriver({ sharedMemory });
  const handles = await driver.raw("GET", "/window/handles");
  return new Context(driver, handles[0], viewport);
}
