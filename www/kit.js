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
}
