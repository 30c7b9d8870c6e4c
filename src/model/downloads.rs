//! The downloads demo's model: how files are scheduled, why one failed (in plain words), and the
//! timeline of each file (queued → waiting for the first byte → transferring).

use std::fmt;

use super::manifest::{to_hex, Mismatch};
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
        }
    }

    /// Whether trying again could help (the page offers Retry on these).
    pub fn retryable(&self) -> bool {
        !matches!(
            self,
            FileFailure::HttpStatus {
                status: 404 | 410,
                ..
            }
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
        }
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

/// The most downloads in flight at one instant (request issued → done).
pub fn max_in_flight(spans: &[FileSpan]) -> usize {
    max_overlap(spans.iter().map(|s| (s.start_ms, s.end_ms)))
}

/// A request counts as queued when it waited at least this long for a connection (the simulated
/// network measures the wait to a tenth of a millisecond).
pub const QUEUED_AT_LEAST_MS: f64 = 1.0;

/// How many files waited for one of the host's connections: with 12 files "all at once" over
/// HTTP/1.1, the 6 the browser could not send yet.
pub fn waited_for_connection(spans: &[FileSpan]) -> usize {
    spans
        .iter()
        .filter(|s| s.queued_ms >= QUEUED_AT_LEAST_MS)
        .count()
}
