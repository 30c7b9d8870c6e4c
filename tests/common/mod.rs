//! Helpers the native integration tests share: a real clock for timelines and a pool of a chosen size.

use std::time::Instant;

use playground::model::timeline::Clock;

/// Milliseconds since the test made it: the native stand-in for the page's `performance.now()`.
pub struct MonotonicClock(pub Instant);

impl Clock for MonotonicClock {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1e3
    }
}

/// A rayon pool of exactly `threads` threads, whatever the machine has.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}
