//! The web server lab's scheduling (`exec::server`) on a simulated clock: each model's queueing, the
//! load generator and cancel, with every expected time worked out by hand from the inputs.
//!
//! The simulated host behaves as the browser's event loop does: a timer fires at its time (or later,
//! when CPU work held the loop), CPU work on the loop moves the clock on with nothing else running,
//! and the CPU pool has `cores` threads that take jobs first come, first served.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::future::join;
use futures::task::{waker, ArcWake};
use playground::exec::control::RunControl;
use playground::exec::server::{serve, ServerHost, ThreadServed, CANCEL_CHECK_MS};
use playground::model::server::{
    summarize, throughput_bound, Arrivals, Load, RequestRecord, ServerModel,
};

struct SimulatedHost {
    now: Cell<f64>,
    /// Timers not yet fired: due time, the order they were set in, and whom to wake.
    timers: RefCell<Vec<(f64, u64, oneshot::Sender<()>)>>,
    timers_set: Cell<u64>,
    /// When each pool thread is next free.
    pool_free_at: RefCell<Vec<f64>>,
    /// When each thread of a blocking thread pool is next free (empty for the other models).
    threads_free_at: RefCell<Vec<f64>>,
}

impl SimulatedHost {
    fn new(cores: usize) -> Self {
        Self {
            now: Cell::new(0.0),
            timers: RefCell::new(Vec::new()),
            timers_set: Cell::new(0),
            pool_free_at: RefCell::new(vec![0.0; cores]),
            threads_free_at: RefCell::new(Vec::new()),
        }
    }

    /// A host whose blocking thread pool has `threads` threads (each has its own core here: the
    /// simulation leaves out contention, which only real threads show; see tests/server_threads.rs).
    fn with_threads(cores: usize, threads: usize) -> Self {
        let host = Self::new(cores);
        host.threads_free_at.replace(vec![0.0; threads]);
        host
    }

    fn timer_at(&self, due: f64) -> impl Future<Output = ()> {
        let (fire, fired) = oneshot::channel();
        let order = self.timers_set.get();
        self.timers_set.set(order + 1);
        self.timers.borrow_mut().push((due, order, fire));
        async move {
            fired
                .await
                .expect("the simulation fires every timer it holds")
        }
    }

    /// Fires the earliest timer (the first set among equals); false when none is left.
    fn fire_next(&self) -> bool {
        let mut timers = self.timers.borrow_mut();
        let Some(next) = (0..timers.len()).min_by(|&a, &b| {
            (timers[a].0, timers[a].1)
                .partial_cmp(&(timers[b].0, timers[b].1))
                .unwrap()
        }) else {
            return false;
        };
        let (due, _, fire) = timers.swap_remove(next);
        drop(timers);
        self.now.set(self.now.get().max(due));
        let _ = fire.send(());
        true
    }

    /// Runs `future` to its end: polls it until nothing can move, then fires the next timer.
    fn run<F: Future>(&self, future: F) -> F::Output {
        struct Woken(AtomicBool);
        impl ArcWake for Woken {
            fn wake_by_ref(this: &Arc<Self>) {
                this.0.store(true, Ordering::SeqCst);
            }
        }
        let woken = Arc::new(Woken(AtomicBool::new(false)));
        let waker = waker(woken.clone());
        let mut context = Context::from_waker(&waker);
        let mut future = pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
            if !woken.0.swap(false, Ordering::SeqCst) {
                assert!(self.fire_next(), "the run waits for nothing: it would hang");
            }
        }
    }
}

impl ServerHost for SimulatedHost {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    fn sleep(&self, ms: f64) -> impl Future<Output = ()> {
        self.timer_at(self.now.get() + ms)
    }

    fn compute(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }

    fn compute_on_pool(&self, ms: f64) -> impl Future<Output = (u32, f64)> {
        let now = self.now.get();
        let mut free_at = self.pool_free_at.borrow_mut();
        // An idle thread takes the job (the lowest numbered); else the first to become free.
        let thread = (0..free_at.len())
            .find(|&t| free_at[t] <= now)
            .unwrap_or_else(|| {
                (0..free_at.len())
                    .min_by(|&a, &b| free_at[a].total_cmp(&free_at[b]))
                    .unwrap()
            });
        let start = free_at[thread].max(now);
        free_at[thread] = start + ms;
        let done = self.timer_at(start + ms);
        async move {
            done.await;
            (thread as u32, start)
        }
    }

    /// Threads take requests first come, first served: an idle thread (the lowest numbered), else
    /// the first to become free. A thread blocks through the wait and computes on its own core.
    fn serve_on_thread(
        &self,
        io_ms: f64,
        cpu_ms: f64,
    ) -> impl Future<Output = Option<ThreadServed>> {
        let now = self.now.get();
        let mut free_at = self.threads_free_at.borrow_mut();
        let thread = (0..free_at.len())
            .find(|&t| free_at[t] <= now)
            .unwrap_or_else(|| {
                (0..free_at.len())
                    .min_by(|&a, &b| free_at[a].total_cmp(&free_at[b]))
                    .expect("the host was made with threads")
            });
        let start_ms = free_at[thread].max(now);
        let end_ms = start_ms + io_ms + cpu_ms;
        free_at[thread] = end_ms;
        let done = self.timer_at(end_ms);
        async move {
            done.await;
            Some(ThreadServed {
                thread: thread as u32,
                start_ms,
                io_end_ms: start_ms + io_ms,
                end_ms,
                core_wait_ms: 0.0,
            })
        }
    }
}

fn load(arrivals: Arrivals, requests: u32, io_ms: f64, cpu_ms: f64) -> Load {
    Load {
        arrivals,
        requests,
        io_ms,
        cpu_ms,
    }
}

fn run(model: ServerModel, load: Load, cores: usize) -> Vec<RequestRecord> {
    let host = match model {
        ServerModel::ThreadPool(k) => SimulatedHost::with_threads(cores, k as usize),
        _ => SimulatedHost::new(cores),
    };
    host.run(serve(&host, model, load, &RunControl::new()))
}

/// `(id, arrive, start, io end, cpu start, end, worker)` per request.
fn times(records: &[RequestRecord]) -> Vec<(u32, f64, f64, f64, f64, f64, u32)> {
    records
        .iter()
        .map(|r| {
            (
                r.id,
                r.arrive_ms,
                r.start_ms,
                r.io_end_ms,
                r.cpu_start_ms,
                r.end_ms,
                r.worker,
            )
        })
        .collect()
}

/// Serves `load` under `model` with `cores` pool threads and checks every request's
/// `(id, arrive, start, io end, cpu start, end, worker)`; returns the records.
fn assert_served(
    model: ServerModel,
    load: Load,
    cores: usize,
    expected: &[(u32, f64, f64, f64, f64, f64, u32)],
) -> Vec<RequestRecord> {
    let records = run(model, load, cores);
    assert_eq!(times(&records), expected, "{model}");
    records
}

/// The most requests in service (from pickup to answer) at any one moment.
fn most_in_service(records: &[RequestRecord]) -> usize {
    records
        .iter()
        .map(|at| {
            records
                .iter()
                .filter(|r| r.start_ms <= at.start_ms && at.start_ms < r.end_ms)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn one_at_a_time_serves_each_request_whole_before_the_next() {
    // 2 clients, 10 ms of waiting and 5 of computing: one request every 15 ms; whoever sent next waits.
    let records = assert_served(
        ServerModel::OneAtATime,
        load(Arrivals::Clients(2), 4, 10.0, 5.0),
        2,
        &[
            (0, 0.0, 0.0, 10.0, 10.0, 15.0, 0),
            (1, 0.0, 15.0, 25.0, 25.0, 30.0, 0),
            (2, 15.0, 30.0, 40.0, 40.0, 45.0, 0),
            (3, 30.0, 45.0, 55.0, 55.0, 60.0, 0),
        ],
    );
    // 4 answers in 60 ms: exactly the bound of one request per (io + cpu).
    let summary = summarize(&records).unwrap();
    let bound = throughput_bound(
        ServerModel::OneAtATime,
        &load(Arrivals::Clients(2), 4, 10.0, 5.0),
        2,
    );
    assert!((summary.throughput - 1000.0 / 15.0).abs() < 1e-9);
    assert!((summary.throughput - bound).abs() < 1e-9);
}

#[test]
fn a_thread_pool_serves_k_at_a_time_and_hands_a_freed_thread_to_the_next_in_line() {
    // 3 clients, 2 threads: two requests at a time, the third waits for a thread.
    assert_served(
        ServerModel::ThreadPool(2),
        load(Arrivals::Clients(3), 6, 10.0, 5.0),
        2,
        &[
            (0, 0.0, 0.0, 10.0, 10.0, 15.0, 0),
            (1, 0.0, 0.0, 10.0, 10.0, 15.0, 1),
            (2, 0.0, 15.0, 25.0, 25.0, 30.0, 0),
            (3, 15.0, 15.0, 25.0, 25.0, 30.0, 1),
            (4, 15.0, 30.0, 40.0, 40.0, 45.0, 0),
            (5, 30.0, 30.0, 40.0, 40.0, 45.0, 1),
        ],
    );
}

#[test]
fn a_pool_of_k_never_serves_more_than_k_at_once() {
    for k in [1, 3, 5] {
        let records = run(
            ServerModel::ThreadPool(k),
            load(Arrivals::Clients(10), 60, 7.0, 3.0),
            2,
        );
        assert_eq!(records.len(), 60);
        assert_eq!(most_in_service(&records), k as usize, "pool of {k}");
    }
}

#[test]
fn async_overlaps_the_waits_and_computes_one_request_at_a_time_on_the_loop() {
    // All three wait together (0–10 ms); then the loop computes them one by one, and a timer that
    // came due while it computed runs late: request 1's I/O ends when the loop is free at 15 ms.
    assert_served(
        ServerModel::Async,
        load(Arrivals::Clients(3), 6, 10.0, 5.0),
        2,
        &[
            (0, 0.0, 0.0, 10.0, 10.0, 15.0, 0),
            (1, 0.0, 0.0, 15.0, 15.0, 20.0, 0),
            (2, 0.0, 0.0, 20.0, 20.0, 25.0, 0),
            (3, 15.0, 15.0, 25.0, 25.0, 30.0, 0),
            (4, 20.0, 20.0, 30.0, 30.0, 35.0, 0),
            (5, 25.0, 25.0, 35.0, 35.0, 40.0, 0),
        ],
    );
}

#[test]
fn async_with_a_pool_computes_on_every_core_and_queues_for_a_free_one() {
    // Two cores for three requests whose I/O ends together: the third waits 5 ms for a core.
    assert_served(
        ServerModel::AsyncPool,
        load(Arrivals::Clients(3), 6, 10.0, 5.0),
        2,
        &[
            (0, 0.0, 0.0, 10.0, 10.0, 15.0, 0),
            (1, 0.0, 0.0, 10.0, 10.0, 15.0, 1),
            (2, 0.0, 0.0, 10.0, 15.0, 20.0, 0),
            (3, 15.0, 15.0, 25.0, 25.0, 30.0, 0),
            (4, 15.0, 15.0, 25.0, 25.0, 30.0, 1),
            (5, 20.0, 20.0, 30.0, 30.0, 35.0, 0),
        ],
    );
}

#[test]
fn queued_requests_are_served_first_come_first_served() {
    // One every 10 ms, each holding its worker 15 ms: the queue grows by 5 ms per request.
    assert_served(
        ServerModel::OneAtATime,
        load(Arrivals::Rate(100.0), 4, 15.0, 0.0),
        2,
        &[
            (0, 0.0, 0.0, 15.0, 15.0, 15.0, 0),
            (1, 10.0, 15.0, 30.0, 30.0, 30.0, 0),
            (2, 20.0, 30.0, 45.0, 45.0, 45.0, 0),
            (3, 30.0, 45.0, 60.0, 60.0, 60.0, 0),
        ],
    );
    // Two threads, 25 ms each, one arrival every 10 ms: each request starts when it arrives or when
    // the thread that took the request two before it is freed, whichever is later.
    let records = run(
        ServerModel::ThreadPool(2),
        load(Arrivals::Rate(100.0), 6, 25.0, 0.0),
        2,
    );
    let starts: Vec<f64> = records.iter().map(|r| r.start_ms).collect();
    assert_eq!(starts, [0.0, 10.0, 25.0, 35.0, 50.0, 60.0]);
    let workers: Vec<u32> = records.iter().map(|r| r.worker).collect();
    assert_eq!(workers, [0, 1, 0, 1, 0, 1]);
}

#[test]
fn closed_loop_clients_send_exactly_the_requests_asked_with_one_each_in_flight() {
    let records = run(
        ServerModel::Async,
        load(Arrivals::Clients(7), 23, 10.0, 0.0),
        2,
    );
    assert_eq!(
        records.iter().map(|r| r.id).collect::<Vec<_>>(),
        (0..23).collect::<Vec<_>>()
    );
    let most_in_flight = records
        .iter()
        .map(|at| {
            records
                .iter()
                .filter(|r| r.arrive_ms <= at.arrive_ms && at.arrive_ms < r.end_ms)
                .count()
        })
        .max();
    assert_eq!(most_in_flight, Some(7));
}

#[test]
fn the_open_loop_sends_exactly_the_requests_asked_at_the_rate_asked() {
    // 40 per second: one every 25 ms, on time, while the server is still busy with earlier ones.
    let records = run(
        ServerModel::Async,
        load(Arrivals::Rate(40.0), 12, 100.0, 0.0),
        2,
    );
    let sent: Vec<f64> = records.iter().map(|r| r.arrive_ms).collect();
    assert_eq!(
        sent,
        (0..12).map(|i| f64::from(i) * 25.0).collect::<Vec<_>>()
    );
    // A rate need not be whole: 2.5 per second is one every 400 ms.
    let records = run(
        ServerModel::Async,
        load(Arrivals::Rate(2.5), 3, 1.0, 0.0),
        2,
    );
    let sent: Vec<f64> = records.iter().map(|r| r.arrive_ms).collect();
    assert_eq!(sent, [0.0, 400.0, 800.0]);
    // 3 per second is due at 333⅓ ms steps; timers count whole milliseconds, so each leaves within
    // the millisecond after it is due, never before.
    let records = run(
        ServerModel::Async,
        load(Arrivals::Rate(3.0), 4, 1.0, 0.0),
        2,
    );
    assert_eq!(records.len(), 4);
    for (i, r) in records.iter().enumerate() {
        let due = i as f64 * 1000.0 / 3.0;
        assert!(
            r.arrive_ms >= due && r.arrive_ms < due + 1.0,
            "request {i} due at {due}, sent at {}",
            r.arrive_ms
        );
    }
}

#[test]
fn cpu_work_on_the_event_loop_delays_the_open_loop_sends() {
    // Async computes on the loop the clients share: 50 ms per request against one due every 20 ms,
    // so each is sent when the previous one's computing ends.
    let records = run(
        ServerModel::Async,
        load(Arrivals::Rate(50.0), 8, 0.0, 50.0),
        2,
    );
    let sent: Vec<f64> = records.iter().map(|r| r.arrive_ms).collect();
    assert_eq!(
        sent,
        (0..8).map(|i| f64::from(i) * 50.0).collect::<Vec<_>>()
    );
    assert_eq!(records.last().unwrap().end_ms, 400.0);
}

#[test]
fn cancel_stops_the_clients_and_the_requests_sent_are_answered() {
    // One client, 10 ms per request, cancelled at 35 ms: requests 0–3 were sent (the last at 30 ms).
    let host = SimulatedHost::new(2);
    let control = RunControl::new();
    let (records, ()) = host.run(join(
        serve(
            &host,
            ServerModel::OneAtATime,
            load(Arrivals::Clients(1), 100, 10.0, 0.0),
            &control,
        ),
        async {
            host.sleep(35.0).await;
            control.cancel();
        },
    ));
    assert_eq!(
        records.iter().map(|r| r.end_ms).collect::<Vec<_>>(),
        [10.0, 20.0, 30.0, 40.0]
    );
    assert_eq!(control.items_done(), 4, "the progress counts every answer");
    assert_eq!(host.now_ms(), 40.0);
}

#[test]
fn cancel_ends_a_slow_open_loop_within_one_look_at_the_flag() {
    // One request a second: two are sent by the cancel at 1.5 s; the eight still waiting to be sent
    // give up at their next look, not when they were due (up to 9 s).
    let host = SimulatedHost::new(2);
    let control = RunControl::new();
    let (records, ()) = host.run(join(
        serve(
            &host,
            ServerModel::Async,
            load(Arrivals::Rate(1.0), 10, 10.0, 0.0),
            &control,
        ),
        async {
            host.sleep(1500.0).await;
            control.cancel();
        },
    ));
    assert_eq!(
        records.iter().map(|r| r.arrive_ms).collect::<Vec<_>>(),
        [0.0, 1000.0]
    );
    assert!(
        host.now_ms() <= 1500.0 + CANCEL_CHECK_MS,
        "ended at {} ms",
        host.now_ms()
    );
}

#[test]
fn every_model_name_parses_back_to_itself() {
    for name in ServerModel::NAMES {
        let model = ServerModel::parse(name, Some(2.0), 2).unwrap();
        assert_eq!(model.name(), name);
    }
    assert_eq!(
        ServerModel::parse("forking", None, 2).unwrap_err(),
        "model must be \"one-at-a-time\", \"thread-pool\", \"async\" or \"async-pool\", not \"forking\""
    );
}
