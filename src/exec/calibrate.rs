//! The thread-count check: k equal chunks of the CPU kernel started together on k threads of the
//! current pool, for k = 1, 2, … up to a limit (see [`crate::model::calibration`] for the rule).

use std::sync::Barrier;

use crate::kernels::sum_squares::{sum_of_squares, MAX_N};
use crate::model::calibration::{
    items_for, threads_at_full_speed, worth_timing_more, CHUNK_TARGET_MS, TRIES,
};
use crate::model::timeline::Clock;

/// The first guess at a chunk's size, ~0.5 ms on a 2-core CI machine; it doubles until it can be timed.
const FIRST_ITEMS: u64 = 1 << 20;
/// A try shorter than this is too close to the timer's granularity (coarse in some browsers) to scale from.
const TIMEABLE_MS: f64 = 3.0;

/// What the check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Threads that ran at full speed here (at least 1).
    pub threads: u32,
    /// `wall_ms[k - 1]`: from the start of k chunks started together to the end of the last (the fastest try).
    pub wall_ms: Vec<f64>,
    /// Numbers summed per chunk.
    pub chunk_items: u64,
    /// How long the whole check took, sizing included.
    pub total_ms: f64,
}

/// Runs the check on the current rayon pool (at most `max_threads` and the pool's size), with
/// chunks of about `target_ms` ([`CHUNK_TARGET_MS`] on the page). Blocks while it runs: call it
/// from a worker or from a pool thread, never from the page's main thread.
pub fn calibrate(max_threads: u32, target_ms: f64, clock: &impl Clock) -> Calibration {
    let started = clock.now_ms();
    let limit = (max_threads as usize).clamp(1, rayon::current_num_threads());
    let mut items = FIRST_ITEMS;
    // The faster of two tries: other programs on the machine only ever slow a try down.
    let alone = |items| wall_of(1, items, clock).min(wall_of(1, items, clock));
    let mut took = alone(items);
    while took < TIMEABLE_MS && items < MAX_N / 2 {
        items *= 2;
        took = alone(items);
    }
    let mut items = items_for(target_ms, items, took, FIRST_ITEMS, MAX_N);
    // An engine that swaps in optimised code only after a while (JavaScriptCore's wasm tiers) ran the
    // sizing tries slower than it runs now: size once more from a try of the sized chunk.
    let sized = alone(items);
    if sized < target_ms / 2.0 {
        items = items_for(target_ms, items, sized, FIRST_ITEMS, MAX_N);
    }
    // Round by round, every count once per round: a burst of other work on the machine then slows
    // one try of several counts rather than every try of one count.
    let mut wall_ms: Vec<f64> = Vec::with_capacity(limit);
    for _ in 0..TRIES {
        for k in 1..=limit {
            if k > wall_ms.len() {
                if !worth_timing_more(&wall_ms) {
                    break;
                }
                wall_ms.push(f64::INFINITY);
            }
            wall_ms[k - 1] = wall_ms[k - 1].min(wall_of(k, items, clock));
        }
        // A later round's faster tries may show a count past the first round's answer is worth timing.
    }
    Calibration {
        threads: threads_at_full_speed(&wall_ms),
        wall_ms,
        chunk_items: items,
        total_ms: clock.now_ms() - started,
    }
}

/// The page's check with its own chunk length.
pub fn calibrate_for_page(max_threads: u32, clock: &impl Clock) -> Calibration {
    calibrate(max_threads, CHUNK_TARGET_MS, clock)
}

/// Starts one chunk of `items` numbers on each of `k` distinct pool threads at the same moment (a
/// barrier: a thread that wakes late does not run alone afterwards) and returns how long they took,
/// on the clock of one thread (index 0). Browsers give each worker its own clock, and across workers
/// they disagree (WebKitGTK's time origin moved by up to 6.6 ms): a start read on one and an end on
/// another once showed 4 threads "at full speed" on 2 cores. Thread 0 reads the start before the first
/// barrier, while it surely holds a core, and the end after a second barrier that every chunk reaches
/// when done: both bounds are outside the chunks, so waking late can only lengthen the wall (fewer
/// threads counted), never shorten it.
fn wall_of(k: usize, items: u64, clock: &impl Clock) -> f64 {
    let started = Barrier::new(k);
    let finished = Barrier::new(k);
    let walls = rayon::broadcast(|context| {
        if context.index() >= k {
            return None;
        }
        let timer = context.index() == 0;
        let start = timer.then(|| clock.now_ms());
        started.wait();
        std::hint::black_box(sum_of_squares(0..std::hint::black_box(items)));
        finished.wait();
        start.map(|start| clock.now_ms() - start)
    });
    walls
        .into_iter()
        .flatten()
        .next()
        .expect("thread 0 of the pool times every try")
}
