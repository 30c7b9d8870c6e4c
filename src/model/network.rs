//! The simulated network the sample files come through: a latency before each response's first byte
//! and a bandwidth per connection. A page served from localhost answers in microseconds, which
//! hides the lesson; these conditions bring back the waiting that concurrency overlaps.

use std::fmt;

/// Longest latency accepted: a minute of waiting per file teaches nothing more than ten seconds.
pub const MAX_LATENCY_MS: u32 = 10_000;
/// Slowest bandwidth accepted, in kilobits per second (a 4 MB file would take over an hour below it).
pub const MIN_KBIT_PER_S: u32 = 8;
/// Browsers open at most this many HTTP/1.1 connections to one host at a time.
pub const HTTP1_CONNECTIONS_PER_HOST: u32 = 6;

/// Network conditions for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// Milliseconds from the request to the response's first byte.
    pub latency_ms: u32,
    /// Kilobits per second per connection; `None` for the real local speed.
    pub kbit_per_s: Option<u32>,
}

impl Network {
    /// No simulation: the files come at the real speed of the server the page came from.
    pub const NONE: Network = Network {
        latency_ms: 0,
        kbit_per_s: None,
    };
    pub const HOME_WIFI: Network = Network {
        latency_ms: 30,
        kbit_per_s: Some(20_000),
    };
    pub const SLOW_3G: Network = Network {
        latency_ms: 400,
        kbit_per_s: Some(400),
    };
    /// A server on another continent: the latency is what concurrency hides best.
    pub const FAR_SERVER: Network = Network {
        latency_ms: 300,
        kbit_per_s: Some(10_000),
    };

    /// The presets by the names the page and the JS API use.
    pub fn preset(name: &str) -> Option<Network> {
        match name {
            "none" => Some(Self::NONE),
            "home-wifi" => Some(Self::HOME_WIFI),
            "slow-3g" => Some(Self::SLOW_3G),
            "far-server" => Some(Self::FAR_SERVER),
            _ => None,
        }
    }

    /// Custom conditions; `kbit_per_s` of 0 means unlimited.
    pub fn custom(latency_ms: f64, kbit_per_s: f64) -> Result<Network, String> {
        let whole = |x: f64| x.is_finite() && x >= 0.0 && x.fract() == 0.0;
        if !whole(latency_ms) || latency_ms > f64::from(MAX_LATENCY_MS) {
            return Err(format!(
                "latency must be a whole number of milliseconds from 0 to {MAX_LATENCY_MS}"
            ));
        }
        if !whole(kbit_per_s) || (kbit_per_s != 0.0 && kbit_per_s < f64::from(MIN_KBIT_PER_S)) {
            return Err(format!(
                "bandwidth must be 0 (unlimited) or a whole number of kbit/s from {MIN_KBIT_PER_S}"
            ));
        }
        Ok(Network {
            latency_ms: latency_ms as u32,
            kbit_per_s: (kbit_per_s > 0.0).then_some(kbit_per_s.min(f64::from(u32::MAX)) as u32),
        })
    }

    /// Whether anything is simulated at all.
    pub fn is_simulated(&self) -> bool {
        *self != Self::NONE
    }

    /// Milliseconds one file of `bytes` takes on an idle connection: latency plus transfer.
    pub fn file_ms(&self, bytes: u64) -> f64 {
        let transfer = self
            .kbit_per_s
            .map_or(0.0, |kbit| bytes as f64 * 8.0 / f64::from(kbit));
        f64::from(self.latency_ms) + transfer
    }

    /// The query the service worker reads on a sample request. `connections` is the per-host
    /// limit the simulation keeps (6 when the page came over HTTP/1.1, as browsers do there).
    pub fn to_query(&self, connections: u32) -> String {
        format!(
            "latency={}&kbps={}&connections={}",
            self.latency_ms,
            self.kbit_per_s.unwrap_or(0),
            connections
        )
    }
}

impl fmt::Display for Network {
    /// "400 ms latency, 400 kbit/s per connection" — the label the page shows beside a run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.latency_ms, self.kbit_per_s) {
            (0, None) => f.write_str("no simulation (real local speed)"),
            (latency, None) => write!(f, "{latency} ms latency, unlimited bandwidth"),
            (latency, Some(kbit)) if kbit >= 1000 && kbit % 100 == 0 => write!(
                f,
                "{latency} ms latency, {} Mbit/s per connection",
                f64::from(kbit) / 1000.0
            ),
            (latency, Some(kbit)) => {
                write!(f, "{latency} ms latency, {kbit} kbit/s per connection")
            }
        }
    }
}
