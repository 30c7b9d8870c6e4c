//! Running plans natively: the same code the browser runs, on native rayon threads.

mod common;

use std::time::{Duration, Instant};

use common::{pool, MonotonicClock};
use playground::exec::control::RunControl;
use playground::exec::cpu::{dispatch_tiny_jobs, run_cpu, Cancelled, Mode};
use playground::kernels::sum_squares::sum_of_squares_formula;
use playground::model::cpu_params::CpuParams;

fn params(tasks: u32, n: u64, chunks: u32) -> CpuParams {
    CpuParams {
        tasks,
        n,
        threads: 2,
        chunks,
    }
}

#[test]
fn both_modes_give_every_task_the_exact_sum() {
    let clock = MonotonicClock(Instant::now());
    let control = RunControl::new();
    let p = params(4, 1_000_000, 3);
    let expected = vec![sum_of_squares_formula(1_000_000); 4];
    let sequential = run_cpu(&p, Mode::Sequential, &clock, &control).unwrap();
    assert_eq!(sequential.results, expected);
    assert_eq!(
        control.items_done(),
        4_000_000,
        "progress counts every number"
    );
    control.reset();
    let threaded = pool(2)
        .install(|| run_cpu(&p, Mode::Threads, &clock, &control))
        .unwrap();
    assert_eq!(threaded.results, expected);
    assert_eq!(
        control.items_done(),
        4_000_000,
        "progress counts every number again after a reset"
    );
}

#[test]
fn sequential_spans_run_one_after_another_on_one_worker() {
    let clock = MonotonicClock(Instant::now());
    let run = run_cpu(
        &params(3, 200_000, 2),
        Mode::Sequential,
        &clock,
        &RunControl::new(),
    )
    .unwrap();
    assert_eq!(run.timeline.spans.len(), 6);
    assert_eq!(run.timeline.workers(), [0]);
    assert_eq!(run.timeline.max_concurrency(), 1);
    assert!(run.wall_ms >= run.timeline.end_ms());
}

#[test]
fn threads_spread_chunks_over_the_pool() {
    let clock = MonotonicClock(Instant::now());
    // Enough chunks of real work that both threads of the pool get some.
    let run = pool(2)
        .install(|| {
            run_cpu(
                &params(4, 20_000_000, 8),
                Mode::Threads,
                &clock,
                &RunControl::new(),
            )
        })
        .unwrap();
    assert_eq!(run.timeline.spans.len(), 32);
    assert_eq!(run.timeline.workers(), [0, 1]);
    assert!(run.timeline.max_concurrency() >= 2);
}

#[test]
fn cancel_stops_a_run_midway() {
    let clock = MonotonicClock(Instant::now());
    let control = RunControl::new();
    let big = params(8, 1_000_000_000, 1);
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        let runner =
            scope.spawn(|| pool(2).install(|| run_cpu(&big, Mode::Threads, &clock, &control)));
        // Let it start, then cancel.
        while control.items_done() == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        control.cancel();
        runner.join().unwrap()
    });
    assert_eq!(outcome.unwrap_err(), Cancelled);
    assert!(
        control.items_done() < 8 * 1_000_000_000,
        "it stopped before the end"
    );
    // Eight billion squares would take many seconds; cancelled, it ends almost at once.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn tiny_jobs_come_back() {
    let checksum = pool(2).install(|| dispatch_tiny_jobs(100));
    assert_eq!(checksum, (0..100u64).sum::<u64>() + 100);
}
