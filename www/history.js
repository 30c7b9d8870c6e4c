// Each demo's runs since the page was opened, listed under the demo and exportable as CSV (one row
// per task, file or measured point) and JSON (every run in the JavaScript API's result shape).

const $ = (id) => document.getElementById(id);

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return [columns, ...rows.map((row) => columns.map((c) => row[c]))].map((line) => line.map(csvField).join(",")).join("\r\n") + "\r\n";
}

export class RunHistory {
  /** Adds the history panel to `sectionId`; `demo` names the exported files. */
  constructor(demo, sectionId) {
    this.demo = demo;
    this.runs = [];
    const panel = document.createElement("details");
    panel.className = "history";
    panel.id = `${demo}-history`;
    panel.innerHTML = `<summary>Runs since you opened the page (<span id="${demo}-history-count">0</span>)</summary>
      <div class="table-scroll"><table class="file-table"><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Run</th></tr></thead>
      <tbody id="${demo}-history-body"></tbody></table></div>
      <p><button type="button" id="${demo}-export-csv" disabled>Export CSV</button>
         <button type="button" id="${demo}-export-json" disabled>Export JSON</button></p>`;
    $(sectionId).append(panel);
    $(`${demo}-export-csv`).addEventListener("click", () => this.#save("csv"));
    $(`${demo}-export-json`).addEventListener("click", () => this.#save("json"));
  }

  /** Records a run: `result` as the API returned it, `summary` for the list, `rows` for the CSV. */
  add({ result, summary, rows }) {
    const run = this.runs.length + 1;
    const at = new Date();
    this.runs.push({ run, at: at.toISOString(), summary, result, rows: rows.map((row) => ({ run, ...row })) });
    const tr = document.createElement("tr");
    for (const text of [String(run), at.toLocaleTimeString(), summary]) tr.append(Object.assign(document.createElement("td"), { textContent: text }));
    $(`${this.demo}-history-body`).append(tr);
    $(`${this.demo}-history-count`).textContent = String(this.runs.length);
    $(`${this.demo}-export-csv`).disabled = false;
    $(`${this.demo}-export-json`).disabled = false;
  }

  csv() {
    return toCsv(this.runs.flatMap((r) => r.rows));
  }

  json() {
    return JSON.stringify(this.runs.map(({ run, at, summary, result }) => ({ run, at, summary, result })), null, 2);
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
