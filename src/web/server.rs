//! The web server lab, for real: the scheduling in `exec::server` (the four models, their queues, the
//! load generator) served with the browser's timers and clock, real CPU work (hashing for a set time),
//! all inside one process. The process's event loop is the server's event loop; its rayon pool is the
//! CPU pool.

use std::future::Future;

use futures::channel::oneshot;
use gloo_timers::future::TimeoutFuture;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::clock::PerformanceClock;
use super::convert::object;
use super::CONTROL;
use crate::exec::server::{serve, ServerHost};
use crate::model::manifest::StreamingHash;
use crate::model::server::{summarize, throughput_bound, Load, ServerModel, PRESETS};
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
/// process's rayon pool as the CPU pool.
struct BrowserHost;

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
}

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
    let records = serve(&BrowserHost, model, load, &CONTROL).await;
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
