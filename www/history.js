// Each demo's recent runs, listed under the demo and exportable as CSV (one row per task, file or
// measured point) and JSON (every run in the JavaScript API's result shape). Only the last
// HISTORY_LIMIT runs of each demo are kept: a server run holds up to 5,000 request records and a CPU
// run 4,096 spans, so a page left open for a day of clicks (or a tutorial's loop over the API) would
// otherwise grow without end. The panel and both exports say how many runs were dropped.

import { $, watchOverflow } from "./kit.js";

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return [columns, ...rows.map((row) => columns.map((c) => row[c]))].map((line) => line.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** Runs kept per demo; older ones are dropped, oldest first. */
export const HISTORY_LIMIT = 50;

export class RunHistory {
  /** Adds the history panel to `sectionId`; `demo` names the exported files. */
  constructor(demo, sectionId) {
    this.demo = demo;
    this.runs = [];
    /** Runs recorded and then dropped to stay within HISTORY_LIMIT. */
    this.dropped = 0;
    const panel = document.createElement("details");
    panel.className = "history";
    panel.id = `${demo}-history`;
    panel.innerHTML = `<summary>Your last runs since you opened the page (<span id="${demo}-history-count">0</span>)<span id="${demo}-history-dropped" hidden></span></summary>
      <div class="table-scroll"><table class="file-table"><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Run</th></tr></thead>
      <tbody id="${demo}-history-body"></tbody></table></div>
      <p><button type="button" id="${demo}-export-csv" disabled>Export CSV</button>
         <button type="button" id="${demo}-export-json" disabled>Export JSON</button></p>`;
    $(sectionId).append(panel);
    watchOverflow(panel.querySelector(".table-scroll"), "Your last runs");
    $(`${demo}-export-csv`).addEventListener("click", () => this.#save("csv"));
    $(`${demo}-export-json`).addEventListener("click", () => this.#save("json"));
  }

  /** Records a run: `result` as the API returned it, `summary` for the list, `rows` for the CSV. */
  add({ result, summary, rows }) {
    const run = this.runs.length + this.dropped + 1;
    const at = new Date();
    this.runs.push({ run, at: at.toISOString(), summary, result, rows: rows.map((row) => ({ run, ...row })) });
    const tr = document.createElement("tr");
    for (const text of [String(run), at.toLocaleTimeString(), summary]) tr.append(Object.assign(document.createElement("td"), { textContent: text }));
    const body = $(`${this.demo}-history-body`);
    body.append(tr);
    while (this.runs.length > HISTORY_LIMIT) {
      this.runs.shift();
      body.firstElementChild.remove();
      this.dropped += 1;
    }
    $(`${this.demo}-history-count`).textContent = String(this.runs.length);
    const dropped = $(`${this.demo}-history-dropped`);
    dropped.hidden = this.dropped === 0;
    dropped.textContent = ` — the last ${HISTORY_LIMIT} are kept; ${this.dropped} older run${this.dropped === 1 ? " was" : "s were"} dropped`;
    $(`${this.demo}-export-csv`).disabled = false;
    $(`${this.demo}-export-json`).disabled = false;
  }

  // Both exports carry the kept and dropped counts on every row, so a file alone says whether it is
  // the whole history (runsDropped 0) or its tail.
  csv() {
    return toCsv(this.runs.flatMap((r) => r.rows.map((row) => ({ ...row, runsKept: this.runs.length, runsDropped: this.dropped }))));
  }

  json() {
    return JSON.stringify(
      this.runs.map(({ run, at, summary, result }) => ({ run, at, summary, result, runsKept: this.runs.length, runsDropped: this.dropped })),
      null,
      2,
    );
  }

  #save(kind) {
    const text = kind === "csv" ? this.csv() : this.json();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: kind === "csv" ? "text/csv" : "application/json" }));
    link.download = `playground-${this.demo}-runs.${kind}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }
}
