//! The kernel whose cost grows with its input: counting primes by trial division.
//!
//! Testing n divides it by every odd number up to √n (stopping at the first divisor), so a prime near
//! 10,000,000 costs ~1,600 divisions and one near 1,000 only ~16: the last numbers of a range are the
//! dearest, and a static split gives the thread with the highest numbers the most work.

use std::ops::Range;

/// Whether `n` is prime, by trial division; also returns the divisions it took (the cost).
pub fn trial_division(n: u32) -> (bool, u32) {
    if n < 2 {
        return (false, 0);
    }
    if n < 4 {
        return (true, 0);
    }
    if n.is_multiple_of(2) {
        return (false, 1);
    }
    let mut divisions = 1;
    let mut d = 3u32;
    // d ≤ √n without a square root; d * d fits in u64 for any u32 n.
    while u64::from(d) * u64::from(d) <= u64::from(n) {
        divisions += 1;
        if n.is_multiple_of(d) {
            return (false, divisions);
        }
        d += 2;
    }
    (true, divisions)
}

/// The primes in `range` and the divisions it took to find them.
pub fn count_primes(range: Range<u32>) -> (u64, u64) {
    range.fold((0, 0), |(primes, cost), n| {
        let (prime, divisions) = trial_division(n);
        (primes + u64::from(prime), cost + u64::from(divisions) + 1)
    })
}

/// A second implementation to check against: the sieve of Eratosthenes, π(n) = primes below `n`.
pub fn count_primes_sieve(n: u32) -> u64 {
    let n = n as usize;
    if n < 3 {
        return 0;
    }
    let mut composite = vec![false; n];
    let mut i = 2;
    while i * i < n {
        if !composite[i] {
            (i * i..n).step_by(i).for_each(|m| composite[m] = true);
        }
        i += 1;
    }
    (2..n).filter(|&k| !composite[k]).count() as u64
}
