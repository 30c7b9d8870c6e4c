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
