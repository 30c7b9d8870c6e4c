//! The seed's CPU-bound task: Python's `sum(i * i for i in range(n))`, exactly.
//!
//! Python integers never overflow, so neither may we: squares are added to a `u64` whose overflow is
//! carried into a second `u64` word, giving the exact 128-bit sum.

use std::ops::Range;

/// The largest `n` the playground accepts. Every `i < n` is below 2^30, so four squares fit in a `u64`,
/// and the total, about n³/3 ≈ 3.3·10^26, is far below `u128::MAX` ≈ 3.4·10^38.
pub const MAX_N: u64 = 1_000_000_000;

/// Σ i² for i in `range`, exact. Requires `range.end <= MAX_N + 1` (so every square is below 2^60).
///
/// The carry is kept by hand on purpose: written as `(a..b).map(|i| i * i).sum()`, LLVM replaces the loop
/// by the closed formula and the "CPU-bound" demo would take no time at all. An add-with-carry chain is
/// outside what LLVM's loop analysis can fold, so the work really is done, one square per number.
pub fn sum_of_squares(range: Range<u64>) -> u128 {
    debug_assert!(range.end <= 1 << 30, "four squares must fit in a u64");
    let mut total = Exact128::default();
    let mut i = range.start;
    // Below 2^30 each square is below 2^60, so four of them add up without overflowing a u64:
    // one carry check per four squares instead of one per square (wasm has no add-with-carry).
    while range.end - i >= 4 {
        total.add(i * i + (i + 1) * (i + 1) + (i + 2) * (i + 2) + (i + 3) * (i + 3));
        i += 4;
    }
    for rest in i..range.end {
        total.add(rest * rest);
    }
    total.value()
}

/// A 128-bit running total made of two u64 words, the low one carrying into the high one.
#[derive(Default)]
struct Exact128 {
    low: u64,
    high: u64,
}

impl Exact128 {
    #[inline(always)]
    fn add(&mut self, x: u64) {
        let (sum, carried) = self.low.overflowing_add(x);
        self.low = sum;
        self.high += u64::from(carried);
    }

    fn value(&self) -> u128 {
        (u128::from(self.high) << 64) | u128::from(self.low)
    }
}

/// The closed formula Σ_{i<n} i² = (n−1)·n·(2n−1)/6, used only to check the kernel.
pub fn sum_of_squares_formula(n: u64) -> u128 {
    if n == 0 {
        return 0;
    }
    let n = u128::from(n);
    (n - 1) * n * (2 * n - 1) / 6
}
