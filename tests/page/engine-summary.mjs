// A node:test reporter that ends each engine's run of the page tests with one line,
//   engine firefox: 52 passed, 0 failed, 1 skipped
// and one indented line per skipped or failed test with its file and reason, for scripts/test.sh to
// print after all engines have run. The engine is PLAYGROUND_ENGINE (see browser.mjs).
import { relative } from "node:path";

export default async function* engineSummary(source) {
  const engine = process.env.PLAYGROUND_ENGINE ?? "chromium";
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const notes = [];
  const where = (data) => (data.file ? relative(process.cwd(), data.file) : "?");
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { data } = event;
    // Suites (describe) and the per-file wrappers only group tests: count the tests themselves.
    if (data.details?.type === "suite") continue;
    if (data.skip !== undefined) {
      counts.skipped++;
      notes.push(`  skipped: ${data.name} (${where(data)}): ${data.skip}`);
    } else if (event.type === "test:pass") {
      counts.passed++;
    } else {
      // A file that failed before or outside its tests (a crash, a failing before() hook) is a failure too.
      counts.failed++;
      const cause = data.details?.error?.cause ?? data.details?.error;
      const firstLine = String(cause?.message ?? cause ?? "").split("\n")[0].slice(0, 200);
      notes.push(`  failed: ${data.name} (${where(data)}): ${firstLine}`);
    }
  }
  yield `engine ${engine}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`;
  for (const note of notes) yield `${note}\n`;
}
