//! Amdahl's law: with a serial fraction `f` of the work, `p` workers give a speedup of
//! `1 / (f + (1 - f) / p)`, never more than `1 / f` however many workers there are.

/// The speedup Amdahl's law predicts for serial fraction `f` on `workers` workers.
pub fn amdahl_speedup(serial_fraction: f64, workers: f64) -> f64 {
    1.0 / (serial_fraction + (1.0 - serial_fraction) / workers)
}

/// The serial fraction that best explains measured `(workers, speedup)` points, by least squares on
/// the linear form of the law: `1/S − 1/p = f · (1 − 1/p)`. Points with one worker carry no
/// information about `f` and are skipped. `None` without a usable multi-worker point. The fit is
/// clamped to `0..=1`: measured noise can make a run look a little better than perfect.
pub fn fit_serial_fraction(points: &[(f64, f64)]) -> Option<f64> {
    let (mut xy, mut xx) = (0.0, 0.0);
    for &(workers, speedup) in points {
        if !(workers > 1.0 && speedup.is_finite() && speedup > 0.0) {
            continue;
        }
        let x = 1.0 - 1.0 / workers;
        let y = 1.0 / speedup - 1.0 / workers;
        xy += x * y;
        xx += x * x;
    }
    (xx > 0.0).then(|| (xy / xx).clamp(0.0, 1.0))
}

/// The largest serial part a run may add, in percent (at 90 %, no worker count beats 1.1×).
pub const MAX_SERIAL_PERCENT: u32 = 90;
/// The same as the fraction the JS API's `serialFraction` takes.
pub const MAX_SERIAL_FRACTION: f64 = MAX_SERIAL_PERCENT as f64 / 100.0;

/// Numbers to sum serially before a run of `parallel_items` so the serial part is `fraction` of all
/// the work: `s / (s + parallel) = fraction`.
pub fn serial_items_for(fraction: f64, parallel_items: u64) -> Result<u64, String> {
    if !(fraction.is_finite() && (0.0..=MAX_SERIAL_FRACTION).contains(&fraction)) {
        return Err(format!(
            "serialFraction must be a number from 0 to {MAX_SERIAL_FRACTION}, not {fraction}"
        ));
    }
    Ok((parallel_items as f64 * fraction / (1.0 - fraction)).round() as u64)
}

/// Fewer measured points than this (the one-worker point included) give a fit the page calls rough
/// and draws no ceiling from: on 2 cores a sweep has two points, and one ratio cannot tell a serial
/// part from the machine's own overhead (a busy moment, a thread that woke late).
pub const POINTS_FOR_A_CEILING: usize = 4;

/// A sweep's fit, with how much the points say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdahlFit {
    pub serial_fraction: f64,
    /// The fit's standard error, from how far the points lie from the fitted law (`None` with a
    /// single multi-worker point, where nothing measures the scatter).
    pub standard_error: Option<f64>,
    /// The points the fit stands on (the one-worker point included).
    pub points: usize,
    /// Points left out because they asked for more workers than the device has cores: there the
    /// workers share cores, which the law would read as serial work.
    pub beyond_cores: usize,
}

impl AmdahlFit {
    /// Whether the points are too few for a ceiling.
    pub fn rough(&self) -> bool {
        self.points < POINTS_FOR_A_CEILING
    }
}

/// Fits the serial fraction to the points with at most `cores` workers (see [`fit_serial_fraction`])
/// and estimates its standard error from the residuals of the linear form.
pub fn fit_amdahl(points: &[(f64, f64)], cores: f64) -> Option<AmdahlFit> {
    let usable: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(workers, speedup)| workers <= cores && speedup.is_finite() && speedup > 0.0)
        .collect();
    let serial_fraction = fit_serial_fraction(&usable)?;
    let linear: Vec<(f64, f64)> = usable
        .iter()
        .filter(|&&(workers, _)| workers > 1.0)
        .map(|&(workers, speedup)| (1.0 - 1.0 / workers, 1.0 / speedup - 1.0 / workers))
        .collect();
    let standard_error = (linear.len() >= 2).then(|| {
        let xx: f64 = linear.iter().map(|(x, _)| x * x).sum();
        let squares: f64 = linear
            .iter()
            .map(|(x, y)| (y - serial_fraction * x).powi(2))
            .sum();
        (squares / (linear.len() - 1) as f64 / xx).sqrt()
    });
    Some(AmdahlFit {
        serial_fraction,
        standard_error,
        points: usable.len(),
        beyond_cores: points.len() - usable.len(),
    })
}

/// What the page says about a fit: the fraction, and a ceiling only when the points can carry one.
pub fn amdahl_words(fit: &AmdahlFit, cores: u32) -> String {
    let percent = |f: f64| format!("{:.1} %", f * 100.0);
    let left_out = match fit.beyond_cores {
        0 => String::new(),
        n => format!(
            " {n} point{} above this device's {cores} cores {} left out: there the workers share cores, which the law would read as serial work.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        ),
    };
    if fit.rough() {
        return format!(
            "Fitted serial fraction about {}, but from {} points only: a rough fit, too few points to tell a serial part from this machine's overheads, so it gives no ceiling. A device with {} or more cores measures enough points.{left_out}",
            percent(fit.serial_fraction),
            fit.points,
            POINTS_FOR_A_CEILING,
        );
    }
    let error = fit.standard_error.unwrap_or(0.0);
    let ceiling = if fit.serial_fraction - error <= 0.0 {
        "the points allow no serial part at all, so they set no ceiling".to_string()
    } else {
        format!(
            "so no worker count can beat about {:.1}× (between {:.1}× and {:.1}×)",
            1.0 / fit.serial_fraction.max(1e-9),
            1.0 / (fit.serial_fraction + error),
            1.0 / (fit.serial_fraction - error)
        )
    };
    format!(
        "Fitted serial fraction {} ± {} from {} points, {ceiling}.{left_out}",
        percent(fit.serial_fraction),
        percent(error),
        fit.points
    )
}

/// The fit of a sweep's points on a device with `cores` cores, and the page's words for it (also when
/// no point above one worker fits on the cores, so nothing can be fitted).
pub fn amdahl_summary(points: &[(f64, f64)], cores: u32) -> (Option<AmdahlFit>, String) {
    match fit_amdahl(points, f64::from(cores)) {
        Some(fit) => {
            let words = amdahl_words(&fit, cores);
            (Some(fit), words)
        }
        None => (
            None,
            format!(
                "No fit: every point above one worker asked for more workers than the {cores} core{} this device ran at full speed, so those workers shared cores.",
                if cores == 1 { "" } else { "s" }
            ),
        ),
    }
}
