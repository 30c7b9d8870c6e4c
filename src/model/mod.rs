//! Pure data and arithmetic behind every demo: validated inputs, work plans, timelines, statistics.

pub mod cpu_params;
pub mod stats;
pub mod timeline;
