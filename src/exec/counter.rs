//! The shared-counter experiment: N threads each add 1 to one counter, four ways. Only the racy way
//! loses updates; the other three differ in what the correctness costs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::control::{RunControl, BLOCK};
use super::cpu::Cancelled;

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
/// `threads` must not exceed the pool's size: the threads start together, spinning until all have
/// arrived, so they really overlap (a thread woken late — a sleeping worker takes a while — would
/// otherwise count alone and race with nobody).
pub fn count_shared(threads: usize, increments: u64, method: CounterMethod) -> u64 {
    count_shared_with(threads, increments, method, &RunControl::new())
        .expect("nobody else holds this run control, so nobody can cancel the run")
}

/// [`count_shared`] watched through `control`: every thread checks in every [`BLOCK`] increments
/// (the heartbeat moves on, a cancel stops it). Returns [`Cancelled`] once the flag was set.
pub fn count_shared_with(
    threads: usize,
    increments: u64,
    method: CounterMethod,
    control: &RunControl,
) -> Result<u64, Cancelled> {
    let shared = AtomicU64::new(0);
    let locked = Mutex::new(0u64);
    let arrived = AtomicUsize::new(0);
    rayon::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                arrived.fetch_add(1, Ordering::SeqCst);
                // Waiting is not progress: no heartbeat here, so a thread that never arrives shows.
                while arrived.load(Ordering::SeqCst) < threads {
                    if control.is_cancelled() {
                        return;
                    }
                    std::hint::spin_loop();
                }
                count_with(method, increments, &shared, &locked, control);
            });
        }
    });
    if control.is_cancelled() {
        return Err(Cancelled);
    }
    let from_mutex = *locked.lock().expect("no thread panics while holding it");
    Ok(shared.load(Ordering::SeqCst) + from_mutex)
}

fn count_with(
    method: CounterMethod,
    increments: u64,
    shared: &AtomicU64,
    locked: &Mutex<u64>,
    control: &RunControl,
) {
    // The local method's count lives across blocks: it is added to the shared counter once, at the end.
    let mut mine = 0u64;
    let mut left = increments;
    while left > 0 {
        if !control.check_in() {
            return;
        }
        let block = left.min(BLOCK);
        left -= block;
        match method {
            CounterMethod::Racy => {
                for _ in 0..block {
                    let seen = shared.load(Ordering::Relaxed);
                    shared.store(seen + 1, Ordering::Relaxed);
                }
            }
            CounterMethod::Atomic => {
                for _ in 0..block {
                    shared.fetch_add(1, Ordering::Relaxed);
                }
            }
            CounterMethod::Mutex => {
                for _ in 0..block {
                    *locked.lock().expect("no thread panics while holding it") += 1;
                }
            }
            CounterMethod::Local => {
                for _ in 0..block {
                    mine = std::hint::black_box(mine + 1);
                }
            }
        }
    }
    if method == CounterMethod::Local {
        shared.fetch_add(mine, Ordering::Relaxed);
    }
}

/// One thread alone adding 1 to its own counter `increments` times (a process's view of the
/// experiment: its memory, its counter; no other process can touch it). Returns the count.
pub fn count_alone(increments: u64) -> u64 {
    let mine = AtomicU64::new(0);
    for _ in 0..increments {
        let seen = mine.load(Ordering::Relaxed);
        mine.store(seen + 1, Ordering::Relaxed);
    }
    mine.load(Ordering::SeqCst)
}
