// The job queue the process pool and the download threads share (www/kit.js), run with node's test
// runner against timers: who takes which job, in which order, and when a worker stops taking jobs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { takeJobsInTurn } from "../../www/kit.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("each worker takes the next job as soon as it is free (Pool.map, chunksize 1)", async () => {
  // Job costs in ms; two workers. By hand: A takes 0 (40), B takes 1 (10); B is free at 10 and takes
  // 2 (10), free at 20 and takes 3 (10), free at 30 and takes 4 (40); A is free at 40: nothing left.
  const costs = [40, 10, 10, 10, 40];
  const taken = [];
  await takeJobsInTurn(costs, ["A", "B"], async (worker, cost, index) => {
    taken.push([worker, index]);
    await sleep(cost * 3);
  });
  assert.deepEqual(taken, [["A", 0], ["B", 1], ["B", 2], ["B", 3], ["B", 4]]);
});

test("every job is taken exactly once, whatever the number of workers", async () => {
  for (const workers of [1, 2, 3, 7]) {
    const jobs = Array.from({ length: 20 }, (_, i) => i);
    const seen = [];
    await takeJobsInTurn(jobs, Array.from({ length: workers }, (_, w) => w), async (_worker, job) => {
      await sleep(job % 3);
      seen.push(job);
    });
    assert.deepEqual(seen.toSorted((a, b) => a - b), jobs, `${workers} workers`);
  }
});

test("a worker whose job returns false takes no more; the others finish the queue", async () => {
  const taken = { A: [], B: [] };
  await takeJobsInTurn([0, 1, 2, 3, 4, 5], ["A", "B"], async (worker, job) => {
    taken[worker].push(job);
    await sleep(5);
    return !(worker === "A" && job === 0);
  });
  assert.deepEqual(taken.A, [0]);
  assert.deepEqual(taken.B, [1, 2, 3, 4, 5]);
});

test("keepGoing is asked before every job: a cancelled queue leaves its jobs untaken", async () => {
  let cancelled = false;
  const taken = [];
  await takeJobsInTurn([0, 1, 2, 3, 4, 5], ["A", "B"], async (_worker, job) => {
    taken.push(job);
    if (job === 2) cancelled = true;
    await sleep(5);
  }, () => !cancelled);
  // Jobs 0 and 1 start at once, 2 goes to whichever frees first and cancels: nothing after it starts.
  assert.deepEqual(taken, [0, 1, 2]);
});

test("no workers: nothing runs and the queue resolves", async () => {
  let ran = 0;
  await takeJobsInTurn([1, 2, 3], [], async () => ran++);
  assert.equal(ran, 0);
});
