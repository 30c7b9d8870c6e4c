//! The thread pool of k on real std threads: the queue the event loop fills and the threads empty
//! (first come, first served; at most k in service; cancel), the blocking database wait (threads
//! overlap their waits on any number of cores), and the accounting of the time a thread was ready
//! but had no core (the compute's slices against their free-core time).

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use futures::channel::oneshot;
use futures::executor::block_on;
use playground::exec::control::RunControl;
use playground::exec::server::{
    calibrate_unit, serve_pool_thread, slices_for, PoolThreadHost, RequestQueue, ThreadJob,
    ThreadServed, WorkUnit, CANCEL_CHECK_MS, UNIT_TARGET_MS,
};
use playground::kernels::sum_squares::sum_of_squares;

/// Real threads: a monotonic clock, a real sleep, the CPU kernel as the work.
struct StdThreads {
    origin: Instant,
}

impl PoolThreadHost for StdThreads {
    fn now_ms(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1000.0
    }

    fn block(&self, ms: f64) {
        thread::sleep(Duration::from_secs_f64(ms / 1000.0));
    }

    fn work(&self, size: u64) {
        std::hint::black_box(sum_of_squares(0..std::hint::black_box(size)));
    }
}

struct Pool {
    queue: Arc<RequestQueue>,
    control: Arc<RunControl>,
    host: Arc<StdThreads>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Pool {
    fn start(k: u32, unit: WorkUnit) -> Self {
        let queue = Arc::new(RequestQueue::new());
        let control = Arc::new(RunControl::new());
        let host = Arc::new(StdThreads {
            origin: Instant::now(),
        });
        let threads = (0..k)
            .map(|thread| {
                let (queue, control, host) = (queue.clone(), control.clone(), host.clone());
                thread::spawn(move || serve_pool_thread(&queue, thread, &*host, unit, &control))
            })
            .collect();
        Self {
            queue,
            control,
            host,
            threads,
        }
    }

    fn send(&self, io_ms: f64, cpu_ms: f64) -> oneshot::Receiver<ThreadServed> {
        let (answer, answered) = oneshot::channel();
        self.queue.push(ThreadJob {
            io_ms,
            cpu_ms,
            answer,
        });
        answered
    }

    /// Sends `count` requests at once and waits for every answer, then closes the queue.
    fn serve_all(self, count: usize, io_ms: f64, cpu_ms: f64) -> Vec<ThreadServed> {
        let pending: Vec<_> = (0..count).map(|_| self.send(io_ms, cpu_ms)).collect();
        let served = pending
            .into_iter()
            .map(|answer| block_on(answer).expect("every request is answered"))
            .collect();
        self.queue.close();
        for thread in self.threads {
            thread.join().unwrap();
        }
        served
    }
}

fn cores() -> u32 {
    thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// The most requests in service (from pickup to answer) at any one moment.
fn most_in_service(served: &[ThreadServed]) -> usize {
    served
        .iter()
        .map(|at| {
            served
                .iter()
                .filter(|s| s.start_ms <= at.start_ms && at.start_ms < s.end_ms)
                .count()
        })
        .max()
        .unwrap_or(0)
}

const NO_WORK: WorkUnit = WorkUnit { size: 0, ms: 0.0 };

#[test]
fn the_queue_hands_out_the_oldest_request_first_and_ends_when_closed() {
    let queue = RequestQueue::new();
    let control = RunControl::new();
    let mut answers = Vec::new();
    for io_ms in [1.0, 2.0, 3.0] {
        let (answer, answered) = oneshot::channel();
        queue.push(ThreadJob {
            io_ms,
            cpu_ms: 0.0,
            answer,
        });
        answers.push(answered);
    }
    assert_eq!(queue.waiting(), 3);
    let taken: Vec<f64> = (0..3)
        .map(|_| queue.next(&control).unwrap().io_ms)
        .collect();
    assert_eq!(taken, [1.0, 2.0, 3.0]);
    queue.close();
    assert!(
        queue.next(&control).is_none(),
        "closed and empty: the thread leaves"
    );
}

#[test]
fn k_threads_serve_at_most_k_at_once_each_a_distinct_thread() {
    // 12 requests of 30 ms of waiting on 3 threads: each thread holds one through its wait, so the
    // first three go to three distinct threads, and 12 take four rounds.
    let k = 3;
    let pool = Pool::start(k, NO_WORK);
    let started = pool.host.now_ms();
    let served = pool.serve_all(12, 30.0, 0.0);
    let mut threads: Vec<u32> = served.iter().map(|s| s.thread).collect();
    threads.sort_unstable();
    threads.dedup();
    assert_eq!(threads, [0, 1, 2]);
    assert!(most_in_service(&served) <= k as usize, "{served:?}");
    let last = served.iter().map(|s| s.end_ms).fold(0.0, f64::max);
    assert!(
        last - started >= 4.0 * 30.0,
        "12 waits of 30 ms on 3 threads take 4 rounds, took {:.0} ms",
        last - started
    );
    // The requests a thread takes later start after it has answered the one before.
    for s in &served {
        assert!(s.io_end_ms - s.start_ms >= 30.0 - 1.0, "{s:?}");
    }
}

#[test]
fn blocking_threads_overlap_their_waits_on_any_number_of_cores() {
    // 16 threads, 16 requests of 100 ms of waiting: a thread waiting uses no core, so all 16 wait
    // together even on 2 cores: about 100 ms in all, where one thread would take 1,600 ms.
    let pool = Pool::start(16, NO_WORK);
    let started = pool.host.now_ms();
    let served = pool.serve_all(16, 100.0, 0.0);
    let last = served.iter().map(|s| s.end_ms).fold(0.0, f64::max);
    assert_eq!(most_in_service(&served), 16);
    assert!(
        last - started < 400.0,
        "16 overlapped waits of 100 ms took {:.0} ms",
        last - started
    );
}

#[test]
fn threads_beyond_the_cores_wait_for_a_core_and_the_accounting_measures_it() {
    // 4 threads per core, each computing 40 ms of calibrated work at once: a core is shared by
    // four, so each compute takes about four times its free-core time, and the time beyond it is
    // measured as waiting for a core: about 3 × 40 ms per request; at least 1 × 40 ms on any machine.
    let unit = calibrate_unit(&StdThreads {
        origin: Instant::now(),
    });
    let k = 4 * cores();
    let cpu_ms = 40.0;
    let served = Pool::start(k, unit).serve_all(k as usize, 0.0, cpu_ms);
    let waited: f64 = served.iter().map(|s| s.core_wait_ms).sum();
    let worked = f64::from(k) * cpu_ms;
    assert!(
        waited >= worked,
        "{k} threads on {} cores: {waited:.0} ms without a core for {worked:.0} ms of work",
        cores()
    );
    // What is counted as waiting is part of the compute's wall time, never more.
    for s in &served {
        assert!(s.core_wait_ms <= s.end_ms - s.io_end_ms + 1e-9, "{s:?}");
        assert!(
            s.end_ms - s.io_end_ms - s.core_wait_ms >= 0.5 * cpu_ms,
            "the work itself took its time: {s:?}"
        );
    }
}

#[test]
fn cancel_ends_the_waits_within_a_slice_and_drops_the_queued_requests() {
    // Two threads blocked in 2-second database calls, eight more requests queued: Cancel ends the
    // run within one look at the flag (50 ms), and none of them is answered.
    let pool = Pool::start(2, NO_WORK);
    let pending: Vec<_> = (0..10).map(|_| pool.send(2000.0, 0.0)).collect();
    thread::sleep(Duration::from_millis(100));
    let cancelled_at = Instant::now();
    pool.control.cancel();
    for thread in pool.threads {
        thread.join().unwrap();
    }
    let took = cancelled_at.elapsed().as_secs_f64() * 1000.0;
    assert!(
        took < CANCEL_CHECK_MS + 150.0,
        "the threads left {took:.0} ms after Cancel"
    );
    assert!(pending.into_iter().all(|answer| block_on(answer).is_err()));
    assert_eq!(pool.queue.waiting(), 0);
}

#[test]
fn the_work_is_cut_into_calibrated_slices() {
    let unit = calibrate_unit(&StdThreads {
        origin: Instant::now(),
    });
    assert!(unit.size > 0 && unit.ms > 0.0, "{unit:?}");
    // Sized for about UNIT_TARGET_MS; the fastest try of a loaded machine can come out shorter.
    assert!(unit.ms < 4.0 * UNIT_TARGET_MS, "{unit:?}");
    let half = WorkUnit { size: 1, ms: 0.5 };
    assert_eq!(slices_for(20.0, half), 40);
    assert_eq!(slices_for(0.1, half), 1, "any work is at least one slice");
    assert_eq!(slices_for(0.0, half), 0);
}

/// A thread whose work gets four times faster after its first `slow_calls` calls, as a browser's
/// optimised tier takes over from its baseline one, on a clock that only the work moves (one
/// microsecond per step once fast).
struct TieringThread {
    calls: std::sync::atomic::AtomicU64,
    clock_micros: std::sync::atomic::AtomicU64,
    slow_calls: u64,
}

impl PoolThreadHost for TieringThread {
    fn now_ms(&self) -> f64 {
        self.clock_micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0
    }

    fn block(&self, _ms: f64) {}

    fn work(&self, size: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let slow = self.calls.fetch_add(1, Relaxed) < self.slow_calls;
        self.clock_micros
            .fetch_add(if slow { 4 * size } else { size }, Relaxed);
    }
}

#[test]
fn the_unit_is_timed_in_the_engines_optimised_code_not_before_it_arrives() {
    // Optimised code that arrives after 50 slow slices (25 tries' worth of UNIT_TRIES and more):
    // the unit is the fast time, so a contended slice is never faster than a free core.
    let host = TieringThread {
        calls: 0.into(),
        clock_micros: 0.into(),
        slow_calls: 50,
    };
    let unit = calibrate_unit(&host);
    let fast_ms = unit.size as f64 / 1000.0;
    assert!(
        (unit.ms - fast_ms).abs() < 1e-9,
        "unit of {} steps timed at {} ms; once optimised it takes {fast_ms} ms",
        unit.size,
        unit.ms
    );
}
