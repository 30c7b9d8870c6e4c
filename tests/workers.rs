//! The signs of life and the cancel a watching page relies on: work checks in once per block of
//! 65,536 numbers (the heartbeat moves on, a cancel stops it), waiting never does.

mod common;

use std::time::{Duration, Instant};

use common::{pool, MonotonicClock};
use playground::exec::control::{run_on_pool, RunControl, BLOCK};
use playground::exec::counter::{count_shared_with, CounterMethod};
use playground::exec::cpu::{run_cpu, Cancelled, Mode};
use playground::model::cpu_params::CpuParams;

#[test]
fn a_run_beats_once_per_block_of_every_chunk() {
    let control = RunControl::new();
    // Three whole blocks and five numbers more: four blocks per chunk, two chunks per task, three tasks.
    let n = 2 * (3 * BLOCK + 5);
    let params = CpuParams {
        tasks: 3,
        n,
        threads: 1,
        chunks: 2,
    };
    let before = control.heartbeat();
    run_cpu(
        &params,
        Mode::Sequential,
        &MonotonicClock(Instant::now()),
        &control,
    )
    .unwrap();
    assert_eq!(control.heartbeat().wrapping_sub(before), 3 * 2 * 4);
}

#[test]
fn the_counter_beats_per_block_per_thread_and_still_counts_exactly() {
    let control = RunControl::new();
    let threads = 2;
    let increments = 5 * BLOCK + 1;
    let count = pool(threads).install(|| {
        count_shared_with(threads, increments, CounterMethod::Atomic, &control).unwrap()
    });
    assert_eq!(count, threads as u64 * increments);
    assert_eq!(control.heartbeat(), threads as u32 * 6);
}

#[test]
fn a_cancelled_counter_stops_midway() {
    let control = RunControl::new();
    let threads = 2;
    // 100 million mutex increments per thread take seconds; cancelled, the run ends almost at once.
    let increments = 100_000_000;
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        let runner = scope.spawn(|| {
            pool(threads)
                .install(|| count_shared_with(threads, increments, CounterMethod::Mutex, &control))
        });
        // Let the threads get going (at most 2 s: a counter that never checks in must fail, not hang).
        let waiting = Instant::now();
        while control.heartbeat() < 4 && waiting.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(1));
        }
        control.cancel();
        runner.join().unwrap()
    });
    assert_eq!(outcome, Err(Cancelled));
    assert!(started.elapsed() < Duration::from_secs(2));
    // Each thread stopped at its next look at the flag: far fewer blocks than the whole count.
    assert!(u64::from(control.heartbeat()) < threads as u64 * increments / BLOCK / 2);
}

#[test]
fn a_counter_cancelled_before_it_starts_returns_cancelled() {
    let control = RunControl::new();
    control.cancel();
    let outcome = pool(2).install(|| count_shared_with(2, 1_000, CounterMethod::Racy, &control));
    assert_eq!(outcome, Err(Cancelled));
}

static WAITING: RunControl = RunControl::new();

#[test]
fn a_thread_waiting_for_the_pool_beats_for_the_process_and_the_pool_beats_for_the_work() {
    // The job sleeps 300 ms on a pool thread: the waiting thread beats every WAIT_BEAT (50 ms) meanwhile.
    let before = WAITING.process_heartbeat();
    let output = run_on_pool(&WAITING, || {
        std::thread::sleep(Duration::from_millis(300));
        // A pool thread's look at the flag moves the work heartbeat only.
        let process_before = WAITING.process_heartbeat();
        WAITING.check_in();
        (
            WAITING.heartbeat(),
            process_before,
            WAITING.process_heartbeat(),
        )
    });
    let (work_beats, process_before, process_after) = output;
    assert_eq!(work_beats, 1);
    assert_eq!(
        process_after, process_before,
        "a pool thread never beats for the process"
    );
    let beats = WAITING.process_heartbeat().wrapping_sub(before);
    assert!(
        (4..=8).contains(&beats),
        "{beats} process beats in 300 ms at one per 50 ms"
    );
    // The calling thread, outside any pool, beats for the process when it works itself.
    let before = WAITING.process_heartbeat();
    WAITING.check_in();
    assert_eq!(WAITING.process_heartbeat().wrapping_sub(before), 1);
}
