//! The kernel is exact: checked against the closed formula, and against Python's known answer.

use playground::kernels::sum_squares::{sum_of_squares, sum_of_squares_formula, MAX_N};

#[test]
fn matches_the_closed_formula_for_the_issue_sizes() {
    for n in [0u64, 1, 2, 10, 12_345, 10_000_000] {
        assert_eq!(sum_of_squares(0..n), sum_of_squares_formula(n), "n = {n}");
    }
}

#[test]
fn matches_pythons_answer_for_the_seed() {
    // `sum(i * i for i in range(10_000_000))` as printed by CPython.
    assert_eq!(
        sum_of_squares(0..10_000_000).to_string(),
        "333333283333335000000"
    );
}

#[test]
fn small_cases_by_hand() {
    assert_eq!(sum_of_squares(0..0), 0);
    assert_eq!(sum_of_squares(0..1), 0);
    assert_eq!(sum_of_squares(0..2), 1);
    assert_eq!(sum_of_squares(0..4), 1 + 4 + 9);
    assert_eq!(sum_of_squares(3..5), 9 + 16);
}

/// A tiny deterministic generator, so a failure names a reproducible n.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn random_ranges_add_up_like_the_formula() {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        let a = xorshift(&mut state) % 3_000_000;
        let b = a + xorshift(&mut state) % 3_000_000;
        let expected = sum_of_squares_formula(b) - sum_of_squares_formula(a);
        assert_eq!(sum_of_squares(a..b), expected, "range {a}..{b}");
    }
}

#[test]
fn the_low_word_carries_into_the_high_word() {
    // Squares near 2^30 are near 2^60: sixteen of them overflow a u64, so the carry must be kept.
    let top = 1u64 << 30;
    let range = top - 100..top;
    let expected = sum_of_squares_formula(range.end) - sum_of_squares_formula(range.start);
    assert!(expected > u128::from(u64::MAX));
    assert_eq!(sum_of_squares(range), expected);
}

#[test]
fn the_formula_holds_at_the_largest_accepted_n() {
    // The kernel would take seconds here; check the tail instead plus the formula's own consistency.
    let tail = MAX_N - 1_000..MAX_N;
    assert_eq!(
        sum_of_squares(tail),
        sum_of_squares_formula(MAX_N) - sum_of_squares_formula(MAX_N - 1_000)
    );
    assert_eq!(
        sum_of_squares_formula(MAX_N),
        (u128::from(MAX_N) - 1) * u128::from(MAX_N) * (2 * u128::from(MAX_N) - 1) / 6
    );
}
