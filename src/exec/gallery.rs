//! The scheduler gallery's run: an uneven kernel (or the even one) cut into pieces by a
//! [`Schedule`] and computed on the rayon pool the caller is in. Static hands each pool thread its
//! one block (`rayon::broadcast`: exactly one per thread, nobody steals); dynamic makes one rayon job
//! per piece, so a thread that runs out of work steals pieces from a busy one.
//!
//! Every finished item (a row of the image, a slice of the numbers) and every finished piece is told
//! to a [`GallerySink`] at once, so the page can draw the image and the timeline while the run runs.

use std::ops::Range;

use rayon::prelude::*;

use super::control::RunControl;
use super::cpu::Cancelled;
use crate::kernels::mandelbrot::{escape_row, image_hash, View};
use crate::kernels::primes::count_primes;
use crate::kernels::sum_squares::sum_of_squares;
use crate::model::schedule::{PieceSpan, Schedule};
use crate::model::timeline::Clock;

/// The work of a gallery run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kernel {
    /// One item per row of the image.
    Mandelbrot(View),
    /// The primes below `limit`, in `slices` equal slices of the numbers (one item each).
    Primes { limit: u32, slices: u32 },
    /// Σ i² for i < n, in `slices` equal slices (one item each): even work.
    Squares { n: u64, slices: u32 },
}

impl Kernel {
    pub const NAMES: [&'static str; 3] = ["mandelbrot", "primes", "squares"];

    pub fn name(&self) -> &'static str {
        match self {
            Self::Mandelbrot(_) => "mandelbrot",
            Self::Primes { .. } => "primes",
            Self::Squares { .. } => "squares",
        }
    }

    /// How many items the schedule cuts into pieces.
    pub fn items(&self) -> u32 {
        match *self {
            Self::Mandelbrot(view) => view.height,
            Self::Primes { slices, .. } | Self::Squares { slices, .. } => slices,
        }
    }

    /// The numbers item `item` covers (primes and squares): equal slices, the last one to the end.
    fn slice(total: u64, slices: u32, item: u32) -> Range<u64> {
        let at = |i: u32| total * u64::from(i) / u64::from(slices.max(1));
        at(item)..at(item + 1)
    }
}

/// What a run computed: the same whatever the schedule and the threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelResult {
    /// The image's iteration counts, row by row, and their hash.
    Image {
        hash: u64,
        counts: Vec<u32>,
    },
    Primes(u64),
    Squares(u128),
}

/// What one item produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutput {
    Row(Vec<u32>),
    Count(u64),
    Sum(u128),
}

/// Hears about a run while it runs, from whichever thread did the work.
pub trait GallerySink: Sync {
    /// Item `item` is done; called on the thread that computed it, as soon as it is.
    fn item_done(&self, _item: u32, _worker: u32, _output: &ItemOutput) {}
    /// A thread has started piece `piece` at `start_ms` (ms since the run started).
    fn piece_started(&self, _worker: u32, _piece: u32, _start_ms: f64) {}
    fn piece_done(&self, _span: &PieceSpan) {}
}

/// A sink that listens to nothing.
pub struct Unheard;
impl GallerySink for Unheard {}

/// A finished gallery run.
#[derive(Debug, Clone)]
pub struct GalleryRun {
    pub result: KernelResult,
    /// One per piece, in the order they finished.
    pub spans: Vec<PieceSpan>,
    /// The plan: each piece's items, in item order (a span's `piece` indexes it).
    pub pieces: Vec<Range<u32>>,
    pub wall_ms: f64,
}

/// Computes item `item` of `kernel`; returns its output and its cost.
pub fn compute_item(kernel: &Kernel, item: u32) -> (ItemOutput, u64) {
    match *kernel {
        Kernel::Mandelbrot(view) => {
            let mut row = vec![0; view.width as usize];
            let cost = escape_row(&view, item, &mut row);
            (ItemOutput::Row(row), cost)
        }
        Kernel::Primes { limit, slices } => {
            let range = Kernel::slice(u64::from(limit), slices, item);
            let (primes, cost) = count_primes(range.start as u32..range.end as u32);
            (ItemOutput::Count(primes), cost)
        }
        Kernel::Squares { n, slices } => {
            let range = Kernel::slice(n, slices, item);
            let cost = range.end - range.start;
            (ItemOutput::Sum(sum_of_squares(range)), cost)
        }
    }
}

/// Runs `kernel` under `schedule` on the current rayon pool (all its threads: the plan is for
/// `rayon::current_num_threads()` of them). The calling thread waits: in the browser, a worker.
/// Stops between items once `control` is cancelled.
pub fn run_gallery(
    kernel: &Kernel,
    schedule: Schedule,
    clock: &impl Clock,
    control: &RunControl,
    sink: &impl GallerySink,
) -> Result<GalleryRun, Cancelled> {
    let threads = rayon::current_num_threads() as u32;
    let pieces = schedule.pieces(kernel.items(), threads);
    let started = clock.now_ms();
    let run_piece = |piece: u32| -> Result<(PieceSpan, Vec<ItemOutput>), Cancelled> {
        let worker = rayon::current_thread_index().unwrap_or(0) as u32;
        let start_ms = clock.now_ms() - started;
        sink.piece_started(worker, piece, start_ms);
        let mut outputs = Vec::with_capacity(pieces[piece as usize].len());
        let mut cost = 0;
        for item in pieces[piece as usize].clone() {
            if !control.check_in() {
                return Err(Cancelled);
            }
            let (output, item_cost) = compute_item(kernel, item);
            cost += item_cost;
            sink.item_done(item, worker, &output);
            control.add_progress(1);
            outputs.push(output);
        }
        let span = PieceSpan {
            worker,
            piece,
            start_ms,
            end_ms: clock.now_ms() - started,
            cost,
        };
        sink.piece_done(&span);
        Ok((span, outputs))
    };
    let done: Vec<Result<(PieceSpan, Vec<ItemOutput>), Cancelled>> = match schedule {
        // Thread i takes block i, whatever the others do: the split is fixed before the run.
        Schedule::Static => rayon::broadcast(|context| {
            let piece = context.index() as u32;
            ((piece as usize) < pieces.len()).then(|| run_piece(piece))
        })
        .into_iter()
        .flatten()
        .collect(),
        // One job per piece: idle threads steal whole pieces from the busy ones' queues.
        Schedule::Dynamic { .. } => (0..pieces.len() as u32)
            .into_par_iter()
            .with_max_len(1)
            .map(run_piece)
            .collect(),
    };
    let wall_ms = clock.now_ms() - started;
    let mut by_piece: Vec<(PieceSpan, Vec<ItemOutput>)> =
        done.into_iter().collect::<Result<_, _>>()?;
    let mut spans: Vec<PieceSpan> = by_piece.iter().map(|(span, _)| *span).collect();
    spans.sort_by(|a, b| a.end_ms.total_cmp(&b.end_ms));
    by_piece.sort_by_key(|(span, _)| span.piece);
    let outputs = by_piece.into_iter().flat_map(|(_, outputs)| outputs);
    Ok(GalleryRun {
        result: combine(kernel, outputs),
        spans,
        pieces,
        wall_ms,
    })
}

/// The run's result from every item's output, in item order.
pub fn combine(kernel: &Kernel, outputs: impl Iterator<Item = ItemOutput>) -> KernelResult {
    match kernel {
        Kernel::Mandelbrot(view) => {
            let mut counts = Vec::with_capacity(view.width as usize * view.height as usize);
            for output in outputs {
                if let ItemOutput::Row(row) = output {
                    counts.extend(row);
                }
            }
            KernelResult::Image {
                hash: image_hash(&counts),
                counts,
            }
        }
        Kernel::Primes { .. } => KernelResult::Primes(
            outputs
                .map(|o| match o {
                    ItemOutput::Count(c) => c,
                    _ => 0,
                })
                .sum(),
        ),
        Kernel::Squares { .. } => KernelResult::Squares(
            outputs
                .map(|o| match o {
                    ItemOutput::Sum(s) => s,
                    _ => 0,
                })
                .sum(),
        ),
    }
}
