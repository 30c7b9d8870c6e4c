// What every benchmark script shares: medians, how figures are printed, and the markdown table.

export const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** The median of the samples (mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const ms = (x) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
export const check = (ok) => (ok ? "✅" : "❌");
/** Progress on stderr, so stdout stays the table alone. */
export const log = (message) => process.stderr.write(`bench: ${message}\n`);

/** A `| Measure | Result | Goal | Met |` table: add rows, then print it under a heading line. */
export function createTable() {
  const rows = [];
  return {
    row: (measure, result, goal = "", met = "") => rows.push({ measure, result, goal, met }),
    print(heading) {
      console.log(`\n${heading}\n`);
      console.log("| Measure | Result | Goal | Met |\n|---|---|---|---|");
      for (const r of rows) console.log(`| ${r.measure} | ${r.result} | ${r.goal} | ${r.met} |`);
    },
  };
}
