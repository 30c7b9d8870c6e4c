// What every benchmark script shares: medians, how figures are printed, goal checks, and the markdown table.

export const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** The median of the samples (mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const ms = (x) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
export const check = (ok) => (ok ? "✅" : "❌");
/** Whether `x` lies in [low, high]: a goal that says "≈" fails on both sides. */
export const within = (x, low, high) => x >= low && x <= high;
/** Progress on stderr, so stdout stays the table alone. */
export const log = (message) => process.stderr.write(`bench: ${message}\n`);

// The Runs column: how many runs stand behind a row's figure, so a single run is never read as a median.
/** One figure, the median of `n` runs (a ratio of two such figures: `medians of n each`). */
export const medianOf = (n) => (n === 1 ? "1 run" : `median of ${n}`);
export const mediansOf = (n) => (n === 1 ? "1 run each" : `medians of ${n} each`);
/** A figure that is not a timing (a file size, a count): measured once, exactly. */
export const EXACT = "exact";

/** A `| Measure | Runs | Result | Goal | Met |` table: add rows, then print it under a heading line. */
export function createTable() {
  const rows = [];
  return {
    row: (measure, runs, result, goal = "", met = "") => rows.push({ measure, runs, result, goal, met }),
    print(heading) {
      console.log(`\n${heading}\n`);
      console.log("| Measure | Runs | Result | Goal | Met |\n|---|---|---|---|---|");
      for (const r of rows) console.log(`| ${r.measure} | ${r.runs} | ${r.result} | ${r.goal} | ${r.met} |`);
    },
  };
}
