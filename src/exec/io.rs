//! Scheduling I/O-bound jobs as futures on one thread: one after another, all at once, or at most
//! `k` at once. Plain `futures` code, so the same schedule runs on the browser's event loop (the
//! downloads) and on futures' executor in native tests.

use std::future::Future;

use futures::future::{self, join_all};
use futures::stream::{self, StreamExt};

/// How the jobs overlap. (The downloads demo's "threads" mode is scheduled by the page's worker
/// pool, one of these per worker.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    Sequential,
    Concurrent,
    AtMost(usize),
}

/// Runs `job(0) … job(count - 1)` under `schedule` and returns their outputs in job order.
/// `AtMost(k)` starts jobs in order and starts the next one as soon as any running one ends,
/// exactly what a pool of `k` workers taking from one queue does.
pub async fn run_jobs<T, Fut, F>(count: usize, schedule: Schedule, job: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T>,
{
    match schedule {
        Schedule::Sequential => {
            let mut outputs = Vec::with_capacity(count);
            for index in 0..count {
                outputs.push(job(index).await);
            }
            outputs
        }
        Schedule::Concurrent => join_all((0..count).map(&job)).await,
        Schedule::AtMost(limit) => {
            // Each output goes to its job's place as it finishes (indices are 0..count, each once):
            // no sort, whose code the wasm would carry once per output type.
            let mut outputs: Vec<Option<T>> = (0..count).map(|_| None).collect();
            stream::iter(0..count)
                .map(|index| {
                    let running = job(index);
                    async move { (index, running.await) }
                })
                .buffer_unordered(limit.max(1))
                .for_each(|(index, output)| {
                    outputs[index] = Some(output);
                    future::ready(())
                })
                .await;
            outputs
                .into_iter()
                .map(|output| output.expect("every job of 0..count ran once"))
                .collect()
        }
    }
}
