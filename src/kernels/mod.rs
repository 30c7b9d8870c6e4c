//! The work itself: pure functions with no knowledge of threads, browsers or wasm.

pub mod sum_squares;
