//! The shared counter measured natively: how much the racy count loses and what the atomic and
//! Mutex counts cost, on a pool of 2 threads at the page's default size. A measurement, run by hand:
//! `cargo test --release --test counter -- --ignored --nocapture` (RUNS=…, INC=… to change it).
//! It still checks what must hold in every run: the exact methods are exact, the racy one never gains.
use playground::exec::counter::{count_shared, CounterMethod};
use std::time::Instant;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool of 2 threads starts")
}

fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "a measurement that prints timings (minutes on a busy machine); run it by hand"]
fn measure_each_method_on_two_threads() {
    let pool = pool(2);
    let runs = from_env("RUNS", 10);
    let increments = from_env("INC", 10_000_000);
    let expected = 2 * increments;
    for (method, name) in CounterMethod::ALL {
        let mut times = Vec::new();
        let mut lost = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let counted = pool.install(|| count_shared(2, increments, method));
            times.push(started.elapsed().as_secs_f64() * 1e3);
            assert!(
                counted <= expected,
                "{name} counted {counted} of {expected}"
            );
            if method != CounterMethod::Racy {
                assert_eq!(counted, expected, "{name}");
            }
            lost.push(expected - counted);
        }
        times.sort_by(f64::total_cmp);
        let losing = lost.iter().filter(|&&l| l > 0).count();
        println!(
            "{name:>6}: median {:.0} ms (min {:.0}, max {:.0}); runs that lost updates: {losing} of {runs}",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1]
        );
    }
}

/// The Mutex loop of `src/exec/counter.rs` written again with a record of who held the lock last:
/// how often the lock changes hands tells whether the threads take turns in long stretches (few
/// hand-overs) or collide on every increment (hand-overs near the increment count).
#[test]
#[ignore = "a measurement that prints hand-over counts; run it by hand"]
fn measure_how_often_the_mutex_changes_hands() {
    use std::sync::Mutex;
    let increments = from_env("INC", 10_000_000);
    for _ in 0..from_env("RUNS", 5) {
        // (count, last holder, hand-overs)
        let lock = Mutex::new((0u64, usize::MAX, 0u64));
        let started = Instant::now();
        std::thread::scope(|scope| {
            for me in 0..2 {
                let lock = &lock;
                scope.spawn(move || {
                    for _ in 0..increments {
                        let mut held = lock.lock().expect("no thread panics while holding it");
                        held.0 += 1;
                        if held.1 != me {
                            held.1 = me;
                            held.2 += 1;
                        }
                    }
                });
            }
        });
        let (count, _, handovers) = *lock.lock().expect("no thread panics while holding it");
        assert_eq!(count, 2 * increments);
        println!(
            "{:.0} ms, {handovers} hand-overs in {count} increments (one per {:.0})",
            started.elapsed().as_secs_f64() * 1e3,
            count as f64 / handovers as f64
        );
    }
}
