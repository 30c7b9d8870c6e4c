//! Small statistics the page and the benchmarks share.

/// How many times faster `parallel_ms` is than `sequential_ms`; `None` when either is not a
/// positive, finite duration.
pub fn speedup(sequential_ms: f64, parallel_ms: f64) -> Option<f64> {
    let valid = |ms: f64| ms.is_finite() && ms > 0.0;
    (valid(sequential_ms) && valid(parallel_ms)).then(|| sequential_ms / parallel_ms)
}

/// Speedup per thread: 1.0 means every thread was fully used.
pub fn efficiency(speedup: f64, threads: u32) -> Option<f64> {
    (threads > 0 && speedup.is_finite()).then(|| speedup / f64::from(threads))
}

/// Sorts `values` ascending (`f64::total_cmp`): the crate's one sort of numbers, so the wasm carries
/// one copy of the sort's code for all of them (the median, percentiles, the timelines' overlap).
pub fn sort_ascending(values: &mut [f64]) {
    values.sort_by(f64::total_cmp);
}

/// The median of the samples (mean of the middle two for an even count); `None` when empty.
pub fn median(samples: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return None;
    }
    sort_ascending(&mut sorted);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}
