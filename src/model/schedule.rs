//! How a run cuts its work into pieces and who takes them: a static split decided up front, or many
//! small pieces that idle threads take (work stealing). Pure: the plans are lists of item ranges.

use std::fmt;
use std::ops::Range;

/// How the items (rows, numbers) are handed to the threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// One contiguous block per thread, decided before the run: OpenMP's `schedule(static)`,
    /// Python's `Pool.map` with `chunksize = len(items) // processes`.
    Static,
    /// Pieces of `piece` items each, taken by whichever thread is free (rayon's work stealing):
    /// OpenMP's `schedule(dynamic, piece)`, `Pool.map` with a small `chunksize`.
    Dynamic { piece: u32 },
}

impl Schedule {
    /// The JS API's names, in the order the page offers them.
    pub const NAMES: [&'static str; 2] = ["static", "dynamic"];

    pub fn name(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Dynamic { .. } => "dynamic",
        }
    }

    /// The pieces of a run over `items` items on `threads` threads, in item order. Static: one block
    /// per thread (sizes differ by at most one, the first blocks the larger; a thread gets an empty
    /// block only when there are fewer items than threads, and empty blocks are left out). Dynamic:
    /// blocks of `piece` items, the last one shorter.
    pub fn pieces(self, items: u32, threads: u32) -> Vec<Range<u32>> {
        match self {
            Self::Static => static_blocks(items, threads),
            Self::Dynamic { piece } => {
                let piece = piece.max(1);
                (0..items.div_ceil(piece))
                    .map(|i| i * piece..((i + 1) * piece).min(items))
                    .collect()
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static => f.write_str("static (one block per thread)"),
            Self::Dynamic { piece } => write!(f, "dynamic (pieces of {piece})"),
        }
    }
}

/// `items` cut into `threads` contiguous blocks as equal as whole items allow.
pub fn static_blocks(items: u32, threads: u32) -> Vec<Range<u32>> {
    let threads = threads.max(1);
    let (base, extra) = (items / threads, items % threads);
    let mut start = 0;
    (0..threads)
        .map(|t| {
            let len = base + u32::from(t < extra);
            let block = start..start + len;
            start += len;
            block
        })
        .filter(|block| !block.is_empty())
        .collect()
}

/// The piece size the page starts from for `items` items on `threads` threads: about eight pieces
/// per thread, enough for an idle thread to find work while the others finish theirs.
pub fn default_piece(items: u32, threads: u32) -> u32 {
    (items / (8 * threads.max(1))).max(1)
}

/// One piece as it ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PieceSpan {
    /// The thread (0-based within its pool) that computed it.
    pub worker: u32,
    /// The piece's place in the plan (0-based, in item order).
    pub piece: u32,
    pub start_ms: f64,
    pub end_ms: f64,
    /// The kernel's own count of the work it did (iterations, divisions, squares).
    pub cost: u64,
}

/// Per thread `0..threads`: the time it spent on pieces, and the rest of the run's wall time (waiting
/// for work, or finished early and idle while the others still ran).
pub fn busy_and_idle(spans: &[PieceSpan], threads: u32, wall_ms: f64) -> (Vec<f64>, Vec<f64>) {
    let busy: Vec<f64> = (0..threads)
        .map(|t| {
            spans
                .iter()
                .filter(|s| s.worker == t)
                .map(|s| s.end_ms - s.start_ms)
                .sum()
        })
        .collect();
    let idle = busy.iter().map(|b| (wall_ms - b).max(0.0)).collect();
    (busy, idle)
}
