//! The downloads demo's fetches: gloo-net requests awaited as futures on this thread's event loop,
//! bodies read as streams (progress, SHA-256 and the size limit as the bytes arrive, each chunk
//! written straight to the private file system), each file failing on its own with a reason a
//! person can act on.

mod saved_file;

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
use crate::model::downloads::{
    format_bytes, is_saved_file_name, parse_max_bytes, saved_file_name, FileFailure, IoMode,
    SavedRecord, SizeLimit, DEFAULT_MAX_BYTES, MAX_MAX_BYTES,
};
use crate::model::manifest::{to_hex, verify, ManifestEntry, StreamingHash};
use crate::model::timeline::Clock;
use saved_file::SavedFile;

/// The simulated network (the service worker) reports how long a request queued for a connection.
const QUEUE_HEADER: &str = "x-simulated-queue-ms";
/// Present on every response the simulated network delivered (absent at the real local speed).
const SIMULATED_HEADER: &str = "x-simulated-network";

/// One file to fetch, as the page hands it over.
struct FileSpec {
    url: String,
    /// The published entry, for sample files: what arrives must match it.
    expected: Option<ManifestEntry>,
    limit: SizeLimit,
    /// The private file system's name to stream the file into; `None`, or a browser without a
    /// writable private file system, keeps it in memory as a Blob (still within `limit`).
    save_as: Option<String>,
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

/// Downloads `files` (`[{ url, name?, bytes?, sha256?, maxBytes?, saveAs? }]`; `bytes` and
/// `sha256` come from the manifest for sample files; `maxBytes` defaults to 256 MiB; `saveAs` is
/// a name from `savedFileName`) under `mode` ("sequential", "concurrent" or "bounded" with `limit`).
/// `originMs` is the `performance.timeOrigin + performance.now()` the run's times count from, so
/// downloads in several workers share one timeline. `onEvent` receives `{ type: "start" |
/// "response" | "progress", index, … }` while it runs; `signal` cancels every file at once.
/// Resolves to one result per file, in order, each `{ index, url, ok, status, bytes, sha256,
/// verified, simulated, error?, errorKind?, retryable, startMs, queuedMs, firstByteMs, endMs,
/// savedAs, blob? }`: `savedAs` is the saved file's name, `blob` the bytes where they were not saved.
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
    let max_bytes = field("maxBytes");
    let max_bytes = if max_bytes.is_undefined() {
        None
    } else {
        Some(
            max_bytes
                .as_f64()
                .ok_or("maxBytes must be a number of bytes")?,
        )
    };
    let limit = SizeLimit {
        max_bytes: parse_max_bytes(max_bytes)?,
    };
    let save_as = field("saveAs");
    let save_as = if save_as.is_undefined() || save_as.is_null() {
        None
    } else {
        match save_as.as_string() {
            Some(name) if is_saved_file_name(&name) => Some(name),
            _ => return Err("saveAs must be a name made by savedFileName(url)".into()),
        }
    };
    Ok(FileSpec {
        url,
        expected,
        limit,
        save_as,
    })
}

/// The name `url`'s file is saved under: its last path segment plus a short hash of the whole
/// URL, so distinct URLs never overwrite each other and the same URL replaces its own file.
#[wasm_bindgen(js_name = savedFileName)]
pub fn saved_file_name_for(url: JsValue) -> Result<String, JsError> {
    let url = url
        .as_string()
        .ok_or_else(|| JsError::new("savedFileName expects a URL string"))?;
    Ok(saved_file_name(&url))
}

/// The size limit of one download: `maxBytes` checked (`undefined`: the default), as
/// `{ maxBytes, label, defaultMaxBytes, highest }` (`label` e.g. "256 MiB").
#[wasm_bindgen(js_name = downloadSizeLimit)]
pub fn download_size_limit(max_bytes: JsValue) -> Result<JsValue, JsError> {
    let value = if max_bytes.is_undefined() {
        None
    } else {
        Some(max_bytes.as_f64().ok_or_else(|| {
            JsError::new(&format!(
                "maxBytes must be a number of bytes from 1 to {MAX_MAX_BYTES}"
            ))
        })?)
    };
    let checked = parse_max_bytes(value).map_err(|m| JsError::new(&m))?;
    Ok(object(&[
        ("maxBytes", (checked as f64).into()),
        ("label", format_bytes(checked).into()),
        ("defaultMaxBytes", (DEFAULT_MAX_BYTES as f64).into()),
        ("highest", (MAX_MAX_BYTES as f64).into()),
    ]))
}

/// The SHA-256 recorded beside a saved file (`record` as stored: `{ bytes, lastModified, sha256 }`),
/// if the file of `bytes` and `lastModified` is still the one recorded; `undefined` otherwise.
#[wasm_bindgen(js_name = savedFileHash)]
pub fn saved_file_hash(record: JsValue, bytes: f64, last_modified: f64) -> Option<String> {
    let field = |name: &str| Reflect::get(&record, &name.into()).ok();
    let record = SavedRecord {
        bytes: field("bytes")?.as_f64()?,
        last_modified: field("lastModified")?.as_f64()?,
        sha256: field("sha256")?.as_string()?,
    };
    record.hash_for(bytes, last_modified)
}

/// Where an arriving file's bytes go.
enum Sink {
    /// Streamed into the private file system: nothing held in memory.
    Saved(SavedFile),
    /// Kept in memory (no `saveAs`, or no writable private file system here).
    Memory { parts: Array, content_type: String },
}

impl Sink {
    async fn take(&self, chunk: &Uint8Array) -> Result<(), FileFailure> {
        match self {
            Sink::Saved(file) => file.write(chunk).await.map_err(FileFailure::SaveFailed),
            Sink::Memory { parts, .. } => {
                parts.push(chunk);
                Ok(())
            }
        }
    }

    async fn discard(self) {
        if let Sink::Saved(file) = self {
            file.discard().await;
        }
    }
}

/// How one download ended, before it is turned into the JS result.
struct Arrived {
    bytes: u64,
    sha256: [u8; 32],
    sink: Sink,
}

/// Where a file that arrived intact ended up.
enum Kept {
    Saved(String),
    Blob(Blob),
}

impl Arrived {
    /// Makes the file permanent: closes the saved file (with its record) or builds the Blob.
    async fn keep(self, url: &str) -> Result<(u64, [u8; 32], Kept), FileFailure> {
        let kept = match self.sink {
            Sink::Saved(file) => {
                let name = file.name().to_owned();
                file.keep(url, &to_hex(&self.sha256))
                    .await
                    .map_err(FileFailure::SaveFailed)?;
                Kept::Saved(name)
            }
            Sink::Memory {
                parts,
                content_type,
            } => {
                let options = BlobPropertyBag::new();
                options.set_type(&content_type);
                let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(
                    |_| FileFailure::Interrupted {
                        after_bytes: self.bytes,
                    },
                )?;
                Kept::Blob(blob)
            }
        };
        Ok((self.bytes, self.sha256, kept))
    }
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
    let outcome = match outcome {
        Ok(arrived) => match &spec.expected {
            Some(entry) => match verify(entry, arrived.bytes, &arrived.sha256) {
                Ok(()) => arrived.keep(&spec.url).await,
                Err(mismatch) => {
                    arrived.sink.discard().await;
                    Err(FileFailure::Mismatch(mismatch))
                }
            },
            None => arrived.keep(&spec.url).await,
        },
        Err(failure) => Err(failure),
    };
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
        Ok((bytes, sha256, kept)) => {
            let (saved_as, blob) = match kept {
                Kept::Saved(name) => (JsValue::from(name), JsValue::UNDEFINED),
                Kept::Blob(blob) => (JsValue::NULL, blob.into()),
            };
            vec![
                ("ok", true.into()),
                ("bytes", (bytes as f64).into()),
                ("sha256", to_hex(&sha256).into()),
                ("savedAs", saved_as),
                ("blob", blob),
                ("retryable", false.into()),
            ]
        }
        Err(failure) => vec![
            ("ok", false.into()),
            ("bytes", 0.into()),
            ("sha256", JsValue::NULL),
            ("savedAs", JsValue::NULL),
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
    // A Content-Length too big is refused before a byte is read or a file is created.
    if let Err(too_large) = spec.limit.check_announced(total.map(|n| n as u64)) {
        if let Some(body) = response.body() {
            let _ = body.cancel();
        }
        return Err(too_large);
    }
    let sink = match &spec.save_as {
        Some(name) => SavedFile::create(name)
            .await
            .map_err(FileFailure::SaveFailed)?
            .map(Sink::Saved),
        None => None,
    };
    let sink = sink.unwrap_or_else(|| Sink::Memory {
        parts: Array::new(),
        content_type: response.headers().get("content-type").unwrap_or_default(),
    });
    let mut hash = StreamingHash::new();
    let read = match response.body() {
        Some(body) => {
            read_body(
                index,
                &body,
                spec.limit,
                &sink,
                &mut hash,
                &mut watchdog,
                run,
                total,
            )
            .await
        }
        None => Ok(()),
    };
    if let Err(failure) = read {
        sink.discard().await;
        return Err(failure);
    }
    let (bytes, sha256) = hash.finish();
    Ok(Arrived {
        bytes,
        sha256,
        sink,
    })
}

/// Reads the body chunk by chunk into `sink`: each chunk is counted against `limit` before it
/// is kept, hashed, and handed over before the next one is read (so the stream waits for a slow
/// disk instead of piling up in memory).
#[allow(clippy::too_many_arguments)]
async fn read_body(
    index: usize,
    body: &web_sys::ReadableStream,
    limit: SizeLimit,
    sink: &Sink,
    hash: &mut StreamingHash,
    watchdog: &mut Watchdog,
    run: &RunContext,
    total: Option<f64>,
) -> Result<(), FileFailure> {
    let mut reader = BodyReader::new(body, matches!(sink, Sink::Saved(_)))
        .map_err(|_| FileFailure::Unreachable)?;
    let mut scratch = Vec::new();
    loop {
        let chunk = match reader.next().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(()),
            Err(_) => {
                return Err(watchdog.abort_reason().unwrap_or(FileFailure::Interrupted {
                    after_bytes: hash.bytes(),
                }))
            }
        };
        watchdog.something_arrived();
        if let Err(too_large) = limit.check_next_chunk(hash.bytes(), u64::from(chunk.length())) {
            // Stops the transfer and frees the connection; nothing of this chunk is kept.
            reader.cancel();
            return Err(too_large);
        }
        scratch.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut scratch);
        hash.update(&scratch);
        if let Err(failure) = sink.take(&chunk).await {
            reader.cancel();
            return Err(failure);
        }
        reader.recycle(chunk);
        watchdog.something_arrived();
        run.emit(&[
            ("type", "progress".into()),
            ("index", index.into()),
            ("bytes", (hash.bytes() as f64).into()),
            ("total", total.map_or(JsValue::NULL, JsValue::from)),
        ]);
    }
}

/// How big a piece of the body one read may bring when the reader brings its own buffer.
const READ_BUFFER_BYTES: u32 = 1 << 20;

/// Reads a body chunk by chunk. Streaming into a file, it reads into one buffer of its own, used
/// again and again (a "BYOB" reader): the browser then never allocates a fresh chunk that lingers
/// until the garbage collector runs, and a 512 MiB file passes through a single 1 MiB buffer.
/// Where that reader is not offered, and for bodies kept in memory, the browser's own chunks.
enum BodyReader {
    Chunks(ReadableStreamDefaultReader),
    OwnBuffer {
        reader: JsValue,
        buffer: Option<js_sys::ArrayBuffer>,
    },
}

impl BodyReader {
    fn new(body: &web_sys::ReadableStream, own_buffer: bool) -> Result<Self, JsValue> {
        if own_buffer {
            let get_reader: Function = Reflect::get(body, &"getReader".into())?.dyn_into()?;
            if let Ok(reader) = get_reader.call1(body, &object(&[("mode", "byob".into())])) {
                return Ok(BodyReader::OwnBuffer {
                    reader,
                    buffer: None,
                });
            }
        }
        Ok(BodyReader::Chunks(ReadableStreamDefaultReader::new(body)?))
    }

    /// The next piece of the body, or `None` at its end.
    async fn next(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        let read = match self {
            BodyReader::Chunks(reader) => JsFuture::from(reader.read()).await?,
            BodyReader::OwnBuffer { reader, buffer } => {
                // The read takes the buffer over (it detaches it) and hands it back in its result.
                let buffer = buffer
                    .take()
                    .unwrap_or_else(|| js_sys::ArrayBuffer::new(READ_BUFFER_BYTES));
                let view =
                    Uint8Array::new_with_byte_offset_and_length(&buffer, 0, READ_BUFFER_BYTES);
                saved_file::call(reader, "read", &[view.into()]).await?
            }
        };
        let read = read.unchecked_into::<ReadableStreamReadResult>();
        if read.get_done().unwrap_or(false) {
            return Ok(None);
        }
        Ok(Some(read.get_value().unchecked_into()))
    }

    /// Gives a chunk's memory back for the next read, once nothing refers to the chunk any more.
    fn recycle(&mut self, chunk: Uint8Array) {
        if let BodyReader::OwnBuffer { buffer, .. } = self {
            *buffer = Some(chunk.buffer());
        }
    }

    fn cancel(&self) {
        let reader = match self {
            BodyReader::Chunks(reader) => reader.as_ref(),
            BodyReader::OwnBuffer { reader, .. } => reader,
        };
        if let Ok(cancel) =
            Reflect::get(reader, &"cancel".into()).and_then(|f| f.dyn_into::<Function>())
        {
            let _ = cancel.call0(reader);
        }
    }
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
