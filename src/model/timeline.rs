//! Timelines: who ran what, when. One span per piece of work, one row per worker.

use std::ops::Range;

use crate::model::stats::sort_ascending;

/// A clock every thread of a run reads the same way, in milliseconds.
///
/// In the browser each Web Worker has its own `performance.now()` origin, so the wasm clock returns
/// `performance.timeOrigin + performance.now()`: spans from different workers then line up.
pub trait Clock: Sync {
    fn now_ms(&self) -> f64;
}

/// One piece of work as it ran: which worker, which task and chunk, which numbers, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The worker thread that ran it (0-based within its pool; 0 for a sequential run).
    pub worker: u32,
    pub task: u32,
    pub chunk: u32,
    /// The numbers this piece summed.
    pub range: Range<u64>,
    /// Milliseconds since the run started.
    pub start_ms: f64,
    pub end_ms: f64,
}

impl Span {
    pub fn duration_ms(&self) -> f64 {
        self.end_ms - self.start_ms
    }
}

/// All spans of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub spans: Vec<Span>,
}

impl Timeline {
    pub fn new(spans: Vec<Span>) -> Self {
        Self { spans }
    }

    /// The workers that ran at least one span, ascending: the chart's rows.
    pub fn workers(&self) -> Vec<u32> {
        let mut workers: Vec<u32> = self.spans.iter().map(|s| s.worker).collect();
        workers.sort_unstable();
        workers.dedup();
        workers
    }

    /// When the last span ended (0 for an empty timeline).
    pub fn end_ms(&self) -> f64 {
        self.spans.iter().map(|s| s.end_ms).fold(0.0, f64::max)
    }

    /// Total time `worker` spent running spans.
    pub fn busy_ms(&self, worker: u32) -> f64 {
        self.spans
            .iter()
            .filter(|s| s.worker == worker)
            .map(Span::duration_ms)
            .sum()
    }

    /// The most spans running at one instant: 1 for a sequential run, up to the thread count in
    /// parallel. Touching ends (one ends exactly when the next starts) do not count as overlap.
    pub fn max_concurrency(&self) -> usize {
        max_overlap(self.spans.iter().map(|s| (s.start_ms, s.end_ms)))
    }
}

/// The most intervals `(start, end)` open at one instant. Touching ends (one ends exactly when the
/// next starts) do not count as overlap. Shared by the CPU timeline and the downloads' timeline.
pub fn max_overlap(intervals: impl IntoIterator<Item = (f64, f64)>) -> usize {
    // Starts and ends sorted apart (the shared sort of numbers) and swept in time order: before each
    // start, every end up to and including its instant closes, so touching ends do not overlap.
    let (mut starts, mut ends): (Vec<f64>, Vec<f64>) = intervals.into_iter().unzip();
    sort_ascending(&mut starts);
    sort_ascending(&mut ends);
    let mut ends = ends.into_iter().peekable();
    let mut running = 0i64;
    let mut most = 0i64;
    for start in starts {
        while ends.next_if(|end| end.total_cmp(&start).is_le()).is_some() {
            running -= 1;
        }
        running += 1;
        most = most.max(running);
    }
    most as usize
}
