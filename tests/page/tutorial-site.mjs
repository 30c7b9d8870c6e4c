// A tutorial's page that embeds the playground in an iframe, served by its own local server: the way
// tutorial authors use the playground. `otherSite` puts the tutorial on another site than the
// playground (localhost against 127.0.0.1: different hosts, so different sites, as a blog on its own
// domain would be), where browsers treat the iframe as third-party.
import assert from "node:assert/strict";
import { ISOLATION_HEADERS, recordedHtml, serveStatic } from "./server.mjs";

/**
 * Serves `/tutorial.html` with an iframe of `src` (`width` × `height`, `allow="cross-origin-isolated"`
 * if `allow`), isolated itself if `isolated`. The page records every height message the embed posts in
 * `window.embedHeights`; `extraHtml` goes after the iframe (an author's resize script, say).
 * Resolves to `{ url, close }`, `url` being the tutorial page's address.
 */
export async function tutorialSite(src, { isolated = false, allow = false, otherSite = true, width = 1000, height = 800, extraHtml = "" } = {}) {
  const html = `<!doctype html><title>A tutorial</title><link rel="icon" href="data:,"><h1>Threads vs processes</h1>
<script>window.embedHeights = []; addEventListener("message", (e) => { if (e.data?.type === "concurrency-playground:height") embedHeights.push(e.data); });</script>
<iframe id="demo" src="${src}" width="${width}" height="${height}" ${allow ? 'allow="cross-origin-isolated"' : ""}></iframe>${extraHtml}`;
  const server = await serveStatic("tests/page", {
    isolation: isolated,
    routes: {
      "/tutorial.html": (request, response) => {
        response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", ...(isolated ? ISOLATION_HEADERS : {}) });
        response.end(recordedHtml(html));
      },
    },
  });
  const origin = otherSite ? server.url.replace("127.0.0.1", "localhost") : server.url;
  return { url: `${origin}tutorial.html`, close: () => server.close() };
}

/** The playground's frame inside the tutorial page, once its API exists and is ready. */
export async function playgroundFrame(page, origin) {
  let frame;
  for (let i = 0; i < 100 && !frame; i++) {
    frame = page.frames().find((f) => f.url().startsWith(origin));
    if (!frame) await page.waitForTimeout(100);
  }
  assert.ok(frame, "the playground's iframe loaded");
  await frame.waitForFunction(() => window.playground !== undefined);
  await frame.evaluate(() => playground.ready);
  return frame;
}
