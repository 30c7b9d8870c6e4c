//! The web server lab, for real: a request handler that waits on I/O (a real timer) and does CPU
//! work (real hashing for a set time), served under four models, with a load generator, all inside
//! one process. The process's event loop is the server's event loop; its rayon pool is the CPU pool.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::join_all;
use gloo_timers::future::TimeoutFuture;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::clock::PerformanceClock;
use super::convert::object;
use super::CONTROL;
use crate::model::manifest::StreamingHash;
use crate::model::server::{
    open_loop_arrivals, summarize, throughput_bound, Arrivals, Load, RequestRecord, ServerModel,
    PRESETS,
};
use crate::model::timeline::Clock;

/// A request's CPU work: hashing this block again and again (SHA-256, as a server might hash a response).
const WORK_BLOCK: [u8; 4096] = [0x5a; 4096];

/// Real CPU work for `ms` milliseconds on the calling thread.
fn compute_for(ms: f64) {
    let until = PerformanceClock.now_ms() + ms;
    let mut hash = StreamingHash::new();
    while PerformanceClock.now_ms() < until {
        hash.update(std::hint::black_box(&WORK_BLOCK));
    }
    std::hint::black_box(hash.finish());
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

/// Runs `ms` of CPU work on the process's thread pool without blocking the event loop; resolves to
/// the pool thread that did it and when it started.
async fn compute_on_pool(ms: f64) -> (u32, f64) {
    let (done, finished) = oneshot::channel();
    rayon::spawn(move || {
        let worker = rayon::current_thread_index().unwrap_or(0) as u32;
        let started = PerformanceClock.now_ms();
        compute_for(ms);
        let _ = done.send((worker, started));
    });
    finished.await.expect("a pool job always reports back")
}

struct Server {
    model: ServerModel,
    load: Load,
    origin: f64,
    slots: Option<Slots>,
    records: RefCell<Vec<RequestRecord>>,
}

impl Server {
    fn now(&self) -> f64 {
        PerformanceClock.now_ms() - self.origin
    }

    async fn handle(&self, id: u32, arrive_ms: f64) {
        let slot = match &self.slots {
            Some(slots) => Some(slots.acquire().await),
            None => None,
        };
        let start_ms = self.now();
        if self.load.io_ms > 0.0 {
            // The database call: a real timer; the thread (or the loop) is free meanwhile only in the async models.
            TimeoutFuture::new(self.load.io_ms.round() as u32).await;
        }
        let io_end_ms = self.now();
        let (worker, cpu_start_ms) = match self.model {
            // One worker, or the event loop itself, computes: nothing else runs on it meanwhile.
            ServerModel::OneAtATime | ServerModel::Async => {
                let started = self.now();
                compute_for(self.load.cpu_ms);
                (slot.unwrap_or(0), started)
            }
            // Blocking threads and the async CPU pool compute on the cores (the process's pool threads).
            ServerModel::ThreadPool(_) | ServerModel::AsyncPool => {
                let (pool_thread, started) = compute_on_pool(self.load.cpu_ms).await;
                // The pool thread read its start on its own clock, which agrees with this thread's
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
        CONTROL.add_progress(1);
        self.records.borrow_mut().push(RequestRecord {
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

/// How long an open-loop client waits at most before it looks at the cancel flag again.
const CANCEL_CHECK_MS: f64 = 50.0;

/// Serves a load under a model, in this process (its rayon pool is the CPU pool). `clients` (closed
/// loop) or `rate` (requests per second, open loop); `requests` in all. Stops sending when the
/// process's cancel flag is set. Resolves to `{ model, throughput, p50, p95, p99, bound, cancelled,
/// requests: [{ id, arriveMs, startMs, ioEndMs, cpuStartMs, endMs, worker }] }` (by id).
#[wasm_bindgen(js_name = serveLoad)]
#[allow(clippy::too_many_arguments)]
pub async fn serve_load(
    model: JsValue,
    pool_size: Option<f64>,
    clients: Option<f64>,
    rate: Option<f64>,
    requests: f64,
    io_ms: f64,
    cpu_ms: f64,
) -> Result<JsValue, JsError> {
    let cores = rayon::current_num_threads() as u32;
    // A JsValue, not String: the generated glue would read a non-string as one and corrupt memory.
    let model = model
        .as_string()
        .ok_or_else(|| JsError::new("model must be a string such as \"async\""))?;
    let model = ServerModel::parse(&model, pool_size, cores).map_err(|m| JsError::new(&m))?;
    let load = Load::parse(clients, rate, requests, io_ms, cpu_ms).map_err(|m| JsError::new(&m))?;
    let server = Rc::new(Server {
        model,
        load,
        origin: PerformanceClock.now_ms(),
        slots: model.slots().map(Slots::new),
        records: RefCell::new(Vec::new()),
    });
    match load.arrivals {
        Arrivals::Clients(count) => {
            let next_id = Rc::new(Cell::new(0u32));
            join_all((0..count).map(|_| {
                let (server, next_id) = (server.clone(), next_id.clone());
                async move {
                    // A closed-loop client: send, wait for the answer, send the next.
                    while next_id.get() < load.requests && !CONTROL.is_cancelled() {
                        let id = next_id.get();
                        next_id.set(id + 1);
                        let arrive = server.now();
                        server.handle(id, arrive).await;
                    }
                }
            }))
            .await;
        }
        Arrivals::Rate(rate) => {
            let schedule = open_loop_arrivals(rate, load.requests);
            join_all(schedule.into_iter().enumerate().map(|(id, due)| {
                let server = server.clone();
                async move {
                    // Timers may fire a little early: a request is never sent before it is due.
                    // The wait is cut into slices so that Cancel ends a slow open loop (0.3
                    // requests/s schedules its last request minutes ahead) within one slice.
                    while server.now() < due && !CONTROL.is_cancelled() {
                        let wait = (due - server.now()).ceil().clamp(1.0, CANCEL_CHECK_MS);
                        TimeoutFuture::new(wait as u32).await;
                    }
                    if !CONTROL.is_cancelled() {
                        // The arrival is when the client really sent it, not when it was due: the
                        // clients share the process's event loop with the server, so CPU work on that
                        // loop (the async model) delays sending, and the records must show it.
                        let sent = server.now();
                        server.handle(id as u32, sent).await;
                    }
                }
            }))
            .await;
        }
    }
    let mut records = server.records.take();
    records.sort_by_key(|r| r.id);
    let summary = summarize(&records);
    let list: Array = records
        .iter()
        .map(|r| {
            object(&[
                ("id", r.id.into()),
                ("arriveMs", r.arrive_ms.into()),
                ("startMs", r.start_ms.into()),
                ("ioEndMs", r.io_end_ms.into()),
                ("cpuStartMs", r.cpu_start_ms.into()),
                ("endMs", r.end_ms.into()),
                ("worker", r.worker.into()),
            ])
        })
        .collect();
    let figure =
        |pick: fn(&crate::model::server::Summary) -> f64| summary.as_ref().map_or(0.0, pick);
    Ok(object(&[
        ("model", model.name().into()),
        (
            "poolSize",
            match model {
                ServerModel::ThreadPool(k) => JsValue::from(k),
                _ => JsValue::NULL,
            },
        ),
        ("throughput", figure(|s| s.throughput).into()),
        ("p50", figure(|s| s.p50).into()),
        ("p95", figure(|s| s.p95).into()),
        ("p99", figure(|s| s.p99).into()),
        ("bound", throughput_bound(model, &load, cores).into()),
        ("cancelled", CONTROL.is_cancelled().into()),
        ("requests", list.into()),
    ]))
}

/// The presets that tell the story: `[{ name, ioMs, cpuMs, takeaway }]`.
#[wasm_bindgen(js_name = serverPresets)]
pub fn server_presets() -> Array {
    PRESETS
        .iter()
        .map(|p| {
            object(&[
                ("name", p.name.into()),
                ("ioMs", p.io_ms.into()),
                ("cpuMs", p.cpu_ms.into()),
                ("takeaway", p.takeaway.into()),
            ])
        })
        .collect()
}

/// The tutorial's server in Python beside the Rust that served (this file).
#[wasm_bindgen(js_name = serverSources)]
pub fn server_sources() -> JsValue {
    object(&[
        ("python", include_str!("../../bench/seed_server.py").into()),
        ("rust", include_str!("server.rs").into()),
    ])
}

/// Draws the clients sweep: `throughputs` is flat, one row of `clients.len()` values per name in `models`.
#[wasm_bindgen(js_name = drawSaturation)]
pub fn draw_saturation_on_canvas(
    canvas: web_sys::HtmlCanvasElement,
    clients: Vec<f64>,
    models: Vec<String>,
    throughputs: Vec<f64>,
    caption: &str,
    dark: bool,
) -> Result<(), JsError> {
    let width = clients.len().max(1);
    let series: Vec<(&str, Vec<f64>)> = models
        .iter()
        .zip(throughputs.chunks(width))
        .map(|(name, row)| (name.as_str(), row.to_vec()))
        .collect();
    super::canvas::draw_chart(canvas, "sweep", |area| {
        crate::charts::saturation::draw_saturation(
            area,
            &clients,
            &series,
            caption,
            &crate::charts::theme::Theme::for_dark_mode(dark),
        )
    })
}
