//! The downloads demo's fetches: gloo-net requests awaited as futures on this thread's event loop,
//! bodies read as streams (progress, SHA-256 as the bytes arrive), each file failing on its own
//! with a reason a person can act on.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{Request, Response};
use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Blob, BlobPropertyBag, ReadableStreamDefaultReader,
    ReadableStreamReadResult, RequestCache, RequestMode,
};

use super::clock::PerformanceClock;
use super::convert::object;
use crate::exec::io::{run_jobs, Schedule};
use crate::model::downloads::{FileFailure, IoMode};
use crate::model::manifest::{to_hex, verify, ManifestEntry, StreamingHash};
use crate::model::timeline::Clock;

/// The simulated network (the service worker) reports how long a request queued for a connection.
const QUEUE_HEADER: &str = "x-simulated-queue-ms";
/// Present on every response the simulated network delivered (absent at the real local speed).
const SIMULATED_HEADER: &str = "x-simulated-network";

/// One file to fetch, as the page hands it over.
struct FileSpec {
    url: String,
    /// The published entry, for sample files: what arrives must match it.
    expected: Option<ManifestEntry>,
}

/// What every download of one run shares.
struct RunContext {
    /// The absolute clock value (`timeOrigin + now`) the run's times count from.
    origin_ms: f64,
    idle_timeout_ms: u32,
    signal: AbortSignal,
    on_event: Function,
    page_origin: String,
}

impl RunContext {
    fn now(&self) -> f64 {
        PerformanceClock.now_ms() - self.origin_ms
    }

    fn emit(&self, fields: &[(&str, JsValue)]) {
        // A broken progress callback must not lose the download; the page logs its own errors.
        let _ = self.on_event.call1(&JsValue::NULL, &object(fields));
    }
}

/// Downloads `files` (`[{ url, name?, bytes?, sha256? }]`; `bytes` and `sha256` come from the
/// manifest for sample files) under `mode` ("sequential", "concurrent" or "bounded" with `limit`).
/// `originMs` is the `performance.timeOrigin + performance.now()` the run's times count from, so
/// downloads in several workers share one timeline. `onEvent` receives `{ type: "start" |
/// "response" | "progress", index, … }` while it runs; `signal` cancels every file at once.
/// Resolves to one result per file, in order, each `{ index, url, ok, status, bytes, sha256,
/// verified, simulated, error?, errorKind?, retryable, startMs, queuedMs, firstByteMs, endMs, blob? }`.
#[wasm_bindgen(js_name = downloadFiles)]
pub async fn download_files(
    files: Array,
    mode: String,
    limit: Option<f64>,
    origin_ms: f64,
    idle_timeout_ms: u32,
    signal: AbortSignal,
    on_event: Function,
) -> Result<Array, JsError> {
    let specs = files
        .iter()
        .map(file_spec)
        .collect::<Result<Vec<_>, String>>()
        .map_err(|message| JsError::new(&message))?;
    let schedule = match IoMode::parse(&mode, limit, specs.len()).map_err(|m| JsError::new(&m))? {
        IoMode::Sequential => Schedule::Sequential,
        IoMode::Concurrent => Schedule::Concurrent,
        IoMode::Bounded(k) => Schedule::AtMost(k as usize),
        IoMode::Threads(_) => return Err(JsError::new(
            "the \"threads\" mode runs one downloadFiles per worker thread, each \"sequential\"",
        )),
    };
    if idle_timeout_ms == 0 {
        return Err(JsError::new("the timeout must be at least 1 ms"));
    }
    let context = RunContext {
        origin_ms,
        idle_timeout_ms,
        signal,
        on_event,
        page_origin: global_origin(),
    };
    let results = run_jobs(specs.len(), schedule, |index| {
        download_one(index, &specs[index], &context)
    })
    .await;
    Ok(results.into_iter().collect())
}

fn file_spec(value: JsValue) -> Result<FileSpec, String> {
    let field = |name: &str| Reflect::get(&value, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let url = field("url")
        .as_string()
        .ok_or("every file needs a `url` string")?;
    let expected = match (
        field("name").as_string(),
        field("bytes").as_f64(),
        field("sha256").as_string(),
    ) {
        (Some(name), Some(bytes), Some(sha256)) => Some(ManifestEntry::new(&name, bytes, &sha256)?),
        _ => None,
    };
    Ok(FileSpec { url, expected })
}

/// How one download ended, before it is turned into the JS result.
struct Arrived {
    bytes: u64,
    sha256: [u8; 32],
    blob: Blob,
}

/// Fetches one file and always resolves: a failure is this file's result, never the run's.
async fn download_one(index: usize, spec: &FileSpec, run: &RunContext) -> JsValue {
    let start_ms = run.now();
    run.emit(&[
        ("type", "start".into()),
        ("index", index.into()),
        ("startMs", start_ms.into()),
    ]);
    let mut timing = Timing {
        start_ms,
        queued_ms: 0.0,
        first_byte_ms: None,
        status: 0,
        simulated: false,
    };
    let outcome = if run.signal.aborted() {
        Err(FileFailure::Cancelled)
    } else {
        fetch_and_read(index, spec, run, &mut timing).await
    };
    let outcome = outcome.and_then(|arrived| match &spec.expected {
        Some(entry) => verify(entry, arrived.bytes, &arrived.sha256)
            .map(|()| arrived)
            .map_err(FileFailure::Mismatch),
        None => Ok(arrived),
    });
    let end_ms = run.now();
    let common = [
        ("index", JsValue::from(index)),
        ("url", spec.url.as_str().into()),
        ("status", timing.status.into()),
        ("startMs", timing.start_ms.into()),
        ("queuedMs", timing.queued_ms.into()),
        (
            "firstByteMs",
            timing.first_byte_ms.map_or(JsValue::NULL, JsValue::from),
        ),
        ("endMs", end_ms.into()),
        ("verified", spec.expected.is_some().into()),
        ("simulated", timing.simulated.into()),
    ];
    let specific = match outcome {
        Ok(arrived) => vec![
            ("ok", true.into()),
            ("bytes", (arrived.bytes as f64).into()),
            ("sha256", to_hex(&arrived.sha256).into()),
            ("blob", arrived.blob.into()),
            ("retryable", false.into()),
        ],
        Err(failure) => vec![
            ("ok", false.into()),
            ("bytes", 0.into()),
            ("sha256", JsValue::NULL),
            ("error", failure.to_string().into()),
            ("errorKind", failure.kind().into()),
            ("retryable", failure.retryable().into()),
        ],
    };
    let fields: Vec<(&str, JsValue)> = common.into_iter().chain(specific).collect();
    object(&fields)
}

struct Timing {
    start_ms: f64,
    queued_ms: f64,
    first_byte_ms: Option<f64>,
    status: u16,
    simulated: bool,
}

/// Aborts one file's fetch when the run is cancelled or when nothing arrives for a while.
struct Watchdog {
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    idle_ms: u32,
    timer: Option<Timeout>,
    on_run_abort: Closure<dyn FnMut()>,
    run_signal: AbortSignal,
}

impl Watchdog {
    fn new(run: &RunContext) -> Result<Self, JsValue> {
        let controller = AbortController::new()?;
        let on_run_abort = {
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || controller.abort())
        };
        run.signal
            .add_event_listener_with_callback("abort", on_run_abort.as_ref().unchecked_ref())?;
        let mut watchdog = Self {
            controller,
            timed_out: Rc::new(Cell::new(false)),
            idle_ms: run.idle_timeout_ms,
            timer: None,
            on_run_abort,
            run_signal: run.signal.clone(),
        };
        watchdog.something_arrived();
        Ok(watchdog)
    }

    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Restarts the idle timer: the timeout is "nothing arrived for this long", like Python's
    /// `requests` read timeout, so a large file on a slow network is not cut off while it flows.
    fn something_arrived(&mut self) {
        let controller = self.controller.clone();
        let timed_out = self.timed_out.clone();
        // Replacing the old timer drops it, which clears its setTimeout.
        self.timer = Some(Timeout::new(self.idle_ms, move || {
            timed_out.set(true);
            controller.abort();
        }));
    }

    /// Why the fetch was aborted, if it was.
    fn abort_reason(&self) -> Option<FileFailure> {
        if self.run_signal.aborted() {
            Some(FileFailure::Cancelled)
        } else if self.timed_out.get() {
            Some(FileFailure::TimedOut {
                idle_ms: self.idle_ms,
            })
        } else {
            None
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.run_signal.remove_event_listener_with_callback(
            "abort",
            self.on_run_abort.as_ref().unchecked_ref(),
        );
    }
}

async fn fetch_and_read(
    index: usize,
    spec: &FileSpec,
    run: &RunContext,
    timing: &mut Timing,
) -> Result<Arrived, FileFailure> {
    let mut watchdog = Watchdog::new(run).map_err(|_| FileFailure::Unreachable)?;
    let signal = watchdog.signal();
    let sent = Request::get(&spec.url)
        // Every run measures the network, not the browser's cache.
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal))
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(_) => {
            if let Some(reason) = watchdog.abort_reason() {
                return Err(reason);
            }
            return Err(diagnose_failed_fetch(&spec.url, run, &signal).await);
        }
    };
    timing.first_byte_ms = Some(run.now());
    timing.status = response.status();
    timing.queued_ms = header_number(&response, QUEUE_HEADER).unwrap_or(0.0);
    timing.simulated = response.headers().get(SIMULATED_HEADER).is_some();
    watchdog.something_arrived();
    let total = header_number(&response, "content-length");
    run.emit(&[
        ("type", "response".into()),
        ("index", index.into()),
        ("status", timing.status.into()),
        ("firstByteMs", timing.first_byte_ms.into()),
        ("total", total.map_or(JsValue::NULL, JsValue::from)),
    ]);
    if !response.ok() {
        if let Some(body) = response.body() {
            // Nobody reads an error page's body; cancelling frees the connection at once.
            let _ = body.cancel();
        }
        return Err(FileFailure::HttpStatus {
            status: response.status(),
            status_text: response.status_text(),
        });
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let parts = Array::new();
    let mut hash = StreamingHash::new();
    if let Some(body) = response.body() {
        let reader =
            ReadableStreamDefaultReader::new(&body).map_err(|_| FileFailure::Unreachable)?;
        let mut scratch = Vec::new();
        loop {
            let read = match JsFuture::from(reader.read()).await {
                Ok(read) => read.unchecked_into::<ReadableStreamReadResult>(),
                Err(_) => {
                    return Err(watchdog.abort_reason().unwrap_or(FileFailure::Interrupted {
                        after_bytes: hash.bytes(),
                    }))
                }
            };
            if read.get_done().unwrap_or(false) {
                break;
            }
            watchdog.something_arrived();
            let chunk: Uint8Array = read.get_value().unchecked_into();
            scratch.resize(chunk.length() as usize, 0);
            chunk.copy_to(&mut scratch);
            hash.update(&scratch);
            parts.push(&chunk);
            run.emit(&[
                ("type", "progress".into()),
                ("index", index.into()),
                ("bytes", (hash.bytes() as f64).into()),
                ("total", total.map_or(JsValue::NULL, JsValue::from)),
            ]);
        }
    }
    let options = BlobPropertyBag::new();
    options.set_type(&content_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| {
        FileFailure::Interrupted {
            after_bytes: hash.bytes(),
        }
    })?;
    let (bytes, sha256) = hash.finish();
    Ok(Arrived {
        bytes,
        sha256,
        blob,
    })
}

/// `fetch` rejects with the same bare TypeError for "no such host" and "the server refused this
/// page (CORS)". A second, opaque (`no-cors`) request tells them apart: if the server answers it,
/// the server is there and only the CORS permission was missing.
async fn diagnose_failed_fetch(url: &str, run: &RunContext, signal: &AbortSignal) -> FileFailure {
    let cross_origin = web_sys::Url::new(url)
        .map(|parsed| parsed.origin() != run.page_origin)
        .unwrap_or(false);
    if !cross_origin {
        return FileFailure::Unreachable;
    }
    let probe = Request::get(url)
        .mode(RequestMode::NoCors)
        .cache(RequestCache::NoStore)
        .abort_signal(Some(signal))
        .send()
        .await;
    match probe {
        Ok(answer) => {
            if let Some(body) = answer.body() {
                let _ = body.cancel();
            }
            FileFailure::CorsRefused
        }
        Err(_) => FileFailure::Unreachable,
    }
}

fn header_number(response: &Response, name: &str) -> Option<f64> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// `location.origin` of this window or worker.
fn global_origin() -> String {
    Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| Reflect::get(&location, &"origin".into()))
        .ok()
        .and_then(|origin| origin.as_string())
        .unwrap_or_default()
}
