//! The browser's clock, the same in every worker.

use wasm_bindgen::JsCast;
use web_sys::Performance;

use crate::model::timeline::Clock;

thread_local! {
    // Each worker (thread) has its own `performance` object and its own time origin; read both once
    // per thread. WebKitGTK answers `timeOrigin` with a value that moves (measured: 12 values in 200,000
    // reads, the sum going back by up to 6.6 ms), so a sum read afresh each time can run backwards;
    // `now()` alone only moves forward.
    static CLOCK: (Performance, f64) = {
        let performance: Performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .expect("every window and worker has `performance`")
            .unchecked_into();
        let origin = performance.time_origin();
        (performance, origin)
    };
}

/// `performance.timeOrigin + performance.now()`: each worker's `now()` counts from its own start, so
/// only the sum lines up across workers (DESIGN "examples to follow" 6). Across workers the sums agree
/// only to the browser's timer resolution (Firefox jitters them by tens of microseconds), so callers
/// that compare two threads' times must allow for that.
pub struct PerformanceClock;

impl Clock for PerformanceClock {
    fn now_ms(&self) -> f64 {
        CLOCK.with(|(performance, origin)| origin + performance.now())
    }
}
