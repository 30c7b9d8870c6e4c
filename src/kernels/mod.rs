//! The work itself: pure functions with no knowledge of threads, browsers or wasm.

pub mod mandelbrot;
pub mod primes;
pub mod sum_squares;
