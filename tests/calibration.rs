//! The thread-count check: its rule on made-up timings, and the check itself on real native threads.

mod common;

use std::sync::Mutex;
use std::time::Instant;

use common::{pool, MonotonicClock};
use playground::exec::calibrate::calibrate;
use playground::model::calibration::{
    items_for, speedups, threads_at_full_speed, worth_timing_more,
};

#[test]
fn threads_that_share_two_cores_stop_counting_at_two() {
    // Two real cores, 8 ms a chunk: 2 together still take 8 ms; 3 take 12 (three chunks share two
    // cores); 4 take 16.
    let wall = [8.0, 8.4, 12.0, 16.0];
    let speedup = speedups(&wall);
    assert!((speedup[1] - 2.0 * 8.0 / 8.4).abs() < 1e-12);
    assert!((speedup[2] - 2.0).abs() < 1e-12);
    assert_eq!(threads_at_full_speed(&wall), 2);
}

#[test]
fn a_third_thread_on_two_cores_does_not_count_even_when_the_second_looked_slow() {
    // Measured in WebKit on this 2-core machine: the second thread looked slow (1.48×) and the third
    // then seemed to add 0.37 of a core (1.85×), but three threads on two cores each ran at 0.62.
    assert_eq!(threads_at_full_speed(&[10.16, 13.72, 16.5, 22.86]), 2);
}

#[test]
fn a_lone_chunk_slowed_by_something_else_does_not_make_more_threads_look_full_speed() {
    // A CI run in WebKit on 2 cores: every lone try took 11.2 ms, yet 3 chunks together took 7.7 ms.
    // One chunk cannot take longer than three started together, so it takes at most 7.7 ms; against
    // that, 2 threads (14.0 ms) ran at 0.55 each: one thread is what this check can vouch for.
    let wall = [11.22, 13.98, 7.74, 10.74];
    assert!((speedups(&wall)[1] - 2.0 * 7.74 / 13.98).abs() < 1e-12);
    assert_eq!(threads_at_full_speed(&wall), 1);
}

#[test]
fn every_thread_that_adds_a_good_part_of_a_core_counts() {
    // Four real cores with a turbo that slows each core a little as more run: 1, 1.9, 2.7, 3.5.
    let wall = [10.0, 10.0 * 2.0 / 1.9, 10.0 * 3.0 / 2.7, 10.0 * 4.0 / 3.5];
    assert_eq!(threads_at_full_speed(&wall), 4);
    // Two cores beside one busy program: two threads get 4/3 of a core, 1.33 times one thread.
    assert_eq!(threads_at_full_speed(&[10.0, 15.0]), 2);
    // A second thread that brings only 0.2 of a core: one thread is the answer.
    assert_eq!(threads_at_full_speed(&[10.0, 10.0 * 2.0 / 1.2]), 1);
}

#[test]
fn the_count_stops_at_the_first_thread_that_adds_nothing() {
    // A noisy fourth try that looks fast again does not bring back a count past a failure.
    assert_eq!(threads_at_full_speed(&[8.0, 8.0, 16.0, 8.0]), 2);
    assert!(!worth_timing_more(&[8.0, 8.0, 16.0]));
    assert!(worth_timing_more(&[8.0, 8.0]));
    assert!(worth_timing_more(&[]));
}

#[test]
fn timings_that_say_nothing_give_one_thread() {
    assert_eq!(threads_at_full_speed(&[]), 1);
    assert_eq!(threads_at_full_speed(&[0.0, 0.0]), 1);
    assert_eq!(threads_at_full_speed(&[f64::NAN, 5.0]), 1);
    assert_eq!(threads_at_full_speed(&[5.0, f64::INFINITY]), 1);
}

#[test]
fn chunk_size_scales_to_the_target_within_bounds() {
    assert_eq!(items_for(8.0, 1_000_000, 2.0, 1, u64::MAX), 4_000_000);
    assert_eq!(items_for(8.0, 1_000_000, 2.0, 1, 3_000_000), 3_000_000);
    assert_eq!(items_for(8.0, 1_000_000, 100.0, 500_000, u64::MAX), 500_000);
    // A try the timer saw as 0 ms says only "more".
    assert_eq!(items_for(8.0, 1_000_000, 0.0, 1, u64::MAX), 2_000_000);
}

/// The tests that time real threads take turns: run side by side (cargo's default), each would
/// measure the others' load.
static MACHINE: Mutex<()> = Mutex::new(());

/// The cores this machine really has, as the operating system reports them (not the code under test).
fn real_cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

#[test]
fn on_a_pool_larger_than_the_machine_the_check_finds_at_most_its_cores() {
    let _alone = MACHINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cores = real_cores();
    let clock = MonotonicClock(Instant::now());
    // The fewest threads of three checks: a burst on the machine during one check's single-thread tries
    // makes its extra threads look fast (a CI rehearsal: [4.9, 4.5, 5.4, 9.9] ms, 3 "at full speed" on
    // 2 cores). A check that counts too many threads every time still fails.
    let on_pool = pool(cores as usize * 2);
    let found = (0..3)
        .map(|_| on_pool.install(|| calibrate(cores * 2, 4.0, &clock)))
        .min_by_key(|check| check.threads)
        .expect("three checks");
    assert!(
        (1..=cores).contains(&found.threads),
        "{} threads at full speed on {cores} cores ({:?} ms)",
        found.threads,
        found.wall_ms
    );
    assert!(found.wall_ms.len() as u32 <= cores * 2);
    assert_eq!(found.threads, threads_at_full_speed(&found.wall_ms));
}

#[test]
fn the_check_never_answers_more_than_it_was_allowed_or_the_pool_has() {
    let _alone = MACHINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let clock = MonotonicClock(Instant::now());
    let found = pool(4).install(|| calibrate(1, 2.0, &clock));
    assert_eq!(found.threads, 1);
    assert_eq!(found.wall_ms.len(), 1);
    let found = pool(1).install(|| calibrate(8, 2.0, &clock));
    assert_eq!(found.threads, 1);
    assert_eq!(found.wall_ms.len(), 1);
}

/// A clock whose reading depends on the thread that reads it, as each worker's does in a browser
/// (`timeOrigin + now()`; WebKitGTK's `timeOrigin` moved by up to 6.6 ms between reads): pool thread i
/// reads `ahead_ms × i` ahead of pool thread 0.
struct PerThreadClock {
    start: Instant,
    ahead_ms: f64,
}

impl playground::model::timeline::Clock for PerThreadClock {
    fn now_ms(&self) -> f64 {
        let ahead = rayon::current_thread_index().unwrap_or(0) as f64 * self.ahead_ms;
        self.start.elapsed().as_secs_f64() * 1e3 + ahead
    }
}

#[test]
fn the_check_times_on_one_threads_clock_so_clocks_that_disagree_between_threads_do_not_enter_it() {
    let _alone = MACHINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cores = real_cores();
    // A start read on one thread's clock and an end on another's mixed the two clocks: WebKit in CI
    // found 4 threads "at full speed" on 2 cores ([5.9, 5.5, 5.8, 5.6] ms), the chunks past the cores
    // ending on clocks behind the first thread's. Clocks a second apart make any such mix plain.
    let clock = PerThreadClock {
        start: Instant::now(),
        ahead_ms: 1_000.0,
    };
    let found = pool(cores as usize * 2).install(|| calibrate(cores * 2, 4.0, &clock));
    // Each try is a few chunks of ~4 ms; one second of disagreement would show in any wall that mixed clocks.
    for (i, ms) in found.wall_ms.iter().enumerate() {
        assert!(
            *ms > 0.0 && *ms < 500.0,
            "{} threads timed at {ms} ms ({:?})",
            i + 1,
            found.wall_ms
        );
    }
    assert!((1..=cores).contains(&found.threads), "{:?}", found.wall_ms);
}
