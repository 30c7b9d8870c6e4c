//! Pure data and arithmetic behind every demo: validated inputs, work plans, timelines, statistics.

pub mod amdahl;
pub mod calibration;
pub mod compare;
pub mod cpu_params;
pub mod downloads;
pub mod kitchen;
pub mod manifest;
pub mod network;
pub mod schedule;
pub mod schema;
pub mod server;
pub mod stats;
pub mod timeline;
pub mod url_list;
