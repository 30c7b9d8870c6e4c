//! The CPU demo's run: the same kernel over the same plan, with `iter()` or `par_iter()`.

use std::fmt;
use std::sync::Mutex;

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

/// The task number a run's serial phase is drawn under (Amdahl's sequential part).
pub const SERIAL_TASK: u32 = u32::MAX;

/// What a run does besides the plain work: the lab's experiments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Every chunk holds one global lock while it computes, as CPython's threads hold the GIL:
    /// the threads then take turns, whatever the core count.
    pub gil: bool,
    /// This task's first chunk panics, to show what a crash does to a thread and to a process.
    pub crash_task: Option<u32>,
    /// Numbers summed on the calling thread alone before the parallel part: a serial phase, the
    /// part of a program Amdahl's law says no number of threads can speed up.
    pub serial_items: u64,
}

/// The simulated GIL: one lock for every thread of this process (a process has one interpreter).
static GIL: Mutex<()> = Mutex::new(());

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
    run_cpu_with(params, mode, &RunOptions::default(), clock, control)
}

/// [`run_cpu`] with the lab's options: a simulated GIL, a task that crashes, a serial phase.
pub fn run_cpu_with(
    params: &CpuParams,
    mode: Mode,
    options: &RunOptions,
    clock: &impl Clock,
    control: &RunControl,
) -> Result<CpuRun, Cancelled> {
    let plan = plan_chunks(params);
    let started = clock.now_ms();
    let serial = if options.serial_items > 0 {
        let serial_job = ChunkJob {
            task: SERIAL_TASK,
            chunk: 0,
            range: 0..options.serial_items,
        };
        Some(run_chunk(&serial_job, started, &RunOptions::default(), clock, control)?.0)
    } else {
        None
    };
    let run_chunk = |job: &ChunkJob| run_chunk(job, started, options, clock, control);
    let outcomes: Result<Vec<(Span, u128)>, Cancelled> = match mode {
        Mode::Sequential => plan.iter().map(run_chunk).collect(),
        // One chunk per rayon job, so a free thread can steal any single chunk.
        Mode::Threads => plan.par_iter().with_max_len(1).map(run_chunk).collect(),
    };
    let outcomes = outcomes?;
    let wall_ms = clock.now_ms() - started;

    let mut results = vec![0u128; params.tasks as usize];
    let mut spans = Vec::with_capacity(outcomes.len() + 1);
    spans.extend(serial);
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

/// Runs one chunk on this thread (under the GIL if asked; the time waiting for it is not part of
/// the span, so GIL spans never overlap) and returns its span and sum.
pub fn run_chunk(
    job: &ChunkJob,
    run_started: f64,
    options: &RunOptions,
    clock: &impl Clock,
    control: &RunControl,
) -> Result<(Span, u128), Cancelled> {
    let worker = rayon::current_thread_index().unwrap_or(0) as u32;
    // A panicking thread never unlocks (panics abort in the browser); later runs still get the lock.
    let _gil = options
        .gil
        .then(|| GIL.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    if options.crash_task == Some(job.task) && job.chunk == 0 {
        panic!(
            "task {} crashed on purpose (crashTask: {}) on thread {worker}",
            job.task, job.task
        );
    }
    let start_ms = clock.now_ms() - run_started;
    let mut sum = 0u128;
    let mut block_start = job.range.start;
    while block_start < job.range.end {
        if !control.check_in() {
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
