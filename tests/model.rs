//! Input checking, work plans, timelines and statistics.

use playground::model::cpu_params::{
    group_digits, parse_cpu_params, plan_chunks, CpuForm, CpuParams, MAX_CHUNKS,
};
use playground::model::stats::{efficiency, median, speedup};
use playground::model::timeline::{Span, Timeline};

fn form<'a>(tasks: &'a str, n: &'a str, threads: &'a str, chunks: &'a str) -> CpuForm<'a> {
    CpuForm {
        tasks,
        n,
        threads,
        chunks,
    }
}

fn errors_for(f: CpuForm<'_>) -> Vec<(&'static str, String)> {
    parse_cpu_params(f, 2)
        .expect_err("input should be refused")
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

#[test]
fn the_seeds_defaults_are_accepted() {
    let params = parse_cpu_params(form("4", "10000000", "2", "1"), 2).unwrap();
    assert_eq!(
        params,
        CpuParams {
            tasks: 4,
            n: 10_000_000,
            threads: 2,
            chunks: 1
        }
    );
}

#[test]
fn digit_separators_and_spaces_are_accepted() {
    for n in ["10_000_000", "10,000,000", " 10 000 000 ", "+10000000"] {
        let params = parse_cpu_params(form("4", n, "1", "1"), 2).unwrap();
        assert_eq!(params.n, 10_000_000, "{n:?}");
    }
}

#[test]
fn each_bad_field_gets_its_own_clear_message() {
    let cases: [(CpuForm, &str, &str); 9] = [
        (form("4", "0", "1", "1"), "n", "at least 1"),
        (form("4", "-5", "1", "1"), "n", "cannot be negative"),
        (form("4", "ten", "1", "1"), "n", "\"ten\" is not"),
        (form("4", "", "1", "1"), "n", "is empty"),
        (
            form("4", "1000000001", "1", "1"),
            "n",
            "above the limit of 1,000,000,000",
        ),
        (
            form("4", "99999999999999999999999", "1", "1"),
            "n",
            "above the limit",
        ),
        (form("0", "10", "1", "1"), "tasks", "at least 1"),
        (form("4", "10", "3", "1"), "threads", "from 1 to 2"),
        (
            form("4", "10", "1", "65"),
            "chunks",
            "above the limit of 64",
        ),
    ];
    for (input, field, fragment) in cases {
        let errors = errors_for(input);
        assert_eq!(errors.len(), 1, "{input:?} → {errors:?}");
        assert_eq!(errors[0].0, field, "{input:?}");
        assert!(
            errors[0].1.contains(fragment),
            "{input:?} → {:?}",
            errors[0].1
        );
    }
}

#[test]
fn fractions_are_refused() {
    let errors = errors_for(form("2.5", "10", "1", "1"));
    assert_eq!(errors[0].0, "tasks");
    assert!(errors[0].1.contains("whole number"));
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let fields: Vec<_> = errors_for(form("x", "", "0", "-1"))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(fields, ["tasks", "n", "threads", "chunks"]);
}

#[test]
fn more_chunks_than_numbers_is_refused() {
    let errors = errors_for(form("1", "3", "1", "4"));
    assert_eq!(errors[0].0, "chunks");
    assert!(errors[0].1.contains("cannot be more than n"));
}

#[test]
fn chunks_cover_every_number_exactly_once() {
    for (tasks, n, chunks) in [
        (4, 10, 3),
        (1, 1, 1),
        (3, 1_000_003, 7),
        (2, 64, MAX_CHUNKS),
        (5, 12_345, 1),
    ] {
        let params = CpuParams {
            tasks,
            n,
            threads: 1,
            chunks,
        };
        let plan = plan_chunks(&params);
        assert_eq!(plan.len(), (tasks * chunks) as usize);
        for task in 0..tasks {
            let mut pieces: Vec<_> = plan.iter().filter(|c| c.task == task).collect();
            pieces.sort_by_key(|c| c.chunk);
            assert_eq!(pieces.first().unwrap().range.start, 0);
            assert_eq!(pieces.last().unwrap().range.end, n);
            for pair in pieces.windows(2) {
                assert_eq!(pair[0].range.end, pair[1].range.start, "gap or overlap");
            }
            let lengths: Vec<u64> = pieces.iter().map(|c| c.range.end - c.range.start).collect();
            let (min, max) = (lengths.iter().min().unwrap(), lengths.iter().max().unwrap());
            assert!(max - min <= 1, "chunks should be near-equal: {lengths:?}");
            assert!(*min >= 1, "no empty chunk when chunks ≤ n");
        }
    }
}

#[test]
fn digits_are_grouped_for_reading() {
    assert_eq!(group_digits(0), "0");
    assert_eq!(group_digits(999), "999");
    assert_eq!(group_digits(1000), "1,000");
    assert_eq!(group_digits(10_000_000), "10,000,000");
}

fn span(worker: u32, start_ms: f64, end_ms: f64) -> Span {
    Span {
        worker,
        task: 0,
        chunk: 0,
        range: 0..1,
        start_ms,
        end_ms,
    }
}

#[test]
fn timeline_rows_concurrency_and_busy_time() {
    let sequential = Timeline::new(vec![span(0, 0.0, 10.0), span(0, 10.0, 20.0)]);
    assert_eq!(
        sequential.max_concurrency(),
        1,
        "touching spans do not overlap"
    );
    assert_eq!(sequential.workers(), [0]);
    assert_eq!(sequential.end_ms(), 20.0);

    let parallel = Timeline::new(vec![
        span(1, 0.0, 10.0),
        span(0, 1.0, 9.0),
        span(1, 10.0, 12.0),
    ]);
    assert_eq!(parallel.max_concurrency(), 2);
    assert_eq!(parallel.workers(), [0, 1]);
    assert_eq!(parallel.busy_ms(1), 12.0);
    assert_eq!(parallel.busy_ms(0), 8.0);
    assert_eq!(Timeline::default().max_concurrency(), 0);
}

#[test]
fn speedup_efficiency_and_median() {
    assert_eq!(speedup(400.0, 200.0), Some(2.0));
    assert_eq!(speedup(400.0, 0.0), None);
    assert_eq!(speedup(f64::NAN, 1.0), None);
    assert_eq!(efficiency(1.8, 2), Some(0.9));
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(median(&[]), None);
}
