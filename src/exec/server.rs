//! The web server lab's scheduling: a request handler that waits on I/O and then computes, served
//! under the four models (one worker, k blocking threads, an event loop, an event loop with a CPU
//! pool), and the load generator (closed-loop clients or an open-loop schedule). Plain futures code
//! driven by a [`ServerHost`] that brings the clock, the timers and the CPU work, so the same
//! scheduling serves on the browser's event loop (`src/web/server.rs` binds its timers and the
//! process's rayon pool) and on a simulated clock in native tests.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;

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
        let (worker, cpu_start_ms) = match self.model {
            // One worker, or the event loop itself, computes: nothing else runs on it meanwhile.
            ServerModel::OneAtATime | ServerModel::Async => {
                let started = self.now();
                self.host.compute(self.load.cpu_ms);
                (slot.unwrap_or(0), started)
            }
            // Blocking threads and the async CPU pool compute on the cores (the process's pool threads).
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
        slots: model.slots().map(Slots::new),
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
