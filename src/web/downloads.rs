//! The downloads demo's fetches: gloo-net requests awaited as futures on this thread's event loop,
//! bodies read as streams (progress, SHA-256 and the size limit as the bytes arrive, gathered into
//! 1 MiB writes to the private file system, one in flight while the next fills), each file failing
//! on its own with a reason a person can act on.

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
    concurrency, format_bytes, is_saved_file_name, parse_max_bytes, saved_file_name, FileFailure,
    IoMode, SavedRecord, SizeLimit, DEFAULT_MAX_BYTES, MAX_MAX_BYTES,
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
/// How many downloads of a run ran at once, from its flat spans (6 numbers per file, as for
/// `drawDownloadTimeline`) and each file's connection limit (`limits[i]`: its host's limit as far as
/// the run knows it; 0 or NaN for none, or where the file's wait was not measured).
/// → `{ mostOpen, waitedForConnection, queuedMs (each file's wait for a connection, 0 where none
/// could have happened) }`.
#[wasm_bindgen(js_name = downloadFigures)]
pub fn download_figures(spans: &[f64], limits: &[f64]) -> JsValue {
    let spans = super::file_spans(spans);
    let limits: Vec<usize> = limits
        .iter()
        .map(|&limit| {
            if limit.is_finite() && limit >= 0.0 {
                limit as usize
            } else {
                0
            }
        })
        .collect();
    let figures = concurrency(&spans, &limits);
    object(&[
        ("mostOpen", figures.most_open.into()),
        ("waitedForConnection", figures.waited.into()),
        (
            "queuedMs",
            js_sys::Float64Array::from(figures.queued_ms.as_slice()).into(),
        ),
    ])
}

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
    let request = Request::get(&spec.url)
        // Every run measures the network, not the browser's cache.
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal))
        .send();
    // The saved file opens while the request waits for its answer: the file system's round trips
    // stay off the download's path. Any failure from here on discards it again (below).
    let opening = async {
        if spec.save_as.is_some() {
            // Every file of the run sends its request first (they all start in one pass), so the
            // file system's calls never spread the requests out in time.
            let _ = JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED)).await;
        }
        match &spec.save_as {
            Some(name) => SavedFile::create(name).await,
            None => Ok(None),
        }
    };
    let (sent, opened) = futures::join!(request, opening);
    let mut sink = match opened {
        Ok(Some(file)) => Sink::Saved(file),
        Ok(None) => Sink::Memory {
            parts: Array::new(),
            content_type: String::new(),
        },
        Err(reason) if sent.is_ok() => {
            if let Some(body) = sent.ok().and_then(|response| response.body()) {
                let _ = body.cancel();
            }
            return Err(FileFailure::SaveFailed(reason));
        }
        // The request failed as well: its reason is the one to tell (`receive` finds it).
        Err(_) => Sink::Memory {
            parts: Array::new(),
            content_type: String::new(),
        },
    };
    let mut hash = StreamingHash::new();
    match receive(
        index,
        spec,
        run,
        timing,
        sent,
        &mut sink,
        &mut hash,
        &mut watchdog,
        &signal,
    )
    .await
    {
        Ok(()) => {
            let (bytes, sha256) = hash.finish();
            Ok(Arrived {
                bytes,
                sha256,
                sink,
            })
        }
        Err(failure) => {
            // Nothing partial is left: the swap file goes, and the file if this download made it.
            sink.discard().await;
            Err(failure)
        }
    }
}

/// Takes the answer to one file's request: its timing, status and size, then the body into `sink`.
#[allow(clippy::too_many_arguments)]
async fn receive(
    index: usize,
    spec: &FileSpec,
    run: &RunContext,
    timing: &mut Timing,
    sent: Result<Response, gloo_net::Error>,
    sink: &mut Sink,
    hash: &mut StreamingHash,
    watchdog: &mut Watchdog,
    signal: &AbortSignal,
) -> Result<(), FileFailure> {
    let response = match sent {
        Ok(response) => response,
        Err(_) => {
            if let Some(reason) = watchdog.abort_reason() {
                return Err(reason);
            }
            return Err(diagnose_failed_fetch(&spec.url, run, signal).await);
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
    // A Content-Length too big is refused before a byte is read.
    if let Err(too_large) = spec.limit.check_announced(total.map(|n| n as u64)) {
        if let Some(body) = response.body() {
            let _ = body.cancel();
        }
        return Err(too_large);
    }
    if let Sink::Memory { content_type, .. } = sink {
        *content_type = response.headers().get("content-type").unwrap_or_default();
    }
    match response.body() {
        Some(body) => read_body(index, &body, spec.limit, sink, hash, watchdog, run, total).await,
        None => Ok(()),
    }
}

/// What every piece of an arriving body goes through, whichever way it is read: the size limit
/// (before anything of it is kept), the hash, the idle timer and the progress event.
struct Arrival<'a> {
    index: usize,
    limit: SizeLimit,
    hash: &'a mut StreamingHash,
    watchdog: &'a mut Watchdog,
    run: &'a RunContext,
    total: Option<f64>,
    /// The piece copied into wasm memory for hashing; reused, so it grows to the largest piece once.
    scratch: Vec<u8>,
}

impl Arrival<'_> {
    fn accept(&mut self, piece: &Uint8Array) -> Result<(), FileFailure> {
        self.watchdog.something_arrived();
        self.limit
            .check_next_chunk(self.hash.bytes(), u64::from(piece.length()))?;
        self.scratch.resize(piece.length() as usize, 0);
        piece.copy_to(&mut self.scratch);
        self.hash.update(&self.scratch);
        self.run.emit(&[
            ("type", "progress".into()),
            ("index", self.index.into()),
            ("bytes", (self.hash.bytes() as f64).into()),
            ("total", self.total.map_or(JsValue::NULL, JsValue::from)),
        ]);
        Ok(())
    }

    /// Why a read failed: the run's cancel or the idle timer, else the connection broke.
    fn read_failed(&self) -> FileFailure {
        self.watchdog
            .abort_reason()
            .unwrap_or(FileFailure::Interrupted {
                after_bytes: self.hash.bytes(),
            })
    }
}

/// Reads the body into `sink`, each piece counted against `limit` before it is kept, and hashed.
/// A body streaming into a saved file goes through [`stream_into_file`]; the browser's own chunks
/// otherwise (bodies kept in memory, or no reader that takes our buffer).
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
    let mut arrival = Arrival {
        index,
        limit,
        hash,
        watchdog,
        run,
        total,
        scratch: Vec::new(),
    };
    if let Sink::Saved(file) = sink {
        if let Some(reader) = own_buffer_reader(body) {
            return stream_into_file(&reader, file, &mut arrival).await;
        }
    }
    let reader = ReadableStreamDefaultReader::new(body).map_err(|_| FileFailure::Unreachable)?;
    loop {
        let read = match JsFuture::from(reader.read()).await {
            Ok(read) => read.unchecked_into::<ReadableStreamReadResult>(),
            Err(_) => return Err(arrival.read_failed()),
        };
        if read.get_done().unwrap_or(false) {
            return Ok(());
        }
        let chunk: Uint8Array = read.get_value().unchecked_into();
        let kept = match arrival.accept(&chunk) {
            Ok(()) => sink.take(&chunk).await,
            Err(too_large) => Err(too_large),
        };
        if let Err(failure) = kept {
            // Stops the transfer and frees the connection; nothing more of the body is kept.
            let _ = reader.cancel();
            return Err(failure);
        }
    }
}

/// The size of each of the two buffers a body streams into a file through, and so of each write.
const WRITE_BUFFER_BYTES: u32 = 1 << 20;

/// A reader that reads into buffers we bring ("BYOB"), where the body offers one.
fn own_buffer_reader(body: &web_sys::ReadableStream) -> Option<JsValue> {
    let get_reader: Function = Reflect::get(body, &"getReader".into())
        .ok()?
        .dyn_into()
        .ok()?;
    get_reader
        .call1(body, &object(&[("mode", "byob".into())]))
        .ok()
}

/// Streams a body into `file` through two buffers of our own, 1 MiB each, used again and again:
/// the reads fill one buffer (several network pieces per buffer) while the other one's bytes are
/// being written, so the file system's round trips stay off the network's path and number one per
/// MiB, not one per piece. At most one write is in flight, so a body that arrives faster than the
/// disk takes it waits in the browser's stream (which then stops reading from the network), and a
/// 512 MiB file passes through these 2 MiB: the browser never allocates a fresh chunk per read
/// that would linger until the garbage collector runs.
async fn stream_into_file(
    reader: &JsValue,
    file: &SavedFile,
    arrival: &mut Arrival<'_>,
) -> Result<(), FileFailure> {
    let mut writes = WriteBehind::default();
    let streamed = fill_and_write(reader, file, arrival, &mut writes).await;
    // Every exit waits for the write still in flight, so nothing touches the file after this.
    let written = writes.finish().await;
    if streamed.is_err() {
        // Stops the transfer and frees the connection. Awaited, so that the rejection a stream
        // that already failed answers with is taken here rather than left unhandled.
        let _ = saved_file::call(reader, "cancel", &[]).await;
    }
    streamed.and(written)
}

async fn fill_and_write(
    reader: &JsValue,
    file: &SavedFile,
    arrival: &mut Arrival<'_>,
    writes: &mut WriteBehind,
) -> Result<(), FileFailure> {
    let mut filling = js_sys::ArrayBuffer::new(WRITE_BUFFER_BYTES);
    let mut filled = 0u32;
    loop {
        // The read takes the buffer over (it detaches it) and hands it back in its result, with
        // this piece written after the `filled` bytes already there.
        let view = Uint8Array::new_with_byte_offset_and_length(
            &filling,
            filled,
            WRITE_BUFFER_BYTES - filled,
        );
        let read = saved_file::call(reader, "read", &[view.into()])
            .await
            .map_err(|_| arrival.read_failed())?
            .unchecked_into::<ReadableStreamReadResult>();
        let done = read.get_done().unwrap_or(false);
        let piece = read.get_value();
        if piece.is_undefined() {
            // Only a stream cancelled under us ends without handing the buffer back.
            return Err(arrival.read_failed());
        }
        let piece: Uint8Array = piece.unchecked_into();
        filling = piece.buffer();
        if !done {
            arrival.accept(&piece)?;
            filled += piece.length();
        }
        // One write per full buffer: each write is a file-system round trip (~5–15 ms measured
        // here, whatever its size up to 1 MiB), so writing sooner, smaller pieces was slower.
        if filled == WRITE_BUFFER_BYTES || (done && filled > 0) {
            filling = writes.write(file, filling, filled).await?;
            filled = 0;
        }
        if done {
            return Ok(());
        }
    }
}

/// At most one write in flight, and the buffer it reads from (free again once it is done).
#[derive(Default)]
struct WriteBehind {
    in_flight: Option<(JsFuture, js_sys::ArrayBuffer)>,
}

impl WriteBehind {
    /// Waits for the write in flight (its failure is this download's), leaving none; returns its
    /// buffer, free again.
    async fn wait(&mut self) -> Result<Option<js_sys::ArrayBuffer>, FileFailure> {
        match self.in_flight.take() {
            Some((write, buffer)) => {
                write
                    .await
                    .map_err(|e| FileFailure::SaveFailed(saved_file::reason(&e)))?;
                Ok(Some(buffer))
            }
            None => Ok(None),
        }
    }

    /// Waits for the write in flight, starts writing `buffer`'s first `length` bytes, and returns
    /// the buffer to fill next (the one the finished write read from, or a fresh one the first time).
    async fn write(
        &mut self,
        file: &SavedFile,
        buffer: js_sys::ArrayBuffer,
        length: u32,
    ) -> Result<js_sys::ArrayBuffer, FileFailure> {
        let free = self
            .wait()
            .await?
            .unwrap_or_else(|| js_sys::ArrayBuffer::new(WRITE_BUFFER_BYTES));
        let bytes = Uint8Array::new_with_byte_offset_and_length(&buffer, 0, length);
        let write = file.start_write(&bytes).map_err(FileFailure::SaveFailed)?;
        self.in_flight = Some((write, buffer));
        Ok(free)
    }

    async fn finish(&mut self) -> Result<(), FileFailure> {
        self.wait().await.map(drop)
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
