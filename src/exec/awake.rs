//! Keeping a pool's threads awake for exactly one parallel run.
//!
//! Between runs rayon's idle threads sleep, and on wasm they fall asleep almost at once: rayon spins
//! 33 rounds calling `thread::yield_now()`, which does nothing on wasm, then blocks on a futex. A
//! thread woken from that sleep took 1–9 ms to start on a 2-core machine (bench/run.sh cpu, "first
//! span" row), while the seed's whole run takes ~10 ms: the second thread joined late and the
//! speedup shown was noise. So a parallel run first wakes every thread and has it spin, taking any
//! work that appears, until the run is over; only then do the threads go back to sleep. Nothing
//! spins between runs (a page with nothing running uses no CPU), and never during a sequential run,
//! whose one thread would otherwise share its core with spinners.

use std::hint::spin_loop;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::control::{run_on_pool, RunControl};
use crate::model::timeline::Clock;

/// How long the caller waits for every thread to be awake before it hands the job over anyway (a
/// thread that wakes later still joins the run by stealing).
pub const WAKE_WAIT: Duration = Duration::from_millis(50);

/// How long the caller waits, once the run is over, for the threads to stop spinning: they look at
/// the flag between two idle rounds, so they stop within microseconds.
pub const STOP_WAIT: Duration = Duration::from_millis(10);

/// How long a woken thread spins without finding any work before it goes back to rayon's own idle
/// loop and sleep: a bound on the CPU a run can leave burning if its end were never announced.
pub const IDLE_SPIN_MS: f64 = 200.0;

/// Idle rounds between two looks at the clock (reading it costs far more than one round).
const ROUNDS_PER_CLOCK_READ: u32 = 256;

/// How the pool's wake-up went before a run's clock started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wake {
    /// The pool's threads.
    pub threads: usize,
    /// How many were awake when the job was handed over.
    pub woken: usize,
    /// How long waking them took (not part of the run's wall time).
    pub wake_ms: f64,
}

/// Threads of the current pool spinning for a run right now (0 between runs).
pub fn spinning_threads() -> usize {
    SPINNING.load(Ordering::SeqCst)
}

static SPINNING: AtomicUsize = AtomicUsize::new(0);

struct RunInProgress<C> {
    /// Threads that joined this run, and those of them still spinning. The caller sleeps on
    /// `changed` rather than spinning itself: on a 2-core machine a spinning caller would take one of
    /// the two cores the threads it waits for need to wake on.
    threads: Mutex<Joined>,
    changed: Condvar,
    over: AtomicBool,
    clock: C,
}

#[derive(Default)]
struct Joined {
    awake: usize,
    spinning: usize,
}

impl<C> RunInProgress<C> {
    fn update(&self, change: impl FnOnce(&mut Joined)) {
        change(
            &mut self
                .threads
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        self.changed.notify_all();
    }

    /// Sleeps until `done` holds or `limit` has passed; returns the threads that joined by then.
    /// (`Condvar::wait_timeout_while` reads `Instant`, which wasm32-unknown-unknown lacks: the
    /// deadline is kept on the run's clock instead.)
    fn wait_until(&self, limit: Duration, done: impl Fn(&Joined) -> bool) -> usize
    where
        C: Clock,
    {
        let deadline = self.clock.now_ms() + limit.as_secs_f64() * 1e3;
        let mut joined = self
            .threads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            let left_ms = deadline - self.clock.now_ms();
            if done(&joined) || left_ms <= 0.0 {
                return joined.awake;
            }
            joined = self
                .changed
                .wait_timeout(joined, Duration::from_secs_f64(left_ms / 1e3))
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}

/// [`run_on_pool`], with every thread of the pool awake and spinning from before the job starts until
/// it ends. The calling thread (outside the pool) waits for the threads to wake, up to
/// [`WAKE_WAIT`], then hands over the job, and after it ends waits (up to [`STOP_WAIT`])
/// until no thread spins any more.
pub fn run_on_awake_pool<T: Send + 'static, C: Clock + Send + 'static>(
    control: &'static RunControl,
    clock: C,
    job: impl FnOnce() -> T + Send + 'static,
) -> (T, Wake) {
    let threads = rayon::current_num_threads();
    let run = Arc::new(RunInProgress {
        threads: Mutex::new(Joined::default()),
        changed: Condvar::new(),
        over: AtomicBool::new(false),
        clock,
    });
    let asked = run.clock.now_ms();
    let spinner = Arc::clone(&run);
    rayon::spawn_broadcast(move |_| spin_until_over(&spinner));
    let woken = run.wait_until(WAKE_WAIT, |joined| joined.awake >= threads);
    let wake = Wake {
        threads,
        woken,
        wake_ms: run.clock.now_ms() - asked,
    };
    let output = run_on_pool(control, job);
    run.over.store(true, Ordering::SeqCst);
    run.wait_until(STOP_WAIT, |joined| joined.spinning == 0);
    (output, wake)
}

/// One pool thread's part: take any work the pool has (the run's job and every piece split off it)
/// until the run is over, or until nothing came for [`IDLE_SPIN_MS`].
fn spin_until_over<C: Clock>(run: &RunInProgress<C>) {
    SPINNING.fetch_add(1, Ordering::SeqCst);
    run.update(|joined| {
        joined.awake += 1;
        joined.spinning += 1;
    });
    let mut idle_since: Option<f64> = None;
    let mut idle_rounds = 0u32;
    while !run.over.load(Ordering::Acquire) {
        if rayon::yield_now() == Some(rayon::Yield::Executed) {
            idle_since = None;
            idle_rounds = 0;
            continue;
        }
        spin_loop();
        idle_rounds += 1;
        if idle_rounds.is_multiple_of(ROUNDS_PER_CLOCK_READ) {
            let now = run.clock.now_ms();
            match idle_since {
                None => idle_since = Some(now),
                Some(since) if now - since > IDLE_SPIN_MS => break,
                Some(_) => {}
            }
        }
    }
    SPINNING.fetch_sub(1, Ordering::SeqCst);
    run.update(|joined| joined.spinning -= 1);
}
