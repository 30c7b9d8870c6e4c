//! The CPU demo's "Compare": the same work run sequentially and in parallel, round after round, and
//! what the rounds say together. One run of the seed's work takes ~10–20 ms, short enough that one
//! busy moment of the machine moves a single speedup from 2× to 0.6×; the median over rounds, shown
//! with its spread, is the figure a learner can trust.

use super::stats::{median, sort_ascending, speedup};

/// Rounds a comparison always runs.
pub const MIN_ROUNDS: u32 = 5;
/// Rounds it never goes beyond.
pub const MAX_ROUNDS: u32 = 15;
/// Past [`MIN_ROUNDS`], rounds go on until the measured runs add up to this much time: enough work
/// that a few milliseconds of something else on the machine cannot decide the median. At the seed's
/// size a round measures ~40 ms on a 2-core machine, so 600 ms is the full 15 rounds (about a second
/// with the paints between runs). 300 ms gave 7–9 rounds, and the first Compare on 8 fresh loads of
/// a quiet 2-core machine ranged 1.52–1.96×; with 15 rounds, 1.62–1.92× and 1.67–1.92×.
pub const MEASURED_MS: f64 = 600.0;

/// Whether a comparison that has run `rounds_done` rounds, whose runs took `measured_ms` in all,
/// runs another round.
pub fn another_round(rounds_done: u32, measured_ms: f64) -> bool {
    rounds_done < MIN_ROUNDS || (rounds_done < MAX_ROUNDS && measured_ms < MEASURED_MS)
}

/// The speedup of several rounds: each round's own (its sequential time over its parallel time),
/// their median and their range.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeedupSpread {
    /// Each round's speedup, in the order the rounds ran.
    pub per_round: Vec<f64>,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// The round whose speedup is closest to the median (0-based): the one a page shows first.
    pub typical_round: usize,
}

/// The spread of the rounds' speedups, pairing each round's sequential and parallel times; `None`
/// when the lists differ in length, are empty, or hold a time that is not a positive duration.
pub fn speedup_spread(sequential_ms: &[f64], parallel_ms: &[f64]) -> Option<SpeedupSpread> {
    if sequential_ms.len() != parallel_ms.len() || sequential_ms.is_empty() {
        return None;
    }
    let per_round = sequential_ms
        .iter()
        .zip(parallel_ms)
        .map(|(&s, &p)| speedup(s, p))
        .collect::<Option<Vec<f64>>>()?;
    let middle = median(&per_round)?;
    let mut sorted = per_round.clone();
    sort_ascending(&mut sorted);
    let typical_round = per_round
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| (*a - middle).abs().total_cmp(&(*b - middle).abs()))
        .map(|(round, _)| round)?;
    Some(SpeedupSpread {
        median: middle,
        low: sorted[0],
        high: sorted[sorted.len() - 1],
        typical_round,
        per_round,
    })
}

/// The line beside a threads comparison's speedup: why Rust's threads can use every core, what
/// CPython's would do instead, and what this measurement shows — worded after the numbers, so it
/// never claims a speedup the rounds did not show.
pub fn threads_takeaway(spread: &SpeedupSpread, threads: u32) -> String {
    let python = "CPython's threads would take turns holding its GIL, one core at a time";
    if threads <= 1 {
        return format!("With one thread there is nothing to share out. {python}.");
    }
    let cores = format!("{threads} cores");
    if spread.median >= 0.75 * f64::from(threads) {
        format!("Rust has no GIL: these {threads} threads computed at the same time on {cores}, in one memory. {python}.")
    } else if spread.median >= 1.25 {
        format!(
            "Rust has no GIL, so the {threads} threads ran at the same time, though short of {threads}× here: \
             other work on this device (the browser itself included) took some of the {cores}. {python}."
        )
    } else {
        format!(
            "Rust has no GIL, yet the {threads} threads barely beat one here: this device did not give them \
             {cores} at once (other programs, or fewer real cores than it reports). {python}."
        )
    }
}
