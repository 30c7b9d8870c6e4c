//! Concurrency Playground: the Rust side.
//!
//! Layers, from the bottom up (no layer calls up):
//! - [`kernels`]: the work itself, pure Rust.
//! - [`model`]: inputs, work plans, timelines and statistics, pure Rust.
//! - [`exec`]: runs a plan sequentially or on rayon threads, with progress and cancel.
//! - [`charts`]: draws timelines on any plotters backend (canvas on the page, SVG in tests).
//! - `web` (wasm32 only): the thin `#[wasm_bindgen]` boundary the page calls.

pub mod charts;
pub mod exec;
pub mod kernels;
pub mod model;

#[cfg(target_arch = "wasm32")]
pub mod web;
