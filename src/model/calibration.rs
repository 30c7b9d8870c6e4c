//! How many threads this device runs at full speed, decided from a short measurement.
//!
//! `navigator.hardwareConcurrency` is a hint: WebKit reported 4 on a 2-core machine, where 4 threads
//! take turns on 2 cores and run slower than 2. The page therefore times k equal chunks started
//! together on k threads, for k = 1, 2, …, and keeps the largest k that still adds real speed.

/// How much of a core each added thread must bring for the count to go up: 0.3. A thread beyond the
/// real cores adds almost nothing (0.15 for a third thread on 2 cores: its chunk and the others share
/// them), while one on a core of its own adds more even when another program takes part of a core
/// (2 threads beside one busy program on 2 cores: 1.33 times one thread's speed).
pub const MIN_GAIN_PER_THREAD: f64 = 0.3;

/// How fast, on average, the counted threads must each run, relative to one alone: 0.65. "At full
/// speed" with some room for noise, but no room for a thread past the real cores: 3 threads on 2
/// cores share them and run at 2/3 each at best. The gain rule alone let a noisy check through in
/// WebKit on 2 cores ([10.2, 13.7, 16.5, 22.9] ms: 1.48× at 2 threads, 1.85× at 3).
pub const MIN_EFFICIENCY: f64 = 0.65;

/// How long one chunk of the check runs alone: long enough that timer granularity and the cost of
/// starting it vanish, short enough that the whole check takes a few tens of milliseconds.
pub const CHUNK_TARGET_MS: f64 = 6.0;

/// How many times each thread count is timed; the fastest try counts (noise only ever slows a try).
pub const TRIES: usize = 3;

/// The speed of `k` threads relative to one, where `wall_ms[k - 1]` is the time from the start of k
/// equal chunks started together on k threads to the end of the last (so `wall_ms[0]` is one chunk alone).
///
/// One chunk alone takes no longer than k of them started together, so the fastest time of any count
/// is the most one chunk can take: a lone chunk timed slower than that was slowed by something else.
/// (In WebKit on 2 cores, every lone try of a check took 11.2 ms while 3 chunks took 7.7 ms: idle pool
/// threads looking for work shared the cores with it. Against 11.2 ms, 3 threads looked full speed.)
pub fn speedups(wall_ms: &[f64]) -> Vec<f64> {
    let Some(&first) = wall_ms.first() else {
        return Vec::new();
    };
    // Without a lone chunk's time the check says nothing (every speed-up 0).
    let timed = |ms: &f64| ms.is_finite() && *ms > 0.0;
    let alone = if timed(&first) {
        wall_ms.iter().copied().filter(timed).fold(first, f64::min)
    } else {
        first
    };
    wall_ms
        .iter()
        .enumerate()
        .map(|(i, &ms)| {
            if ms.is_finite() && ms > 0.0 && alone.is_finite() && alone > 0.0 {
                (i + 1) as f64 * alone / ms
            } else {
                0.0
            }
        })
        .collect()
}

/// The largest thread count whose every added thread brought at least [`MIN_GAIN_PER_THREAD`] of a
/// core and whose threads each ran at [`MIN_EFFICIENCY`] of full speed or more, counting up from 1
/// and stopping at the first count that failed either. At least 1.
pub fn threads_at_full_speed(wall_ms: &[f64]) -> u32 {
    let speedups = speedups(wall_ms);
    let mut chosen = 1;
    for k in 1..speedups.len() {
        let threads = (k + 1) as f64;
        if speedups[k] - speedups[k - 1] < MIN_GAIN_PER_THREAD
            || speedups[k] < MIN_EFFICIENCY * threads
        {
            break;
        }
        chosen = k + 1;
    }
    chosen as u32
}

/// Whether timing `wall_ms.len() + 1` threads can still change the answer: no, once a count
/// has failed to add speed (larger counts only oversubscribe more, and take longer to time).
pub fn worth_timing_more(wall_ms: &[f64]) -> bool {
    wall_ms.is_empty() || threads_at_full_speed(wall_ms) as usize == wall_ms.len()
}

/// Items per chunk so that a chunk runs about `target_ms`, from `items` that took `took_ms`.
/// Stays within `min_items..=max_items`.
pub fn items_for(target_ms: f64, items: u64, took_ms: f64, min_items: u64, max_items: u64) -> u64 {
    if !(took_ms.is_finite() && took_ms > 0.0) {
        return max_items.min(items.saturating_mul(2)).max(min_items);
    }
    let scaled = items as f64 * target_ms / took_ms;
    (scaled.round() as u64).clamp(min_items, max_items)
}
