//! A parallel run on a pool woken for it: natively, on the global rayon pool. Its own test binary, so
//! no other test's threads compete for the cores while the pool wakes and stops.

use playground::exec::awake::{run_on_awake_pool, spinning_threads, IDLE_SPIN_MS};
use playground::exec::control::RunControl;
use playground::exec::cpu::{run_cpu, Mode};
use playground::kernels::sum_squares::sum_of_squares_formula;
use playground::model::cpu_params::CpuParams;
use playground::model::timeline::Clock;
use std::time::{Duration, Instant};

/// Milliseconds since it was made (the native stand-in for the page's `performance.now()`).
struct MonotonicClock(Instant);

impl Clock for MonotonicClock {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1e3
    }
}

#[test]
fn a_run_on_an_awake_pool_starts_with_every_thread_awake_and_leaves_none_spinning() {
    static CONTROL: RunControl = RunControl::new();
    let threads = rayon::current_num_threads();
    let params = CpuParams {
        tasks: 4,
        n: 2_000_000,
        threads: threads as u32,
        chunks: 2,
    };
    let (outcome, wake) = run_on_awake_pool(&CONTROL, MonotonicClock(Instant::now()), move || {
        // Every thread of the pool spins for the run, the one running this job included.
        let awake_at_start = spinning_threads();
        let run = run_cpu(
            &params,
            Mode::Threads,
            &MonotonicClock(Instant::now()),
            &CONTROL,
        );
        (awake_at_start, run)
    });
    let (awake_at_start, run) = outcome;
    assert_eq!(
        run.unwrap().results,
        vec![sum_of_squares_formula(2_000_000); 4]
    );
    assert_eq!(wake.threads, threads);
    assert_eq!(
        wake.woken, threads,
        "every thread was awake before the job was handed over"
    );
    assert_eq!(
        awake_at_start, threads,
        "every thread was spinning when the run started"
    );
    // A thread never told that the run is over stops only after its idle limit; one that was told
    // stops at its next idle round, far sooner even on a busy machine.
    let ended = Instant::now();
    let limit = Duration::from_secs_f64(IDLE_SPIN_MS / 2e3);
    while spinning_threads() > 0 && ended.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        spinning_threads(),
        0,
        "no thread spins once the run is over"
    );
}
