//! The Amdahl sweep's fit: how sure it is, and what the page may conclude from it.

use playground::model::amdahl::{
    amdahl_speedup, amdahl_summary, amdahl_words, fit_amdahl, POINTS_FOR_A_CEILING,
};

fn law(fraction: f64, workers: std::ops::RangeInclusive<u32>) -> Vec<(f64, f64)> {
    workers
        .map(|p| (f64::from(p), amdahl_speedup(fraction, f64::from(p))))
        .collect()
}

#[test]
fn points_on_the_law_give_its_fraction_with_no_scatter_and_a_ceiling() {
    let fit = fit_amdahl(&law(0.1, 1..=8), 8.0).unwrap();
    assert!((fit.serial_fraction - 0.1).abs() < 1e-12);
    assert!(fit.standard_error.unwrap() < 1e-12);
    assert_eq!((fit.points, fit.beyond_cores, fit.rough()), (8, 0, false));
    let words = amdahl_words(&fit, 8);
    assert!(words.starts_with("Fitted serial fraction 10.0 % ± 0.0 % from 8 points, so no worker count can beat about 10.0×"), "{words}");
}

#[test]
fn two_points_on_a_two_core_device_are_a_rough_fit_without_a_ceiling() {
    assert_eq!(POINTS_FOR_A_CEILING, 4);
    // The case: 1 and 2 workers, 2 workers 1.9× faster.
    let fit = fit_amdahl(&[(1.0, 1.0), (2.0, 1.9)], 2.0).unwrap();
    // 1/S − 1/p = f(1 − 1/p) with one point: f = (1/1.9 − 1/2) / (1/2).
    assert!((fit.serial_fraction - (1.0 / 1.9 - 0.5) / 0.5).abs() < 1e-12);
    assert_eq!(fit.standard_error, None, "one ratio measures no scatter");
    assert!(fit.rough());
    let words = amdahl_words(&fit, 2);
    assert!(
        words.contains("rough fit") && words.contains("gives no ceiling"),
        "{words}"
    );
    assert!(!words.contains("can beat"), "{words}");
}

#[test]
fn points_above_the_cores_are_left_out_and_said_to_be() {
    // On 2 cores, 3 and 4 workers share the cores: 1.9× at most, which the law would read as serial work.
    let points = [(1.0, 1.0), (2.0, 1.9), (3.0, 1.9), (4.0, 1.9)];
    let fit = fit_amdahl(&points, 2.0).unwrap();
    assert_eq!((fit.points, fit.beyond_cores), (2, 2));
    let all = fit_amdahl(&points, 4.0).unwrap();
    assert!(
        all.serial_fraction > fit.serial_fraction * 2.0,
        "shared cores look like serial work"
    );
    let words = amdahl_words(&fit, 2);
    assert!(
        words.contains("2 points above this device's 2 cores are left out"),
        "{words}"
    );
}

#[test]
fn the_standard_error_comes_from_the_scatter_around_the_fit() {
    // By hand, in the linear form x = 1 − 1/p, y = 1/S − 1/p: p = 2, 4 → x = 0.5, 0.75, and both y = 0.1.
    let points = [(2.0, 1.0 / 0.6), (4.0, 1.0 / 0.35), (1.0, 1.0), (4.5, 2.0)];
    let fit = fit_amdahl(&points, 4.0).unwrap();
    let f = (0.5 * 0.1 + 0.75 * 0.1) / (0.25 + 0.5625);
    let residuals: f64 = (0.1 - f * 0.5_f64).powi(2) + (0.1 - f * 0.75_f64).powi(2);
    let error = (residuals / 1.0 / 0.8125).sqrt();
    assert!((fit.serial_fraction - f).abs() < 1e-12);
    assert!((fit.standard_error.unwrap() - error).abs() < 1e-12);
    assert_eq!((fit.points, fit.beyond_cores), (3, 1));
    // Three points: still rough, however small the error.
    assert!(amdahl_words(&fit, 4).contains("rough fit"));
    // With a fourth point on the fitted law, the ceiling is given with its range from f ± error.
    let fourth = (3.0, amdahl_speedup(f, 3.0));
    let fit = fit_amdahl(&[points[0], points[1], points[2], fourth], 4.0).unwrap();
    let words = amdahl_words(&fit, 4);
    let e = fit.standard_error.unwrap();
    let expected = format!(
        "so no worker count can beat about {:.1}× (between {:.1}× and {:.1}×)",
        1.0 / fit.serial_fraction,
        1.0 / (fit.serial_fraction + e),
        1.0 / (fit.serial_fraction - e)
    );
    assert!(words.contains(&expected), "{words}");
}

#[test]
fn with_one_core_at_full_speed_nothing_is_fitted_and_the_page_says_why() {
    let (fit, words) = amdahl_summary(&[(1.0, 1.0), (2.0, 1.1)], 1);
    assert_eq!(fit, None);
    assert!(
        words.starts_with("No fit:") && words.contains("the 1 core this device"),
        "{words}"
    );
    let (fit, words) = amdahl_summary(&law(0.2, 1..=4), 4);
    assert_eq!(words, amdahl_words(&fit.unwrap(), 4));
}
