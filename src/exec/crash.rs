//! What a crash leaves behind. In the browser a Rust panic aborts: the thread traps and never
//! returns. A thread that traps inside a rayon pool leaves its process waiting forever, so the
//! panic hook writes the message where the page can read it without the process's help (its shared
//! memory), and the page ends the process — exactly "one crash takes the whole process down".

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

/// Longest message kept (the rest is cut at a character boundary).
pub const MESSAGE_BYTES: usize = 500;

/// A fixed layout the page reads with `Atomics`: `crashed` (u32), `length` (u32), then the bytes.
#[repr(C)]
pub struct CrashReport {
    crashed: AtomicU32,
    length: AtomicU32,
    message: [AtomicU8; MESSAGE_BYTES],
}

impl CrashReport {
    /// Each part's byte offset from the report's start, by the name the page reads it under.
    pub const WORDS: [(&'static str, usize); 3] = [
        ("crashed", std::mem::offset_of!(CrashReport, crashed)),
        ("length", std::mem::offset_of!(CrashReport, length)),
        ("message", std::mem::offset_of!(CrashReport, message)),
    ];

    pub const fn new() -> Self {
        Self {
            crashed: AtomicU32::new(0),
            length: AtomicU32::new(0),
            message: [const { AtomicU8::new(0) }; MESSAGE_BYTES],
        }
    }

    /// Records the first crash (later ones in the same process are echoes of it).
    pub fn record(&self, message: &str) {
        if self.crashed.load(Ordering::SeqCst) != 0 {
            return;
        }
        let mut end = message.len().min(MESSAGE_BYTES);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        for (slot, byte) in self.message.iter().zip(message[..end].bytes()) {
            slot.store(byte, Ordering::Relaxed);
        }
        self.length.store(end as u32, Ordering::SeqCst);
        // Last, so a reader that sees the flag sees the whole message.
        self.crashed.store(1, Ordering::SeqCst);
    }

    pub fn message(&self) -> Option<String> {
        if self.crashed.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let length = self.length.load(Ordering::SeqCst) as usize;
        let bytes: Vec<u8> = self.message[..length]
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Where the report starts, for the page (each part at its offset in [`Self::WORDS`]).
    pub fn address(&self) -> usize {
        self as *const Self as usize
    }
}

impl Default for CrashReport {
    fn default() -> Self {
        Self::new()
    }
}

/// "panicked at src/exec/cpu.rs:120:9: task 2 crashed on purpose…" from a panic's info.
pub fn describe_panic(info: &std::panic::PanicHookInfo<'_>) -> String {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_owned());
    match info.location() {
        Some(at) => format!("{what} (at {}:{})", at.file(), at.line()),
        None => what,
    }
}
