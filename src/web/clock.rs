//! The browser's clock, the same in every worker.

use wasm_bindgen::JsCast;
use web_sys::Performance;

use crate::model::timeline::Clock;

thread_local! {
    // Each worker (thread) has its own `performance` object; look it up once per thread.
    static PERFORMANCE: Performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .expect("every window and worker has `performance`")
        .unchecked_into();
}

/// `performance.timeOrigin + performance.now()`: each worker's `now()` counts from its own start, so
/// only the sum lines up across workers (DESIGN "examples to follow" 6).
pub struct PerformanceClock;

impl Clock for PerformanceClock {
    fn now_ms(&self) -> f64 {
        PERFORMANCE.with(|p| p.time_origin() + p.now())
    }
}
