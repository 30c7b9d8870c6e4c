//! The CPU demo's comparison: when it stops, and what its rounds add up to.

use playground::model::compare::{
    another_round, speedup_spread, threads_takeaway, MAX_ROUNDS, MEASURED_MS, MIN_ROUNDS,
};

#[test]
fn a_comparison_runs_five_rounds_then_until_600_ms_were_measured_and_never_past_fifteen() {
    assert_eq!((MIN_ROUNDS, MAX_ROUNDS, MEASURED_MS), (5, 15, 600.0));
    // Long runs: five rounds even when one round alone measured far more than 600 ms.
    assert!(another_round(4, 10_000.0));
    assert!(!another_round(5, 10_000.0));
    // The seed's work on a fast machine, ~56 ms a round (36 ms sequential + 20 ms on two threads):
    // 11 rounds; at ~40 ms a round, the cap of 15.
    let rounds = (0..)
        .take_while(|&r| another_round(r, f64::from(r) * 56.0))
        .count();
    assert_eq!(rounds, (600.0_f64 / 56.0).ceil() as usize);
    let rounds = (0..)
        .take_while(|&r| another_round(r, f64::from(r) * 40.0))
        .count();
    assert_eq!(rounds, 15);
    // Tiny work: stops at the cap.
    let rounds = (0..)
        .take_while(|&r| another_round(r, f64::from(r) * 0.1))
        .count();
    assert_eq!(rounds, 15);
}

#[test]
fn the_spread_pairs_each_round_and_takes_the_median_and_range_of_the_ratios() {
    // Round speedups 2.0, 1.0, 1.8, 1.9, 0.5 (by hand: 20/10, 20/20, 18/10, 19/10, 10/20).
    let sequential = [20.0, 20.0, 18.0, 19.0, 10.0];
    let parallel = [10.0, 20.0, 10.0, 10.0, 20.0];
    let spread = speedup_spread(&sequential, &parallel).unwrap();
    assert_eq!(spread.per_round, vec![2.0, 1.0, 1.8, 1.9, 0.5]);
    assert_eq!(spread.median, 1.8);
    assert_eq!((spread.low, spread.high), (0.5, 2.0));
    assert_eq!(spread.typical_round, 2, "round 3's 1.8× is the median");
    // The median of the ratios, not the ratio of the medians (19/10 = 1.9 here).
    assert_ne!(spread.median, 19.0 / 10.0);
}

#[test]
fn rounds_that_cannot_be_paired_give_no_spread() {
    assert_eq!(speedup_spread(&[], &[]), None);
    assert_eq!(speedup_spread(&[10.0, 10.0], &[5.0]), None);
    assert_eq!(speedup_spread(&[10.0], &[0.0]), None);
    assert_eq!(speedup_spread(&[f64::NAN], &[5.0]), None);
}

#[test]
fn the_takeaway_claims_only_what_the_median_shows() {
    let spread = |median: f64| speedup_spread(&[median * 10.0], &[10.0]).unwrap();
    let full = threads_takeaway(&spread(1.9), 2);
    assert!(
        full.contains("computed at the same time on 2 cores"),
        "{full}"
    );
    let partial = threads_takeaway(&spread(1.4), 2);
    assert!(partial.contains("short of 2×"), "{partial}");
    assert!(!partial.contains("computed at the same time"), "{partial}");
    let none = threads_takeaway(&spread(1.05), 2);
    assert!(none.contains("barely beat one"), "{none}");
    // Eight threads at 4×: well short of 8×, so not "at the same time on 8 cores".
    assert!(threads_takeaway(&spread(4.0), 8).contains("short of 8×"));
    for text in [full, partial, none] {
        assert!(
            text.contains("no GIL") && text.contains("CPython's threads would take turns"),
            "{text}"
        );
    }
}
