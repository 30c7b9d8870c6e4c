//! Every demo's form, once: each field's label, kind, default, range, hint, URL key, element id and
//! choices. The page renders its fields from this (the `fieldSchema` export), restores and writes
//! URL state with these keys, and shows these hints; the parsers check against the very same
//! limits (they read them from here or from the constant named here), so the form cannot promise
//! what Rust refuses. Adding a field is one entry below plus whatever reads it.

use crate::exec::counter::MAX_INCREMENTS;
use crate::kernels::sum_squares::MAX_N;
use crate::model::amdahl::MAX_SERIAL_PERCENT;
use crate::model::cpu_params::{group_digits, MAX_CHUNKS, MAX_PROCESSES, MAX_TASKS};
use crate::model::downloads::MAX_LIMIT;
use crate::model::network::MAX_LATENCY_MS;
use crate::model::server::{MAX_CLIENTS, MAX_CPU_MS, MAX_IO_MS, MAX_POOL, MAX_RATE, MAX_REQUESTS};

/// What a field holds, and so which element shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number typed as text (digit separators allowed): `<input inputmode="numeric">`.
    Whole,
    /// A number with a fraction allowed: `<input inputmode="decimal">`.
    Decimal,
    /// One of [`Field::choices`]: `<select>`.
    Choice,
    /// On or off: a checkbox.
    Check,
    /// A whole number picked on a slider (`<input type="range">`) between min and max by step.
    Slider,
    /// Free text over several lines: `<textarea>`.
    Lines,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Whole => "whole",
            Kind::Decimal => "decimal",
            Kind::Choice => "choice",
            Kind::Check => "check",
            Kind::Slider => "slider",
            Kind::Lines => "lines",
        }
    }
}

/// The largest value a field accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Max {
    /// No upper limit.
    None,
    Fixed(f64),
    /// This many per logical core of the device (threads: 1 per core).
    PerCore(u32),
    /// One below the run's task count (task numbers count from 0).
    BelowTasks,
}

impl Max {
    /// The limit on a device with `cores` logical cores, for a run of `tasks` tasks.
    pub fn on(self, cores: u32, tasks: u32) -> Option<f64> {
        match self {
            Max::None => None,
            Max::Fixed(max) => Some(max),
            Max::PerCore(k) => Some(f64::from(cores.max(1) * k)),
            Max::BelowTasks => Some(f64::from(tasks.max(1) - 1)),
        }
    }

    /// How the hints say it: "16", "your logical cores", "4 per core".
    fn words(self) -> Option<String> {
        match self {
            Max::None | Max::BelowTasks => None,
            Max::Fixed(max) => Some(group_digits(max as u64)),
            Max::PerCore(1) => Some("your logical cores".to_owned()),
            Max::PerCore(k) => Some(format!("{k} per logical core")),
        }
    }
}

/// Where a field's message goes: its own element (`{id}-error`), one shared with other fields, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorAt {
    Own,
    Shared(&'static str),
    None,
}

/// One `<option>` of a select: its value (what the URL and the parser see) and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

/// One form field of one demo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// The element's id (the page's tests and scripts find it by this).
    pub id: &'static str,
    /// The key of its value in a share link (`?demo=cpu&tasks=8`).
    pub key: &'static str,
    /// The element's `name`: the name Rust's messages and `window.playground`'s options give it.
    pub name: &'static str,
    /// The `window.playground` function taking it as the option `name`, or "" when no option maps to it.
    pub api: &'static str,
    /// Where on the page: the container `data-fields="{group}"` the field is rendered into.
    pub group: &'static str,
    /// The label, as HTML.
    pub label: &'static str,
    /// How messages name it ("Number of tasks is empty").
    pub noun: &'static str,
    pub kind: Kind,
    /// The value it starts with; `None` when the page sets it (the core count, a preset's values).
    pub default: Option<&'static str>,
    /// The page sets its default from this device's cores (a count of threads, processes or
    /// workers): a share link leaves it out while it holds that default, and `all` in a link means
    /// the reader's own default, so a link carries the author's experiment, not the author's machine.
    pub per_device: bool,
    pub min: Option<f64>,
    pub max: Max,
    pub step: Option<f64>,
    /// The hint under the field, as HTML; `{range}` stands for "1 to 16" and the like.
    pub hint: &'static str,
    /// The hint element's id when the demo writes into it; `{id}-hint` otherwise.
    pub hint_id: Option<&'static str>,
    pub placeholder: &'static str,
    pub choices: &'static [Choice],
    pub error: ErrorAt,
    /// Spans the whole row of the form.
    pub wide: bool,
    /// Shown only while the field with this id has this value (the demo keeps it so).
    pub only_when: Option<(&'static str, &'static str)>,
}

impl Field {
    /// The hint with its range spelled out ("1 to 16"); `{range}` appears only in hints of fields
    /// with a lower and an upper limit.
    pub fn hint_text(&self) -> String {
        let range = match (self.min, self.max.words()) {
            (Some(min), Some(max)) => format!("{} to {max}", group_digits(min as u64)),
            _ => String::new(),
        };
        self.hint.replace("{range}", &range)
    }
}

/// A field with the common parts left at "nothing special", for the entries below.
const BASE: Field = Field {
    id: "",
    key: "",
    name: "",
    api: "",
    group: "",
    label: "",
    noun: "",
    kind: Kind::Whole,
    default: Some(""),
    per_device: false,
    min: Some(1.0),
    max: Max::None,
    step: None,
    hint: "",
    hint_id: None,
    placeholder: "",
    choices: &[],
    error: ErrorAt::Own,
    wide: false,
    only_when: None,
};

// ---- The CPU demo ------------------------------------------------------------------------------

pub const CPU_TASKS: Field = Field {
    id: "cpu-tasks",
    key: "tasks",
    name: "tasks",
    api: "cpu",
    group: "cpu",
    label: "Tasks",
    noun: "Number of tasks",
    default: Some("4"),
    max: Max::Fixed(MAX_TASKS as f64),
    hint: "like the 4 items given to <code>pool.map</code> ({range})",
    ..BASE
};
pub const CPU_N: Field = Field {
    id: "cpu-n",
    key: "n",
    name: "n",
    api: "cpu",
    group: "cpu",
    label: "n per task",
    noun: "n",
    default: Some("10,000,000"),
    max: Max::Fixed(MAX_N as f64),
    hint: "each task sums i² for i in 0..n ({range})",
    ..BASE
};
pub const CPU_THREADS: Field = Field {
    id: "cpu-threads",
    key: "threads",
    name: "threads",
    api: "cpu",
    group: "cpu",
    label: "Threads",
    noun: "Threads",
    default: None,
    per_device: true,
    max: Max::PerCore(1),
    hint: "{range}",
    ..BASE
};
pub const CPU_CHUNKS: Field = Field {
    id: "cpu-chunks",
    key: "chunks",
    name: "chunks",
    api: "cpu",
    group: "cpu",
    label: "Chunks per task",
    noun: "Chunks per task",
    default: Some("1"),
    max: Max::Fixed(MAX_CHUNKS as f64),
    hint: "more chunks, finer load balancing ({range})",
    ..BASE
};
pub const CPU_PROCESSES: Field = Field {
    id: "cpu-processes",
    key: "processes",
    name: "processes",
    api: "cpu",
    group: "cpu",
    label: "Processes",
    noun: "Number of processes",
    default: None,
    per_device: true,
    max: Max::Fixed(MAX_PROCESSES as f64),
    hint: "like <code>Pool(4)</code>: own memory each ({range})",
    ..BASE
};
pub const CPU_CRASH: Field = Field {
    id: "cpu-crash",
    key: "crash",
    name: "crashTask",
    api: "cpu",
    group: "cpu",
    label: "Make task K crash",
    noun: "The task to crash",
    min: Some(0.0),
    max: Max::BelowTasks,
    hint: "that task panics: see who survives",
    placeholder: "none",
    ..BASE
};
pub const CPU_GIL: Field = Field {
    id: "cpu-gil",
    key: "gil",
    name: "gil",
    api: "cpu",
    group: "cpu",
    label: "Simulate Python's GIL",
    kind: Kind::Check,
    min: None,
    hint: "threads take turns holding one lock, as CPython's do",
    error: ErrorAt::None,
    ..BASE
};

/// The comparison runs each round in processes too (the CPU demo's primary button).
pub const CPU_WITH_PROCESSES: Field = Field {
    id: "cpu-with-processes",
    key: "withprocesses",
    name: "withProcesses",
    api: "cpu",
    group: "cpu",
    label: "Compare processes too",
    kind: Kind::Check,
    min: None,
    hint: "each round of Compare also runs in the processes above",
    error: ErrorAt::None,
    ..BASE
};

// ---- The downloads demo ------------------------------------------------------------------------

/// The downloads demo adds each sample set's size, read from the manifest, to its choice's label.
pub const DL_SOURCE: Field = Field {
    id: "dl-source",
    key: "source",
    name: "source",
    group: "dl",
    label: "Files",
    kind: Kind::Choice,
    default: Some("6"),
    min: None,
    hint: "served by this page's own server, checked against <a href=\"samples/manifest.json\">the manifest</a>",
    choices: &[
        Choice { value: "6", label: "6 sample files" },
        Choice { value: "12", label: "12 sample files" },
        Choice { value: "urls", label: "My own URLs…" },
    ],
    error: ErrorAt::None,
    ..BASE
};
/// Its choices other than "custom" are `Network::preset` names.
pub const DL_NETWORK: Field = Field {
    id: "dl-network",
    key: "network",
    name: "network",
    api: "downloads",
    group: "dl",
    label: "Simulated network",
    kind: Kind::Choice,
    default: Some("far-server"),
    min: None,
    hint: "applies to the sample files",
    choices: &[
        Choice {
            value: "none",
            label: "none (real local speed)",
        },
        Choice {
            value: "home-wifi",
            label: "home Wi-Fi",
        },
        Choice {
            value: "slow-3g",
            label: "slow 3G",
        },
        Choice {
            value: "far-server",
            label: "far-away server",
        },
        Choice {
            value: "custom",
            label: "custom",
        },
    ],
    error: ErrorAt::None,
    ..BASE
};
pub const DL_LATENCY: Field = Field {
    id: "dl-latency",
    key: "latency",
    name: "latency",
    group: "dl",
    label: "Latency (ms)",
    noun: "latency",
    default: Some("300"),
    min: Some(0.0),
    max: Max::Fixed(MAX_LATENCY_MS as f64),
    hint: "request sent → first byte ({range})",
    error: ErrorAt::Shared("dl-network-error"),
    ..BASE
};
pub const DL_KBPS: Field = Field {
    id: "dl-kbps",
    key: "kbps",
    name: "kbps",
    group: "dl",
    label: "Bandwidth (kbit/s)",
    noun: "bandwidth",
    default: Some("10000"),
    min: Some(0.0),
    hint: "per connection; 0 = unlimited",
    error: ErrorAt::Shared("dl-network-error"),
    ..BASE
};
pub const DL_LIMIT: Field = Field {
    id: "dl-limit",
    key: "limit",
    name: "limit",
    api: "downloads",
    group: "dl",
    label: "At most k at once",
    noun: "limit",
    default: Some("2"),
    max: Max::Fixed(MAX_LIMIT as f64),
    hint: "like a pool of <var>k</var> workers ({range})",
    ..BASE
};
pub const DL_THREADS: Field = Field {
    id: "dl-threads",
    key: "threads",
    name: "threads",
    group: "dl",
    label: "Threads",
    noun: "threads",
    max: Max::Fixed(MAX_LIMIT as f64),
    hint: "the tutorial starts one thread per file",
    placeholder: "one per file",
    ..BASE
};
pub const DL_URLS: Field = Field {
    id: "dl-urls",
    key: "urls",
    name: "urls",
    api: "downloads",
    group: "dl",
    label: "Your URLs, one per line",
    kind: Kind::Lines,
    min: None,
    hint: "The server must allow this page to read them (CORS). They come at your network's real speed.",
    placeholder: "https://example.com/data.csv",
    wide: true,
    only_when: Some((DL_SOURCE.id, "urls")),
    ..BASE
};

// ---- The threads-vs-processes lab --------------------------------------------------------------

pub const LAB_WORKERS: Field = Field {
    id: "lab-workers",
    key: "workers",
    name: "workers",
    api: "compare",
    group: "lab-compare",
    label: "Workers (threads or processes)",
    noun: "Number of processes",
    default: None,
    per_device: true,
    max: Max::Fixed(MAX_PROCESSES as f64),
    hint: "{range}",
    ..BASE
};
pub const LAB_COUNTER_THREADS: Field = Field {
    id: "lab-counter-threads",
    key: "counterThreads",
    name: "threads",
    api: "counter",
    group: "lab-counter",
    label: "Threads",
    noun: "threads",
    default: None,
    per_device: true,
    max: Max::PerCore(1),
    error: ErrorAt::Shared("lab-counter-error"),
    ..BASE
};
pub const LAB_INCREMENTS: Field = Field {
    id: "lab-counter-increments",
    key: "increments",
    name: "increments",
    api: "counter",
    group: "lab-counter",
    label: "Increments per thread",
    noun: "increments",
    default: Some("10,000,000"),
    max: Max::Fixed(MAX_INCREMENTS as f64),
    error: ErrorAt::Shared("lab-counter-error"),
    ..BASE
};
pub const LAB_SWEEP_MODE: Field = Field {
    id: "lab-sweep-mode",
    key: "sweepMode",
    name: "mode",
    api: "sweep",
    group: "lab-sweep",
    label: "Workers are",
    kind: Kind::Choice,
    default: Some("threads"),
    min: None,
    choices: &[
        Choice {
            value: "threads",
            label: "threads",
        },
        Choice {
            value: "processes",
            label: "processes",
        },
    ],
    error: ErrorAt::None,
    ..BASE
};
pub const LAB_SWEEP_MAX: Field = Field {
    id: "lab-sweep-max",
    key: "sweepMax",
    name: "maxWorkers",
    api: "sweep",
    group: "lab-sweep",
    label: "Up to",
    noun: "Number of processes",
    default: None,
    per_device: true,
    max: Max::Fixed(MAX_PROCESSES as f64),
    error: ErrorAt::Shared("lab-sweep-error"),
    ..BASE
};
/// In percent on the page; `window.playground.sweep` takes the fraction (`serialFraction`).
pub const LAB_SERIAL: Field = Field {
    id: "lab-sweep-serial",
    key: "serial",
    name: "serialPercent",
    group: "lab-sweep",
    label:
        "Serial part: <output id=\"lab-sweep-serial-value\" for=\"lab-sweep-serial\">0 %</output>",
    noun: "serial part",
    kind: Kind::Slider,
    default: Some("0"),
    min: Some(0.0),
    max: Max::Fixed(MAX_SERIAL_PERCENT as f64),
    step: Some(5.0),
    error: ErrorAt::None,
    ..BASE
};

// ---- The web server lab ------------------------------------------------------------------------

/// Its choices other than "custom" are the names of `model::server::PRESETS`.
pub const SERVER_PRESET: Field = Field {
    id: "server-preset",
    key: "preset",
    name: "preset",
    group: "server",
    label: "Workload",
    kind: Kind::Choice,
    default: Some("io-heavy"),
    min: None,
    hint_id: Some("server-takeaway"),
    choices: &[
        Choice {
            value: "io-heavy",
            label: "I/O-heavy",
        },
        Choice {
            value: "cpu-heavy",
            label: "CPU-heavy",
        },
        Choice {
            value: "mixed",
            label: "mixed",
        },
        Choice {
            value: "custom",
            label: "custom",
        },
    ],
    error: ErrorAt::None,
    ..BASE
};
const SERVER_FIELD: Field = Field {
    api: "server",
    group: "server",
    error: ErrorAt::Shared("server-error"),
    ..BASE
};
pub const SERVER_IO: Field = Field {
    id: "server-io",
    key: "io",
    name: "ioMs",
    label: "Database call (ms)",
    noun: "ioMs",
    kind: Kind::Decimal,
    default: None,
    min: Some(0.0),
    max: Max::Fixed(MAX_IO_MS),
    ..SERVER_FIELD
};
pub const SERVER_CPU: Field = Field {
    id: "server-cpu",
    key: "cpu",
    name: "cpuMs",
    label: "CPU work (ms)",
    noun: "cpuMs",
    kind: Kind::Decimal,
    default: None,
    min: Some(0.0),
    max: Max::Fixed(MAX_CPU_MS),
    ..SERVER_FIELD
};
pub const SERVER_CLIENTS: Field = Field {
    id: "server-clients",
    key: "clients",
    name: "clients",
    label: "Clients (closed loop)",
    noun: "clients",
    default: Some("10"),
    max: Max::Fixed(MAX_CLIENTS as f64),
    ..SERVER_FIELD
};
/// Above 0 (not at 0): its lower limit is not a value the field accepts, so it has no `min`.
pub const SERVER_RATE: Field = Field {
    id: "server-rate",
    key: "rate",
    name: "rate",
    label: "or a rate (requests/s, open loop)",
    noun: "rate",
    kind: Kind::Decimal,
    min: None,
    max: Max::Fixed(MAX_RATE),
    placeholder: "empty: clients",
    ..SERVER_FIELD
};
pub const SERVER_REQUESTS: Field = Field {
    id: "server-requests",
    key: "requests",
    name: "requests",
    label: "Requests",
    noun: "requests",
    // Enough for the lesson (one at a time on the I/O-heavy preset answers about ten a second, so
    // 40 take 4 s), few enough that "Run all four" ends in seconds rather than half a minute.
    default: Some("40"),
    max: Max::Fixed(MAX_REQUESTS as f64),
    ..SERVER_FIELD
};
pub const SERVER_POOL: Field = Field {
    id: "server-pool",
    key: "pool",
    name: "poolSize",
    label: "Thread pool size",
    noun: "poolSize",
    default: None,
    per_device: true,
    max: Max::Fixed(MAX_POOL as f64),
    ..SERVER_FIELD
};

// ---- The scheduler gallery ------------------------------------------------------------------------

const GALLERY_FIELD: Field = Field {
    api: "kernel",
    group: "gallery",
    error: ErrorAt::Shared("gallery-error"),
    ..BASE
};
pub const GALLERY_KERNEL: Field = Field {
    id: "gallery-kernel",
    key: "kernel",
    name: "kernel",
    label: "Work",
    noun: "kernel",
    kind: Kind::Choice,
    default: Some("mandelbrot"),
    min: None,
    choices: &[
        Choice {
            value: "mandelbrot",
            label: "Mandelbrot set (uneven rows)",
        },
        Choice {
            value: "primes",
            label: "Count primes (later numbers cost more)",
        },
        Choice {
            value: "squares",
            label: "Sum of squares (even)",
        },
    ],
    ..GALLERY_FIELD
};
pub const GALLERY_THREADS: Field = Field {
    id: "gallery-threads",
    key: "threads",
    name: "threads",
    label: "Threads",
    noun: "threads",
    default: None,
    per_device: true,
    max: Max::Fixed(16.0),
    hint: "{range}",
    ..GALLERY_FIELD
};
pub const GALLERY_PIECES: Field = Field {
    id: "gallery-pieces",
    key: "pieces",
    name: "pieces",
    label: "Pieces (dynamic)",
    noun: "pieces",
    placeholder: "empty: 8 per thread",
    hint: "How many pieces idle threads take, like <code>Pool.map</code>'s <code>chunksize</code> = items ÷ pieces.",
    ..GALLERY_FIELD
};
pub const GALLERY_SIZE: Field = Field {
    id: "gallery-size",
    key: "size",
    name: "size",
    label: "Size",
    noun: "size",
    placeholder: "empty: the work's default",
    hint: "Mandelbrot: rows of the image (8 to 1,200; 480). Primes: count below it (100 to 50,000,000; 5,000,000). Squares: n (to 1,000,000,000; 40,000,000).",
    ..GALLERY_FIELD
};

/// Every demo's fields, by the demo's name in share links (`?demo=cpu`), in the order they appear.
pub const DEMOS: [(&str, &[Field]); 5] = [
    (
        "cpu",
        &[
            CPU_TASKS,
            CPU_N,
            CPU_THREADS,
            CPU_CHUNKS,
            CPU_PROCESSES,
            CPU_CRASH,
            CPU_GIL,
            CPU_WITH_PROCESSES,
        ],
    ),
    (
        "downloads",
        // The network preset comes before its fields: restoring a link sets the preset first, and
        // choosing a preset fills them.
        &[
            DL_SOURCE, DL_NETWORK, DL_LATENCY, DL_KBPS, DL_LIMIT, DL_THREADS, DL_URLS,
        ],
    ),
    (
        "processes",
        &[
            LAB_WORKERS,
            LAB_COUNTER_THREADS,
            LAB_INCREMENTS,
            LAB_SWEEP_MODE,
            LAB_SWEEP_MAX,
            LAB_SERIAL,
        ],
    ),
    (
        "server",
        &[
            SERVER_PRESET,
            SERVER_IO,
            SERVER_CPU,
            SERVER_CLIENTS,
            SERVER_RATE,
            SERVER_REQUESTS,
            SERVER_POOL,
        ],
    ),
    (
        "gallery",
        &[
            GALLERY_KERNEL,
            GALLERY_THREADS,
            GALLERY_PIECES,
            GALLERY_SIZE,
        ],
    ),
];
