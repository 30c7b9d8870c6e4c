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
use crate::model::schedule::{default_piece, PieceSpan, Schedule};
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
// Not inlined: one wasm function for every run, called once per item, so the engine's optimised code
// (swapped in between calls, never inside one) reaches an item computed after it is ready, whatever
// sink the run has; inlined into each run's piece loop, a static block ran entirely in the baseline
// tier when its one call began before the optimised code was ready.
#[inline(never)]
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

/// The image's width per row of height: the default view spans 3 units across, 2 down.
pub const MANDELBROT_ASPECT: (u32, u32) = (3, 2);
/// Iterations before a pixel counts as inside the set: enough that rows through the set's body cost
/// hundreds of times the rows above it.
pub const MANDELBROT_MAX_ITER: u32 = 2000;
/// The gallery's sizes: Mandelbrot rows, primes' limit, squares' n: `(least, default, most)`.
pub const MANDELBROT_ROWS: (u32, u32, u32) = (8, 480, 1200);
pub const PRIMES_LIMIT: (u32, u32, u32) = (100, 5_000_000, 50_000_000);
pub const SQUARES_N: (u32, u32, u32) = (1, 40_000_000, 1_000_000_000);
/// The most threads a gallery run may ask for (each is a Web Worker).
pub const MAX_GALLERY_THREADS: u32 = 16;
/// Primes and squares are cut into this many equal slices of the numbers (the items a schedule hands
/// out). The threads look at the cancel flag between items: at the largest primes run (below
/// 50,000,000) a slice of 49,000 numbers takes a few tens of ms, so Cancel is heard within that.
pub const NUMBER_SLICES: u32 = 1024;

/// A gallery run's checked options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GalleryOptions {
    pub kernel: Kernel,
    pub schedule: Schedule,
    pub threads: u32,
}

impl GalleryOptions {
    /// Items per piece: a static block (the larger ones) or a dynamic piece.
    pub fn piece_size(&self) -> u32 {
        match self.schedule {
            Schedule::Static => self.kernel.items().div_ceil(self.threads.max(1)),
            Schedule::Dynamic { piece } => piece,
        }
    }
}

/// Checks `playground.kernel`'s options for a pool of `threads` (1 to [`MAX_GALLERY_THREADS`]): the kernel and schedule by name,
/// `pieces` (dynamic only: how many pieces the items are cut into; by default about eight per
/// thread) and `size` (Mandelbrot: the image's rows; primes: count below this; squares: n). Every
/// message names the option and its range.
pub fn parse_gallery_options(
    kernel: &str,
    schedule: &str,
    threads: f64,
    pieces: Option<f64>,
    size: Option<f64>,
) -> Result<GalleryOptions, String> {
    if !(threads.is_finite()
        && threads.fract() == 0.0
        && (1.0..=f64::from(MAX_GALLERY_THREADS)).contains(&threads))
    {
        return Err(format!(
            "threads must be a whole number from 1 to {MAX_GALLERY_THREADS}, not {threads}"
        ));
    }
    let threads = threads as u32;
    let whole_in = |name: &str, value: f64, (least, _, most): (u32, u32, u32)| {
        if value.is_finite()
            && value.fract() == 0.0
            && (f64::from(least)..=f64::from(most)).contains(&value)
        {
            Ok(value as u32)
        } else {
            Err(format!(
                "{name} must be a whole number from {least} to {most}, not {value}"
            ))
        }
    };
    let kernel = match kernel {
        "mandelbrot" => {
            let rows = size.map_or(Ok(MANDELBROT_ROWS.1), |s| {
                whole_in("size (the image's rows)", s, MANDELBROT_ROWS)
            })?;
            let width = rows * MANDELBROT_ASPECT.0 / MANDELBROT_ASPECT.1;
            Kernel::Mandelbrot(View::uneven(width, rows, MANDELBROT_MAX_ITER))
        }
        "primes" => Kernel::Primes {
            limit: size.map_or(Ok(PRIMES_LIMIT.1), |s| {
                whole_in("size (count the primes below it)", s, PRIMES_LIMIT)
            })?,
            slices: NUMBER_SLICES,
        },
        "squares" => Kernel::Squares {
            n: u64::from(size.map_or(Ok(SQUARES_N.1), |s| whole_in("size (n)", s, SQUARES_N))?),
            slices: NUMBER_SLICES,
        },
        other => {
            return Err(format!(
                "kernel must be \"mandelbrot\", \"primes\" or \"squares\", not \"{other}\""
            ))
        }
    };
    let items = kernel.items();
    let schedule =
        match (schedule, pieces) {
            ("static", None) => Schedule::Static,
            ("static", Some(_)) => return Err(
                "pieces applies to the \"dynamic\" schedule: \"static\" cuts one block per thread"
                    .into(),
            ),
            ("dynamic", None) => Schedule::Dynamic {
                piece: default_piece(items, threads),
            },
            ("dynamic", Some(count)) => {
                let count = whole_in("pieces", count, (1, 0, items))?;
                Schedule::Dynamic {
                    piece: items.div_ceil(count),
                }
            }
            (other, _) => {
                return Err(format!(
                    "schedule must be \"static\" or \"dynamic\", not \"{other}\""
                ))
            }
        };
    Ok(GalleryOptions {
        kernel,
        schedule,
        threads,
    })
}
