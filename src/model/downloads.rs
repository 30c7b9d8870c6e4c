//! The downloads demo's model: how files are scheduled, why one failed (in plain words), how big a
//! file may get and under which name it is saved, and the timeline of each file (queued → waiting
//! for the first byte → transferring).

use std::fmt;

use sha2::{Digest, Sha256};

use super::manifest::{parse_hex_digest, to_hex, Mismatch};
use super::timeline::max_overlap;

/// The most files or threads in flight a run may ask for.
pub const MAX_LIMIT: u32 = 64;
/// Default for the "threads" mode: one thread per file, like the tutorial's one `Thread` per download.
pub const MAX_DOWNLOAD_THREADS: u32 = 12;

/// How a run's files are scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoMode {
    /// Await one download, then the next: the tutorial's "before".
    Sequential,
    /// Every download at once (`join_all`) on one thread.
    Concurrent,
    /// At most `k` downloads in flight, the next starting when one ends: `ThreadPoolExecutor(max_workers=k)`.
    Bounded(u32),
    /// `k` worker threads, each downloading one file at a time: the tutorial's threads, literally.
    Threads(u32),
}

impl IoMode {
    /// Parses the JS API's `mode` and `limit`. `files` sizes the default thread count.
    pub fn parse(mode: &str, limit: Option<f64>, files: usize) -> Result<IoMode, String> {
        let limit = match limit {
            None => None,
            Some(k)
                if k.is_finite()
                    && k.fract() == 0.0
                    && (1.0..=f64::from(MAX_LIMIT)).contains(&k) =>
            {
                Some(k as u32)
            }
            Some(k) => {
                return Err(format!(
                    "limit must be a whole number from 1 to {MAX_LIMIT}, not {k}"
                ))
            }
        };
        match (mode, limit) {
            ("sequential", None) => Ok(IoMode::Sequential),
            ("concurrent", None) => Ok(IoMode::Concurrent),
            ("sequential" | "concurrent", Some(_)) => {
                Err(format!("limit applies to the \"bounded\" and \"threads\" modes, not \"{mode}\""))
            }
            ("bounded", Some(k)) => Ok(IoMode::Bounded(k)),
            ("bounded", None) => Err("the \"bounded\" mode needs a limit: the most downloads in flight, e.g. 2".into()),
            ("threads", k) => Ok(IoMode::Threads(k.unwrap_or_else(|| {
                (files as u32).clamp(1, MAX_DOWNLOAD_THREADS)
            }))),
            (other, _) => Err(format!(
                "mode must be \"sequential\", \"concurrent\", \"bounded\" or \"threads\", not {other:?}"
            )),
        }
    }

    /// The JS API's name of the mode.
    pub fn name(&self) -> &'static str {
        match self {
            IoMode::Sequential => "sequential",
            IoMode::Concurrent => "concurrent",
            IoMode::Bounded(_) => "bounded",
            IoMode::Threads(_) => "threads",
        }
    }

    /// The most downloads this schedule allows in flight, for `files` files.
    pub fn max_in_flight(&self, files: usize) -> usize {
        match *self {
            IoMode::Sequential => 1,
            IoMode::Concurrent => files,
            IoMode::Bounded(k) | IoMode::Threads(k) => (k as usize).min(files),
        }
        .max(1)
    }
}

/// Why one file did not arrive (or was not kept). Every variant has a message for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileFailure {
    /// The server answered, but not with the file.
    HttpStatus { status: u16, status_text: String },
    /// The server answered a plain (no-cors) request, but refused this page reading the file.
    CorsRefused,
    /// No answer at all: unknown host, refused connection, network down, or blocked by the browser.
    Unreachable,
    /// Nothing arrived for this long.
    TimedOut { idle_ms: u32 },
    /// The learner (or the API) cancelled the run.
    Cancelled,
    /// The connection broke after some bytes had arrived.
    Interrupted { after_bytes: u64 },
    /// A sample file that does not match the published manifest.
    Mismatch(Mismatch),
    /// Bigger than the run's `maxBytes`: announced by the server up front (`announced`), or found
    /// out while the bytes arrived (`None`: no Content-Length, or one that was too small).
    TooLarge { limit: u64, announced: Option<u64> },
    /// The browser's private file system refused the bytes (full, or the file is locked).
    SaveFailed(String),
}

impl FileFailure {
    /// A short, stable name for the JS API and the tests: `http`, `cors`, `unreachable`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            FileFailure::HttpStatus { .. } => "http",
            FileFailure::CorsRefused => "cors",
            FileFailure::Unreachable => "unreachable",
            FileFailure::TimedOut { .. } => "timeout",
            FileFailure::Cancelled => "cancelled",
            FileFailure::Interrupted { .. } => "interrupted",
            FileFailure::Mismatch(_) => "mismatch",
            FileFailure::TooLarge { .. } => "too-large",
            FileFailure::SaveFailed(_) => "save",
        }
    }

    /// Whether trying again could help (the page offers Retry on these).
    pub fn retryable(&self) -> bool {
        !matches!(
            self,
            FileFailure::HttpStatus {
                status: 404 | 410,
                ..
            } | FileFailure::TooLarge { .. }
        )
    }
}

impl fmt::Display for FileFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileFailure::HttpStatus { status, status_text } => {
                let code = if status_text.is_empty() {
                    format!("HTTP {status}")
                } else {
                    format!("HTTP {status} {status_text}")
                };
                match status {
                    404 | 410 => write!(f, "the server has no file at this address ({code})"),
                    401 | 403 => write!(f, "the server refused to hand over this file ({code})"),
                    429 => write!(f, "the server says too many requests; wait and retry ({code})"),
                    500..=599 => write!(f, "the server failed while answering ({code})"),
                    _ => write!(f, "the server answered {code} instead of the file"),
                }
            }
            FileFailure::CorsRefused => f.write_str(
                "the server does not allow this page to read the file (CORS): it answered without an \
                 Access-Control-Allow-Origin header for this site",
            ),
            FileFailure::Unreachable => f.write_str(
                "could not reach the server: the host name does not exist, the connection was refused, \
                 the network is down, or the browser blocked the request (see the console)",
            ),
            FileFailure::TimedOut { idle_ms } => write!(
                f,
                "timed out: nothing arrived for {:.0} s",
                f64::from(*idle_ms) / 1000.0
            ),
            FileFailure::Cancelled => f.write_str("cancelled"),
            FileFailure::Interrupted { after_bytes } => write!(
                f,
                "the connection broke off after {after_bytes} bytes; the partial file was discarded"
            ),
            FileFailure::Mismatch(Mismatch::Size { expected, actual }) => write!(
                f,
                "not the published file: the manifest says {expected} bytes, {actual} arrived; not saved"
            ),
            FileFailure::Mismatch(Mismatch::Digest { expected, actual }) => write!(
                f,
                "not the published file: its SHA-256 is {}…, the manifest says {}…; not saved",
                &to_hex(actual)[..12],
                &to_hex(expected)[..12]
            ),
            FileFailure::TooLarge {
                limit,
                announced: Some(size),
            } => write!(
                f,
                "the server announced {}: larger than the {} limit; raise maxBytes to download it",
                format_bytes(*size),
                format_bytes(*limit)
            ),
            FileFailure::TooLarge {
                limit,
                announced: None,
            } => write!(
                f,
                "more than {0} arrived: larger than the {0} limit; raise maxBytes to download it \
                 (the partial file was removed)",
                format_bytes(*limit)
            ),
            FileFailure::SaveFailed(reason) => write!(
                f,
                "could not be saved in the browser's private file system ({reason}); the partial \
                 file was removed"
            ),
        }
    }
}

/// Each download stops past this many bytes unless the run raises `maxBytes`: one link (with
/// `autorun`) must not be able to fill a visitor's disk or memory with a single file.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// The highest `maxBytes`: a JS number counts bytes exactly up to 2^53 − 1.
pub const MAX_MAX_BYTES: u64 = (1 << 53) - 1;

/// Checks the JS API's `maxBytes` (`None`: the default).
pub fn parse_max_bytes(value: Option<f64>) -> Result<u64, String> {
    match value {
        None => Ok(DEFAULT_MAX_BYTES),
        Some(n) if n.is_finite() && n.fract() == 0.0 && n >= 1.0 && n <= MAX_MAX_BYTES as f64 => {
            Ok(n as u64)
        }
        Some(n) => Err(format!(
            "maxBytes must be a whole number of bytes from 1 to {MAX_MAX_BYTES} (default {DEFAULT_MAX_BYTES}, {}), not {n}",
            format_bytes(DEFAULT_MAX_BYTES)
        )),
    }
}

/// A byte count for people: "256 MiB", "1.5 GiB", "3.2 KiB", "900 bytes" (binary units, exact when whole).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            return if bytes.is_multiple_of(size) {
                format!("{} {unit}", bytes / size)
            } else {
                format!("{:.1} {unit}", bytes as f64 / size as f64)
            };
        }
    }
    if bytes == 1 {
        "1 byte".into()
    } else {
        format!("{bytes} bytes")
    }
}

/// The most bytes one download may bring; checked twice, because a server may announce a
/// Content-Length, announce none, or announce less than it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    pub max_bytes: u64,
}

impl SizeLimit {
    /// Before any byte is read: refuses a file whose announced length is already too big.
    pub fn check_announced(self, content_length: Option<u64>) -> Result<(), FileFailure> {
        match content_length {
            Some(size) if size > self.max_bytes => Err(FileFailure::TooLarge {
                limit: self.max_bytes,
                announced: Some(size),
            }),
            _ => Ok(()),
        }
    }

    /// Before a chunk is kept: refuses the chunk that would take the file past the limit, so no
    /// more than `max_bytes` are ever held or written.
    pub fn check_next_chunk(self, arrived: u64, chunk: u64) -> Result<(), FileFailure> {
        if arrived.saturating_add(chunk) > self.max_bytes {
            Err(FileFailure::TooLarge {
                limit: self.max_bytes,
                announced: None,
            })
        } else {
            Ok(())
        }
    }
}

/// How many hexadecimal digits of the URL's SHA-256 a saved file's name carries: 48 bits, so two
/// distinct URLs with the same last path segment share a name with odds of about 1 in 2.8 × 10^14.
pub const SAVED_NAME_HASH_DIGITS: usize = 12;
/// The longest part of a saved file's name taken from its URL.
const SAVED_NAME_BASE_CHARS: usize = 80;

/// The name a URL's file is saved under in the private file system: the URL's last path segment,
/// made safe, with the first digits of the SHA-256 of the whole URL before its extension
/// (`https://a.example/x/data.bin?v=2` → `data-<12 hex digits>.bin`). Distinct URLs get distinct
/// names, so they never overwrite each other; the same URL gets the same name, so downloading it
/// again replaces its own file.
pub fn saved_file_name(url: &str) -> String {
    let path = match url.find("://") {
        Some(scheme_end) => {
            let after = &url[scheme_end + 3..];
            after.find('/').map_or("", |start| &after[start..])
        }
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let last = path.split('/').rfind(|s| !s.is_empty()).unwrap_or_default();
    let base = safe_name(&percent_decode(last));
    let digest = to_hex(&Sha256::digest(url.as_bytes()).into());
    let tag = &digest[..SAVED_NAME_HASH_DIGITS];
    match base.rfind('.') {
        Some(dot) if dot > 0 && dot + 1 < base.len() => {
            format!("{}-{tag}{}", &base[..dot], &base[dot..])
        }
        _ => format!("{base}-{tag}"),
    }
}

/// Whether `name` is one `saved_file_name` could have made: letters, digits, `_ - .`, not
/// starting with a dot, at most 100 characters. Anything else never reaches the file system.
pub fn is_saved_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= SAVED_NAME_BASE_CHARS + SAVED_NAME_HASH_DIGITS + 8
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `%41` → `A`; a `%` not followed by two hex digits stays as it is; invalid UTF-8 becomes U+FFFD.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every run of characters other than ASCII letters, digits, `_ - .` becomes one `_`; leading dots
/// go (no hidden files), the length is capped, and an empty result is "download".
fn safe_name(text: &str) -> String {
    let mut out = String::new();
    let mut replacing = false;
    for c in text.chars() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if keep {
            out.push(c);
        } else if !replacing {
            out.push('_');
        }
        replacing = !keep;
    }
    let out: String = out
        .trim_start_matches('.')
        .chars()
        .take(SAVED_NAME_BASE_CHARS)
        .collect();
    if out.is_empty() {
        "download".into()
    } else {
        out
    }
}

/// What was recorded beside a saved file when it was written: its size, its `lastModified` and
/// the SHA-256 computed while its bytes streamed in.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRecord {
    pub bytes: f64,
    pub last_modified: f64,
    pub sha256: String,
}

impl SavedRecord {
    /// The recorded SHA-256, if the file on disk is still the one it was recorded for (same size,
    /// same modification time); `None` means "not checked" — the file is never read to find out.
    pub fn hash_for(&self, bytes: f64, last_modified: f64) -> Option<String> {
        let current = self.bytes == bytes && self.last_modified == last_modified;
        let digest = parse_hex_digest(&self.sha256)?;
        current.then(|| to_hex(&digest))
    }
}

/// One file's download as it happened, in milliseconds since the run started.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSpan {
    /// The file's row (its position in the run's list).
    pub file: u32,
    /// When the fetch was issued.
    pub start_ms: f64,
    /// Time the request waited for a free connection (reported by the simulated network; 0 when unknown).
    pub queued_ms: f64,
    /// When the response's headers arrived; `None` if they never did.
    pub first_byte_ms: Option<f64>,
    /// When the last byte arrived or the download failed.
    pub end_ms: f64,
    pub ok: bool,
}

/// A part of a file's bar on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for one of the host's connections to be free (HTTP/1.1 allows 6).
    Queued,
    /// Request sent, no byte back yet: the latency concurrency overlaps.
    Waiting,
    /// Bytes arriving.
    Transfer,
    /// The part of a failed download after which nothing more came.
    Failed,
}

impl FileSpan {
    /// The bar's pieces in order, as `(phase, start_ms, end_ms)`; empty pieces are left out.
    pub fn phases(&self) -> Vec<(Phase, f64, f64)> {
        let queued_end = (self.start_ms + self.queued_ms.max(0.0)).min(self.end_ms);
        let first_byte = self
            .first_byte_ms
            .map_or(self.end_ms, |t| t.clamp(queued_end, self.end_ms));
        let last = if self.ok {
            Phase::Transfer
        } else {
            Phase::Failed
        };
        [
            (Phase::Queued, self.start_ms, queued_end),
            (Phase::Waiting, queued_end, first_byte),
            (last, first_byte, self.end_ms),
        ]
        .into_iter()
        .filter(|(_, start, end)| end > start)
        .collect()
    }
}

/// The most requests open at one instant: issued by the page and not yet finished (a request
/// waiting for a free connection is open too). The page shows it as "Most requests open at once".
pub fn max_in_flight(spans: &[FileSpan]) -> usize {
    max_overlap(spans.iter().map(|s| (s.start_ms, s.end_ms)))
}

/// A request counts as queued when it waited at least this long for a connection (the simulated
/// network measures the wait to a tenth of a millisecond).
pub const QUEUED_AT_LEAST_MS: f64 = 1.0;

/// How many other requests of the run were open when `span`'s request was issued.
fn open_when_issued(spans: &[FileSpan], index: usize) -> usize {
    let issued = spans[index].start_ms;
    spans
        .iter()
        .enumerate()
        .filter(|&(other, s)| other != index && s.start_ms <= issued && s.end_ms > issued)
        .count()
}

/// How many files waited for a connection: a measured wait of at least [`QUEUED_AT_LEAST_MS`]
/// while at least one other request of the run was open (with nothing else open no connection was
/// taken by this run). [`connection_waits`] applies each host's real limit.
pub fn waited_for_connection(spans: &[FileSpan]) -> usize {
    (0..spans.len())
        .filter(|&i| spans[i].queued_ms >= QUEUED_AT_LEAST_MS && open_when_issued(spans, i) >= 1)
        .count()
}

/// Each file's wait for a connection as the run's own timings allow it: the measured wait where it
/// is at least [`QUEUED_AT_LEAST_MS`] and, when the request was issued, at least `limits[i]` other
/// requests of the run were open (every connection could have been taken); 0 otherwise. A limit of
/// 0 means "no limit" (HTTP/2, an unlimited simulated network): nothing waits. A measured gap that
/// fails the test is the browser's own hand-over between requests (a few milliseconds on a busy
/// machine: one after another, 1 of 1 files once "waited"), not a queue.
pub fn connection_waits(spans: &[FileSpan], limits: &[usize]) -> Vec<f64> {
    spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let limit = limits.get(i).copied().unwrap_or(0);
            let could_wait = limit > 0 && open_when_issued(spans, i) >= limit;
            if could_wait && span.queued_ms >= QUEUED_AT_LEAST_MS {
                span.queued_ms
            } else {
                0.0
            }
        })
        .collect()
}

/// What a run's timeline says about how many downloads ran at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Concurrency {
    /// The most requests open at one instant ([`max_in_flight`]).
    pub most_open: usize,
    /// How many files waited for a connection (a wait of [`connection_waits`] above 0).
    pub waited: usize,
    /// Each file's wait for a connection, from [`connection_waits`].
    pub queued_ms: Vec<f64>,
}

/// The run's [`Concurrency`]; `limits` as for [`connection_waits`] (0 also where a file's wait was
/// not measured: its measured wait is 0 then anyway). How many held a connection at once is not
/// given: the page's end of a file comes after its connection was freed (by milliseconds to tens of
/// them on a busy machine, measured), so those spans would overlap where the connections did not.
pub fn concurrency(spans: &[FileSpan], limits: &[usize]) -> Concurrency {
    let queued_ms = connection_waits(spans, limits);
    Concurrency {
        most_open: max_in_flight(spans),
        waited: queued_ms.iter().filter(|&&q| q > 0.0).count(),
        queued_ms,
    }
}
