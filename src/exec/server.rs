//! The web server lab's scheduling: a request handler that waits on I/O and then computes, served
//! under the four models (one worker, k blocking threads, an event loop, an event loop with a CPU
//! pool), and the load generator (closed-loop clients or an open-loop schedule). Plain futures code
//! driven by a [`ServerHost`] that brings the clock, the timers and the CPU work, so the same
//! scheduling serves on the browser's event loop (`src/web/server.rs` binds its timers and the
//! process's rayon pool) and on a simulated clock in native tests.
//!
//! The thread pool of k is k real threads: the event loop only accepts requests into a
//! [`RequestQueue`]; each of k threads runs [`serve_pool_thread`], taking the oldest request, blocking
//! for the database call (a real blocking wait: the thread uses no core and serves nothing else),
//! then computing calibrated work in short slices, whose time beyond the calibrated time is the time
//! the thread was ready but had no core. Native tests run it on std threads.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use futures::channel::oneshot;
use futures::future::join_all;

use super::control::RunControl;
use crate::model::server::{open_loop_arrivals, Arrivals, Load, RequestRecord, ServerModel};

/// How long an open-loop client waits at most before it looks at the cancel flag again.
pub const CANCEL_CHECK_MS: f64 = 50.0;

/// What serving needs from the place it runs.
pub trait ServerHost {
    /// Milliseconds on a clock that only moves forward.
    fn now_ms(&self) -> f64;
    /// A timer: resolves once `ms` have passed; the event loop is free meanwhile.
    fn sleep(&self, ms: f64) -> impl Future<Output = ()>;
    /// `ms` of CPU work on the calling thread, the event loop: nothing else runs on it meanwhile.
    fn compute(&self, ms: f64);
    /// `ms` of CPU work on the CPU pool, the event loop free meanwhile. Resolves to the pool thread
    /// that did it and when (on [`now_ms`](Self::now_ms)'s clock) it started.
    fn compute_on_pool(&self, ms: f64) -> impl Future<Output = (u32, f64)>;
    /// Serves one request on a thread of the blocking thread pool (its database call, then its CPU
    /// work), the event loop free meanwhile. `None` when the run was cancelled before it was answered.
    fn serve_on_thread(
        &self,
        io_ms: f64,
        cpu_ms: f64,
    ) -> impl Future<Output = Option<ThreadServed>>;
}

/// How one request went on a pool thread, on [`PoolThreadHost::now_ms`]'s clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThreadServed {
    /// The thread that served it (0..k).
    pub thread: u32,
    /// When the thread took it from the queue.
    pub start_ms: f64,
    /// When the thread resumed after the database call (at `start_ms + io_ms`, or later: woken late).
    pub io_end_ms: f64,
    pub end_ms: f64,
    /// Ready but without a core: woken late after the database call, plus the compute's stalls.
    pub core_wait_ms: f64,
}

/// A request waiting in the thread pool's queue.
pub struct ThreadJob {
    pub io_ms: f64,
    pub cpu_ms: f64,
    /// Where the thread sends how it went; dropped unanswered when the run is cancelled.
    pub answer: oneshot::Sender<ThreadServed>,
}

/// The thread pool's queue: the event loop puts requests in, in arrival order; a free thread takes
/// the oldest. Threads wait for work in slices of at most [`CANCEL_CHECK_MS`] and look at the cancel
/// flag between them.
#[derive(Default)]
pub struct RequestQueue {
    state: Mutex<QueueState>,
    arrived: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<ThreadJob>,
    /// No more requests will come: threads leave once the queue is empty.
    closed: bool,
}

impl RequestQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a request behind those already waiting, and wakes one free thread.
    pub fn push(&self, job: ThreadJob) {
        self.lock().jobs.push_back(job);
        self.arrived.notify_one();
    }

    /// Ends the run: threads take what is queued, then leave.
    pub fn close(&self) {
        self.lock().closed = true;
        self.arrived.notify_all();
    }

    /// Requests waiting for a thread.
    pub fn waiting(&self) -> usize {
        self.lock().jobs.len()
    }

    /// The oldest request, waiting (blocked) for one to come; `None` once the queue is closed and
    /// empty, or the run is cancelled (the requests still queued are then dropped, unanswered).
    pub fn next(&self, control: &RunControl) -> Option<ThreadJob> {
        let mut state = self.lock();
        loop {
            if control.is_cancelled() {
                state.jobs.clear();
                return None;
            }
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            if state.closed {
                return None;
            }
            // Not `wait_timeout_while`: it reads `Instant`, which wasm32-unknown-unknown lacks.
            state = self
                .arrived
                .wait_timeout(state, Duration::from_secs_f64(CANCEL_CHECK_MS / 1000.0))
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        // A thread that panicked aborts the whole process (panic = "abort"): no state is half-changed.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What a pool thread needs from the place it runs.
pub trait PoolThreadHost: Sync {
    /// Milliseconds on a clock shared by the threads.
    fn now_ms(&self) -> f64;
    /// Blocks the calling thread for about `ms`: it uses no core meanwhile (a real wait, not a spin).
    fn block(&self, ms: f64);
    /// Fixed CPU work of `size` steps on the calling thread.
    fn work(&self, size: u64);
}

/// A slice of the CPU work: `size` steps that take `ms` on a free core (the fastest of many tries).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkUnit {
    pub size: u64,
    pub ms: f64,
}

/// Slices about this long: short enough that a stall (no core) shows within a request's compute,
/// long enough to time well with a browser's clock (5–20 µs resolution where isolated).
pub const UNIT_TARGET_MS: f64 = 0.5;
/// The timed tries of the sized slice go on until this many in a row find no faster one: the fastest
/// is the free-core time (other work only slows a try down).
pub const UNIT_TRIES: u32 = 15;
/// ...and for at least this long. A fresh process first runs the slice in a browser's baseline tier
/// and only later in optimised code: WebKit's came several times faster, so a unit timed before it
/// made contended slices look faster than a free core and the wait for a core read 0 (in half of the
/// first runs of a fresh 8-thread process on 2 cores).
pub const UNIT_WARM_MS: f64 = 40.0;
/// The most tries, whatever the clock says.
pub const UNIT_MAX_TRIES: u32 = 400;

/// Sizes a slice of [`UNIT_TARGET_MS`] and times it on the calling thread: the fastest try, once
/// [`UNIT_TRIES`] tries in a row found none faster and [`UNIT_WARM_MS`] have passed.
pub fn calibrate_unit(host: &impl PoolThreadHost) -> WorkUnit {
    let time = |size: u64| {
        let started = host.now_ms();
        host.work(size);
        host.now_ms() - started
    };
    let mut size = 1 << 12;
    let mut took = time(size);
    while took < UNIT_TARGET_MS / 4.0 && size < 1 << 28 {
        size *= 2;
        took = time(size);
    }
    let size = ((size as f64 * UNIT_TARGET_MS / took.max(1e-3)).round() as u64).max(1);
    let began = host.now_ms();
    let mut ms = f64::INFINITY;
    let mut since_faster = 0;
    for _ in 0..UNIT_MAX_TRIES {
        let took = time(size);
        if took < ms {
            ms = took;
            since_faster = 0;
        } else {
            since_faster += 1;
        }
        if since_faster >= UNIT_TRIES && host.now_ms() - began >= UNIT_WARM_MS {
            break;
        }
    }
    WorkUnit { size, ms }
}

/// Slices of `unit` that make `cpu_ms` of work on a free core: at least one when there is any.
pub fn slices_for(cpu_ms: f64, unit: WorkUnit) -> u64 {
    if cpu_ms <= 0.0 || unit.ms <= 0.0 {
        return 0;
    }
    ((cpu_ms / unit.ms).round() as u64).max(1)
}

/// One thread of the blocking thread pool: takes the oldest request, blocks through its database
/// call, computes its slices, answers, and takes the next, until the queue closes or the run is
/// cancelled (the request then in hand and every queued one are dropped unanswered). Waits in slices of at most
/// [`CANCEL_CHECK_MS`], looking at the cancel flag between them.
pub fn serve_pool_thread(
    queue: &RequestQueue,
    thread: u32,
    host: &impl PoolThreadHost,
    unit: WorkUnit,
    control: &RunControl,
) {
    // On cancel the request in hand is dropped and the loop asks the queue again, which then drops
    // every queued request too: each sender dropped tells its waiting caller the run ended.
    'serving: while let Some(job) = queue.next(control) {
        let start_ms = host.now_ms();
        let due = start_ms + job.io_ms;
        loop {
            let left = due - host.now_ms();
            if left <= 0.0 {
                break;
            }
            if control.is_cancelled() {
                continue 'serving;
            }
            host.block(left.min(CANCEL_CHECK_MS));
        }
        let io_end_ms = host.now_ms();
        // Past its time, the thread was ready to run: a later resume is time without a core.
        let mut core_wait_ms = (io_end_ms - due).max(0.0);
        let mut stalled = 0.0;
        for _ in 0..slices_for(job.cpu_ms, unit) {
            if control.is_cancelled() {
                continue 'serving;
            }
            let started = host.now_ms();
            host.work(unit.size);
            stalled += host.now_ms() - started - unit.ms;
        }
        // Summed before clamping: a slice faster than the calibrated one (clock rounding) offsets a slower one.
        core_wait_ms += stalled.max(0.0);
        let _ = job.answer.send(ThreadServed {
            thread,
            start_ms,
            io_end_ms,
            end_ms: host.now_ms(),
            core_wait_ms,
        });
    }
}

/// The workers of a blocking model: a request holds one from pickup to answer; others queue, in order.
struct Slots {
    free: RefCell<Vec<u32>>,
    waiting: RefCell<VecDeque<oneshot::Sender<u32>>>,
}

impl Slots {
    fn new(count: u32) -> Self {
        Self {
            free: RefCell::new((0..count).rev().collect()),
            waiting: RefCell::new(VecDeque::new()),
        }
    }

    async fn acquire(&self) -> u32 {
        if let Some(worker) = self.free.borrow_mut().pop() {
            return worker;
        }
        let (hand_over, handed) = oneshot::channel();
        self.waiting.borrow_mut().push_back(hand_over);
        handed
            .await
            .expect("a released worker is handed to the next in line")
    }

    fn release(&self, worker: u32) {
        while let Some(next) = self.waiting.borrow_mut().pop_front() {
            if next.send(worker).is_ok() {
                return;
            }
        }
        self.free.borrow_mut().push(worker);
    }
}

struct Server<'a, H> {
    host: &'a H,
    model: ServerModel,
    load: Load,
    control: &'a RunControl,
    origin: f64,
    slots: Option<Slots>,
    /// By id (ids are 0..requests): each answer goes to its place, so the records need no sort,
    /// whose code the wasm would carry; a request never sent (cancelled) leaves `None`.
    records: RefCell<Vec<Option<RequestRecord>>>,
}

impl<H: ServerHost> Server<'_, H> {
    fn now(&self) -> f64 {
        self.host.now_ms() - self.origin
    }

    async fn handle(&self, id: u32, arrive_ms: f64) {
        if let ServerModel::ThreadPool(_) = self.model {
            return self.handle_on_thread(id, arrive_ms).await;
        }
        let slot = match &self.slots {
            Some(slots) => Some(slots.acquire().await),
            None => None,
        };
        let start_ms = self.now();
        if self.load.io_ms > 0.0 {
            // The database call: a timer; the thread (or the loop) is free meanwhile only in the async models.
            self.host.sleep(self.load.io_ms).await;
        }
        let io_end_ms = self.now();
        let db_end_ms = io_end_ms;
        let (worker, cpu_start_ms) = match self.model {
            // One worker, or the event loop itself, computes: nothing else runs on it meanwhile.
            ServerModel::OneAtATime | ServerModel::Async => {
                let started = self.now();
                self.host.compute(self.load.cpu_ms);
                (slot.unwrap_or(0), started)
            }
            // The async CPU pool computes on the cores (the process's pool threads). The blocking
            // thread pool never comes here: its threads serve whole requests (`handle_on_thread`).
            ServerModel::ThreadPool(_) | ServerModel::AsyncPool => {
                let (pool_thread, started) = self.host.compute_on_pool(self.load.cpu_ms).await;
                // A pool thread reads its start on its own clock, which agrees with this thread's
                // only to the timer's resolution (Firefox: tens of microseconds apart). It was handed
                // the work after the I/O ended here, so it cannot have started before that.
                (
                    slot.unwrap_or(pool_thread),
                    (started - self.origin).max(io_end_ms),
                )
            }
        };
        let end_ms = self.now();
        if let (Some(slots), Some(worker)) = (&self.slots, slot) {
            slots.release(worker);
        }
        self.control.add_progress(1);
        self.records.borrow_mut()[id as usize] = Some(RequestRecord {
            id,
            arrive_ms,
            start_ms,
            io_end_ms,
            cpu_start_ms,
            end_ms,
            worker,
            db_end_ms,
            // Waiting for the event loop, or for a thread of the CPU pool (one per core).
            core_wait_ms: cpu_start_ms - io_end_ms,
        });
    }

    /// A request on the blocking thread pool: queued for a thread, which records its own phases.
    async fn handle_on_thread(&self, id: u32, arrive_ms: f64) {
        let Some(served) = self
            .host
            .serve_on_thread(self.load.io_ms, self.load.cpu_ms)
            .await
        else {
            return;
        };
        // The thread read its times on its own clock, which agrees with this thread's only to the
        // timer's resolution: each phase starts no earlier than the one before it ended.
        let start_ms = (served.start_ms - self.origin).max(arrive_ms);
        let io_end_ms = (served.io_end_ms - self.origin).max(start_ms);
        let end_ms = (served.end_ms - self.origin).max(io_end_ms);
        self.control.add_progress(1);
        self.records.borrow_mut()[id as usize] = Some(RequestRecord {
            id,
            arrive_ms,
            start_ms,
            io_end_ms,
            cpu_start_ms: io_end_ms,
            end_ms,
            worker: served.thread,
            db_end_ms: (start_ms + self.load.io_ms).min(io_end_ms),
            core_wait_ms: served.core_wait_ms,
        });
    }
}

/// Serves `load` under `model` on `host`: `clients` (closed loop: each sends, waits for the answer,
/// sends the next) or `rate` (open loop: request `i` is due at `i · 1000 / rate` ms, whatever the
/// server does). Stops sending once `control` is cancelled; the requests already sent are answered.
/// Returns the answered requests by id, in milliseconds since the call.
pub async fn serve<H: ServerHost>(
    host: &H,
    model: ServerModel,
    load: Load,
    control: &RunControl,
) -> Vec<RequestRecord> {
    let server = Server {
        host,
        model,
        load,
        control,
        origin: host.now_ms(),
        // The thread pool's queue is its threads' own (RequestQueue); one worker's is here.
        slots: (model == ServerModel::OneAtATime).then(|| Slots::new(1)),
        records: RefCell::new((0..load.requests).map(|_| None).collect()),
    };
    let server = &server;
    match load.arrivals {
        Arrivals::Clients(count) => {
            let next_id = &Cell::new(0u32);
            join_all((0..count).map(|_| async move {
                while next_id.get() < load.requests && !control.is_cancelled() {
                    let id = next_id.get();
                    next_id.set(id + 1);
                    server.handle(id, server.now()).await;
                }
            }))
            .await;
        }
        Arrivals::Rate(rate) => {
            let schedule = open_loop_arrivals(rate, load.requests);
            join_all(schedule.into_iter().zip(0..).map(|(due, id)| async move {
                // Timers may fire a little early: a request is never sent before it is due. The wait
                // is cut into slices so that Cancel ends a slow open loop (0.3 requests/s schedules
                // its last request minutes ahead) within one slice.
                while server.now() < due && !control.is_cancelled() {
                    let wait = (due - server.now()).ceil().clamp(1.0, CANCEL_CHECK_MS);
                    host.sleep(wait).await;
                }
                if !control.is_cancelled() {
                    // The arrival is when the client really sent it, not when it was due: the
                    // clients share the event loop with the server, so CPU work on that loop (the
                    // async model) delays sending, and the records must show it.
                    server.handle(id, server.now()).await;
                }
            }))
            .await;
        }
    }
    server.records.take().into_iter().flatten().collect()
}
