// Embed mode (`?embed=1`): the page inside a tutorial's iframe shows one demo, compact — its controls,
// result and chart first, everything else collapsed or left out — and tells the page around it how
// tall it is. Also the iframe snippet the "Embed or share" panels offer, with a height measured from
// the embed itself.

import { DEMOS, linkFor } from "./share.js";

/** What `hide=` may leave out of an embed (comma-separated): a name → what it finds in the demo. */
export const EMBED_PARTS = {
  about: ".lede",
  code: ".code-pair",
  history: ".history",
  share: ".share",
};

/** The message an embed posts to the page around it whenever its height changes. */
export const HEIGHT_MESSAGE = "concurrency-playground:height";

/** The width a snippet's suggested height is measured at: a tutorial's text column. */
export const SNIPPET_WIDTH = 720;

/**
 * Embed mode, first step (before the demos exist): only the named demo, without the site's header and
 * footer. `finishEmbed` compacts the demo once its panels are there.
 */
export function applyEmbed(demo) {
  document.body.classList.add("embed");
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== DEMOS[demo].section;
}

/**
 * What the URL asks of an embed: `{ hide, measure, problems }`. `hide=code,history` leaves those parts
 * out; `measure=1` is the share panel's own measuring frame. `problems`: messages for names that are no
 * part (a link can carry anything).
 */
export function embedOptions() {
  const params = new URLSearchParams(location.search);
  const names = (params.get("hide") ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !Object.hasOwn(EMBED_PARTS, name));
  const problems = unknown.length
    ? [`The link's hide=${unknown.join(",").slice(0, 60)} names no part of a demo (the parts: ${Object.keys(EMBED_PARTS).join(", ")}).`]
    : [];
  return { hide: names.filter((name) => Object.hasOwn(EMBED_PARTS, name)), measure: params.get("measure") === "1", problems };
}

/**
 * Embed mode, second step: the demo's controls, result and chart come first. The introduction folds
 * into "About this demo" (the tutorial around the embed has introduced it); each code pair folds where it
 * stands (it explains the controls above it); the run history, the share panel and the saved files stay
 * closed; the parts in `hide` are left out altogether. Each field's hint takes one line. Then the page reports its height to
 * the page around it, now and whenever it changes.
 */
export function finishEmbed(demo, hide) {
  const section = document.getElementById(DEMOS[demo].section);
  for (const part of hide) for (const element of section.querySelectorAll(EMBED_PARTS[part])) element.hidden = true;
  showWholeHints(section);
  const lede = section.querySelector(":scope > .lede:not([hidden])");
  if (lede) fold(lede, "embed-about", "About this demo");
  foldCode(section);
  for (const panel of section.querySelectorAll("details.history, details.share, details.saved")) panel.open = false;
  reportHeight(demo);
}

/**
 * A field's hint is cut to one line in an embed. Its whole text is its tooltip and, while the field has
 * focus, a box below the field, over what follows rather than pushing it down (touch screens show no
 * tooltip; a button that moved on mousedown would lose the click). Hints change with the page (the
 * network's, the threads'), so each is read again on focus. Screen readers hear the whole hint already,
 * through the field's aria-describedby: the box is hidden from them.
 */
function showWholeHints(section) {
  for (const hint of section.querySelectorAll(".field > .hint")) hint.title = hint.textContent;
  const box = document.createElement("div");
  box.className = "hint-whole";
  box.hidden = true;
  box.setAttribute("aria-hidden", "true");
  section.addEventListener("focusin", (event) => {
    const field = event.target.closest(".field");
    const hint = field?.querySelector(":scope > .hint");
    if (!hint) return;
    hint.title = hint.textContent;
    if (hint.scrollWidth <= hint.clientWidth) return;
    box.textContent = hint.textContent;
    field.append(box);
    box.hidden = false;
  });
  section.addEventListener("focusout", () => (box.hidden = true));
}

/**
 * Folds each code pair under `root` (the tutorial's Python beside the Rust that ran) into a closed
 * "The code: …" disclosure where it stands. An embed folds its demo's (after `hide=`); the whole page
 * folds all of them the same way (www/page-map.js). A pair already folded stays as it is.
 */
export function foldCode(root) {
  for (const pair of root.querySelectorAll(".code-pair:not([hidden]):not(details.embed-code > .code-pair)")) fold(pair, "embed-code", "The code: the tutorial's Python and the Rust that ran");
}

/** Puts `element` into a closed disclosure where it stands. */
function fold(element, className, title) {
  const folded = document.createElement("details");
  folded.className = className;
  const summary = document.createElement("summary");
  summary.textContent = title;
  element.replaceWith(folded);
  folded.append(summary, element);
}

/** The page's own height: its content, not the iframe's viewport (which may be taller or shorter). */
export function contentHeight() {
  const html = document.documentElement;
  const margins = parseFloat(getComputedStyle(document.body).marginBottom) || 0;
  return Math.ceil(html.getBoundingClientRect().height + margins);
}

/**
 * Posts `{ type: HEIGHT_MESSAGE, demo, height }` to the embedding page on every change of height, so a
 * host that wants can size the iframe (the README's snippet shows how). Any origin may read it: a
 * height says nothing private, and the tutorial's origin is not known here.
 */
function reportHeight(demo) {
  if (window.parent === window) return;
  let last = 0;
  const post = () => {
    const height = contentHeight();
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: HEIGHT_MESSAGE, demo, height }, "*");
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}

/**
 * How tall the embed of `src` is at `SNIPPET_WIDTH`, measured by loading it (`measure=1` makes it lay
 * itself out and stop before starting any process) in a hidden iframe. Resolves to null if it does not
 * answer within `timeoutMs`.
 */
export function measureEmbed(src, timeoutMs = 15_000) {
  const url = new URL(src);
  url.searchParams.set("measure", "1");
  const frame = document.createElement("iframe");
  frame.src = url.href;
  frame.title = "Measuring the embed";
  frame.setAttribute("aria-hidden", "true");
  frame.inert = true;
  frame.style.cssText = `position:absolute;left:-10000px;top:0;width:${SNIPPET_WIDTH}px;height:400px;border:0;visibility:hidden`;
  return new Promise((resolve) => {
    const done = (height) => {
      clearTimeout(timer);
      window.removeEventListener("message", listen);
      frame.remove();
      resolve(height);
    };
    const listen = (event) => {
      if (event.source === frame.contentWindow && event.data?.type === HEIGHT_MESSAGE && event.data.measured) done(event.data.height);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    window.addEventListener("message", listen);
    document.body.append(frame);
  });
}

/**
 * `measure=1`: the page is laid out as an embed and its height is final (the demos' fields, panels and
 * texts are in place): posts it once, marked as the measurement, for `measureEmbed`.
 */
export function postMeasurement(demo) {
  // No scroll bar: the iframe the snippet makes is as tall as the embed, so it has none to narrow the text.
  document.documentElement.style.overflow = "hidden";
  // Measured after a run, as readers will see it most: the result areas open (their rows still empty).
  for (const results of document.querySelectorAll(`#${DEMOS[demo].section} .results[hidden]`)) results.hidden = false;
  window.parent.postMessage({ type: HEIGHT_MESSAGE, demo, height: contentHeight(), measured: true }, "*");
}

/** The iframe that shows `demo` at `src` on a tutorial's page, `height` px tall. */
export function embedSnippet(demo, src, height) {
  return `<iframe src="${src}" title="Concurrency Playground: ${DEMOS[demo].title}" width="100%" height="${height}" allow="cross-origin-isolated" loading="lazy"></iframe>`;
}

/** The optional script beside the snippet: the iframe follows the demo's height as it changes. */
export function resizeScript(origin) {
  return (
    `<script>addEventListener("message", (e) => { if (e.origin === "${origin}" && e.data?.type === "${HEIGHT_MESSAGE}") ` +
    `for (const f of document.querySelectorAll('iframe[src^="${origin}"]')) if (f.contentWindow === e.source) f.height = e.data.height; });</script>`
  );
}

/** The author's side of embedding, said once in every share panel (the reader's side is the banner). */
const AUTHOR_ADVICE =
  "Threads run in an embed only where your page is cross-origin isolated: serve it with Cross-Origin-Opener-Policy: same-origin " +
  "and Cross-Origin-Embedder-Policy: require-corp, and keep the snippet's allow=\"cross-origin-isolated\". Elsewhere the embed runs " +
  "the build without threads and says so in one line. Where a reader's browser blocks third-party storage, the embed also runs " +
  "downloads over the real network only (no simulated network) and keeps them in memory.";

/**
 * The "Embed or share" panel of each demo: a link with this moment's parameters, the iframe snippet
 * with a height measured from the embed itself, the optional resize script, and the author's advice.
 */
export function addSharePanels() {
  for (const [demo, { section }] of Object.entries(DEMOS)) {
    const panel = document.createElement("details");
    panel.className = "share";
    panel.id = `${demo}-share`;
    panel.innerHTML = `<summary>Embed or share this demo</summary>
      <div class="share-body">
        <label for="${demo}-share-link">Link with the current parameters</label>
        <input id="${demo}-share-link" readonly />
        <label for="${demo}-share-snippet">iframe for your page</label>
        <textarea id="${demo}-share-snippet" rows="3" readonly></textarea>
        <p class="muted" id="${demo}-share-height" aria-live="polite"></p>
        <p><button type="button" id="${demo}-share-copy">Copy the iframe</button> <span class="muted" id="${demo}-share-status" role="status"></span></p>
        <label for="${demo}-share-resize">Optional, beside it: the iframe follows the demo's height as runs add results</label>
        <textarea id="${demo}-share-resize" rows="2" readonly></textarea>
        <p class="muted share-advice"></p>
      </div>`;
    document.getElementById(section).append(panel);
    panel.querySelector(".share-advice").textContent = AUTHOR_ADVICE;
    const $ = (suffix) => document.getElementById(`${demo}-share-${suffix}`);
    /** Measured heights by embed address: the embed's layout depends on its parameters (a URL list, say). */
    const heights = new Map();
    const fill = () => {
      const src = linkFor(demo, { embed: "1" });
      $("link").value = linkFor(demo);
      $("resize").value = resizeScript(new URL(src).origin);
      if (!heights.has(src)) {
        heights.set(src, undefined);
        measureEmbed(src).then((measured) => {
          heights.set(src, measured);
          if (panel.open) fill();
        });
      }
      const height = heights.get(src);
      $("snippet").value = embedSnippet(demo, src, height ?? DEFAULT_HEIGHT);
      $("height").textContent =
        height === undefined
          ? "Measuring the embed's height…"
          : height === null
            ? `The embed could not be measured; the height is a guess (${DEFAULT_HEIGHT} px).`
            : `Height: the embed measured ${height} px tall at ${SNIPPET_WIDTH} px wide, before its first run.`;
    };
    panel.addEventListener("toggle", () => panel.open && fill());
    document.getElementById(section).addEventListener("change", () => panel.open && fill());
    $("copy").addEventListener("click", async () => {
      fill();
      try {
        await navigator.clipboard.writeText($("snippet").value);
        $("status").textContent = "Copied.";
      } catch {
        $("snippet").select();
        $("status").textContent = "Select and copy it yourself (the browser refused the clipboard).";
      }
    });
  }
}

/** The snippet's height until the embed has been measured (or where it cannot be). */
const DEFAULT_HEIGHT = 720;
