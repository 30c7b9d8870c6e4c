//! The thread-count check's export: how many of this process's pool threads run at full speed.

use wasm_bindgen::prelude::*;

use super::clock::PerformanceClock;
use super::convert;
use super::CONTROL;
use crate::exec::calibrate::calibrate_for_page;
use crate::exec::control::run_on_pool;

/// Times k equal chunks started together on k pool threads, k = 1 … `maxThreads` (at most the
/// pool's size), and returns `{ threads, wallMs: number[], chunkItems, checkMs }`: `threads` is
/// the largest count whose every added thread brought a good part of a core (MIN_GAIN_PER_THREAD in src/model/calibration.rs).
/// Blocks this process for a few tens of milliseconds; its own thread keeps beating meanwhile.
#[wasm_bindgen(js_name = calibrateThreads)]
pub fn calibrate_threads(max_threads: u32) -> JsValue {
    let found = run_on_pool(&CONTROL, move || {
        calibrate_for_page(max_threads, &PerformanceClock)
    });
    let longest: js_sys::Array = found.wall_ms.iter().map(|&ms| JsValue::from(ms)).collect();
    convert::object(&[
        ("threads", found.threads.into()),
        ("wallMs", longest.into()),
        ("chunkItems", (found.chunk_items as f64).into()),
        ("checkMs", found.total_ms.into()),
    ])
}
