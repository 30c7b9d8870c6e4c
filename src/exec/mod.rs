//! Running a work plan: one after another, or on a rayon pool's threads, with shared progress and
//! cancel flags that another thread (the page) can read and set while the run blocks this one.

pub mod control;
pub mod cpu;
