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
