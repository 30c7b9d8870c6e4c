//! The web server lab, for real: the scheduling in `exec::server` (the four models, their queues, the
//! load generator) served with the browser's timers and clock, real CPU work (hashing for a set time),
//! all inside one process. The process's event loop is the server's event loop; its rayon pool is the
//! CPU pool, or, for the thread pool of k, the k blocking threads (the page starts a process with k
//! pool threads for it).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::channel::oneshot;
use gloo_timers::future::TimeoutFuture;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::clock::PerformanceClock;
use super::convert::object;
use super::CONTROL;
use crate::exec::server::{
    calibrate_unit, serve, serve_pool_thread, PoolThreadHost, RequestQueue, ServerHost, ThreadJob,
    ThreadServed, WorkUnit,
};
use crate::kernels::sum_squares::sum_of_squares;
use crate::model::manifest::StreamingHash;
use crate::model::server::{
    summarize, throughput_bound, Load, RequestRecord, ServerModel, MAX_POOL, PRESETS,
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

/// The browser's side of serving: its clock, its timers, real hashing on the event loop, and the
/// process's rayon pool as the CPU pool or as the blocking thread pool (`threads`: its queue).
struct BrowserHost {
    threads: Option<Arc<RequestQueue>>,
}

/// A blocking pool thread's side: the shared clock, a real blocking wait, the CPU kernel as the work.
struct BlockingThread;

impl PoolThreadHost for BlockingThread {
    fn now_ms(&self) -> f64 {
        PerformanceClock.now_ms()
    }

    /// A real blocking wait, as a thread in a blocking database driver makes: with shared memory,
    /// std's `sleep` is `memory.atomic.wait32` on a word nobody notifies, with the time as its
    /// timeout (library/std/src/sys/thread/wasm.rs), so the thread holds no core meanwhile. Only a
    /// worker may wait like this; the page's main thread never runs it.
    fn block(&self, ms: f64) {
        std::thread::sleep(std::time::Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }

    // One function for the calibration and the serving threads alike: inlined into each, they would
    // be separate wasm functions, each reaching the engine's optimised tier at its own time.
    #[inline(never)]
    fn work(&self, size: u64) {
        std::hint::black_box(sum_of_squares(0..std::hint::black_box(size)));
    }
}

/// The free-core time of a slice of work, the fastest seen in this process (bits of an f64, and the
/// slice's size): a later calibration on a busier machine only ever finds slower tries.
static UNIT_MS_BITS: AtomicU64 = AtomicU64::new(0);
static UNIT_SIZE: AtomicU64 = AtomicU64::new(0);

/// Times a slice of work on one pool thread (nothing else runs on the pool meanwhile), keeping the
/// fastest slice time this process has seen for the same size.
async fn calibrated_unit() -> WorkUnit {
    let (done, measured) = oneshot::channel();
    rayon::spawn(move || {
        let _ = done.send(calibrate_unit(&BlockingThread));
    });
    let mut unit = measured.await.expect("the calibration always reports back");
    let (size, ms) = (
        UNIT_SIZE.load(Ordering::Relaxed),
        f64::from_bits(UNIT_MS_BITS.load(Ordering::Relaxed)),
    );
    if size > 0 && ms > 0.0 {
        // The earlier slice, at this slice's size.
        let earlier = ms * unit.size as f64 / size as f64;
        unit.ms = unit.ms.min(earlier);
    }
    UNIT_SIZE.store(unit.size, Ordering::Relaxed);
    UNIT_MS_BITS.store(unit.ms.to_bits(), Ordering::Relaxed);
    unit
}

impl ServerHost for BrowserHost {
    fn now_ms(&self) -> f64 {
        PerformanceClock.now_ms()
    }

    fn sleep(&self, ms: f64) -> impl Future<Output = ()> {
        TimeoutFuture::new(ms.round() as u32)
    }

    fn compute(&self, ms: f64) {
        compute_for(ms);
    }

    /// Runs the work on a pool thread without blocking the event loop.
    async fn compute_on_pool(&self, ms: f64) -> (u32, f64) {
        let (done, finished) = oneshot::channel();
        rayon::spawn(move || {
            let worker = rayon::current_thread_index().unwrap_or(0) as u32;
            let started = PerformanceClock.now_ms();
            compute_for(ms);
            let _ = done.send((worker, started));
        });
        finished.await.expect("a pool job always reports back")
    }

    /// Queues the request for the blocking threads; a cancelled run drops it unanswered.
    async fn serve_on_thread(&self, io_ms: f64, cpu_ms: f64) -> Option<ThreadServed> {
        let queue = self
            .threads
            .as_ref()
            .expect("the thread pool model runs with its threads started");
        let (answer, answered) = oneshot::channel();
        queue.push(ThreadJob {
            io_ms,
            cpu_ms,
            answer,
        });
        answered.await.ok()
    }
}

/// Serves a load under a model, in this process (its rayon pool is the CPU pool; for the thread pool
/// of k, this process must have exactly k pool threads, which become the k blocking threads).
/// `clients` (closed loop) or `rate` (requests per second, open loop); `requests` in all; `cores`:
/// the device's cores, for the bound (this process's pool size is k, not the cores). Stops sending
/// when the process's cancel flag is set. Resolves to `{ model, throughput, p50, p95, p99, bound,
/// cancelled, requests: [{ id, arriveMs, startMs, ioEndMs, cpuStartMs, endMs, worker, dbEndMs,
/// coreWaitMs }] }` (by id).
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
    cores: Option<f64>,
) -> Result<JsValue, JsError> {
    let pool_threads = rayon::current_num_threads() as u32;
    let cores = cores
        .filter(|c| c.fract() == 0.0 && (1.0..=1024.0).contains(c))
        .map_or(pool_threads, |c| c as u32);
    // A JsValue, not String: the generated glue would read a non-string as one and corrupt memory.
    let model = model
        .as_string()
        .ok_or_else(|| JsError::new("model must be a string such as \"async\""))?;
    let model = ServerModel::parse(&model, pool_size, cores).map_err(|m| JsError::new(&m))?;
    let load = Load::parse(clients, rate, requests, io_ms, cpu_ms).map_err(|m| JsError::new(&m))?;
    let threads = match model {
        ServerModel::ThreadPool(k) if k > pool_threads => {
            return Err(JsError::new(&format!(
                "a thread pool of {k} needs a process with at least {k} threads; this one has {pool_threads} (at most {MAX_POOL})"
            )))
        }
        ServerModel::ThreadPool(k) => {
            let unit = calibrated_unit().await;
            let queue = Arc::new(RequestQueue::new());
            let serving = Arc::clone(&queue);
            // Pool threads 0..k become the k threads until the run ends (the queue closes); a process
            // kept from a larger pool has more, and those go back to sleep at once.
            rayon::spawn_broadcast(move |context| {
                let index = context.index() as u32;
                if index < k {
                    serve_pool_thread(&serving, index, &BlockingThread, unit, &CONTROL);
                }
            });
            Some(queue)
        }
        _ => None,
    };
    let host = BrowserHost {
        threads: threads.clone(),
    };
    let records = serve(&host, model, load, &CONTROL).await;
    if let Some(queue) = threads {
        queue.close();
    }
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
                ("dbEndMs", r.db_end_ms.into()),
                ("coreWaitMs", r.core_wait_ms.into()),
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

/// The most threads a thread pool may have (each is a Web Worker; see `MAX_POOL`).
#[wasm_bindgen(js_name = serverMaxPool)]
pub fn server_max_pool() -> u32 {
    MAX_POOL
}

/// The models' names, in the order the page runs and shows them.
#[wasm_bindgen(js_name = serverModels)]
pub fn server_models() -> Array {
    ServerModel::NAMES
        .iter()
        .map(|&name| JsValue::from(name))
        .collect()
}

/// The tutorial's server in Python beside the Rust that served: the scheduling, then this binding, as
/// paths from the repository root that the page fetches (see `seedCpuSource` in mod.rs).
#[wasm_bindgen(js_name = serverSources)]
pub fn server_sources() -> JsValue {
    let rust = Array::of2(&"src/exec/server.rs".into(), &"src/web/server.rs".into());
    object(&[
        ("python", "bench/seed_server.py".into()),
        ("rust", rust.into()),
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

/// Draws the server timeline: one row per name; `requests` is flat, 7 numbers per request:
/// `arriveMs, startMs, dbEndMs, ioEndMs, cpuStartMs, endMs, coreWaitMs` (as `serveLoad` records them).
#[wasm_bindgen(js_name = drawServerTimeline)]
pub fn draw_server_timeline_on_canvas(
    canvas: web_sys::HtmlCanvasElement,
    requests: &[f64],
    names: Vec<String>,
    caption: &str,
    dark: bool,
) -> Result<(), JsError> {
    let records: Vec<RequestRecord> = requests
        .chunks_exact(7)
        .zip(0..)
        .map(|(r, id)| RequestRecord {
            id,
            arrive_ms: r[0],
            start_ms: r[1],
            db_end_ms: r[2],
            io_end_ms: r[3],
            cpu_start_ms: r[4],
            end_ms: r[5],
            core_wait_ms: r[6],
            worker: 0,
        })
        .collect();
    super::canvas::draw_chart(canvas, "timeline", |area| {
        crate::charts::server::draw_server_timeline(
            area,
            &records,
            &names,
            caption,
            &crate::charts::theme::Theme::for_dark_mode(dark),
        )
    })
}
