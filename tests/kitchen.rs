//! What one more worker costs (src/model/kitchen.rs): the checked counts, the fitted slope, and
//! words that follow the numbers.

use playground::model::kitchen::{
    kitchen_words, parse_worker_counts, per_extra_worker, PerExtraWorker, MAX_WORKERS_PER_START,
    MAX_WORKER_COUNTS,
};

#[test]
fn worker_counts_are_sorted_distinct_whole_numbers_in_range() {
    assert_eq!(
        parse_worker_counts(&[8.0, 1.0, 4.0, 2.0, 2.0]),
        Ok(vec![1, 2, 4, 8])
    );
    let most = MAX_WORKERS_PER_START as f64;
    assert_eq!(
        parse_worker_counts(&[1.0, most]),
        Ok(vec![1, MAX_WORKERS_PER_START])
    );
    for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, most + 1.0] {
        let message = parse_worker_counts(&[1.0, bad]).unwrap_err();
        assert!(message.contains(&bad.to_string()), "{bad}: {message}");
    }
}

#[test]
fn a_slope_needs_two_counts_and_at_most_a_few() {
    assert!(parse_worker_counts(&[]).unwrap_err().contains("two"));
    assert!(parse_worker_counts(&[4.0, 4.0])
        .unwrap_err()
        .contains("two"));
    let too_many: Vec<f64> = (1..=MAX_WORKER_COUNTS as u32 + 1).map(f64::from).collect();
    let message = parse_worker_counts(&too_many).unwrap_err();
    assert!(
        message.contains(&(MAX_WORKER_COUNTS + 1).to_string()),
        "{message}"
    );
}

#[test]
fn the_cost_of_one_more_is_the_least_squares_slope() {
    // On a straight line the slope is exact: 40 ms to start anything, 25 ms per worker.
    let line: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0]
        .iter()
        .map(|&w| (w, 40.0 + 25.0 * w))
        .collect();
    assert!((per_extra_worker(&line).unwrap() - 25.0).abs() < 1e-9);
    // Scattered points: the textbook formula, Σ(x−x̄)(y−ȳ) / Σ(x−x̄)², worked by hand for
    // x = 1, 2, 4, 8 (x̄ = 3.75) and y = 10, 14, 20, 41 (ȳ = 21.25): 127.25 / 28.75.
    let scattered = [(1.0, 10.0), (2.0, 14.0), (4.0, 20.0), (8.0, 41.0)];
    assert!((per_extra_worker(&scattered).unwrap() - 127.25 / 28.75).abs() < 1e-9);
    // A point that failed to measure is left out, not read as zero.
    let with_gap = [(1.0, 65.0), (2.0, f64::NAN), (4.0, 140.0)];
    assert!((per_extra_worker(&with_gap).unwrap() - 25.0).abs() < 1e-9);
    assert_eq!(per_extra_worker(&[(2.0, 1.0), (2.0, 3.0)]), None);
    assert_eq!(per_extra_worker(&[]), None);
}

fn costs(
    thread_ms: f64,
    process_ms: f64,
    cold_ms: f64,
    thread_mb: f64,
    process_mb: f64,
) -> PerExtraWorker {
    const MB: f64 = 1024.0 * 1024.0;
    PerExtraWorker {
        thread_start_ms: thread_ms,
        thread_memory_bytes: thread_mb * MB,
        process_start_ms: process_ms,
        process_cold_start_ms: cold_ms,
        process_memory_bytes: process_mb * MB,
    }
}

#[test]
fn the_words_say_which_was_cheaper_to_start_with_the_numbers() {
    let threads_cheaper = kitchen_words(&costs(10.0, 30.0, 60.0, 1.0, 2.0));
    assert!(
        threads_cheaper.starts_with("One more thread started faster"),
        "{threads_cheaper}"
    );
    assert!(
        threads_cheaper.contains("(10.0 ms vs 30.0 ms)"),
        "{threads_cheaper}"
    );
    let alike = kitchen_words(&costs(30.0, 27.0, 60.0, 1.0, 2.0));
    assert!(
        alike.starts_with("One more thread took about as long"),
        "{alike}"
    );
    let processes_cheaper = kitchen_words(&costs(40.0, 20.0, 60.0, 1.0, 2.0));
    assert!(
        processes_cheaper.starts_with("Here one more process"),
        "{processes_cheaper}"
    );
    assert!(
        processes_cheaper.contains("(20.0 ms vs 40.0 ms)"),
        "{processes_cheaper}"
    );
    // Noise can fit a slope below zero: it reads as 0, never as a negative cost.
    let noise = kitchen_words(&costs(-3.0, -1.0, -2.0, 1.0, 2.0));
    assert!(noise.starts_with("Neither"), "{noise}");
    // The words still carry the figures the table's "one more" row shows.
    assert!(noise.contains("(0.0 ms vs 0.0 ms)"), "{noise}");
    assert!(
        !noise
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'-' && w[1].is_ascii_digit()),
        "{noise}"
    );
}

#[test]
fn the_words_say_what_the_compile_and_the_memory_cost() {
    let compiles = kitchen_words(&costs(10.0, 30.0, 60.0, 1.0, 2.0));
    assert!(compiles.contains("took 60.0 ms each."), "{compiles}");
    let cached = kitchen_words(&costs(10.0, 30.0, 31.0, 1.0, 2.0));
    assert!(
        cached.contains("took 31.0 ms each, hardly more"),
        "{cached}"
    );
    assert!(
        compiles.contains("one more thread added 1.0 MB"),
        "{compiles}"
    );
    assert!(compiles.contains("one more process 2.0 MB"), "{compiles}");
    // 1.25 MB, as the page's table writes it (JavaScript rounds a half up): 1.3, not 1.2.
    let heavier_threads = kitchen_words(&costs(10.0, 30.0, 60.0, 2.0, 1.25));
    assert!(
        heavier_threads.contains("added 2.0 MB"),
        "{heavier_threads}"
    );
    assert!(
        heavier_threads.contains("no less than one more process (1.3 MB"),
        "{heavier_threads}"
    );
}
