//! The shared-counter experiment: N threads each add 1 to one counter, four ways. Only the racy way
//! loses updates; the other three differ in what the correctness costs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

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
    /// Every method with the name the page and the JS API give it, in the order the lab runs them.
    pub const ALL: [(Self, &'static str); 4] = [
        (Self::Racy, "racy"),
        (Self::Atomic, "atomic"),
        (Self::Mutex, "mutex"),
        (Self::Local, "local"),
    ];

    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(method, _)| *method)
            .ok_or_else(|| {
                format!("method must be \"racy\", \"atomic\", \"mutex\" or \"local\", not {name:?}")
            })
    }
}

/// Most increments per thread the lab accepts (a racy run of this size takes well under a second).
pub const MAX_INCREMENTS: u64 = 100_000_000;

/// Checks the counter's thread count as the JS API passes it: a whole number within the schema's
/// range for the lab's "Threads" field on a device with `cores` logical cores.
pub fn parse_counter_threads(threads: f64, cores: u32) -> Result<u32, String> {
    let field = &crate::model::schema::LAB_COUNTER_THREADS;
    let min = field.min.unwrap_or(1.0);
    let max = field.max.on(cores, 0).unwrap_or(f64::MAX);
    if threads.fract() == 0.0 && (min..=max).contains(&threads) {
        Ok(threads as u32)
    } else {
        Err(format!(
            "threads must be a whole number from {min} to {max} (your logical cores)."
        ))
    }
}

/// Checks the increments per thread as the JS API passes them: a whole number from 1 to [`MAX_INCREMENTS`].
pub fn parse_increments(increments: f64) -> Result<u64, String> {
    if increments.fract() == 0.0 && (1.0..=MAX_INCREMENTS as f64).contains(&increments) {
        Ok(increments as u64)
    } else {
        Err(format!(
            "increments must be a whole number from 1 to {MAX_INCREMENTS}"
        ))
    }
}

/// Runs `threads` threads of the current rayon pool, each adding 1 to one shared counter
/// `increments` times with `method`; returns the final count (expected: threads × increments).
/// `threads` must not exceed the pool's size: the threads start together on a barrier (see
/// [`StartBarrier`]), so they really overlap.
pub fn count_shared(threads: usize, increments: u64, method: CounterMethod) -> u64 {
    count_shared_with(threads, increments, method, &RunControl::new())
        .expect("nobody else holds this run control, so nobody can cancel the run")
}

/// [`count_shared`] watched through `control`: every thread checks in every [`BLOCK`]
/// increments (the heartbeat moves on, a cancel stops it). Returns [`Cancelled`] once the flag was set.
pub fn count_shared_with(
    threads: usize,
    increments: u64,
    method: CounterMethod,
    control: &RunControl,
) -> Result<u64, Cancelled> {
    let shared = AtomicU64::new(0);
    let locked = Mutex::new(0u64);
    let start = StartBarrier::new(threads);
    rayon::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                if start.wait(control) {
                    count_with(method, increments, &shared, &locked, control);
                }
            });
        }
    });
    if control.is_cancelled() {
        return Err(Cancelled);
    }
    let from_mutex = *locked.lock().expect("no thread panics while holding it");
    Ok(shared.load(Ordering::SeqCst) + from_mutex)
}

/// Where the counting threads wait for each other before the first increment: a pool thread asleep
/// when the run arrives wakes late, and would otherwise count alone and race with nobody. The first
/// to arrive spins briefly (the others are usually a moment away), then sleeps: spinning on, on a
/// busy machine it held a core the late thread needed.
struct StartBarrier {
    threads: usize,
    arrived: AtomicUsize,
    sleepers: Mutex<()>,
    wake: Condvar,
}

/// How often a waiting thread looks at the others before it sleeps (tens of microseconds).
const SPINS_BEFORE_SLEEP: u32 = 1 << 14;
/// How long a sleeping thread sleeps before it looks at the cancel flag again.
const CANCEL_CHECK: Duration = Duration::from_millis(10);

impl StartBarrier {
    fn new(threads: usize) -> Self {
        Self {
            threads,
            arrived: AtomicUsize::new(0),
            sleepers: Mutex::new(()),
            wake: Condvar::new(),
        }
    }

    /// Waits until every thread has arrived; false if the run was cancelled meanwhile. Waiting is
    /// not progress: no heartbeat here, so a thread that never arrives shows.
    fn wait(&self, control: &RunControl) -> bool {
        if self.arrived.fetch_add(1, Ordering::SeqCst) + 1 == self.threads {
            // Taking the lock orders this wake-up after any sleeper's last look (no lost wake-up).
            let _sleepers = self
                .sleepers
                .lock()
                .expect("no thread panics while holding it");
            self.wake.notify_all();
            return !control.is_cancelled();
        }
        for _ in 0..SPINS_BEFORE_SLEEP {
            if self.arrived.load(Ordering::SeqCst) >= self.threads {
                return true;
            }
            std::hint::spin_loop();
        }
        let mut sleepers = self
            .sleepers
            .lock()
            .expect("no thread panics while holding it");
        while self.arrived.load(Ordering::SeqCst) < self.threads {
            if control.is_cancelled() {
                return false;
            }
            sleepers = self
                .wake
                .wait_timeout(sleepers, CANCEL_CHECK)
                .expect("no thread panics while holding it")
                .0;
        }
        true
    }
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
                    // The new value is worked out apart from the read, as `counter += 1` does in
                    // CPython (load, add, store: three bytecodes), so the value read stays in flight
                    // for most of each increment. Without this the compiler fuses read, add and
                    // write into one instruction natively, a thread is never switched out between
                    // them, and two threads sharing one core (as on a busy 2-core machine) lost
                    // nothing in 10 of 10 runs; with it, they lost updates in 20 of 20
                    // (tests/counter.rs under `taskset -c 0`).
                    let next = std::hint::black_box(seen) + 1;
                    shared.store(next, Ordering::Relaxed);
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
