//! The thin boundary the page and its processes call. Every export is short and delegates to the
//! pure layers; errors cross as `JsError` with a message meant for a person.

mod canvas;
mod clock;
mod convert;
#[cfg(feature = "threads")]
mod cores;
mod downloads;
#[cfg(feature = "threads")]
mod gallery;
mod lab;
#[cfg(feature = "threads")]
mod server;

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::charts::downloads::draw_download_timeline;
use crate::charts::theme::Theme;
use crate::charts::timeline::{draw_timeline, TimelineLabels};
use crate::exec::control::RunControl;
use crate::exec::cpu;
use crate::model::amdahl;
use crate::model::compare;
use crate::model::cpu_params::{parse_cpu_params, CpuForm};
use crate::model::downloads::{FileSpan, IoMode};
use crate::model::manifest::ManifestEntry;
use crate::model::network::{Network, HTTP1_CONNECTIONS_PER_HOST};
use crate::model::stats;
use crate::model::timeline::{Clock, Span, Timeline};
use crate::model::url_list::parse_url_list;
use clock::PerformanceClock;

// The page starts a process's threads with `await initThreadPool(n)` (wasm-bindgen-rayon). The
// fallback build (no `threads` feature, no shared memory) has no pool: its processes run one thread.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Whether this build can start threads (the default build) or not (the fallback build for pages
/// that cannot be cross-origin isolated).
#[wasm_bindgen(js_name = hasThreads)]
pub fn has_threads() -> bool {
    cfg!(feature = "threads")
}

/// This process's one run control: the page reads progress and sets cancel through its address.
static CONTROL: RunControl = RunControl::new();

/// Checks the CPU demo's fields as typed. Returns `{ ok: true, params }` or
/// `{ ok: false, errors: [{ field, message }] }`, so the page can mark every bad field at once.
#[wasm_bindgen(js_name = checkCpuInput)]
pub fn check_cpu_input(
    tasks: &str,
    n: &str,
    threads: &str,
    chunks: &str,
    max_threads: u32,
) -> JsValue {
    let form = CpuForm {
        tasks,
        n,
        threads,
        chunks,
    };
    convert::checked_params(parse_cpu_params(form, max_threads))
}

/// Runs the CPU demo in this process and blocks until it is done: call it from a worker only.
/// `parallel` uses the thread pool started by `initThreadPool`. Resolves to
/// `{ results: string[], wallMs, spans: [{ worker, task, chunk, rangeStart, rangeEnd, startMs, endMs }] }`.
#[wasm_bindgen(js_name = runCpu)]
pub fn run_cpu(tasks: &str, n: &str, chunks: &str, parallel: bool) -> Result<JsValue, JsError> {
    lab::run_cpu_with(tasks, n, chunks, parallel, false, None, 0.0)
}

/// Byte addresses of this process's cancel flag (u32), progress counter (u64), heartbeat (u32) and
/// process heartbeat (u32) in its shared memory: `[cancel, itemsDone, heartbeat, processHeartbeat]`.
/// The page uses them with `Atomics` while a run blocks the process (the heartbeats: its watchdog's
/// signs that the work moves on and that the process's own thread is still there).
#[wasm_bindgen(js_name = controlAddresses)]
pub fn control_addresses() -> Vec<u32> {
    vec![
        CONTROL.cancel_address() as u32,
        CONTROL.items_done_address() as u32,
        CONTROL.heartbeat_address() as u32,
        CONTROL.process_heartbeat_address() as u32,
    ]
}

/// The addresses of this process's control words in its shared memory, by name: `{ cancel,
/// itemsDone, heartbeat, processHeartbeat }` (`itemsDone` is 64-bit, the others 32-bit), from the
/// `#[repr(C)]` struct's own layout (see `controlAddresses` for what each word is for).
#[wasm_bindgen(js_name = controlWords)]
pub fn control_words() -> JsValue {
    let base = CONTROL.address();
    let fields: Vec<(&str, JsValue)> = RunControl::WORDS
        .iter()
        .map(|&(name, offset)| (name, ((base + offset) as u32).into()))
        .collect();
    convert::object(&fields)
}

/// Every demo's form fields, for the page to render, restore from a link and check:
/// `{ cpu: [field], downloads: [...], processes: [...], server: [...] }`, each field
/// `{ id, key, name, api, group, label, kind, default, min, max, maxPerCore, maxBelowTasks, step,
/// hint, hintId, placeholder, choices: [{ value, label }], errorId, wide }` (see `model::schema`).
#[wasm_bindgen(js_name = fieldSchema)]
pub fn field_schema() -> JsValue {
    let demos: Vec<(&str, JsValue)> = crate::model::schema::DEMOS
        .iter()
        .map(|(demo, fields)| (*demo, convert::fields(fields)))
        .collect();
    convert::object(&demos)
}

/// A whole number given as a digit string or a number, with commas between thousands
/// ("10000000" → "10,000,000"), as every message from Rust writes them.
#[wasm_bindgen(js_name = groupDigits)]
pub fn group_digits(value: JsValue) -> Result<String, JsError> {
    let digits = match value.as_f64() {
        Some(number) if number.fract() == 0.0 && number >= 0.0 => format!("{number:.0}"),
        _ => value.as_string().unwrap_or_default(),
    };
    crate::model::cpu_params::group_digit_string(&digits)
        .ok_or_else(|| JsError::new("groupDigits takes a whole number or a string of digits"))
}

/// Microseconds per tiny parallel job (two trivial halves through the pool and back), averaged
/// over `rounds`: the fixed cost every parallel call pays.
#[wasm_bindgen(js_name = tinyJobMicros)]
pub fn tiny_job_micros(rounds: u32) -> f64 {
    let rounds = rounds.max(1);
    let started = PerformanceClock.now_ms();
    std::hint::black_box(cpu::dispatch_tiny_jobs(rounds));
    (PerformanceClock.now_ms() - started) * 1e3 / f64::from(rounds)
}

/// How many times faster the parallel run was, or `undefined` without two valid times.
#[wasm_bindgen]
pub fn speedup(sequential_ms: f64, parallel_ms: f64) -> Option<f64> {
    stats::speedup(sequential_ms, parallel_ms)
}

/// Whether the CPU demo's comparison runs another round after `roundsDone` rounds whose runs took
/// `measuredMs` in all (src/model/compare.rs).
#[wasm_bindgen(js_name = compareAnotherRound)]
pub fn compare_another_round(rounds_done: u32, measured_ms: f64) -> bool {
    compare::another_round(rounds_done, measured_ms)
}

/// What a comparison's rounds say together: `{ perRound, median, low, high, typicalRound,
/// sequentialMs, parallelMs, takeaway }` (the two times are the medians of each way's runs; the
/// takeaway only for threads), or `undefined` without one valid pair of times per round.
#[wasm_bindgen(js_name = compareSpread)]
pub fn compare_spread(
    sequential_ms: Vec<f64>,
    parallel_ms: Vec<f64>,
    threads: Option<u32>,
) -> JsValue {
    let Some(spread) = compare::speedup_spread(&sequential_ms, &parallel_ms) else {
        return JsValue::UNDEFINED;
    };
    let per_round: js_sys::Array = spread
        .per_round
        .iter()
        .map(|&x| JsValue::from_f64(x))
        .collect();
    let shown = convert::object(&[
        ("perRound", per_round.into()),
        ("median", spread.median.into()),
        ("low", spread.low.into()),
        ("high", spread.high.into()),
        ("typicalRound", (spread.typical_round as u32).into()),
        ("sequentialMs", stats::median(&sequential_ms).into()),
        ("parallelMs", stats::median(&parallel_ms).into()),
    ]);
    if let Some(threads) = threads {
        convert::set(
            &shown,
            "takeaway",
            compare::threads_takeaway(&spread, threads).into(),
        );
    }
    shown
}

/// The Amdahl sweep's fit on a device with `cores` cores at full speed: `{ serialFraction,
/// standardError, points, beyondCores, rough, words }`, the fit's fields `null` when nothing could be
/// fitted (src/model/amdahl.rs).
#[wasm_bindgen(js_name = amdahlFit)]
pub fn amdahl_fit(workers: Vec<f64>, speedups: Vec<f64>, cores: u32) -> JsValue {
    let points: Vec<(f64, f64)> = workers.into_iter().zip(speedups).collect();
    let (fit, words) = amdahl::amdahl_summary(&points, cores);
    let or_null = |value: Option<f64>| value.map_or(JsValue::NULL, JsValue::from_f64);
    convert::object(&[
        ("serialFraction", or_null(fit.map(|f| f.serial_fraction))),
        ("standardError", or_null(fit.and_then(|f| f.standard_error))),
        ("points", or_null(fit.map(|f| f.points as f64))),
        ("beyondCores", or_null(fit.map(|f| f.beyond_cores as f64))),
        ("rough", fit.is_none_or(|f| f.rough()).into()),
        ("words", words.into()),
    ])
}

/// Draws a run's timeline on `canvas`. `spans` is flat: `worker, task, chunk, startMs, endMs` per
/// span. `rows` is the number of workers to show; `kind` ("sequential", "threads", "gil" or
/// "processes") names the rows and the caption.
#[wasm_bindgen(js_name = drawTimeline)]
pub fn draw_timeline_on_canvas(
    canvas: HtmlCanvasElement,
    spans: &[f64],
    rows: u32,
    kind: &str,
    dark: bool,
) -> Result<(), JsError> {
    let timeline = Timeline::new(
        spans
            .chunks_exact(5)
            .map(|s| Span {
                worker: s[0] as u32,
                task: s[1] as u32,
                chunk: s[2] as u32,
                range: 0..0,
                start_ms: s[3],
                end_ms: s[4],
            })
            .collect(),
    );
    let labels = match kind {
        "sequential" => TimelineLabels {
            row_prefix: "main",
            caption: "Sequential: every chunk on one thread",
        },
        "gil" => TimelineLabels {
            row_prefix: "thread",
            caption: "Threads under a simulated GIL: one bar at a time",
        },
        "gallery" => TimelineLabels {
            row_prefix: "thread",
            caption: "One row per thread, one bar per piece, coloured by thread",
        },
        "processes" => TimelineLabels {
            row_prefix: "process",
            caption: "One row per process, one bar per chunk (each process: its own memory)",
        },
        _ => TimelineLabels {
            row_prefix: "thread",
            caption: "One row per thread, one bar per chunk",
        },
    };
    canvas::draw_chart(canvas, "timeline", |area| {
        draw_timeline(area, &timeline, rows, labels, &Theme::for_dark_mode(dark))
    })
}

/// Checks `playground.kernel`'s options on the page, before a process is started or asked for them
/// (the same check the process makes with its own pool's size). Throws a message naming the option.
#[wasm_bindgen(js_name = checkGalleryOptions)]
pub fn check_gallery_options(
    kernel: JsValue,
    schedule: JsValue,
    threads: f64,
    pieces: Option<f64>,
    size: Option<f64>,
) -> Result<(), JsError> {
    let text = |name: &str, value: JsValue| {
        value
            .as_string()
            .ok_or_else(|| JsError::new(&format!("{name} must be a string")))
    };
    crate::exec::gallery::parse_gallery_options(
        &text("kernel", kernel)?,
        &text("schedule", schedule)?,
        threads,
        pieces,
        size,
    )
    .map(|_| ())
    .map_err(|m| JsError::new(&m))
}

/// The timeline's colours as CSS, in order: the gallery tints each thread's part of the image with
/// the colour of its row (thread i: colour i modulo their number).
#[wasm_bindgen(js_name = threadColors)]
pub fn thread_colors() -> Vec<JsValue> {
    crate::charts::theme::TASK_COLORS
        .iter()
        .map(|c| JsValue::from_str(&format!("rgb({}, {}, {})", c.0, c.1, c.2)))
        .collect()
}

// The code panes' sources are paths from the repository root: the build copies every shown file
// below `sources/` (scripts/copy-sources.mjs) and the page fetches it from there (www/kit.js
// showSource), so the wasm does not carry their text. These functions are the one list of which file
// is shown where.

/// The tutorial's Python for the CPU demo: the very file the benchmark runs as the reference.
#[wasm_bindgen(js_name = seedCpuSource)]
pub fn seed_cpu_source() -> String {
    "bench/seed_cpu.py".to_owned()
}

/// The Rust source of the kernel that ran, copied from this build's tree so the page cannot drift from it.
#[wasm_bindgen(js_name = kernelSource)]
pub fn kernel_source() -> String {
    "src/kernels/sum_squares.rs".to_owned()
}

/// Checks the learner's list of addresses (one per line). Returns `{ ok: true, urls: [{ line, url }] }`
/// or `{ ok: false, errors: [{ line, message }] }` (`line` 0 for the list as a whole).
#[wasm_bindgen(js_name = checkUrlList)]
pub fn check_url_list(text: &str, page_is_https: bool) -> JsValue {
    convert::checked_urls(parse_url_list(text, page_is_https))
}

/// Checks a downloads run's `mode` and `limit` for `files` files; returns
/// `{ mode, limit, maxInFlight }` (`limit` is the thread count in the "threads" mode) or throws.
#[wasm_bindgen(js_name = checkDownloadMode)]
pub fn check_download_mode(mode: &str, limit: Option<f64>, files: u32) -> Result<JsValue, JsError> {
    let parsed = IoMode::parse(mode, limit, files as usize).map_err(|m| JsError::new(&m))?;
    let limit = match parsed {
        IoMode::Bounded(k) | IoMode::Threads(k) => JsValue::from(k),
        IoMode::Sequential | IoMode::Concurrent => JsValue::NULL,
    };
    Ok(convert::object(&[
        ("mode", parsed.name().into()),
        ("limit", limit),
        ("maxInFlight", parsed.max_in_flight(files as usize).into()),
    ]))
}

/// Network conditions from a preset name (`"none"`, `"home-wifi"`, `"slow-3g"`, `"far-server"`) or
/// `{ latencyMs, kbps }` (`kbps` 0 = unlimited). Returns `{ latencyMs, kbps, simulated, label,
/// query }`; `query` is what the service worker reads, with a per-host limit of `connections`.
#[wasm_bindgen(js_name = networkConditions)]
pub fn network_conditions(spec: JsValue, connections: u32) -> Result<JsValue, JsError> {
    let network = if let Some(name) = spec.as_string() {
        Network::preset(&name).ok_or_else(|| {
            JsError::new(&format!(
                "network must be \"none\", \"home-wifi\", \"slow-3g\", \"far-server\" or {{ latencyMs, kbps }}, not {name:?}"
            ))
        })?
    } else if spec.is_object() {
        let number = |key: &str| {
            js_sys::Reflect::get(&spec, &key.into())
                .ok()
                .and_then(|v| {
                    if v.is_undefined() {
                        Some(0.0)
                    } else {
                        v.as_f64()
                    }
                })
                .unwrap_or(f64::NAN)
        };
        Network::custom(number("latencyMs"), number("kbps")).map_err(|m| JsError::new(&m))?
    } else {
        return Err(JsError::new(
            "network must be a preset name or { latencyMs, kbps }",
        ));
    };
    Ok(convert::object(&[
        ("latencyMs", network.latency_ms.into()),
        ("kbps", network.kbit_per_s.unwrap_or(0).into()),
        ("simulated", network.is_simulated().into()),
        ("label", network.to_string().into()),
        ("query", network.to_query(connections).into()),
    ]))
}

/// How many connections per host the simulated network allows: 6 when this page came over
/// HTTP/1.1 (browsers' limit there), 0 (no limit) over HTTP/2 and HTTP/3, which multiplex.
#[wasm_bindgen(js_name = connectionsPerHost)]
pub fn connections_per_host(next_hop_protocol: &str) -> u32 {
    match next_hop_protocol {
        "h2" | "h3" => 0,
        _ => HTTP1_CONNECTIONS_PER_HOST,
    }
}

/// Checks the sample files' manifest (`[{ name, bytes, sha256 }]`); throws naming the bad entry.
#[wasm_bindgen(js_name = checkManifest)]
pub fn check_manifest(entries: js_sys::Array) -> Result<u32, JsError> {
    for entry in entries.iter() {
        let get =
            |key: &str| js_sys::Reflect::get(&entry, &key.into()).unwrap_or(JsValue::UNDEFINED);
        ManifestEntry::new(
            &get("name").as_string().unwrap_or_default(),
            get("bytes").as_f64().unwrap_or(f64::NAN),
            &get("sha256").as_string().unwrap_or_default(),
        )
        .map_err(|m| JsError::new(&m))?;
    }
    Ok(entries.length())
}

/// Downloads as flat numbers, 6 per file: `file, startMs, queuedMs, firstByteMs (NaN if none), endMs, ok (0/1)`.
fn file_spans(flat: &[f64]) -> Vec<FileSpan> {
    flat.chunks_exact(6)
        .map(|s| FileSpan {
            file: s[0] as u32,
            start_ms: s[1],
            queued_ms: s[2],
            first_byte_ms: s[3].is_finite().then_some(s[3]),
            end_ms: s[4],
            ok: s[5] != 0.0,
        })
        .collect()
}

/// Draws the downloads' timeline: one row per name, bars split into queued / waiting / transfer.
/// `spans` is flat, 6 numbers per file: `file, startMs, queuedMs, firstByteMs, endMs, ok`.
#[wasm_bindgen(js_name = drawDownloadTimeline)]
pub fn draw_download_timeline_on_canvas(
    canvas: HtmlCanvasElement,
    spans: &[f64],
    names: Vec<String>,
    caption: &str,
    dark: bool,
) -> Result<(), JsError> {
    canvas::draw_chart(canvas, "timeline", |area| {
        draw_download_timeline(
            area,
            &file_spans(spans),
            &names,
            caption,
            &Theme::for_dark_mode(dark),
        )
    })
}

/// The tutorial's Python for the downloads demo (the benchmark runs this very file).
#[wasm_bindgen(js_name = seedDownloadsSource)]
pub fn seed_downloads_source() -> String {
    "bench/seed_downloads.py".to_owned()
}

/// The Rust that downloads: the schedules, then the fetch of one file (two paths, shown in this order).
#[wasm_bindgen(js_name = downloadsSource)]
pub fn downloads_source() -> js_sys::Array {
    js_sys::Array::of2(&"src/exec/io.rs".into(), &"src/web/downloads.rs".into())
}

/// The SHA-256 of `bytes` as 64 hex digits: the page re-hashes saved files with the same code.
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut hash = crate::model::manifest::StreamingHash::new();
    hash.update(bytes);
    crate::model::manifest::to_hex(&hash.finish().1)
}
