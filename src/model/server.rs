//! The web server lab's model: server models, the load, percentiles, and the queueing-theory bound
//! each model's throughput cannot beat.

use std::fmt;

/// Most requests one run may send.
pub const MAX_REQUESTS: u32 = 5000;
/// Longest simulated database call, and longest CPU work per request, in milliseconds.
pub const MAX_IO_MS: f64 = 2000.0;
pub const MAX_CPU_MS: f64 = 200.0;
/// Most concurrent clients.
pub const MAX_CLIENTS: u32 = 500;
/// Most threads in the thread pool, whatever the cores: each is a real thread, and in a browser every
/// thread is a Web Worker with its own JavaScript engine instance (a few MB) and its own stack in the
/// process's shared memory. 32 lets a learner run a pool of 16 (and more) on a 2-core machine, far past
/// the cores, which is the lesson (blocking threads overlap their waits, then contend for cores), and
/// stays well inside what browsers hold (Firefox allows 512 workers per site; Chromium has no fixed limit).
pub const MAX_POOL: u32 = 32;
/// Fastest open-loop arrival rate, in requests per second.
pub const MAX_RATE: f64 = 10_000.0;

/// How the server answers requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerModel {
    /// One worker: each request holds it through its I/O wait and its CPU work.
    OneAtATime,
    /// `k` blocking threads: each request holds one through its I/O and CPU.
    ThreadPool(u32),
    /// One event loop: I/O waits overlap, CPU work runs on the loop, one piece at a time.
    Async,
    /// An event loop for the I/O, and the CPU work handed to a pool of one thread per core.
    AsyncPool,
}

impl ServerModel {
    /// Every model's JS API name, in the order the page runs and shows them.
    pub const NAMES: [&'static str; 4] = ["one-at-a-time", "thread-pool", "async", "async-pool"];

    /// Parses the JS API's `model` (`poolSize` for the thread pool, 1 to [`MAX_POOL`] on any number
    /// of cores: more threads than cores is what the lab shows).
    pub fn parse(model: &str, pool_size: Option<f64>, _cores: u32) -> Result<Self, String> {
        let max_pool = MAX_POOL;
        match model {
            "one-at-a-time" => Ok(Self::OneAtATime),
            "async" => Ok(Self::Async),
            "async-pool" => Ok(Self::AsyncPool),
            "thread-pool" => match pool_size {
                Some(k) if k.fract() == 0.0 && (1.0..=f64::from(max_pool)).contains(&k) => {
                    Ok(Self::ThreadPool(k as u32))
                }
                Some(k) => Err(format!(
                    "poolSize must be a whole number from 1 to {max_pool} (threads; more than cores is allowed), not {k}"
                )),
                None => Err("the \"thread-pool\" model needs a poolSize, e.g. 4".into()),
            },
            other => {
                let quoted = Self::NAMES.map(|name| format!("{name:?}"));
                let (last, first) = quoted.split_last().expect("there are models");
                Err(format!(
                    "model must be {} or {last}, not {other:?}",
                    first.join(", ")
                ))
            }
        }
    }

    /// The JS API's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::OneAtATime => "one-at-a-time",
            Self::ThreadPool(_) => "thread-pool",
            Self::Async => "async",
            Self::AsyncPool => "async-pool",
        }
    }

    /// Requests that can be in service at once (waiting on I/O or computing); `None` = unlimited.
    pub fn slots(&self) -> Option<u32> {
        match *self {
            Self::OneAtATime => Some(1),
            Self::ThreadPool(k) => Some(k),
            Self::Async | Self::AsyncPool => None,
        }
    }
}

/// How the load arrives: closed loop (`clients` each send, wait, send again) or open loop (a request
/// every `1000 / rate` ms whatever the server does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arrivals {
    Clients(u32),
    Rate(f64),
}

/// One run's load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    pub arrivals: Arrivals,
    pub requests: u32,
    pub io_ms: f64,
    pub cpu_ms: f64,
}

impl Load {
    /// Checks the JS API's load fields: exactly one of `clients` and `rate`.
    pub fn parse(
        clients: Option<f64>,
        rate: Option<f64>,
        requests: f64,
        io_ms: f64,
        cpu_ms: f64,
    ) -> Result<Self, String> {
        let arrivals = match (clients, rate) {
            (Some(_), Some(_)) => {
                return Err(
                    "give either clients (closed loop) or rate (open loop), not both".into(),
                )
            }
            (Some(c), None) if c.fract() == 0.0 && (1.0..=f64::from(MAX_CLIENTS)).contains(&c) => {
                Arrivals::Clients(c as u32)
            }
            (Some(c), None) => {
                return Err(format!(
                    "clients must be a whole number from 1 to {MAX_CLIENTS}, not {c}"
                ))
            }
            (None, Some(r)) if r.is_finite() && r > 0.0 && r <= MAX_RATE => Arrivals::Rate(r),
            (None, Some(r)) => {
                return Err(format!(
                    "rate must be requests per second, above 0 and at most 10,000, not {r}"
                ))
            }
            (None, None) => Arrivals::Clients(10),
        };
        if !(requests.fract() == 0.0 && (1.0..=f64::from(MAX_REQUESTS)).contains(&requests)) {
            return Err(format!(
                "requests must be a whole number from 1 to {MAX_REQUESTS}, not {requests}"
            ));
        }
        let in_range = |x: f64, max: f64| x.is_finite() && (0.0..=max).contains(&x);
        if !in_range(io_ms, MAX_IO_MS) {
            return Err(format!(
                "ioMs must be from 0 to {MAX_IO_MS} milliseconds, not {io_ms}"
            ));
        }
        if !in_range(cpu_ms, MAX_CPU_MS) {
            return Err(format!(
                "cpuMs must be from 0 to {MAX_CPU_MS} milliseconds, not {cpu_ms}"
            ));
        }
        Ok(Self {
            arrivals,
            requests: requests as u32,
            io_ms,
            cpu_ms,
        })
    }
}

/// An open loop's schedule: request `i` arrives at `i · 1000 / rate` ms.
pub fn open_loop_arrivals(rate: f64, requests: u32) -> Vec<f64> {
    (0..requests)
        .map(|i| f64::from(i) * 1000.0 / rate)
        .collect()
}

/// One answered request, in milliseconds since the run started.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub id: u32,
    /// When the client sent it.
    pub arrive_ms: f64,
    /// When a worker took it (after any queueing).
    pub start_ms: f64,
    /// When its I/O wait ended and its CPU work began (it may wait for a CPU in between).
    pub io_end_ms: f64,
    pub cpu_start_ms: f64,
    pub end_ms: f64,
    /// The worker (thread, or the event loop) that did its CPU work.
    pub worker: u32,
    /// When the database call's time was up (`start_ms + io_ms`, or `io_end_ms` where nothing waits
    /// to be woken): a blocking thread resumes at `io_end_ms`, later when no core was free.
    pub db_end_ms: f64,
    /// Time the request was ready to run but had no core, in all: woken late after the database
    /// call (`io_end_ms - db_end_ms`), waiting for the event loop or a pool thread (`cpu_start_ms -
    /// io_end_ms`), and, on a blocking thread, the compute's stalls (its measured time beyond the
    /// calibrated time of the same work on a free core).
    pub core_wait_ms: f64,
}

/// The phases of a request's life, as its timeline shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerPhase {
    /// Waiting for a worker or a thread of the pool.
    Queued,
    /// Waiting on the database.
    Database,
    /// Ready to run, but no core was free.
    CoreWait,
    Computing,
}

impl RequestRecord {
    /// The bar's pieces in order, as `(phase, start_ms, end_ms)`, empty ones left out. A request's
    /// waits for a core happen in several short pieces (between its compute's slices); the bar draws
    /// them as one piece of their total length, right after the database call, then the computing.
    pub fn phases(&self) -> Vec<(ServerPhase, f64, f64)> {
        let db_end = self.db_end_ms.clamp(self.start_ms, self.end_ms);
        let ready = (db_end + self.core_wait_ms.max(0.0)).min(self.end_ms);
        [
            (ServerPhase::Queued, self.arrive_ms, self.start_ms),
            (ServerPhase::Database, self.start_ms, db_end),
            (ServerPhase::CoreWait, db_end, ready),
            (ServerPhase::Computing, ready, self.end_ms),
        ]
        .into_iter()
        .filter(|(_, start, end)| end > start)
        .collect()
    }
}

/// The nearest-rank percentile `p` (0–100) of `values`; `None` when empty.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted: Vec<f64> = values.to_vec();
    crate::model::stats::sort_ascending(&mut sorted);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// A run's figures: requests per second (first arrival to last answer) and latency percentiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub throughput: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

pub fn summarize(records: &[RequestRecord]) -> Option<Summary> {
    let first = records
        .iter()
        .map(|r| r.arrive_ms)
        .fold(f64::INFINITY, f64::min);
    let last = records.iter().map(|r| r.end_ms).fold(0.0, f64::max);
    let latencies: Vec<f64> = records.iter().map(|r| r.end_ms - r.arrive_ms).collect();
    let span = last - first;
    (span > 0.0).then(|| Summary {
        throughput: records.len() as f64 * 1000.0 / span,
        p50: percentile(&latencies, 50.0).unwrap_or(0.0),
        p95: percentile(&latencies, 95.0).unwrap_or(0.0),
        p99: percentile(&latencies, 99.0).unwrap_or(0.0),
    })
}

/// The most requests per second `model` can answer under `load` on `cores` cores: each request needs
/// `io + cpu` ms of a slot (one worker, or one of k threads), `cpu` ms of a core (the event loop's one
/// core for plain async), and a closed loop of C clients has at most C requests in flight.
pub fn throughput_bound(model: ServerModel, load: &Load, cores: u32) -> f64 {
    let per_second = |ms: f64| if ms > 0.0 { 1000.0 / ms } else { f64::INFINITY };
    let service = load.io_ms + load.cpu_ms;
    let cores = f64::from(cores.max(1));
    let model_bound = match model {
        ServerModel::OneAtATime => per_second(service),
        ServerModel::ThreadPool(k) => {
            (f64::from(k) * per_second(service)).min(cores * per_second(load.cpu_ms))
        }
        ServerModel::Async => per_second(load.cpu_ms),
        ServerModel::AsyncPool => cores * per_second(load.cpu_ms),
    };
    let load_bound = match load.arrivals {
        Arrivals::Clients(c) => f64::from(c) * per_second(service),
        Arrivals::Rate(rate) => rate,
    };
    model_bound.min(load_bound)
}

/// The presets that tell the story, with their takeaway.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub io_ms: f64,
    pub cpu_ms: f64,
    pub takeaway: &'static str,
}

pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "io-heavy",
        io_ms: 100.0,
        cpu_ms: 1.0,
        takeaway: "Mostly waiting: the event loop overlaps every wait on one thread; a pool of blocking threads keeps up only with a thread per waiting client; one-at-a-time queues everyone.",
    },
    Preset {
        name: "cpu-heavy",
        io_ms: 5.0,
        cpu_ms: 20.0,
        takeaway: "Mostly computing: async alone runs the CPU work one piece at a time; a pool of threads uses every core.",
    },
    Preset {
        name: "mixed",
        io_ms: 50.0,
        cpu_ms: 10.0,
        takeaway: "Both: async overlaps the waiting and the CPU pool spreads the computing, so async + pool wins.",
    },
];

impl fmt::Display for ServerModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ThreadPool(k) => write!(f, "thread pool of {k}"),
            other => f.write_str(other.name()),
        }
    }
}
