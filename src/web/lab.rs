//! The threads-vs-processes lab's exports: runs with a simulated GIL, a crashing task or a serial
//! phase; single chunks for the process pool; the shared counter; the large-input hand-off; the
//! crash report; Amdahl's fit and chart.

use std::sync::{Mutex, Once};

use rayon::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::clock::PerformanceClock;
use super::convert;
use super::CONTROL;
use crate::charts::speedup::draw_speedup;
use crate::charts::theme::Theme;
use crate::exec::awake::run_on_awake_pool;
use crate::exec::control::run_on_pool;
use crate::exec::counter::{
    count_alone, count_shared_with, parse_counter_threads, parse_increments, CounterMethod,
};
use crate::exec::cpu::{self, Mode, RunOptions, SERIAL_TASK};
use crate::exec::crash::{CrashReport, MESSAGE_BYTES};
use crate::model::amdahl::{fit_serial_fraction, serial_items_for};
use crate::model::cpu_params::{
    parse_cpu_params, parse_lab_params, plan_chunks, ChunkJob, CpuForm,
};
use crate::model::kitchen;
use crate::model::timeline::Clock;

/// This process's crash report: written by the panic hook, read by the page from shared memory.
static CRASH: CrashReport = CrashReport::new();
static HOOK: Once = Once::new();

/// The large input of the hand-off experiment, kept in this process's (shared) memory.
static INPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Checks the lab's fields: `{ ok: true, processes, crashTask }` (crashTask `null` for none) or
/// `{ ok: false, errors: [{ field, message }] }` with fields `processes` and `crashTask`.
#[wasm_bindgen(js_name = checkLabInput)]
pub fn check_lab_input(processes: &str, crash_task: &str, tasks: u32) -> JsValue {
    match parse_lab_params(processes, crash_task, tasks) {
        Ok(lab) => convert::object(&[
            ("ok", true.into()),
            ("processes", lab.processes.into()),
            (
                "crashTask",
                lab.crash_task.map_or(JsValue::NULL, JsValue::from),
            ),
        ]),
        Err(errors) => convert::field_errors(&errors),
    }
}

/// Installs the panic hook that records a crash's message where the page can read it. Call once
/// per process, before any run: a panicking thread aborts and cannot report anything itself later.
#[wasm_bindgen(js_name = installCrashReporter)]
pub fn install_crash_reporter() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            CRASH.record(&crate::exec::crash::describe_panic(info));
        }))
    });
}

/// Where this process's crash report starts (see `crashWords` for each part).
#[wasm_bindgen(js_name = crashAddress)]
pub fn crash_address() -> u32 {
    CRASH.address() as u32
}

/// The addresses of this process's crash report's parts: `{ crashed, length, message }` (`crashed`
/// and `length` are 32-bit words, `message` the UTF-8 bytes) and `messageBytes`, the room there.
/// From the `#[repr(C)]` struct's own layout, so the page never retypes an offset.
#[wasm_bindgen(js_name = crashWords)]
pub fn crash_words() -> JsValue {
    let base = CRASH.address();
    let mut fields: Vec<(&str, JsValue)> = CrashReport::WORDS
        .iter()
        .map(|&(name, offset)| (name, ((base + offset) as u32).into()))
        .collect();
    fields.push(("messageBytes", (MESSAGE_BYTES as u32).into()));
    convert::object(&fields)
}

/// What the lab's page needs from Rust besides the exports above: `{ counterMethods, serialTask,
/// freezeJob: { tasks, n, chunks }, freezeCall }` (`freezeCall`: the Rust the frozen page runs, as shown).
#[wasm_bindgen(js_name = labConstants)]
pub fn lab_constants() -> JsValue {
    let methods: js_sys::Array = CounterMethod::ALL
        .iter()
        .map(|(_, name)| JsValue::from_str(name))
        .collect();
    let (tasks, n, chunks) = FREEZE_JOB;
    let (experiment_tasks, experiment_n, experiment_chunks) = EXPERIMENT_JOB;
    convert::object(&[
        ("counterMethods", methods.into()),
        ("serialTask", SERIAL_TASK.into()),
        (
            "experimentJob",
            convert::object(&[
                ("tasks", experiment_tasks.into()),
                ("n", (experiment_n as f64).into()),
                ("chunks", experiment_chunks.into()),
            ]),
        ),
        (
            "freezeJob",
            convert::object(&[
                ("tasks", tasks.into()),
                ("n", n.into()),
                ("chunks", chunks.into()),
            ]),
        ),
        (
            "freezeCall",
            format!("runCpu({tasks:?}, {n:?}, {chunks:?}, false) // on the main thread: nothing else runs meanwhile").into(),
        ),
    ])
}

/// The job the lab's comparison, GIL run and sweep default to (tasks, n, chunks): 200 million squares,
/// enough per chunk (about 20 ms) that handing chunks to processes is not what is measured.
const EXPERIMENT_JOB: (u32, u64, u32) = (4, 50_000_000, 2);

/// The frozen-page job (tasks, n, chunks as typed): 4 billion squares, about 2 s on one core of a
/// 2-core machine, long enough that a learner cannot miss the stop (half a second was easy to miss);
/// the result says how long it really took.
const FREEZE_JOB: (&str, &str, &str) = ("4", "1000000000", "1");

/// The message of this process's crash, if one happened (for a process whose own thread trapped).
#[wasm_bindgen(js_name = crashMessage)]
pub fn crash_message() -> Option<String> {
    CRASH.message()
}

/// `runCpu` with the lab's options: `gil` makes every chunk hold one global lock; `crashTask`
/// (or `undefined`) makes that task panic; `serialFraction` (0–0.9) adds a serial phase first.
#[wasm_bindgen(js_name = runCpuWith)]
pub fn run_cpu_with(
    tasks: &str,
    n: &str,
    chunks: &str,
    parallel: bool,
    gil: bool,
    crash_task: Option<u32>,
    serial_fraction: f64,
) -> Result<JsValue, JsError> {
    let form = CpuForm {
        tasks,
        n,
        threads: "1",
        chunks,
    };
    let params = parse_cpu_params(form, 1).map_err(convert::input_error)?;
    let options = RunOptions {
        gil,
        crash_task,
        serial_items: serial_items_for(serial_fraction, u64::from(params.tasks) * params.n)
            .map_err(|m| JsError::new(&m))?,
    };
    let mode = if parallel {
        Mode::Threads
    } else {
        Mode::Sequential
    };
    match mode {
        // The pool's threads do the work, woken before the run's clock starts and kept awake until it
        // ends (src/exec/awake.rs); this process's own thread waits, showing it is alive.
        Mode::Threads => {
            let (run, wake) = run_on_awake_pool(&CONTROL, PerformanceClock, move || {
                cpu::run_cpu_with(&params, mode, &options, &PerformanceClock, &CONTROL)
            });
            let shown = convert::cpu_run(&run?);
            convert::set(&shown, "wakeMs", wake.wake_ms.into());
            convert::set(&shown, "threadsWoken", (wake.woken as u32).into());
            Ok(shown)
        }
        Mode::Sequential => Ok(convert::cpu_run(&cpu::run_cpu_with(
            &params,
            mode,
            &options,
            &PerformanceClock,
            &CONTROL,
        )?)),
    }
}

/// The chunks a run is cut into, flat: `task, chunk, rangeStart, rangeEnd` per chunk. The process
/// pool hands them out one by one, as `Pool.map` hands out items.
#[wasm_bindgen(js_name = planChunks)]
pub fn plan_chunks_flat(tasks: &str, n: &str, chunks: &str) -> Result<Vec<f64>, JsError> {
    let form = CpuForm {
        tasks,
        n,
        threads: "1",
        chunks,
    };
    let params = parse_cpu_params(form, 1).map_err(convert::input_error)?;
    Ok(plan_chunks(&params)
        .iter()
        .flat_map(|job| {
            [
                f64::from(job.task),
                f64::from(job.chunk),
                job.range.start as f64,
                job.range.end as f64,
            ]
        })
        .collect())
}

/// Runs one chunk in this process (the process pool's unit of work). `originMs` is the absolute
/// clock value the run counts from, so chunks from different processes share one timeline.
/// Resolves to `{ sum, startMs, endMs }` (`sum` as a decimal string: it can exceed 2⁶⁴).
#[wasm_bindgen(js_name = runChunk)]
pub fn run_chunk(
    task: u32,
    chunk: u32,
    range_start: f64,
    range_end: f64,
    origin_ms: f64,
    crash: bool,
) -> Result<JsValue, JsError> {
    let job = ChunkJob {
        task,
        chunk,
        range: range_start as u64..range_end as u64,
    };
    let options = RunOptions {
        crash_task: crash.then_some(task),
        ..RunOptions::default()
    };
    let (span, sum) = cpu::run_chunk(&job, origin_ms, &options, &PerformanceClock, &CONTROL)?;
    Ok(convert::object(&[
        ("sum", sum.to_string().into()),
        ("startMs", span.start_ms.into()),
        ("endMs", span.end_ms.into()),
    ]))
}

/// Adds exact decimal sums (each chunk's part of a task) into one decimal string.
#[wasm_bindgen(js_name = sumDecimals)]
pub fn sum_decimals(parts: Vec<String>) -> Result<String, JsError> {
    parts
        .iter()
        .try_fold(0u128, |total, part| {
            part.parse::<u128>()
                .ok()
                .and_then(|value| total.checked_add(value))
        })
        .map(|total| total.to_string())
        .ok_or_else(|| JsError::new("the partial sums are not whole numbers that fit 128 bits"))
}

/// The shared-counter experiment on this process's pool: `threads` threads each add 1 to one
/// counter `increments` times with `method`. Blocks: call it in a process. → `{ count, expected, ms }`.
#[wasm_bindgen(js_name = countShared)]
pub fn count_shared_export(
    threads: u32,
    increments: f64,
    method: JsValue,
) -> Result<JsValue, JsError> {
    let method = counter_method(&method)?;
    let pool_threads = rayon::current_num_threads() as u32;
    if threads == 0 || threads > pool_threads {
        return Err(JsError::new(&format!(
            "threads must be from 1 to {pool_threads} (this process's pool)"
        )));
    }
    let increments = checked_increments(increments)?;
    let started = PerformanceClock.now_ms();
    let count = run_on_pool(&CONTROL, move || {
        count_shared_with(threads as usize, increments, method, &CONTROL)
    })?;
    let ms = PerformanceClock.now_ms() - started;
    Ok(convert::object(&[
        ("count", (count as f64).into()),
        (
            "expected",
            ((u64::from(threads) * increments) as f64).into(),
        ),
        ("ms", ms.into()),
    ]))
}

// A JsValue, not &str: the generated glue would read a non-string as one and corrupt memory.
fn counter_method(method: &JsValue) -> Result<CounterMethod, JsError> {
    let method = method
        .as_string()
        .ok_or_else(|| JsError::new("method must be a string such as \"atomic\""))?;
    CounterMethod::parse(&method).map_err(|m| JsError::new(&m))
}

/// Checks the counter experiment's method and increments on the page, before a process is started
/// or asked for them: bad input costs nothing and is refused even when no process could start.
#[wasm_bindgen(js_name = checkCounterInput)]
pub fn check_counter_input(method: JsValue, increments: f64) -> Result<(), JsError> {
    counter_method(&method)?;
    checked_increments(increments)?;
    Ok(())
}

/// Checks the counter experiment's thread count on a device with `cores` logical cores; throws a
/// message naming the range.
#[wasm_bindgen(js_name = checkCounterThreads)]
pub fn check_counter_threads(threads: f64, cores: u32) -> Result<u32, JsError> {
    parse_counter_threads(threads, cores).map_err(|m| JsError::new(&m))
}

fn checked_increments(increments: f64) -> Result<u64, JsError> {
    parse_increments(increments).map_err(|m| JsError::new(&m))
}

/// The counter experiment in a process of the pool (no threads): this process's own counter, which
/// no other process can see. → `{ count, ms }`.
#[wasm_bindgen(js_name = countInProcess)]
pub fn count_in_process(increments: f64) -> Result<JsValue, JsError> {
    let increments = checked_increments(increments)?;
    let started = PerformanceClock.now_ms();
    let count = count_alone(increments);
    Ok(convert::object(&[
        ("count", (count as f64).into()),
        ("ms", (PerformanceClock.now_ms() - started).into()),
    ]))
}

/// Numbers to sum serially so the serial phase is `fraction` of `parallelItems` plus itself.
#[wasm_bindgen(js_name = serialItemsFor)]
pub fn serial_items_for_export(fraction: f64, parallel_items: f64) -> Result<f64, JsError> {
    serial_items_for(fraction, parallel_items as u64)
        .map(|items| items as f64)
        .map_err(|m| JsError::new(&m))
}

/// The hand-off experiment, processes: the bytes arrived by message (copied), and are copied again
/// into this process's memory; returns their byte sum, proof that this process has them all.
#[wasm_bindgen(js_name = checksumBytes)]
pub fn checksum_bytes(bytes: &[u8]) -> f64 {
    bytes.iter().map(|&b| u64::from(b)).sum::<u64>() as f64
}

/// The hand-off experiment, threads: makes room for `length` bytes in this process's shared memory
/// and returns where, so the page can write the input there once for every thread.
#[wasm_bindgen(js_name = allocInput)]
pub fn alloc_input(length: u32) -> Result<u32, JsError> {
    let mut input = INPUT
        .lock()
        .map_err(|_| JsError::new("the input lock is poisoned"))?;
    *input = Vec::new();
    input.try_reserve_exact(length as usize).map_err(|_| {
        JsError::new("this process's memory (at most 256 MiB) has no room for that input")
    })?;
    input.resize(length as usize, 0);
    Ok(input.as_ptr() as u32)
}

/// The hand-off experiment, threads: every pool thread sums its slice of the input in place (no
/// copy: they share the memory). Returns the byte sum.
#[wasm_bindgen(js_name = checksumShared)]
pub fn checksum_shared() -> Result<f64, JsError> {
    let input = INPUT
        .lock()
        .map_err(|_| JsError::new("the input lock is poisoned"))?;
    let slice = (input.len() / rayon::current_num_threads().max(1)).max(1);
    Ok(input
        .par_chunks(slice)
        .map(|part| part.iter().map(|&b| u64::from(b)).sum::<u64>())
        .sum::<u64>() as f64)
}

/// The serial fraction that best explains the measured speedups (`undefined` without a point at
/// two or more workers).
#[wasm_bindgen(js_name = fitSerialFraction)]
pub fn fit_serial_fraction_export(workers: Vec<f64>, speedups: Vec<f64>) -> Option<f64> {
    let points: Vec<(f64, f64)> = workers.into_iter().zip(speedups).collect();
    fit_serial_fraction(&points)
}

/// Draws the sweep: measured speedups, the ideal line and the fitted Amdahl curve (`fitted` NaN for none).
#[wasm_bindgen(js_name = drawSpeedup)]
pub fn draw_speedup_on_canvas(
    canvas: HtmlCanvasElement,
    workers: Vec<f64>,
    speedups: Vec<f64>,
    fitted: f64,
    max_workers: u32,
    caption: &str,
    dark: bool,
) -> Result<(), JsError> {
    let points: Vec<(f64, f64)> = workers.into_iter().zip(speedups).collect();
    let fitted = fitted.is_finite().then_some(fitted);
    super::canvas::draw_chart(canvas, "speedup chart", |area| {
        draw_speedup(
            area,
            &points,
            fitted,
            max_workers,
            caption,
            &Theme::for_dark_mode(dark),
        )
    })
}

/// The lab's sources: the seed-style Python and the Rust that ran, for each experiment, as paths from
/// the repository root that the page fetches (see `seedCpuSource` in mod.rs).
#[wasm_bindgen(js_name = labSources)]
pub fn lab_sources() -> JsValue {
    convert::object(&[
        ("pythonThreads", "bench/seed_threads.py".into()),
        ("pythonCounter", "bench/seed_counter.py".into()),
        ("rustCpu", "src/exec/cpu.rs".into()),
        ("rustCounter", "src/exec/counter.rs".into()),
        ("rustCrash", "src/exec/crash.rs".into()),
        ("rustAmdahl", "src/model/amdahl.rs".into()),
        ("pythonSweep", "bench/seed_sweep.py".into()),
        ("pythonFreeze", "bench/seed_freeze.py".into()),
        ("pythonPool", "bench/seed_cpu.py".into()),
    ])
}

/// Checks the worker counts of `playground.startupCosts`: `{ ok: true, workers }` (sorted, distinct)
/// or `{ ok: false, message }` naming the option (src/model/kitchen.rs).
#[wasm_bindgen(js_name = checkWorkerCounts)]
pub fn check_worker_counts(counts: Vec<f64>) -> JsValue {
    match kitchen::parse_worker_counts(&counts) {
        Ok(workers) => convert::object(&[
            ("ok", true.into()),
            (
                "workers",
                workers
                    .iter()
                    .map(|&w| JsValue::from(w))
                    .collect::<js_sys::Array>()
                    .into(),
            ),
        ]),
        Err(message) => convert::object(&[("ok", false.into()), ("message", message.into())]),
    }
}

/// What one more worker costs, from start-ups measured at each count in `workers` (every other
/// argument one value per count): `{ perExtraWorker: { threadStartMs, threadMemoryBytes,
/// processStartMs, processColdStartMs, processMemoryBytes }, words }`, a slope `null` when it cannot
/// be fitted (src/model/kitchen.rs).
#[wasm_bindgen(js_name = startupCostSummary)]
pub fn startup_cost_summary(
    workers: Vec<f64>,
    thread_start_ms: Vec<f64>,
    thread_memory_bytes: Vec<f64>,
    process_start_ms: Vec<f64>,
    process_cold_start_ms: Vec<f64>,
    process_memory_bytes: Vec<f64>,
) -> JsValue {
    let slope = |values: &[f64]| {
        let points: Vec<(f64, f64)> = workers
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect();
        kitchen::per_extra_worker(&points)
    };
    let slopes = [
        ("threadStartMs", slope(&thread_start_ms)),
        ("threadMemoryBytes", slope(&thread_memory_bytes)),
        ("processStartMs", slope(&process_start_ms)),
        ("processColdStartMs", slope(&process_cold_start_ms)),
        ("processMemoryBytes", slope(&process_memory_bytes)),
    ];
    let per_extra: Vec<(&str, JsValue)> = slopes
        .iter()
        .map(|&(name, value)| (name, value.map_or(JsValue::NULL, JsValue::from_f64)))
        .collect();
    let words = match slopes.map(|(_, value)| value) {
        [Some(thread_start_ms), Some(thread_memory_bytes), Some(process_start_ms), Some(process_cold_start_ms), Some(process_memory_bytes)] => {
            kitchen::kitchen_words(&kitchen::PerExtraWorker {
                thread_start_ms,
                thread_memory_bytes,
                process_start_ms,
                process_cold_start_ms,
                process_memory_bytes,
            })
        }
        _ => "Too few start-ups measured to say what one more worker costs.".to_string(),
    };
    convert::object(&[
        ("perExtraWorker", convert::object(&per_extra)),
        ("words", words.into()),
    ])
}
