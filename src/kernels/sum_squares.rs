//! The seed's CPU-bound task: Python's `sum(i * i for i in range(n))`, exactly.
//!
//! Python integers never overflow, so neither may we: every square fits a `u64` (i < 2^32) and the
//! running total is carried into a second `u64` word, giving the exact `u128` sum.

use std::ops::Range;

/// The largest `n` the playground accepts. Every `i < n` squares within a `u64` (n ≤ 2^32) and the
/// total, about n³/3 ≈ 3.3·10^26, is far below `u128::MAX` ≈ 3.4·10^38.
pub const MAX_N: u64 = 1_000_000_000;

/// Σ i² for i in `range`, exact. Requires `range.end <= 2^32` so each square fits a `u64`.
///
/// The carry is kept by hand on purpose: written as `(a..b).map(|i| i * i).sum()`, LLVM replaces the loop
/// by the closed formula and the "CPU-bound" demo would take no time at all. An add-with-carry chain is
/// outside what LLVM's loop analysis can fold, so the work really is done, one square per step.
pub fn sum_of_squares(range: Range<u64>) -> u128 {
    debug_assert!(range.end <= 1 << 32, "squares must fit in u64");
    let mut low: u64 = 0;
    let mut high: u64 = 0;
    for i in range {
        let (sum, carried) = low.overflowing_add(i * i);
        low = sum;
        high += u64::from(carried);
    }
    (u128::from(high) << 64) | u128::from(low)
}

/// The closed formula Σ_{i<n} i² = (n−1)·n·(2n−1)/6, used only to check the kernel.
pub fn sum_of_squares_formula(n: u64) -> u128 {
    if n == 0 {
        return 0;
    }
    let n = u128::from(n);
    (n - 1) * n * (2 * n - 1) / 6
}
