//! The kernel is exact. Every expected value here comes from outside the kernel module: a plain
//! `u128` loop (a second implementation with no carry trick), or CPython's printed answer.

use playground::kernels::sum_squares::{sum_of_squares, sum_of_squares_formula, MAX_N};

/// Σ i² over `range` in plain `u128` arithmetic, one number at a time: nothing shared with the
/// kernel's two-word carry, so a mistake there cannot hide in the check.
fn brute_force(range: std::ops::Range<u64>) -> u128 {
    range.map(|i| u128::from(i) * u128::from(i)).sum()
}

#[test]
fn matches_a_plain_u128_loop_for_small_and_medium_sizes() {
    for n in [0u64, 1, 2, 3, 4, 5, 7, 10, 12_345, 1_000_003] {
        assert_eq!(sum_of_squares(0..n), brute_force(0..n), "n = {n}");
    }
}

#[test]
fn matches_pythons_answers() {
    // `sum(i * i for i in range(10_000_000))` as printed by CPython: the seed's own result.
    assert_eq!(
        sum_of_squares(0..10_000_000).to_string(),
        "333333283333335000000"
    );
    // `sum(i * i for i in range(12345))`.
    assert_eq!(sum_of_squares(0..12_345), 627_045_790_420);
}

#[test]
fn small_cases_by_hand() {
    assert_eq!(sum_of_squares(0..0), 0);
    assert_eq!(sum_of_squares(0..1), 0);
    assert_eq!(sum_of_squares(0..2), 1);
    assert_eq!(sum_of_squares(0..4), 1 + 4 + 9);
    assert_eq!(sum_of_squares(3..5), 9 + 16);
    // Lengths 1 to 9 from an odd start: the four-at-a-time loop and its remainder both matter.
    assert_eq!(
        sum_of_squares(5..14),
        25 + 36 + 49 + 64 + 81 + 100 + 121 + 144 + 169
    );
}

/// A tiny deterministic generator, so a failure names a reproducible range.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn random_ranges_match_the_plain_loop() {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        // Starts anywhere below 2^30 (squares near 2^60), lengths up to 20,000.
        let a = xorshift(&mut state) % ((1 << 30) - 20_000);
        let b = a + xorshift(&mut state) % 20_000;
        assert_eq!(sum_of_squares(a..b), brute_force(a..b), "range {a}..{b}");
    }
}

#[test]
fn the_low_word_carries_into_the_high_word() {
    // Squares near 2^30 are near 2^60: sixteen of them overflow a u64, so the carry must be kept.
    let top = 1u64 << 30;
    let range = top - 100..top;
    // `sum(i * i for i in range(2**30 - 100, 2**30))` as printed by CPython.
    let expected: u128 = 115_292_139_615_892_613_550;
    assert!(expected > u128::from(u64::MAX));
    assert_eq!(sum_of_squares(range.clone()), expected);
    assert_eq!(brute_force(range), expected);
}

#[test]
fn the_largest_accepted_n_is_exact() {
    // The whole range would take the kernel seconds in a debug build; its last thousand numbers
    // carry the largest squares. `sum(i * i for i in range(10**9 - 1000, 10**9))` by CPython:
    assert_eq!(
        sum_of_squares(MAX_N - 1_000..MAX_N),
        999_998_999_000_333_833_500
    );
    // `sum(i * i for i in range(10**9))` by CPython (a 10^9-step loop): the total fits in a u128.
    assert_eq!(
        sum_of_squares_formula(MAX_N),
        333_333_332_833_333_333_500_000_000
    );
}

#[test]
fn the_closed_formula_used_by_other_tests_matches_the_plain_loop() {
    // exec.rs, lab.rs and web.rs take their expected sums from this formula: check it independently.
    for n in [0u64, 1, 2, 3, 10, 12_345, 1_000_000, 2_000_000] {
        assert_eq!(sum_of_squares_formula(n), brute_force(0..n), "n = {n}");
    }
    assert_eq!(
        sum_of_squares_formula(10_000_000).to_string(),
        "333333283333335000000"
    );
}
