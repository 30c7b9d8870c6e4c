//! The shared-counter experiment: N threads each add 1 to one counter, four ways. Only the racy way
//! loses updates; the other three differ in what the correctness costs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// How the threads add to the one shared counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterMethod {
    /// Read, then write back one more: two separate atomic operations with no lock between them,
    /// so two threads can read the same value and one increment is lost. (Atomic loads and
    /// stores keep it free of undefined behaviour: the race is in the logic, not the memory.)
    Racy,
    /// One indivisible `fetch_add` per increment.
    Atomic,
    /// A `Mutex` taken and released around every increment.
    Mutex,
    /// Each thread counts in its own local variable and adds its total once at the end.
    Local,
}

impl CounterMethod {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "racy" => Ok(Self::Racy),
            "atomic" => Ok(Self::Atomic),
            "mutex" => Ok(Self::Mutex),
            "local" => Ok(Self::Local),
            other => Err(format!(
                "method must be \"racy\", \"atomic\", \"mutex\" or \"local\", not {other:?}"
            )),
        }
    }
}

/// Most increments per thread the lab accepts (a racy run of this size takes well under a second).
pub const MAX_INCREMENTS: u64 = 100_000_000;

/// Runs `threads` threads of the current rayon pool, each adding 1 to one shared counter
/// `increments` times with `method`; returns the final count (expected: threads × increments).
pub fn count_shared(threads: usize, increments: u64, method: CounterMethod) -> u64 {
    let shared = AtomicU64::new(0);
    let locked = Mutex::new(0u64);
    rayon::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| match method {
                CounterMethod::Racy => {
                    for _ in 0..increments {
                        let seen = shared.load(Ordering::Relaxed);
                        shared.store(seen + 1, Ordering::Relaxed);
                    }
                }
                CounterMethod::Atomic => {
                    for _ in 0..increments {
                        shared.fetch_add(1, Ordering::Relaxed);
                    }
                }
                CounterMethod::Mutex => {
                    for _ in 0..increments {
                        *locked.lock().expect("no thread panics while holding it") += 1;
                    }
                }
                CounterMethod::Local => {
                    let mut mine = 0u64;
                    for _ in 0..increments {
                        mine = std::hint::black_box(mine + 1);
                    }
                    shared.fetch_add(mine, Ordering::Relaxed);
                }
            });
        }
    });
    let from_mutex = *locked.lock().expect("no thread panics while holding it");
    shared.load(Ordering::SeqCst) + from_mutex
}
