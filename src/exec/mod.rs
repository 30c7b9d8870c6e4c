//! Running a work plan: CPU work one after another or on a rayon pool's threads, with shared
//! progress and cancel flags; I/O work as futures, one after another, all at once or at most k;
//! the shared-counter experiment; the crash report a panicking thread leaves behind; and the web
//! server lab's models and load generator, on whatever clock and timers they are given.

pub mod awake;
pub mod calibrate;
pub mod control;
pub mod counter;
pub mod cpu;
pub mod crash;
pub mod gallery;
pub mod io;
pub mod server;
