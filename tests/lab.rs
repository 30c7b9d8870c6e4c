//! The threads-vs-processes lab's pure parts, natively: the shared counter's four methods, the
//! simulated GIL, a crashing task, the serial phase, Amdahl's law and its fit, the crash report,
//! and the speedup chart.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use common::{pool, MonotonicClock};
use playground::charts::speedup::draw_speedup;
use playground::charts::theme::Theme;
use playground::exec::control::RunControl;
use playground::exec::counter::{count_shared, CounterMethod};
use playground::exec::cpu::{run_cpu_with, Mode, RunOptions, SERIAL_TASK};
use playground::exec::crash::{CrashReport, MESSAGE_BYTES};
use playground::kernels::sum_squares::sum_of_squares_formula;
use playground::model::amdahl::{amdahl_speedup, fit_serial_fraction, serial_items_for};
use playground::model::cpu_params::{parse_lab_params, CpuParams, LabParams};
use playground::model::timeline::max_overlap;
use plotters::prelude::*;

fn params(tasks: u32, n: u64) -> CpuParams {
    CpuParams {
        tasks,
        n,
        threads: 2,
        chunks: 1,
    }
}

#[test]
fn atomic_mutex_and_local_counters_are_exact_and_the_racy_one_never_gains() {
    let threads = 4;
    let increments = 200_000;
    let expected = threads as u64 * increments;
    pool(threads).install(|| {
        for method in [
            CounterMethod::Atomic,
            CounterMethod::Mutex,
            CounterMethod::Local,
        ] {
            assert_eq!(
                count_shared(threads, increments, method),
                expected,
                "{method:?}"
            );
        }
        // Lost updates can only lose: whatever the interleaving, never more than expected.
        assert!(count_shared(threads, increments, CounterMethod::Racy) <= expected);
        // One thread alone cannot race with anybody.
        assert_eq!(count_shared(1, increments, CounterMethod::Racy), increments);
    });
    assert!(CounterMethod::parse("locked")
        .unwrap_err()
        .contains("\"racy\""));
    assert_eq!(CounterMethod::parse("mutex"), Ok(CounterMethod::Mutex));
}

#[test]
fn the_racy_counter_really_loses_updates_when_two_threads_overlap() {
    // Two threads released together, ten million read-then-write increments each: they overlap for
    // most of the run, so increments are lost (a racy counter that never loses would be a lie).
    let increments = 10_000_000;
    let counted = pool(2).install(|| count_shared(2, increments, CounterMethod::Racy));
    assert!(
        counted < 2 * increments,
        "racy counted {counted} of {}",
        2 * increments
    );
}

#[test]
fn with_the_gil_no_two_chunks_run_at_once_and_the_sums_stay_exact() {
    let control = RunControl::new();
    let clock = MonotonicClock(Instant::now());
    let p = CpuParams {
        chunks: 4,
        ..params(4, 2_000_000)
    };
    let options = RunOptions {
        gil: true,
        ..RunOptions::default()
    };
    let run = pool(2)
        .install(|| run_cpu_with(&p, Mode::Threads, &options, &clock, &control))
        .unwrap();
    assert_eq!(run.results, vec![sum_of_squares_formula(2_000_000); 4]);
    assert_eq!(
        run.timeline.max_concurrency(),
        1,
        "{:?}",
        run.timeline.spans
    );
    assert_eq!(
        run.timeline.workers(),
        vec![0, 1],
        "both threads took turns"
    );
}

#[test]
fn a_crashing_task_panics_with_a_message_naming_it() {
    let control = RunControl::new();
    let clock = MonotonicClock(Instant::now());
    let options = RunOptions {
        crash_task: Some(2),
        ..RunOptions::default()
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        pool(2)
            .install(|| run_cpu_with(&params(4, 1000), Mode::Threads, &options, &clock, &control))
    }));
    let payload = outcome.expect_err("task 2 must crash");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.starts_with("task 2 crashed on purpose (crashTask: 2)"),
        "{message}"
    );
}

#[test]
fn a_serial_phase_runs_first_alone_and_leaves_the_results_alone() {
    let control = RunControl::new();
    let clock = MonotonicClock(Instant::now());
    let options = RunOptions {
        serial_items: 3_000_000,
        ..RunOptions::default()
    };
    let run = pool(2)
        .install(|| {
            run_cpu_with(
                &params(2, 1_000_000),
                Mode::Threads,
                &options,
                &clock,
                &control,
            )
        })
        .unwrap();
    assert_eq!(run.results, vec![sum_of_squares_formula(1_000_000); 2]);
    let serial = &run.timeline.spans[0];
    assert_eq!(serial.task, SERIAL_TASK);
    assert_eq!(serial.range, 0..3_000_000);
    assert!(run.timeline.spans[1..]
        .iter()
        .all(|s| s.start_ms >= serial.end_ms));
    assert_eq!(max_overlap([(0.0, 1.0), (1.0, 2.0)]), 1);
}

#[test]
fn amdahl_fit_recovers_a_known_serial_fraction() {
    // The law by hand: f = 0.5 on 2 workers is 1 / (0.5 + 0.25) = 4/3; on 4, 1 / (0.5 + 0.125) = 1.6;
    // f = 0.1 on 4 is 1 / (0.1 + 0.225) = 1 / 0.325.
    assert!((amdahl_speedup(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
    assert!((amdahl_speedup(0.5, 4.0) - 1.6).abs() < 1e-12);
    assert!((amdahl_speedup(0.1, 4.0) - 1.0 / 0.325).abs() < 1e-12);
    assert_eq!(amdahl_speedup(0.0, 3.0), 3.0);
    let by_hand = fit_serial_fraction(&[(2.0, 4.0 / 3.0), (4.0, 1.6)]).unwrap();
    assert!((by_hand - 0.5).abs() < 1e-12, "fitted {by_hand}");
    for f in [0.0, 0.05, 0.2, 0.5] {
        let points: Vec<(f64, f64)> = (1..=8)
            .map(|p| (f64::from(p), amdahl_speedup(f, f64::from(p))))
            .collect();
        let fitted = fit_serial_fraction(&points).unwrap();
        assert!((fitted - f).abs() < 1e-12, "f = {f}, fitted {fitted}");
    }
    // Noisy measurements (±3 %) still land near the truth.
    let noise = [1.02, 0.97, 1.01, 0.99, 1.03, 0.98, 1.0];
    let noisy: Vec<(f64, f64)> = (2..=8)
        .zip(noise)
        .map(|(p, k)| (f64::from(p), amdahl_speedup(0.1, f64::from(p)) * k))
        .collect();
    let fitted = fit_serial_fraction(&noisy).unwrap();
    assert!((fitted - 0.1).abs() < 0.02, "fitted {fitted}");
    // Better than ideal is clamped to no serial part; one worker alone says nothing.
    assert_eq!(fit_serial_fraction(&[(2.0, 2.2)]), Some(0.0));
    assert_eq!(fit_serial_fraction(&[(1.0, 1.0)]), None);
    assert!(
        (amdahl_speedup(0.25, 1e9) - 4.0).abs() < 1e-6,
        "the ceiling is 1/f"
    );
}

#[test]
fn serial_items_make_the_asked_fraction_of_the_work() {
    assert_eq!(serial_items_for(0.0, 1000), Ok(0));
    assert_eq!(serial_items_for(0.5, 1000), Ok(1000));
    assert_eq!(serial_items_for(0.2, 4000), Ok(1000));
    assert!(serial_items_for(0.95, 1000).is_err());
    assert!(serial_items_for(f64::NAN, 1000).is_err());
}

#[test]
fn the_crash_report_keeps_the_first_message_cut_at_a_character() {
    let report = CrashReport::new();
    assert_eq!(report.message(), None);
    let long = "é".repeat(MESSAGE_BYTES);
    report.record(&long);
    let kept = report.message().unwrap();
    assert!(kept.len() <= MESSAGE_BYTES && kept.chars().all(|c| c == 'é'));
    report.record("a later echo");
    assert_eq!(report.message().unwrap(), kept);
}

#[test]
fn the_speedup_chart_draws_measured_ideal_and_fitted_with_a_legend() {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (700, 320)).into_drawing_area();
        let measured = [(1.0, 1.0), (2.0, 1.8), (3.0, 2.4), (4.0, 2.9)];
        let fitted = fit_serial_fraction(&measured);
        draw_speedup(
            &root,
            &measured,
            fitted,
            4,
            "Threads: speedup per worker count",
            &Theme::LIGHT,
        )
        .unwrap();
    }
    assert!(svg.contains("ideal: speedup = workers"));
    assert!(svg.contains("Amdahl, serial fraction"));
    assert!(svg.contains("measured"));
    assert_eq!(
        svg.matches("<circle").count(),
        4 + 1,
        "one dot per point and the legend's"
    );
}

#[test]
fn lab_fields_are_checked_with_their_names() {
    assert_eq!(
        parse_lab_params("4", "", 4),
        Ok(LabParams {
            processes: 4,
            crash_task: None
        })
    );
    assert_eq!(parse_lab_params("2", "3", 4).unwrap().crash_task, Some(3));
    let errors = parse_lab_params("0", "4", 4).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["processes", "crashTask"]);
    assert!(
        errors[1].message.contains("from 0 to 3"),
        "{}",
        errors[1].message
    );
    assert!(parse_lab_params("17", "", 4).is_err());
}
