//! The CPU demo's run: the same kernel over the same plan, with `iter()` or `par_iter()`.

use std::fmt;

use rayon::prelude::*;

use super::control::{RunControl, BLOCK};
use crate::kernels::sum_squares::sum_of_squares;
use crate::model::cpu_params::{plan_chunks, ChunkJob, CpuParams};
use crate::model::timeline::{Clock, Span, Timeline};

/// Where the chunks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One after another on the calling thread: the seed's "before".
    Sequential,
    /// On the current rayon pool's threads; idle threads steal chunks from busy ones.
    Threads,
}

/// A finished run: each task's exact sum, and who computed what when.
#[derive(Debug, Clone)]
pub struct CpuRun {
    pub results: Vec<u128>,
    pub timeline: Timeline,
    pub wall_ms: f64,
}

/// The run stopped because someone set the cancel flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the run was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// Runs every task of `params`, chunk by chunk, in `mode`. The run adds its progress to `control` and
/// stops early (returning [`Cancelled`]) once its cancel flag is set. The caller resets `control`
/// before the run, not the run itself: a Cancel pressed just after the start must not be wiped out.
///
/// In `Threads` mode the chunks run on the rayon pool the caller is in (or the global pool), and the
/// calling thread waits: in the browser it must be a worker, never the page's main thread.
pub fn run_cpu(
    params: &CpuParams,
    mode: Mode,
    clock: &impl Clock,
    control: &RunControl,
) -> Result<CpuRun, Cancelled> {
    let plan = plan_chunks(params);
    let started = clock.now_ms();
    let run_chunk = |job: &ChunkJob| run_chunk(job, started, clock, control);
    let outcomes: Result<Vec<(Span, u128)>, Cancelled> = match mode {
        Mode::Sequential => plan.iter().map(run_chunk).collect(),
        // One chunk per rayon job, so a free thread can steal any single chunk.
        Mode::Threads => plan.par_iter().with_max_len(1).map(run_chunk).collect(),
    };
    let outcomes = outcomes?;
    let wall_ms = clock.now_ms() - started;

    let mut results = vec![0u128; params.tasks as usize];
    let mut spans = Vec::with_capacity(outcomes.len());
    for (span, sum) in outcomes {
        results[span.task as usize] += sum;
        spans.push(span);
    }
    Ok(CpuRun {
        results,
        timeline: Timeline::new(spans),
        wall_ms,
    })
}

fn run_chunk(
    job: &ChunkJob,
    run_started: f64,
    clock: &impl Clock,
    control: &RunControl,
) -> Result<(Span, u128), Cancelled> {
    let worker = rayon::current_thread_index().unwrap_or(0) as u32;
    let start_ms = clock.now_ms() - run_started;
    let mut sum = 0u128;
    let mut block_start = job.range.start;
    while block_start < job.range.end {
        if control.is_cancelled() {
            return Err(Cancelled);
        }
        let block_end = job.range.end.min(block_start + BLOCK);
        sum += sum_of_squares(block_start..block_end);
        control.add_progress(block_end - block_start);
        block_start = block_end;
    }
    let span = Span {
        worker,
        task: job.task,
        chunk: job.chunk,
        range: job.range.clone(),
        start_ms,
        end_ms: clock.now_ms() - run_started,
    };
    Ok((span, sum))
}

/// Sends `rounds` trivial two-sided jobs through the pool one after another and returns a checksum;
/// timing it gives the fixed cost of handing a tiny parallel job to the threads and getting it back.
pub fn dispatch_tiny_jobs(rounds: u32) -> u64 {
    (0..rounds)
        .map(|round| {
            let (a, b) = rayon::join(
                || std::hint::black_box(u64::from(round)),
                || std::hint::black_box(1u64),
            );
            a + b
        })
        .sum()
}
