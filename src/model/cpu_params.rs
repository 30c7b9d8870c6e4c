//! The CPU demo's inputs: parsed from what a learner typed, checked, and split into a work plan.

use std::fmt;
use std::ops::Range;

use super::schema;

/// Most tasks one run accepts (the seed runs 4).
pub const MAX_TASKS: u32 = 64;
/// Most chunks per task: enough to show work stealing, few enough to draw every bar.
pub const MAX_CHUNKS: u32 = 64;
/// Most processes in the process pool: each holds its own wasm instance and memory.
pub const MAX_PROCESSES: u32 = 16;

/// The CPU demo's inputs, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuParams {
    /// How many independent tasks (the seed's `Pool.map` over 4 items).
    pub tasks: u32,
    /// Each task computes Σ i² for i in 0..n.
    pub n: u64,
    /// Threads in the pool that runs the parallel version.
    pub threads: u32,
    /// Each task is cut into this many contiguous chunks (1 = one job per task).
    pub chunks: u32,
}

/// The text of each input field, exactly as typed (or as a JS caller passed it).
#[derive(Debug, Clone, Copy)]
pub struct CpuForm<'a> {
    pub tasks: &'a str,
    pub n: &'a str,
    pub threads: &'a str,
    pub chunks: &'a str,
}

/// A problem with one field, worded for the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the page and the JS API call it: `tasks`, `n`, `threads` or `chunks`.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One contiguous piece of one task: the unit a thread picks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkJob {
    pub task: u32,
    pub chunk: u32,
    pub range: Range<u64>,
}

/// Checks every field and returns all problems at once, so the page can mark each field.
///
/// `max_threads` is the device's logical core count (`navigator.hardwareConcurrency`).
pub fn parse_cpu_params(form: CpuForm<'_>, max_threads: u32) -> Result<CpuParams, Vec<FieldError>> {
    let tasks = parse_field(&schema::CPU_TASKS, form.tasks, 0, 0);
    let n = parse_field(&schema::CPU_N, form.n, 0, 0);
    let threads = parse_field(&schema::CPU_THREADS, form.threads, max_threads, 0);
    let chunks = parse_field(&schema::CPU_CHUNKS, form.chunks, 0, 0);

    let mut errors: Vec<FieldError> = [&tasks, &n, &threads, &chunks]
        .into_iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    if let (Ok(n), Ok(chunks)) = (&n, &chunks) {
        if chunks > n {
            errors.push(FieldError {
                field: "chunks",
                message: format!(
                    "Chunks per task ({chunks}) cannot be more than n ({n}): every chunk needs at least one number."
                ),
            });
        }
    }
    match (tasks, n, threads, chunks) {
        (Ok(tasks), Ok(n), Ok(threads), Ok(chunks)) if errors.is_empty() => Ok(CpuParams {
            tasks: tasks as u32,
            n,
            threads: threads as u32,
            chunks: chunks as u32,
        }),
        _ => Err(errors),
    }
}

/// The lab's extra fields: how many processes, and which task (if any) crashes on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabParams {
    pub processes: u32,
    pub crash_task: Option<u32>,
}

/// Checks the processes count (1 to [`MAX_PROCESSES`]) and the crash task (empty for none, or a
/// task number below `tasks`). Field names as the page and the API call them.
pub fn parse_lab_params(
    processes: &str,
    crash_task: &str,
    tasks: u32,
) -> Result<LabParams, Vec<FieldError>> {
    let processes = parse_field(&schema::CPU_PROCESSES, processes, 0, 0);
    let crash_task = if crash_task.trim().is_empty() {
        Ok(None)
    } else {
        parse_field(&schema::CPU_CRASH, crash_task, 0, tasks).map(|task| Some(task as u32))
    };
    match (processes, crash_task) {
        (Ok(processes), Ok(crash_task)) => Ok(LabParams {
            processes: processes as u32,
            crash_task,
        }),
        (processes, crash_task) => Err([processes.err(), crash_task.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// Parses a whole-number field of the form as typed, within the schema's range for it on a device
/// with `cores` logical cores and a run of `tasks` tasks.
pub fn parse_field(
    field: &schema::Field,
    text: &str,
    cores: u32,
    tasks: u32,
) -> Result<u64, FieldError> {
    let min = field.min.unwrap_or(0.0) as u64;
    let max = field.max.on(cores, tasks).unwrap_or(u64::MAX as f64) as u64;
    parse_whole(field.name, field.noun, text, min, max)
}

/// Parses a whole number typed by a person: surrounding spaces and digit separators (`10_000_000`,
/// `10,000,000`, `10 000 000`) are accepted, anything else gets a message naming the field and the range.
fn parse_whole(
    field: &'static str,
    label: &str,
    text: &str,
    min: u64,
    max: u64,
) -> Result<u64, FieldError> {
    let error = |message: String| FieldError { field, message };
    let range = format!(
        "a whole number from {} to {}",
        group_digits(min),
        group_digits(max)
    );
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(error(format!("{label} is empty: enter {range}.")));
    }
    let digits: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | ' '))
        .collect();
    let (negative, magnitude) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits.strip_prefix('+').unwrap_or(&digits)),
    };
    if magnitude.is_empty() || !magnitude.chars().all(|c| c.is_ascii_digit()) {
        return Err(error(format!(
            "{label} must be {range}; \"{trimmed}\" is not."
        )));
    }
    if negative && magnitude.chars().any(|c| c != '0') {
        return Err(error(format!("{label} cannot be negative: enter {range}.")));
    }
    // A digit string too long for u64 is simply above every limit we have.
    let value = magnitude.parse::<u64>().unwrap_or(u64::MAX);
    if value < min {
        return Err(error(format!(
            "{label} must be at least {}: enter {range}.",
            group_digits(min)
        )));
    }
    if value > max {
        return Err(error(format!(
            "{label} is above the limit of {}: enter {range}.",
            group_digits(max)
        )));
    }
    Ok(value)
}

/// `10000000` → `10,000,000`, for messages a person reads.
pub fn group_digits(value: u64) -> String {
    group_digit_string(&value.to_string()).expect("a u64's decimal digits")
}

/// The same for a string of decimal digits of any length (sums beyond 2⁶⁴); `None` for anything else.
pub fn group_digit_string(digits: &str) -> Option<String> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    Some(grouped)
}

/// Splits every task's `0..n` into `chunks` contiguous ranges of near-equal length, in task order.
pub fn plan_chunks(params: &CpuParams) -> Vec<ChunkJob> {
    let chunks = u64::from(params.chunks.max(1));
    let n = params.n;
    (0..params.tasks)
        .flat_map(|task| {
            (0..chunks).map(move |chunk| ChunkJob {
                task,
                chunk: chunk as u32,
                // u128 so n·chunk cannot overflow for any accepted n.
                range: split_point(n, chunk, chunks)..split_point(n, chunk + 1, chunks),
            })
        })
        .collect()
}

fn split_point(n: u64, index: u64, parts: u64) -> u64 {
    (u128::from(n) * u128::from(index) / u128::from(parts)) as u64
}
