//! The web server lab's model: parsing, the open-loop schedule, percentiles, the summary and the
//! queueing-theory bounds.

use playground::model::server::{
    open_loop_arrivals, percentile, summarize, throughput_bound, Arrivals, Load, RequestRecord,
    ServerModel, ServerPhase, PRESETS,
};

fn load(arrivals: Arrivals, io_ms: f64, cpu_ms: f64) -> Load {
    Load {
        arrivals,
        requests: 100,
        io_ms,
        cpu_ms,
    }
}

#[test]
fn models_parse_with_their_pool_size() {
    assert_eq!(ServerModel::parse("async", None, 2), Ok(ServerModel::Async));
    assert_eq!(
        ServerModel::parse("thread-pool", Some(8.0), 2),
        Ok(ServerModel::ThreadPool(8))
    );
    // More threads than cores is the lesson: a pool of 16 on 2 cores, up to the fixed cap of 32.
    assert_eq!(
        ServerModel::parse("thread-pool", Some(16.0), 2),
        Ok(ServerModel::ThreadPool(16))
    );
    assert!(ServerModel::parse("thread-pool", Some(33.0), 2)
        .unwrap_err()
        .contains("from 1 to 32"));
    assert!(ServerModel::parse("thread-pool", Some(0.0), 2).is_err());
    assert!(ServerModel::parse("thread-pool", None, 2)
        .unwrap_err()
        .contains("needs a poolSize"));
    assert!(ServerModel::parse("forking", None, 2)
        .unwrap_err()
        .contains("\"forking\""));
    assert_eq!(ServerModel::OneAtATime.slots(), Some(1));
    assert_eq!(ServerModel::AsyncPool.slots(), None);
}

#[test]
fn loads_are_checked() {
    let closed = Load::parse(Some(10.0), None, 200.0, 100.0, 1.0).unwrap();
    assert_eq!(closed.arrivals, Arrivals::Clients(10));
    assert_eq!(
        Load::parse(None, None, 5.0, 0.0, 0.0).unwrap().arrivals,
        Arrivals::Clients(10)
    );
    assert!(Load::parse(Some(1.0), Some(5.0), 5.0, 0.0, 0.0)
        .unwrap_err()
        .contains("not both"));
    assert!(Load::parse(Some(0.0), None, 5.0, 0.0, 0.0).is_err());
    assert!(Load::parse(None, Some(-1.0), 5.0, 0.0, 0.0).is_err());
    assert!(Load::parse(None, None, 0.0, 0.0, 0.0)
        .unwrap_err()
        .contains("requests"));
    assert!(Load::parse(None, None, 5.0, 3000.0, 0.0)
        .unwrap_err()
        .contains("ioMs"));
    assert!(Load::parse(None, None, 5.0, 0.0, f64::NAN)
        .unwrap_err()
        .contains("cpuMs"));
}

#[test]
fn the_open_loop_sends_on_a_fixed_schedule() {
    assert_eq!(open_loop_arrivals(4.0, 4), [0.0, 250.0, 500.0, 750.0]);
}

#[test]
fn percentiles_are_nearest_rank() {
    let values: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&values, 50.0), Some(50.0));
    assert_eq!(percentile(&values, 95.0), Some(95.0));
    assert_eq!(percentile(&values, 99.0), Some(99.0));
    assert_eq!(percentile(&[7.0, 1.0, 3.0], 50.0), Some(3.0));
    assert_eq!(percentile(&[], 50.0), None);
}

#[test]
fn the_summary_counts_from_the_first_arrival_to_the_last_answer() {
    let record = |id: u32, arrive: f64, end: f64| RequestRecord {
        id,
        arrive_ms: arrive,
        start_ms: arrive,
        io_end_ms: arrive,
        cpu_start_ms: arrive,
        end_ms: end,
        worker: 0,
        db_end_ms: arrive,
        core_wait_ms: 0.0,
    };
    let records = [
        record(0, 0.0, 100.0),
        record(1, 0.0, 200.0),
        record(2, 100.0, 500.0),
        record(3, 200.0, 400.0),
    ];
    let summary = summarize(&records).unwrap();
    assert_eq!(summary.throughput, 8.0, "4 answers in 500 ms");
    assert_eq!(summary.p50, 200.0);
    assert_eq!(summary.p99, 400.0);
    assert!(summarize(&[]).is_none());
}

#[test]
fn bounds_follow_queueing_theory() {
    let io_heavy = load(Arrivals::Clients(10), 100.0, 1.0);
    // One at a time: one request per (io + cpu).
    assert!(
        (throughput_bound(ServerModel::OneAtATime, &io_heavy, 2) - 1000.0 / 101.0).abs() < 1e-9
    );
    // Async: the CPU is the only serial part, but 10 clients can only have 10 requests in flight.
    assert!(
        (throughput_bound(ServerModel::Async, &io_heavy, 2) - 10.0 * 1000.0 / 101.0).abs() < 1e-9
    );
    // A pool of 4 threads: four at a time.
    assert!(
        (throughput_bound(ServerModel::ThreadPool(4), &io_heavy, 2) - 4000.0 / 101.0).abs() < 1e-9
    );
    let cpu_heavy = load(Arrivals::Clients(100), 5.0, 20.0);
    assert_eq!(
        throughput_bound(ServerModel::Async, &cpu_heavy, 2),
        50.0,
        "1 / cpu"
    );
    assert_eq!(
        throughput_bound(ServerModel::AsyncPool, &cpu_heavy, 2),
        100.0,
        "cores / cpu"
    );
    assert_eq!(
        throughput_bound(ServerModel::ThreadPool(8), &cpu_heavy, 2),
        100.0,
        "capped by the cores"
    );
    let open = load(Arrivals::Rate(30.0), 5.0, 20.0);
    assert_eq!(
        throughput_bound(ServerModel::AsyncPool, &open, 2),
        30.0,
        "never above the arrival rate"
    );
    assert_eq!(PRESETS.map(|p| p.name), ["io-heavy", "cpu-heavy", "mixed"]);
}

#[test]
fn the_sweep_chart_draws_one_line_per_model_with_a_legend() {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (700, 320)).into_drawing_area();
        let clients = [1.0, 2.0, 5.0];
        let series = [
            ("one-at-a-time", vec![9.9, 9.9, 9.9]),
            ("async", vec![9.9, 19.8, 49.5]),
        ];
        playground::charts::saturation::draw_saturation(
            &root,
            &clients,
            &series,
            "I/O-heavy",
            &playground::charts::theme::Theme::LIGHT,
        )
        .unwrap();
    }
    assert!(svg.contains("one-at-a-time") && svg.contains("async"));
    assert!(svg.contains("concurrent clients"));
    assert_eq!(
        svg.matches("<circle").count(),
        6,
        "a dot per point (the legend draws lines)"
    );
}

#[test]
fn a_request_splits_into_queued_database_core_wait_and_computing() {
    // Sent at 10, a thread took it at 30, the database's 100 ms were up at 130, the thread resumed at
    // 133 (3 ms without a core), then 20 ms of calibrated work took 26 ms (6 more without a core).
    let record = RequestRecord {
        id: 0,
        arrive_ms: 10.0,
        start_ms: 30.0,
        db_end_ms: 130.0,
        io_end_ms: 133.0,
        cpu_start_ms: 133.0,
        end_ms: 159.0,
        worker: 3,
        core_wait_ms: 9.0,
    };
    assert_eq!(
        record.phases(),
        [
            (ServerPhase::Queued, 10.0, 30.0),
            (ServerPhase::Database, 30.0, 130.0),
            (ServerPhase::CoreWait, 130.0, 139.0),
            (ServerPhase::Computing, 139.0, 159.0),
        ]
    );
    // A phase that did not happen is absent: no queue, no database call, no wait for a core.
    let computing_only = RequestRecord {
        arrive_ms: 0.0,
        start_ms: 0.0,
        db_end_ms: 0.0,
        io_end_ms: 0.0,
        cpu_start_ms: 0.0,
        end_ms: 5.0,
        core_wait_ms: 0.0,
        ..record
    };
    assert_eq!(
        computing_only.phases(),
        [(ServerPhase::Computing, 0.0, 5.0)]
    );
}

#[test]
fn the_server_timeline_draws_each_phase_in_its_colour_and_a_row_per_request() {
    use playground::charts::server::{draw_server_timeline, phase_color};
    use playground::charts::theme::Theme;
    use plotters::prelude::*;

    let waited = RequestRecord {
        id: 0,
        arrive_ms: 0.0,
        start_ms: 10.0,
        db_end_ms: 110.0,
        io_end_ms: 112.0,
        cpu_start_ms: 112.0,
        end_ms: 130.0,
        worker: 1,
        core_wait_ms: 6.0,
    };
    // Served at once, no database call, a free core: only computing.
    let computed = RequestRecord {
        id: 1,
        arrive_ms: 5.0,
        start_ms: 5.0,
        db_end_ms: 5.0,
        io_end_ms: 5.0,
        cpu_start_ms: 5.0,
        end_ms: 25.0,
        worker: 0,
        core_wait_ms: 0.0,
    };
    let fill = |phase: ServerPhase| {
        let RGBColor(r, g, b) = phase_color(phase);
        format!("fill=\"#{r:02X}{g:02X}{b:02X}\"")
    };
    let render = |requests: &[RequestRecord]| {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (800, 200)).into_drawing_area();
            let names: Vec<String> = requests
                .iter()
                .map(|r| format!("request {} (thread{})", r.id, r.worker))
                .collect();
            draw_server_timeline(&root, requests, &names, "a pool", &Theme::LIGHT).unwrap();
        }
        svg
    };
    let both = render(&[waited, computed.clone()]);
    for phase in [
        ServerPhase::Queued,
        ServerPhase::Database,
        ServerPhase::CoreWait,
        ServerPhase::Computing,
    ] {
        assert_eq!(
            both.matches(&fill(phase)).count(),
            if phase == ServerPhase::Computing {
                2
            } else {
                1
            },
            "{phase:?}"
        );
    }
    assert!(both.contains("request 0 (thread1)") && both.contains("request 1 (thread0)"));
    let alone = render(&[computed]);
    assert_eq!(alone.matches(&fill(ServerPhase::Computing)).count(), 1);
    assert_eq!(alone.matches(&fill(ServerPhase::CoreWait)).count(), 0);
}
