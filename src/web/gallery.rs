//! The scheduler gallery in a process: the run on this process's pool, and a live feed in its shared
//! memory that the page reads while the run runs (which thread finished which item, the image's
//! pixels, the finished pieces and each thread's piece in progress), so the image fills in and the
//! timeline grows without the page waiting for the run or asking the blocked process anything.
//!
//! The page gets the feed's addresses from `prepareGallery` before it sends `runGallery`: every word
//! is a 32-bit atomic, written by the computing thread and read with `Atomics.load`. A word that says
//! "done" is stored after the data it vouches for, so the page never reads a half-written row or span.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use wasm_bindgen::prelude::*;

use super::clock::PerformanceClock;
use super::convert;
use super::CONTROL;
use crate::exec::control::run_on_pool;
use crate::exec::gallery::{
    parse_gallery_options, run_gallery, GalleryOptions, GallerySink, ItemOutput, Kernel,
    KernelResult, Unheard, MANDELBROT_MAX_ITER, NUMBER_SLICES,
};
use crate::kernels::mandelbrot::View;
use crate::model::schedule::{busy_and_idle, PieceSpan, Schedule};

/// Words per finished piece in the feed: worker, piece, start (µs), end (µs), then "written" (1).
const SPAN_WORDS: usize = 5;

/// What the page reads while a run runs. Times are whole microseconds since the run started: the
/// live chart needs no more, and every word stays a 32-bit atomic the page can load.
struct LiveFeed {
    /// Per item (row or slice): 0 while not done, then the computing thread's index + 1.
    item_worker: Vec<AtomicU32>,
    /// The image's iteration counts, row after row (Mandelbrot only; empty otherwise).
    pixels: Vec<AtomicU32>,
    width: usize,
    /// Finished pieces, SPAN_WORDS each, in the order their slots were taken.
    spans: Vec<AtomicU32>,
    /// Slots taken so far (a slot's last word says when it is written).
    spans_taken: AtomicU32,
    /// Per thread: the piece in progress + 1 (0: none), and when it started.
    current: Vec<AtomicU32>,
}

fn words(count: usize) -> Vec<AtomicU32> {
    (0..count).map(|_| AtomicU32::new(0)).collect()
}

fn micros(ms: f64) -> u32 {
    (ms.max(0.0) * 1000.0).round().min(f64::from(u32::MAX)) as u32
}

impl LiveFeed {
    fn new(kernel: &Kernel, pieces: usize, threads: usize) -> Self {
        let (width, pixels) = match kernel {
            Kernel::Mandelbrot(view) => (
                view.width as usize,
                view.width as usize * view.height as usize,
            ),
            _ => (0, 0),
        };
        Self {
            item_worker: words(kernel.items() as usize),
            pixels: words(pixels),
            width,
            spans: words(pieces * SPAN_WORDS),
            spans_taken: AtomicU32::new(0),
            current: words(threads * 2),
        }
    }

    fn addresses(&self) -> JsValue {
        let at = |words: &[AtomicU32]| f64::from(words.as_ptr() as u32);
        convert::object(&[
            ("itemWorker", at(&self.item_worker).into()),
            ("items", (self.item_worker.len() as u32).into()),
            ("pixels", at(&self.pixels).into()),
            ("width", (self.width as u32).into()),
            ("spans", at(&self.spans).into()),
            ("spanSlots", ((self.spans.len() / SPAN_WORDS) as u32).into()),
            (
                "spansTaken",
                f64::from(&self.spans_taken as *const AtomicU32 as u32).into(),
            ),
            ("current", at(&self.current).into()),
            ("threads", ((self.current.len() / 2) as u32).into()),
        ])
    }
}

impl GallerySink for LiveFeed {
    fn item_done(&self, item: u32, worker: u32, output: &ItemOutput) {
        if let ItemOutput::Row(row) = output {
            let start = item as usize * self.width;
            if let Some(pixels) = self.pixels.get(start..start + row.len()) {
                for (pixel, &count) in pixels.iter().zip(row) {
                    pixel.store(count, Ordering::Relaxed);
                }
            }
        }
        // Release: the row's pixels are visible to whoever sees this word.
        if let Some(word) = self.item_worker.get(item as usize) {
            word.store(worker + 1, Ordering::Release);
        }
    }

    fn piece_started(&self, worker: u32, piece: u32, start_ms: f64) {
        let at = worker as usize * 2;
        if let (Some(piece_word), Some(start_word)) =
            (self.current.get(at), self.current.get(at + 1))
        {
            start_word.store(micros(start_ms), Ordering::Relaxed);
            piece_word.store(piece + 1, Ordering::Release);
        }
    }

    fn piece_done(&self, span: &PieceSpan) {
        let slot = self.spans_taken.fetch_add(1, Ordering::AcqRel) as usize;
        if let Some(words) = self.spans.get(slot * SPAN_WORDS..(slot + 1) * SPAN_WORDS) {
            words[0].store(span.worker, Ordering::Relaxed);
            words[1].store(span.piece, Ordering::Relaxed);
            words[2].store(micros(span.start_ms), Ordering::Relaxed);
            words[3].store(micros(span.end_ms), Ordering::Relaxed);
            words[4].store(1, Ordering::Release);
        }
        if let Some(piece_word) = self.current.get(span.worker as usize * 2) {
            piece_word.store(0, Ordering::Release);
        }
    }
}

/// Whether this process has run the gallery's kernels yet (see [`warm_up`]).
static WARMED: AtomicBool = AtomicBool::new(false);

/// Runs each kernel once, small, on every pool thread, before the first measured run of this
/// process: the engine first runs wasm in its baseline tier and swaps in optimised code once a
/// function is hot, so the first run of a fresh process was the slow one. Measured in Chromium on 2
/// cores at the defaults: a first static run of 650 ms, later ones 530–575 ms; a comparison that ran
/// static first read "about as long" (649 vs 597 ms) where warm runs differ by 1.5×.
fn warm_up() {
    if WARMED.swap(true, Ordering::Relaxed) {
        return;
    }
    let kernels = [
        Kernel::Mandelbrot(View::uneven(180, 120, MANDELBROT_MAX_ITER)),
        Kernel::Primes {
            limit: 300_000,
            slices: NUMBER_SLICES,
        },
        Kernel::Squares {
            n: 2_000_000,
            slices: NUMBER_SLICES,
        },
    ];
    run_on_pool(&CONTROL, move || {
        for kernel in &kernels {
            let piece = (kernel.items() / 32).max(1);
            let _ = run_gallery(
                kernel,
                Schedule::Dynamic { piece },
                &PerformanceClock,
                &CONTROL,
                &Unheard,
            );
        }
    });
}

/// The prepared run: its options and its feed (kept alive until the next `prepareGallery`, so the
/// page can still read the finished image after the run).
static PREPARED: Mutex<Option<(GalleryOptions, Arc<LiveFeed>)>> = Mutex::new(None);

/// Checks a gallery run's options (as `playground.kernel` takes them, on this process's pool) and
/// makes its live feed; returns the feed's addresses in this process's memory and the plan
/// (`{ feed, items, pieces, pieceSize, width, height, maxIter, threads }`). Throws a message naming a bad option.
#[wasm_bindgen(js_name = prepareGallery)]
pub fn prepare_gallery(
    kernel: JsValue,
    schedule: JsValue,
    pieces: Option<f64>,
    size: Option<f64>,
) -> Result<JsValue, JsError> {
    let threads = rayon::current_num_threads() as u32;
    let options = parse_gallery_options(
        &text_option("kernel", kernel)?,
        &text_option("schedule", schedule)?,
        f64::from(threads),
        pieces,
        size,
    )
    .map_err(|m| JsError::new(&m))?;
    warm_up();
    let plan = options.schedule.pieces(options.kernel.items(), threads);
    let feed = Arc::new(LiveFeed::new(&options.kernel, plan.len(), threads as usize));
    let (width, height, max_iter) = match options.kernel {
        Kernel::Mandelbrot(view) => (view.width, view.height, view.max_iter),
        _ => (0, 0, 0),
    };
    let shown = convert::object(&[
        ("feed", feed.addresses()),
        ("items", options.kernel.items().into()),
        ("pieces", (plan.len() as u32).into()),
        ("pieceSize", options.piece_size().into()),
        ("width", width.into()),
        ("height", height.into()),
        ("maxIter", max_iter.into()),
        ("threads", threads.into()),
    ]);
    *PREPARED.lock().unwrap_or_else(|p| p.into_inner()) = Some((options, feed));
    Ok(shown)
}

/// A string option, or a message naming it (a JsValue, not &str: the glue would misread a non-string).
fn text_option(name: &str, value: JsValue) -> Result<String, JsError> {
    value
        .as_string()
        .ok_or_else(|| JsError::new(&format!("{name} must be a string")))
}

/// Runs the prepared gallery run on this process's pool while this thread waits (and beats); the
/// feed fills as it runs. → `{ kernel, schedule, threads, wallMs, result, pieces, pieceSize, spans:
/// [{ worker, piece, startMs, endMs, cost }], busyMs, idleMs }`; `result` is the image's hash (16 hex
/// digits), the number of primes, or the sum of squares as a decimal string.
#[wasm_bindgen(js_name = runGallery)]
pub fn run_prepared_gallery() -> Result<JsValue, JsError> {
    let (options, feed) = PREPARED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| JsError::new("no gallery run was prepared"))?;
    let threads = rayon::current_num_threads() as u32;
    let run = run_on_pool(&CONTROL, move || {
        run_gallery(
            &options.kernel,
            options.schedule,
            &PerformanceClock,
            &CONTROL,
            &*feed,
        )
    })
    .map_err(|_| JsError::new("The run was cancelled."))?;
    let (busy, idle) = busy_and_idle(&run.spans, threads, run.wall_ms);
    let result: JsValue = match &run.result {
        KernelResult::Image { hash, .. } => format!("{hash:016x}").into(),
        KernelResult::Primes(count) => (*count as f64).into(),
        KernelResult::Squares(sum) => sum.to_string().into(),
    };
    let spans = js_sys::Array::new();
    for span in &run.spans {
        spans.push(&convert::object(&[
            ("worker", span.worker.into()),
            ("piece", span.piece.into()),
            ("startMs", span.start_ms.into()),
            ("endMs", span.end_ms.into()),
            ("cost", (span.cost as f64).into()),
        ]));
    }
    let numbers = |values: &[f64]| js_sys::Float64Array::from(values).into();
    Ok(convert::object(&[
        ("kernel", options.kernel.name().into()),
        ("schedule", options.schedule.name().into()),
        ("threads", threads.into()),
        ("wallMs", run.wall_ms.into()),
        ("result", result),
        ("pieces", (run.pieces.len() as u32).into()),
        ("pieceSize", options.piece_size().into()),
        ("spans", spans.into()),
        ("busyMs", js_sys::Array::from(&numbers(&busy)).into()),
        ("idleMs", js_sys::Array::from(&numbers(&idle)).into()),
    ]))
}

/// The gallery's Python (`Pool.map` and its `chunksize`) beside the Rust that ran: the schedules,
/// then the uneven kernel, as paths the page fetches (see `seedCpuSource` in mod.rs).
#[wasm_bindgen(js_name = gallerySources)]
pub fn gallery_sources() -> JsValue {
    let rust = js_sys::Array::of2(
        &"src/exec/gallery.rs".into(),
        &"src/kernels/mandelbrot.rs".into(),
    );
    convert::object(&[
        ("python", "bench/seed_gallery.py".into()),
        ("rust", rust.into()),
    ])
}
