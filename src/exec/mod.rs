//! Running a work plan: CPU work one after another or on a rayon pool's threads, with shared
//! progress and cancel flags; I/O work as futures, one after another, all at once or at most k.

pub mod control;
pub mod cpu;
pub mod io;
