//! The thin boundary the page and its processes call. Every export is short and delegates to the
//! pure layers; errors cross as `JsError` with a message meant for a person.

mod clock;
mod convert;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::charts::theme::Theme;
use crate::charts::timeline::{draw_timeline, TimelineLabels};
use crate::exec::control::RunControl;
use crate::exec::cpu::{self, Mode};
use crate::kernels::sum_squares::MAX_N;
use crate::model::cpu_params::{parse_cpu_params, CpuForm, MAX_CHUNKS, MAX_TASKS};
use crate::model::stats;
use crate::model::timeline::{Clock, Span, Timeline};
use clock::PerformanceClock;

// The page starts a process's threads with `await initThreadPool(n)` (wasm-bindgen-rayon).
pub use wasm_bindgen_rayon::init_thread_pool;

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

/// The limits the inputs accept, for the page's field hints: `{ maxN, maxTasks, maxChunks }`.
#[wasm_bindgen(js_name = cpuLimits)]
pub fn cpu_limits() -> JsValue {
    convert::object(&[
        ("maxN", (MAX_N as f64).into()),
        ("maxTasks", MAX_TASKS.into()),
        ("maxChunks", MAX_CHUNKS.into()),
    ])
}

/// Runs the CPU demo in this process and blocks until it is done: call it from a worker only.
/// `parallel` uses the thread pool started by `initThreadPool`. Resolves to
/// `{ results: string[], wallMs, spans: [{ worker, task, chunk, rangeStart, rangeEnd, startMs, endMs }] }`.
#[wasm_bindgen(js_name = runCpu)]
pub fn run_cpu(tasks: &str, n: &str, chunks: &str, parallel: bool) -> Result<JsValue, JsError> {
    let form = CpuForm {
        tasks,
        n,
        threads: "1",
        chunks,
    };
    let params = parse_cpu_params(form, 1).map_err(convert::input_error)?;
    let mode = if parallel {
        Mode::Threads
    } else {
        Mode::Sequential
    };
    let run = cpu::run_cpu(&params, mode, &PerformanceClock, &CONTROL)?;
    Ok(convert::cpu_run(&run))
}

/// Byte addresses of this process's cancel flag (u32) and progress counter (u64) in its shared
/// memory: `[cancel, itemsDone]`. The page uses them with `Atomics` while a run blocks the process.
#[wasm_bindgen(js_name = controlAddresses)]
pub fn control_addresses() -> Vec<u32> {
    vec![
        CONTROL.cancel_address() as u32,
        CONTROL.items_done_address() as u32,
    ]
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

/// Draws a run's timeline on `canvas`. `spans` is flat: `worker, task, chunk, startMs, endMs` per
/// span. `rows` is the number of workers to show; `sequential` labels the single row accordingly.
#[wasm_bindgen(js_name = drawTimeline)]
pub fn draw_timeline_on_canvas(
    canvas: HtmlCanvasElement,
    spans: &[f64],
    rows: u32,
    sequential: bool,
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
    let labels = if sequential {
        TimelineLabels {
            row_prefix: "main",
            caption: "Sequential: every chunk on one thread",
        }
    } else {
        TimelineLabels {
            row_prefix: "thread",
            caption: "One row per thread, one bar per chunk",
        }
    };
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the timeline canvas has no 2D context"))?;
    let area = backend.into_drawing_area();
    draw_timeline(&area, &timeline, rows, labels, &Theme::for_dark_mode(dark))
        .map_err(|e| JsError::new(&format!("drawing the timeline failed: {e}")))
}

/// The tutorial's Python for the CPU demo: the very file the benchmark runs as the reference.
#[wasm_bindgen(js_name = seedCpuSource)]
pub fn seed_cpu_source() -> String {
    include_str!("../../bench/seed_cpu.py").to_owned()
}

/// The Rust source of the kernel that ran, compiled into this module so the page cannot drift from it.
#[wasm_bindgen(js_name = kernelSource)]
pub fn kernel_source() -> String {
    include_str!("../kernels/sum_squares.rs").to_owned()
}
