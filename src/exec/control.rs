//! Progress, cancel and a heartbeat, shared between the running threads and whoever watches them.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How many numbers a chunk sums between two looks at the cancel flag and two progress updates.
/// 65,536 squares take well under a millisecond, so Cancel lands far within 100 ms, while the three
/// atomic operations per block (cancel, heartbeat, progress) cost nothing measurable.
pub const BLOCK: u64 = 1 << 16;

/// How often a process's own thread, waiting for its pool, shows it is still there.
pub const WAIT_BEAT: Duration = Duration::from_millis(50);

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
    /// Bumped by the process's own thread (the one outside the pool): at its looks at the flag when it
    /// works itself, every [`WAIT_BEAT`] while it waits for the pool. Pool threads go on working (and
    /// bumping `heartbeat`) after their process is gone, so only this word says the process lives.
    process_heartbeat: AtomicU32,
    _padding: u32,
}

impl RunControl {
    /// Each word's byte offset from the struct's start, by the name the page uses for it.
    pub const WORDS: [(&'static str, usize); 4] = [
        ("cancel", std::mem::offset_of!(RunControl, cancel)),
        ("heartbeat", std::mem::offset_of!(RunControl, heartbeat)),
        ("itemsDone", std::mem::offset_of!(RunControl, items_done)),
        (
            "processHeartbeat",
            std::mem::offset_of!(RunControl, process_heartbeat),
        ),
    ];

    pub const fn new() -> Self {
        Self {
            cancel: AtomicU32::new(0),
            heartbeat: AtomicU32::new(0),
            items_done: AtomicU64::new(0),
            process_heartbeat: AtomicU32::new(0),
            _padding: 0,
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
        if rayon::current_thread_index().is_none() {
            self.process_beat();
        }
        !self.is_cancelled()
    }

    /// The process's own thread is still there (see `process_heartbeat`).
    pub fn process_beat(&self) {
        self.process_heartbeat.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times the process's own thread has shown it is there (wrapping).
    pub fn process_heartbeat(&self) -> u32 {
        self.process_heartbeat.load(Ordering::Relaxed)
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

    /// Where the struct starts: each word sits at its offset in [`Self::WORDS`] from here.
    pub fn address(&self) -> usize {
        self as *const Self as usize
    }

    /// Where the cancel flag lives (a 32-bit word), for the page's `Atomics.store`.
    pub fn cancel_address(&self) -> usize {
        &self.cancel as *const AtomicU32 as usize
    }

    /// Where the heartbeat lives (a 32-bit word), for the page's watchdog (`Atomics.load`).
    pub fn heartbeat_address(&self) -> usize {
        &self.heartbeat as *const AtomicU32 as usize
    }

    /// Where the process heartbeat lives (a 32-bit word), for the page's watchdog.
    pub fn process_heartbeat_address(&self) -> usize {
        &self.process_heartbeat as *const AtomicU32 as usize
    }

    /// Where the progress counter lives (a 64-bit word), for the page's `Atomics.load`.
    pub fn items_done_address(&self) -> usize {
        &self.items_done as *const AtomicU64 as usize
    }
}

/// Runs `job` on the rayon pool while the calling thread (the process's own, outside the pool) waits,
/// bumping the process heartbeat every [`WAIT_BEAT`]. Waiting inside rayon instead would block this
/// thread without a sign, so a process that died would look just like one waiting for its threads.
pub fn run_on_pool<T: Send + 'static>(
    control: &'static RunControl,
    job: impl FnOnce() -> T + Send + 'static,
) -> T {
    let slot = Arc::new((Mutex::new(None), Condvar::new()));
    let filled = Arc::clone(&slot);
    rayon::spawn(move || {
        let output = job();
        let (value, done) = &*filled;
        *value
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(output);
        done.notify_one();
    });
    let (value, done) = &*slot;
    let mut waiting = value
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        if let Some(output) = waiting.take() {
            return output;
        }
        control.process_beat();
        waiting = done
            .wait_timeout(waiting, WAIT_BEAT)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
}
