// What every demo needs the same way: elements by id, the page's number formats, table cells,
// status lines, charts that follow the colour scheme and their size, and the queue a pool of
// workers takes its jobs from. A demo file keeps only what is its own.

export const $ = (id) => document.getElementById(id);

/** Milliseconds as the page writes them: "1,234 ms", "12 ms", "3.4 ms". */
export const formatMs = (ms) => (ms >= 10 ? `${Math.round(ms).toLocaleString("en-US")} ms` : `${ms.toFixed(1)} ms`);

/** "1 thread", "2 threads", "1 process", "3 processes": a count typed as digits, with its noun agreeing. */
export const counted = (digits, one, many = `${one}s`) => `${digits} ${Number(digits) === 1 ? one : many}`;

/** A table cell holding text or an element (a bar, a button). */
export function cell(content, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

/**
 * An exact number written with group separators ("333,333,283,333,335,000,000") as nodes that a
 * narrow screen may wrap only after a separator: each group stays whole, and a <wbr> after every
 * comma is the one place a line may break. The text (textContent) is the number, unchanged.
 */
export function breakableNumber(grouped) {
  const parts = grouped.split(",");
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part},`, document.createElement("wbr")] : [part]));
}

/**
 * A file name (or address) in a table cell: one line, cut with an ellipsis when narrow; the full name
 * shows on hover (its title) and when the name is focused (tap or Tab: style.css lets it wrap then).
 */
export function fileNameCell(name, title = name) {
  const text = Object.assign(document.createElement("span"), { className: "file-name", textContent: name, title, tabIndex: 0 });
  return cell(text, "name");
}

/**
 * Fills `td` with a SHA-256: the whole hash is the cell's text (select it, search for it), shown cut
 * short with an ellipsis, the full hash as its title, and a button that copies it. Where the browser
 * refuses the clipboard (an embed without the permission), the button selects the hash instead and
 * says so, for the reader to copy it themselves.
 */
export function showHash(td, sha256, what) {
  td.classList.add("hash");
  const text = Object.assign(document.createElement("span"), { className: "hash-text", textContent: sha256, title: sha256 });
  const copy = Object.assign(document.createElement("button"), { type: "button", className: "copy-hash", title: "Copy the full SHA-256" });
  const label = `Copy the SHA-256 of ${what}`;
  copy.setAttribute("aria-label", label);
  copy.addEventListener("click", async () => {
    let state = "copied";
    try {
      await navigator.clipboard.writeText(sha256);
    } catch {
      getSelection()?.selectAllChildren(text);
      state = "selected";
    }
    copy.dataset.state = state;
    copy.setAttribute("aria-label", state === "copied" ? "Copied" : "The browser refused the clipboard: the hash is selected, copy it from there");
    setTimeout(() => {
      delete copy.dataset.state;
      copy.setAttribute("aria-label", label);
    }, 2000);
  });
  td.replaceChildren(text, copy);
  return td;
}

/**
 * Watches a sideways-scrolling container (a wide table's wrapper, a code pane): while its content is
 * wider than it, it is a named region a keyboard can reach (Tab to it, then the arrow keys scroll), and
 * `data-overflowing` ("start", "middle", "end": where the view is) lets style.css show a "scroll"
 * hint and a shadow on each side that hides content. While everything fits it is none of these, so it
 * adds no stop to the Tab order. Returns a function that checks again (after new content).
 */
export function watchOverflow(container, label) {
  const update = () => {
    const hidden = container.scrollWidth - container.clientWidth;
    const overflowing = hidden > 1;
    if (overflowing) {
      const left = container.scrollLeft;
      container.dataset.overflowing = left < 1 ? "start" : left >= hidden - 1 ? "end" : "middle";
      container.tabIndex = 0;
      container.setAttribute("role", "region");
      container.setAttribute("aria-label", `${label} (scrolls sideways)`);
    } else if (container.dataset.overflowing) {
      delete container.dataset.overflowing;
      container.removeAttribute("tabindex");
      container.removeAttribute("role");
      container.removeAttribute("aria-label");
    }
  };
  const observer = new ResizeObserver(update);
  observer.observe(container);
  for (const child of container.children) observer.observe(child);
  container.addEventListener("scroll", update, { passive: true });
  update();
  return update;
}

/**
 * Shows `figure` (a chart) empty, as its one line of text saying what will appear, or drawn.
 * An empty chart takes a line, not the canvas's height (style.css hides the canvas and the legend).
 */
export function showChartEmpty(figure, empty) {
  figure.toggleAttribute("data-empty", empty);
}

/** Writes a demo's status line; an error is styled as one (and read out: the line is aria-live). */
export function showStatus(element, message, isError = false) {
  element.textContent = message;
  element.classList.toggle("error", isError);
}

// Asked for on first use: this module is also imported where there is no window (workers, node's
// unit tests of the job queue).
let darkQuery = null;
const darkScheme = () => (darkQuery ??= matchMedia("(prefers-color-scheme: dark)"));

/** Whether the page is in its dark colours now: charts draw in the theme's colours (Rust's Theme). */
export const prefersDark = () => darkScheme().matches;

/**
 * Calls `draw` whenever the colour scheme changes or one of `canvases` changes size: the charts are
 * drawn by Rust into the canvas's pixels (src/web/canvas.rs), so a new size or theme needs a redraw.
 */
export function redrawOnThemeOrResize(canvases, draw) {
  darkScheme().addEventListener("change", () => draw());
  const observer = new ResizeObserver(() => draw());
  for (const canvas of canvases) observer.observe(canvas);
}

/**
 * Hands `jobs` out to `workers` the way `Pool.map` with chunksize 1 does: each worker takes the next
 * job as soon as it is free, so a slow job holds up one worker, not the queue. `run(worker, job,
 * index)` does one job; it returns `false` to take that worker out (it died, the run failed), and
 * `keepGoing(worker)` is asked before every job (a cancelled run, a worker that was ended).
 * Resolves when every worker has stopped; jobs never taken are left to the caller.
 */
export async function takeJobsInTurn(jobs, workers, run, keepGoing = () => true) {
  let next = 0;
  const loop = async (worker) => {
    while (next < jobs.length && keepGoing(worker)) {
      const index = next++;
      if ((await run(worker, jobs[index], index)) === false) return;
    }
  };
  await Promise.all(workers.map(loop));
}

/**
 * Fills a code pane with a source of this build: `paths` (one path or several, from the repository
 * root, as Rust's `seedCpuSource` and its siblings name them) are fetched from the build's `sources/`
 * folder (scripts/copy-sources.mjs copies them there). Several files are shown one after another, each
 * under a `// path` line. A fetch that fails says so in the pane; the page goes on without the text.
 */
export async function showSource(element, paths) {
  const list = [paths].flat();
  element.dataset.source = list.join(" ");
  // The pane (a <pre>) scrolls sideways on a narrow screen: named after its caption.
  const pane = element.closest("pre");
  const recheck = pane ? watchOverflow(pane, pane.closest("figure")?.querySelector("figcaption")?.textContent.trim() || "Source code") : () => {};
  try {
    const texts = await Promise.all(
      list.map(async (path) => {
        const response = await fetch(new URL(`sources/${path}`, document.baseURI));
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return response.text();
      }),
    );
    element.textContent = list.length === 1 ? texts[0] : texts.map((text, i) => `// ${list[i]}\n\n${text}`).join("\n");
  } catch (error) {
    element.textContent = `The source could not be loaded (${error.message}); it is ${list.join(" and ")} in the repository.`;
    element.classList.add("error");
  }
  recheck();
}
