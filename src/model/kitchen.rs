//! What one more cook costs: one more thread in a process against one more process, in start-up
//! time and memory. The lab starts 1, 2, 4, 8… workers each way; the cost of one more is the slope of
//! a straight line through those points, so a fixed cost (the first worker, the page's own set-up)
//! does not count against every worker. The words the page shows are built from those slopes, so a
//! takeaway can never claim more than the measurement did.

/// The most workers one start-up may ask for: each is a Web Worker with its own JavaScript engine,
/// and a phone holds a few dozen at most.
pub const MAX_WORKERS_PER_START: u32 = 16;
/// The most worker counts one measurement takes (each count starts fresh processes several times).
pub const MAX_WORKER_COUNTS: usize = 6;

/// The worker counts to measure, checked: whole numbers from 1 to [`MAX_WORKERS_PER_START`], at
/// least two different ones (a slope needs two), at most [`MAX_WORKER_COUNTS`]. Returned sorted,
/// duplicates dropped. The page names the option (`workers`) before the message.
pub fn parse_worker_counts(counts: &[f64]) -> Result<Vec<u32>, String> {
    let mut checked = Vec::with_capacity(counts.len());
    for &count in counts {
        if !(count.is_finite()
            && count.fract() == 0.0
            && (1.0..=MAX_WORKERS_PER_START as f64).contains(&count))
        {
            return Err(format!(
                "every count must be a whole number from 1 to {MAX_WORKERS_PER_START}, not {count}"
            ));
        }
        checked.push(count as u32);
    }
    checked.sort_unstable();
    checked.dedup();
    if checked.len() < 2 {
        return Err(
            "give at least two different counts (the cost of one more is a slope between them)"
                .into(),
        );
    }
    if checked.len() > MAX_WORKER_COUNTS {
        return Err(format!(
            "at most {MAX_WORKER_COUNTS} different counts, not {}",
            checked.len()
        ));
    }
    Ok(checked)
}

/// The least-squares slope of `(workers, value)` points: what one more worker adds. `None` without
/// two different worker counts among the finite points.
pub fn per_extra_worker(points: &[(f64, f64)]) -> Option<f64> {
    let usable: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let count = usable.len() as f64;
    let mean_x = usable.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_y = usable.iter().map(|p| p.1).sum::<f64>() / count;
    let spread: f64 = usable.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    (spread > 0.0).then(|| {
        usable
            .iter()
            .map(|p| (p.0 - mean_x) * (p.1 - mean_y))
            .sum::<f64>()
            / spread
    })
}

/// What one more worker cost each way, from the fitted slopes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerExtraWorker {
    pub thread_start_ms: f64,
    pub thread_memory_bytes: f64,
    /// A process handed the compiled module (like `fork`: nothing to compile).
    pub process_start_ms: f64,
    /// A process that compiles the module itself (like Python's `spawn`).
    pub process_cold_start_ms: f64,
    pub process_memory_bytes: f64,
}

/// Start-ups within this ratio of each other are called "about as long": two fresh Workers on a
/// shared machine differ by more than that from one launch to the next.
const ABOUT_THE_SAME: f64 = 1.25;

/// One decimal, halves rounded up as the page's table rounds them (JavaScript's `toFixed`), so the
/// words and the table never differ in the last digit.
fn one_decimal(value: f64) -> String {
    format!("{:.1}", (value.max(0.0) * 10.0).round() / 10.0)
}

fn ms(value: f64) -> String {
    format!("{} ms", one_decimal(value))
}

fn mb(bytes: f64) -> String {
    format!("{} MB", one_decimal(bytes / (1024.0 * 1024.0)))
}

/// The takeaway of the measurement, in the page's words: which was cheaper to add, by how much, and
/// only what the numbers show. A slope below zero (noise: a later start-up ran on a quieter
/// machine) reads as 0.
pub fn kitchen_words(cost: &PerExtraWorker) -> String {
    let thread = cost.thread_start_ms.max(0.0);
    let process = cost.process_start_ms.max(0.0);
    let start = if thread.max(process) <= 0.0 {
        format!(
            "Neither one more thread nor one more process took measurably longer to start ({} vs {}): the start-ups did not grow with the count.",
            ms(thread),
            ms(process)
        )
    } else if process <= thread * ABOUT_THE_SAME && thread <= process * ABOUT_THE_SAME {
        format!(
            "One more thread took about as long to start as one more process handed the compiled module ({} vs {}): in a browser both are a new Worker that sets up its own copy of the module.",
            ms(thread),
            ms(process)
        )
    } else if thread < process {
        format!(
            "One more thread started faster than one more process handed the compiled module ({} vs {}).",
            ms(thread),
            ms(process)
        )
    } else {
        format!(
            "Here one more process handed the compiled module started faster than one more thread ({} vs {}): in a browser a thread is a Worker too, with a start-up of its own.",
            ms(process),
            ms(thread)
        )
    };
    let cold = cost.process_cold_start_ms.max(0.0);
    let compile = if cold > process * ABOUT_THE_SAME {
        format!(
            " A process that compiles the module itself (Python's spawn) took {} each.",
            ms(cold)
        )
    } else {
        format!(
            " A process that compiles the module itself (Python's spawn) took {} each, hardly more: the browser can keep compiled wasm code in its cache.",
            ms(cold)
        )
    };
    let thread_memory = cost.thread_memory_bytes.max(0.0);
    let process_memory = cost.process_memory_bytes.max(0.0);
    let memory = if thread_memory < process_memory {
        format!(
            " Memory: one more thread added {} of wasm memory (mostly its stack, inside the shared memory), one more process {} (a whole memory of its own).",
            mb(thread_memory),
            mb(process_memory)
        )
    } else {
        format!(
            " Memory: one more thread added {} of wasm memory (mostly its stack, inside the shared memory), no less than one more process ({}, a whole memory of its own): this program's own memory is smaller than a thread's stack.",
            mb(thread_memory),
            mb(process_memory)
        )
    };
    format!("{start}{compile}{memory}")
}
