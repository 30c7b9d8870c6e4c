// Debian's Chromium, driven by playwright-core (which never downloads a browser of its own).
import { chromium } from "playwright-core";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic, DIST } from "./server.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

// Flags that work on this kind of machine: no sandbox as root, and nothing that phones home
// (the network here is closed, and background connections would be refused noisily).
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A fresh Chromium with an empty profile. */
export async function launchBrowser() {
  const profile = await mkdtemp(join(tmpdir(), "playground-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
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

/** dist/ served with the isolation headers, and a fresh Chromium: what most page tests start from. */
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

/** The same, with one playground page open and ready: `{ server, browser, page, problems, close }`. */
export async function readyPlayground() {
  const session = await servePlayground();
  const { page, problems } = await openPage(session.browser, session.server.url);
  await page.evaluate(() => playground.ready);
  return { ...session, page, problems };
}
