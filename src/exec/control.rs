//! Progress, cancel and a heartbeat, shared between the running threads and whoever watches them.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// How many numbers a chunk sums between two looks at the cancel flag and two progress updates.
/// 65,536 squares take well under a millisecond, so Cancel lands far within 100 ms, while the three
/// atomic operations per block (cancel, heartbeat, progress) cost nothing measurable.
pub const BLOCK: u64 = 1 << 16;

/// Plain atomics with a fixed layout, so that in the browser the page can read `items_done` and
/// `heartbeat` and set `cancel` directly in the process's shared wasm memory (`Atomics.load` /
/// `Atomics.store`), without a message the busy process could not read until the run is over.
#[repr(C)]
#[derive(Debug, Default)]
pub struct RunControl {
    /// Non-zero asks every chunk to stop at its next block.
    cancel: AtomicU32,
    /// Bumped (wrapping) at every look at the cancel flag while work runs: the sign of life the
    /// page's watchdog waits for. A thread that died, or waits on one that did, stops bumping it,
    /// and a busy process cannot answer a message to say it is still alive.
    heartbeat: AtomicU32,
    /// Numbers summed so far in the current run.
    items_done: AtomicU64,
}

impl RunControl {
    pub const fn new() -> Self {
        Self {
            cancel: AtomicU32::new(0),
            heartbeat: AtomicU32::new(0),
            items_done: AtomicU64::new(0),
        }
    }

    /// Clears the cancel flag and the progress before a run starts (the heartbeat only ever moves on).
    pub fn reset(&self) {
        self.cancel.store(0, Ordering::SeqCst);
        self.items_done.store(0, Ordering::SeqCst);
    }

    pub fn cancel(&self) {
        self.cancel.store(1, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed) != 0
    }

    /// A running thread's look at the flag between two blocks of work: bumps the heartbeat (the work
    /// moves on) and tells whether to go on. Waiting (for a lock, for other threads) must not call it:
    /// a wait that never ends is exactly what the heartbeat exposes.
    pub fn check_in(&self) -> bool {
        self.heartbeat.fetch_add(1, Ordering::Relaxed);
        !self.is_cancelled()
    }

    /// How many times work has checked in so far (wrapping).
    pub fn heartbeat(&self) -> u32 {
        self.heartbeat.load(Ordering::Relaxed)
    }

    pub fn add_progress(&self, items: u64) {
        self.items_done.fetch_add(items, Ordering::Relaxed);
    }

    pub fn items_done(&self) -> u64 {
        self.items_done.load(Ordering::Relaxed)
    }

    /// Where the cancel flag lives (a 32-bit word), for the page's `Atomics.store`.
    pub fn cancel_address(&self) -> usize {
        &self.cancel as *const AtomicU32 as usize
    }

    /// Where the heartbeat lives (a 32-bit word), for the page's watchdog (`Atomics.load`).
    pub fn heartbeat_address(&self) -> usize {
        &self.heartbeat as *const AtomicU32 as usize
    }

    /// Where the progress counter lives (a 64-bit word), for the page's `Atomics.load`.
    pub fn items_done_address(&self) -> usize {
        &self.items_done as *const AtomicU64 as usize
    }
}
