// The browsers the page tests and benchmarks drive, all stock Debian builds (nothing is downloaded):
// - chromium: /usr/bin/chromium through playwright-core (CDP);
// - firefox:  /usr/bin/firefox-esr through playwright-core over WebDriver BiDi (Firefox's own protocol
//             for automation; Playwright's patched Firefox cannot be installed here);
// - webkit:   WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver), wrapped by
//             ./webdriver.mjs in the part of Playwright's page API the tests use.
// PLAYGROUND_ENGINE chooses one (default chromium); scripts/test.sh runs the suite once per engine.
import playwright from "playwright-core";
import { after, before } from "node:test";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic, DIST } from "./server.mjs";

export const ENGINES = ["chromium", "firefox", "webkit"];
export const ENGINE = process.env.PLAYGROUND_ENGINE ?? "chromium";
if (!ENGINES.includes(ENGINE)) throw new Error(`PLAYGROUND_ENGINE=${ENGINE}: choose one of ${ENGINES.join(", ")}`);

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";

// Flags that work on this kind of machine: no sandbox as root, and nothing that phones home
// (the network here is closed, and background connections would be refused noisily).
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const VIEWPORT = { width: 1200, height: 900 };

/**
 * Test options that skip a test in the engines named, each with the reason (the engine's limit)
 * printed beside the skip: `test(name, skipIn({ webkit: "…" }), fn)`.
 */
export function skipIn(reasons) {
  const reason = reasons[ENGINE];
  return reason ? { skip: `${ENGINE}: ${reason}` } : {};
}

/**
 * A fresh browser of the chosen engine with an empty profile, as a Playwright BrowserContext (or,
 * for WebKit, an object with the same methods the tests use). `sharedMemory: false` starts WebKit
 * without JavaScriptCore's SharedArrayBuffer option, as WebKitGTK ships by default. `colorScheme: "dark"`
 * makes pages see prefers-color-scheme: dark (Chromium and Firefox; BiDi Firefox ignores emulateMedia).
 * `thirdPartyStorage: "blocked"` sets the user's "block third-party cookies" (Chromium, Firefox; WebKit
 * already keeps third-party frames to partitioned storage of their own).
 */
export async function launchBrowser({ sharedMemory = true, colorScheme, thirdPartyStorage = "allowed" } = {}) {
  if (ENGINE === "webkit") {
    const { launchWebKit } = await import("./webdriver.mjs");
    return launchWebKit({ viewport: VIEWPORT, sharedMemory });
  }
  if (ENGINE === "firefox") {
    // BiDi Firefox never finishes launchPersistentContext here (it times out after the browser is up);
    // a launched browser's new context is just as fresh. Closing the context closes its browser.
    // Firefox's own setting for the scheme pages see (0 dark, 1 light), as a user would choose it.
    const firefoxUserPrefs = colorScheme ? { "layout.css.prefers-color-scheme.content-override": colorScheme === "dark" ? 0 : 1 } : {};
    // The user's "block third-party cookies" choice (1), which also refuses storage to third-party frames.
    if (thirdPartyStorage === "blocked") firefoxUserPrefs["network.cookie.cookieBehavior"] = 1;
    const browser = await playwright._bidiFirefox.launch({ executablePath: FIREFOX, headless: true, firefoxUserPrefs });
    const context = await browser.newContext({ viewport: VIEWPORT });
    const closeContext = context.close.bind(context);
    context.close = async (options) => {
      await closeContext(options);
      await browser.close();
    };
    return context;
  }
  const profile = await mkdtemp(join(tmpdir(), "playground-chromium-"));
  // "Block third-party cookies" in the profile, as a user (or an incognito window) sets it: Chromium then
  // refuses storage and service workers to frames of another site ("Access is denied for this document").
  if (thirdPartyStorage === "blocked") {
    await mkdir(join(profile, "Default"));
    await writeFile(join(profile, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true } }));
  }
  return playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: VIEWPORT,
    ...(colorScheme ? { colorScheme } : {}),
  });
}

/**
 * Opens `url` and records every page error and console error (of the page and its frames), for the
 * test to fail on. Waits for `window.playground` unless the page is not the playground (a host page).
 */
export async function openPage(context, url, { waitForPlayground = true } = {}) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // The location names the resource a "Failed to load resource" message is about.
    if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  await page.goto(url);
  if (waitForPlayground) await page.waitForFunction(() => window.playground !== undefined);
  return { page, problems };
}

/** dist/ served with the isolation headers, and a fresh browser: what most page tests start from. */
export async function servePlayground() {
  const server = await serveStatic(DIST, { isolation: true });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * One session for a whole test file: `start()` (servePlayground or readyPlayground) runs before the
 * file's first test and hands the session to `use` (which keeps what it needs); it is closed after
 * the last test, whatever happened.
 */
export function sessionForFile(start, use) {
  let session;
  before(async () => {
    session = await start();
    use(session);
  });
  after(() => session?.close());
}

/** The same, with one playground page open and ready: `{ server, browser, page, problems, close }`. */
export async function readyPlayground() {
  const session = await servePlayground();
  const { page, problems } = await openPage(session.browser, session.server.url);
  await page.evaluate(() => playground.ready);
  return { ...session, page, problems };
}

/**
 * The message each engine gives an uncaught wasm trap (a panic aborts through `unreachable`), as the
 * page error the tests record: the crash demos' panicking thread reports one on purpose.
 */
const WASM_TRAP_MESSAGES = {
  chromium: "unreachable",
  firefox: "unreachable executed",
  webkit: "Unreachable code should not be executed",
};

/** Whether a recorded problem is this engine's page error for a wasm trap (and nothing else). */
export function isWasmTrap(problem) {
  return problem === `pageerror: ${WASM_TRAP_MESSAGES[ENGINE]}`;
}
