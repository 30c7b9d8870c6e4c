//! The downloads demo's pure parts: the URL list, the manifest check, network conditions, modes,
//! failure messages, the timeline model, and the schedules run on a real futures executor.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use playground::exec::io::{run_jobs, Schedule};
use playground::model::downloads::{
    concurrency, connection_waits, format_bytes, is_saved_file_name, max_in_flight,
    parse_max_bytes, saved_file_name, waited_for_connection, Concurrency, FileFailure, FileSpan,
    IoMode, Phase, SavedRecord, SizeLimit, DEFAULT_MAX_BYTES,
};
use playground::model::manifest::{
    parse_hex_digest, to_hex, verify, ManifestEntry, Mismatch, StreamingHash,
};
use playground::model::network::Network;
use playground::model::url_list::{parse_url_list, MAX_URLS};

// ---- the URL list ----

#[test]
fn url_list_keeps_good_lines_with_their_numbers_and_skips_blanks_and_comments() {
    let text = "# my files\nhttps://example.com/a.bin\n\n  samples/file-01.bin  \nhttp://127.0.0.1:9000/x\n//cdn.example.org/y\n";
    let urls = parse_url_list(text, true).expect("all lines are valid");
    let seen: Vec<(usize, &str)> = urls.iter().map(|u| (u.line, u.url.as_str())).collect();
    assert_eq!(
        seen,
        [
            (2, "https://example.com/a.bin"),
            (4, "samples/file-01.bin"),
            (5, "http://127.0.0.1:9000/x"),
            (6, "//cdn.example.org/y"),
        ]
    );
}

#[test]
fn url_list_names_every_bad_line() {
    let text = "ftp://example.com/a\nhttps://exa mple.com/\nhttps:///nohost\nhttp:example.com\nhttps://ok.example/\nhttps://ok.example/\njavascript:alert(1)";
    let errors = parse_url_list(text, false).expect_err("the list has bad lines");
    let by_line: Vec<(usize, String)> = errors.iter().map(|e| (e.line, e.to_string())).collect();
    assert_eq!(by_line.len(), 6, "{by_line:?}");
    assert!(
        by_line[0]
            .1
            .starts_with("line 1: only http:// and https://"),
        "{by_line:?}"
    );
    assert!(by_line[0].1.ends_with("not ftp:"));
    assert!(by_line[1].1.contains("cannot contain spaces"));
    assert!(by_line[2].1.contains("no host name"));
    assert!(by_line[3].1.contains("two slashes"));
    assert_eq!(by_line[4].0, 6);
    assert!(by_line[4].1.contains("repeats line 5"));
    assert!(by_line[5].1.contains("not javascript:"));
}

#[test]
fn url_list_blocks_mixed_content_only_on_https_pages_and_never_for_loopback() {
    let plain = "http://example.com/file";
    let error = parse_url_list(plain, true).expect_err("http from an https page is mixed content");
    assert!(error[0].message.contains("mixed content"));
    assert!(parse_url_list(plain, false).is_ok());
    assert!(parse_url_list("http://localhost:8080/a\nhttp://[::1]/b", true).is_ok());
}

#[test]
fn url_list_has_a_size_limit_that_says_how_many_were_given() {
    let text: String = (0..MAX_URLS + 3)
        .map(|i| format!("https://example.com/{i}\n"))
        .collect();
    let errors = parse_url_list(&text, false).expect_err("too many");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 0);
    assert!(errors[0]
        .to_string()
        .contains(&format!("this list has {}", MAX_URLS + 3)));
    assert!(parse_url_list("", false).unwrap().is_empty());
}

// ---- the manifest ----

/// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[test]
fn streaming_hash_matches_the_published_test_vector_in_any_split() {
    for split in 0..=3 {
        let mut hash = StreamingHash::new();
        hash.update(&b"abc"[..split]);
        hash.update(&b"abc"[split..]);
        let (bytes, digest) = hash.finish();
        assert_eq!((bytes, to_hex(&digest).as_str()), (3, ABC_SHA256));
    }
}

#[test]
fn manifest_entries_are_checked_and_verification_catches_size_and_digest() {
    let entry = ManifestEntry::new("file-01.bin", 3.0, &ABC_SHA256.to_uppercase()).unwrap();
    let mut hash = StreamingHash::new();
    hash.update(b"abc");
    let (bytes, digest) = hash.finish();
    assert_eq!(verify(&entry, bytes, &digest), Ok(()));

    let mut other = digest;
    other[31] ^= 1;
    assert!(matches!(
        verify(&entry, 3, &other),
        Err(Mismatch::Digest { .. })
    ));
    assert_eq!(
        verify(&entry, 4, &digest),
        Err(Mismatch::Size {
            expected: 3,
            actual: 4
        })
    );

    assert!(ManifestEntry::new("../etc/passwd", 3.0, ABC_SHA256).is_err());
    assert!(ManifestEntry::new("a.bin", -1.0, ABC_SHA256).is_err());
    assert!(ManifestEntry::new("a.bin", 1.5, ABC_SHA256).is_err());
    assert!(ManifestEntry::new("a.bin", 3.0, &ABC_SHA256[1..]).is_err());
    assert!(parse_hex_digest(&"g".repeat(64)).is_none());
}

#[test]
fn a_digest_mismatch_message_names_both_digests_and_says_not_saved() {
    let expected = parse_hex_digest(ABC_SHA256).unwrap();
    let actual = [0u8; 32];
    let message = FileFailure::Mismatch(Mismatch::Digest { expected, actual }).to_string();
    assert!(message.contains("ba7816bf8f01"), "{message}");
    assert!(message.contains("000000000000"), "{message}");
    assert!(message.contains("not saved"), "{message}");
}

// ---- network conditions ----

#[test]
fn network_presets_custom_values_and_the_service_worker_query() {
    assert_eq!(Network::preset("none"), Some(Network::NONE));
    assert_eq!(Network::preset("slow-3g").unwrap().latency_ms, 400);
    assert!(Network::preset("5g").is_none());
    assert_eq!(
        Network::preset("far-server").unwrap().to_string(),
        "300 ms latency, 10 Mbit/s per connection"
    );
    assert!(!Network::NONE.is_simulated());

    let custom = Network::custom(300.0, 0.0).unwrap();
    assert_eq!(custom.kbit_per_s, None);
    assert_eq!(custom.to_query(6), "latency=300&kbps=0&connections=6");
    assert_eq!(custom.to_string(), "300 ms latency, unlimited bandwidth");
    assert!(Network::custom(-1.0, 0.0).is_err());
    assert!(Network::custom(20_000.0, 0.0).is_err());
    assert!(Network::custom(10.0, 3.0).is_err());
    assert!(Network::custom(10.0, f64::NAN).is_err());

    // 50,000 bytes at 400 kbit/s = 1 s, after 400 ms of latency.
    assert_eq!(Network::SLOW_3G.file_ms(50_000), 1400.0);
    assert_eq!(
        Network::SLOW_3G.to_string(),
        "400 ms latency, 400 kbit/s per connection"
    );
    assert_eq!(
        Network::HOME_WIFI.to_string(),
        "30 ms latency, 20 Mbit/s per connection"
    );
}

// ---- modes and failures ----

#[test]
fn modes_parse_with_their_limits() {
    assert_eq!(IoMode::parse("sequential", None, 6), Ok(IoMode::Sequential));
    assert_eq!(IoMode::parse("concurrent", None, 6), Ok(IoMode::Concurrent));
    assert_eq!(
        IoMode::parse("bounded", Some(2.0), 6),
        Ok(IoMode::Bounded(2))
    );
    assert_eq!(IoMode::parse("threads", None, 6), Ok(IoMode::Threads(6)));
    assert_eq!(IoMode::parse("threads", None, 40), Ok(IoMode::Threads(12)));
    assert!(IoMode::parse("bounded", None, 6)
        .unwrap_err()
        .contains("needs a limit"));
    assert!(IoMode::parse("bounded", Some(0.0), 6).is_err());
    assert!(IoMode::parse("bounded", Some(2.5), 6).is_err());
    assert!(IoMode::parse("concurrent", Some(2.0), 6).is_err());
    assert!(IoMode::parse("parallel", None, 6)
        .unwrap_err()
        .contains("\"parallel\""));
    assert_eq!(IoMode::Bounded(2).max_in_flight(6), 2);
    assert_eq!(IoMode::Concurrent.max_in_flight(12), 12);
    assert_eq!(IoMode::Threads(8).max_in_flight(3), 3);
}

#[test]
fn every_failure_has_a_plain_message_and_a_stable_kind() {
    let not_found = FileFailure::HttpStatus {
        status: 404,
        status_text: "Not Found".into(),
    };
    assert_eq!(not_found.kind(), "http");
    assert_eq!(
        not_found.to_string(),
        "the server has no file at this address (HTTP 404 Not Found)"
    );
    assert!(!not_found.retryable());
    assert!(FileFailure::CorsRefused.to_string().contains("(CORS)"));
    assert!(FileFailure::CorsRefused.retryable());
    assert!(FileFailure::Unreachable
        .to_string()
        .starts_with("could not reach the server"));
    assert_eq!(
        FileFailure::TimedOut { idle_ms: 15_000 }.to_string(),
        "timed out: nothing arrived for 15 s"
    );
    let server_error = FileFailure::HttpStatus {
        status: 503,
        status_text: String::new(),
    };
    assert_eq!(
        server_error.to_string(),
        "the server failed while answering (HTTP 503)"
    );
}

// ---- big files: the size limit ----

#[test]
fn the_default_limit_is_256_mib_and_max_bytes_must_be_a_whole_positive_number() {
    assert_eq!(DEFAULT_MAX_BYTES, 268_435_456);
    assert_eq!(parse_max_bytes(None), Ok(268_435_456));
    assert_eq!(parse_max_bytes(Some(1.0)), Ok(1));
    assert_eq!(
        parse_max_bytes(Some(9_007_199_254_740_991.0)),
        Ok(9_007_199_254_740_991)
    );
    for bad in [
        0.0,
        -1.0,
        1.5,
        f64::NAN,
        f64::INFINITY,
        -0.0,
        9_007_199_254_740_992.0,
    ] {
        let message = parse_max_bytes(Some(bad)).expect_err("not a byte count");
        assert!(
            message.starts_with("maxBytes must be a whole number of bytes"),
            "{message}"
        );
    }
}

#[test]
fn byte_counts_read_in_binary_units() {
    assert_eq!(format_bytes(268_435_456), "256 MiB");
    assert_eq!(format_bytes(3 * 1024 * 1024), "3 MiB");
    assert_eq!(format_bytes(1536), "1.5 KiB");
    assert_eq!(format_bytes(5 * 1024 * 1024 * 1024 / 2), "2.5 GiB");
    assert_eq!(format_bytes(900), "900 bytes");
    assert_eq!(format_bytes(1), "1 byte");
}

#[test]
fn an_announced_length_past_the_limit_is_refused_up_front_and_exactly_the_limit_is_not() {
    let limit = SizeLimit {
        max_bytes: 1024 * 1024,
    };
    assert_eq!(limit.check_announced(None), Ok(()));
    assert_eq!(limit.check_announced(Some(1024 * 1024)), Ok(()));
    let refused = limit
        .check_announced(Some(3 * 1024 * 1024))
        .expect_err("3 MiB > 1 MiB");
    assert_eq!(refused.kind(), "too-large");
    assert!(
        !refused.retryable(),
        "retrying cannot help; raising maxBytes can"
    );
    assert_eq!(
        refused.to_string(),
        "the server announced 3 MiB: larger than the 1 MiB limit; raise maxBytes to download it"
    );
}

#[test]
fn streamed_bytes_are_counted_so_a_missing_or_lying_length_cannot_pass_the_limit() {
    let limit = SizeLimit { max_bytes: 10 };
    // A body of exactly the limit, in any split, fits.
    assert_eq!(limit.check_next_chunk(0, 10), Ok(()));
    assert_eq!(limit.check_next_chunk(4, 6), Ok(()));
    // One byte more, in whichever chunk it comes, does not.
    let refused = limit.check_next_chunk(10, 1).expect_err("11 bytes > 10");
    assert_eq!(limit.check_next_chunk(4, 7), Err(refused.clone()));
    assert!(limit.check_next_chunk(u64::MAX, 1).is_err(), "no overflow");
    assert_eq!(
        refused.to_string(),
        "more than 10 bytes arrived: larger than the 10 bytes limit; raise maxBytes to download it \
         (the partial file was removed)"
    );
    let default = SizeLimit {
        max_bytes: DEFAULT_MAX_BYTES,
    };
    assert!(default
        .check_next_chunk(DEFAULT_MAX_BYTES, 1)
        .unwrap_err()
        .to_string()
        .contains("larger than the 256 MiB limit; raise maxBytes to download it"));
}

// ---- big files: saved names and recorded hashes ----

#[test]
fn a_saved_name_carries_the_first_12_hex_digits_of_the_urls_sha256() {
    // FIPS 180-2's "abc" vector: SHA-256("abc") begins ba7816bf8f01.
    assert_eq!(saved_file_name("abc"), "abc-ba7816bf8f01");
    // The empty string's SHA-256 begins e3b0c44298fc: no path segment falls back to "download".
    assert_eq!(saved_file_name(""), "download-e3b0c44298fc");
}

#[test]
fn distinct_urls_with_the_same_last_segment_get_distinct_names_and_one_url_always_the_same() {
    let urls = [
        "http://127.0.0.1:8000/ok",
        "http://127.0.0.1:8000/ok?m=1",
        "http://127.0.0.1:8000/other/ok",
        "http://127.0.0.1:9000/ok",
    ];
    let names: Vec<String> = urls.iter().map(|u| saved_file_name(u)).collect();
    for (i, name) in names.iter().enumerate() {
        assert!(name.starts_with("ok-"), "{name}");
        assert_eq!(name.len(), "ok-".len() + 12, "{name}");
        assert!(is_saved_file_name(name), "{name}");
        assert_eq!(
            saved_file_name(urls[i]),
            *name,
            "the same URL, the same name"
        );
        for other in &names[i + 1..] {
            assert_ne!(name, other);
        }
    }
}

#[test]
fn saved_names_keep_the_extension_and_are_always_plain() {
    let name = saved_file_name("https://files.example/dir/report%202026.tar.gz?download=1#top");
    let (stem, extension) = name.rsplit_once('.').unwrap();
    assert_eq!(extension, "gz");
    assert!(stem.starts_with("report_2026.tar-"), "{name}");
    let odd = [
        "https://h.example/",
        "https://h.example/.env",
        "https://h.example/..%2F..%2Fetc%2Fpasswd",
        "https://h.example/%E2%98%83%20snow%zz",
        "https://h.example/a%00b",
        &format!("https://h.example/{}", "x".repeat(300)),
        &format!("https://h.example/{}.bin", "é".repeat(100)),
    ];
    for url in odd {
        let name = saved_file_name(url);
        assert!(is_saved_file_name(&name), "{url} → {name}");
    }
    assert!(saved_file_name("https://h.example/").starts_with("download-"));
    assert!(saved_file_name("https://h.example/.env").starts_with("env-"));
    for bad in ["", ".index", "../x", "a/b", "a b", "x".repeat(101).as_str()] {
        assert!(!is_saved_file_name(bad), "{bad:?}");
    }
}

#[test]
fn a_recorded_hash_counts_only_for_the_file_it_was_recorded_for() {
    let record = SavedRecord {
        bytes: 3.0,
        last_modified: 1_700_000_000_000.0,
        sha256: ABC_SHA256.to_uppercase(),
    };
    assert_eq!(
        record.hash_for(3.0, 1_700_000_000_000.0).as_deref(),
        Some(ABC_SHA256)
    );
    assert_eq!(record.hash_for(4.0, 1_700_000_000_000.0), None, "resized");
    assert_eq!(record.hash_for(3.0, 1_700_000_000_001.0), None, "rewritten");
    let garbled = SavedRecord {
        sha256: "not a digest".into(),
        ..record
    };
    assert_eq!(garbled.hash_for(3.0, 1_700_000_000_000.0), None);
}

// ---- the timeline model ----

fn span(file: u32, start: f64, queued: f64, first: Option<f64>, end: f64, ok: bool) -> FileSpan {
    FileSpan {
        file,
        start_ms: start,
        queued_ms: queued,
        first_byte_ms: first,
        end_ms: end,
        ok,
    }
}

#[test]
fn a_bar_splits_into_queued_waiting_and_transfer() {
    let phases = span(0, 10.0, 90.0, Some(400.0), 700.0, true).phases();
    assert_eq!(
        phases,
        [
            (Phase::Queued, 10.0, 100.0),
            (Phase::Waiting, 100.0, 400.0),
            (Phase::Transfer, 400.0, 700.0)
        ]
    );
    // A failed request that never got headers is waiting, then failed at its end.
    let failed = span(1, 0.0, 0.0, None, 50.0, false).phases();
    assert_eq!(failed, [(Phase::Waiting, 0.0, 50.0)]);
    let broke = span(2, 0.0, 0.0, Some(20.0), 50.0, false).phases();
    assert_eq!(broke[1], (Phase::Failed, 20.0, 50.0));
}

#[test]
fn in_flight_counts_see_overlap_and_the_connection_queue() {
    let sequential = [
        span(0, 0.0, 0.0, Some(300.0), 310.0, true),
        span(1, 310.0, 0.0, Some(610.0), 620.0, true),
    ];
    assert_eq!(max_in_flight(&sequential), 1);
    // Twelve files at once, the last six queued until the first six end.
    let queued: Vec<FileSpan> = (0..12)
        .map(|i| {
            let queue = if i < 6 { 0.0 } else { 310.0 };
            span(i, 0.0, queue, Some(queue + 300.0), queue + 310.0, true)
        })
        .collect();
    assert_eq!(max_in_flight(&queued), 12);
    assert_eq!(waited_for_connection(&queued), 6);
    assert_eq!(waited_for_connection(&sequential), 0);
}

/// Twelve files "all at once" over 6 connections, as hand-made timings: files 0–5 issued at 0–5 ms
/// get a connection at once and end at 310–315 ms; file 6 + j, issued at 6 + j ms, waits until file
/// j ends (310 + j) and ends 310 ms after that.
fn twelve_over_six() -> Vec<FileSpan> {
    (0..12)
        .map(|i| {
            let issued = f64::from(i);
            if i < 6 {
                span(i, issued, 0.0, Some(issued + 300.0), 310.0 + issued, true)
            } else {
                let connected = 310.0 + f64::from(i - 6);
                let queued = connected - issued;
                span(
                    i,
                    issued,
                    queued,
                    Some(connected + 300.0),
                    connected + 310.0,
                    true,
                )
            }
        })
        .collect()
}

#[test]
fn open_requests_and_connection_waits_mean_one_thing_in_every_mode() {
    let six = [6; 12];
    // One after another: one request open at a time. A measured 3 ms between two requests (the
    // browser's hand-over) is no wait for a connection: nothing else of the run held one.
    let sequential = [
        span(0, 0.0, 0.0, Some(300.0), 310.0, true),
        span(1, 310.5, 3.0, Some(613.0), 620.0, true),
    ];
    assert_eq!(
        concurrency(&sequential, &six[..2]),
        Concurrency {
            most_open: 1,
            waited: 0,
            queued_ms: vec![0.0, 0.0],
        }
    );
    assert_eq!(waited_for_connection(&sequential), 0);

    // Twelve at once over six connections: twelve open, six of them queued.
    let twelve = twelve_over_six();
    let figures = concurrency(&twelve, &six);
    assert_eq!((figures.most_open, figures.waited), (12, 6));
    assert_eq!(figures.queued_ms[..6], [0.0; 6]);
    assert_eq!(figures.queued_ms[6..], [304.0; 6]);
    assert_eq!(waited_for_connection(&twelve), 6);

    // Six at once over six connections: no file can wait, whatever gap Resource Timing reported.
    let six_at_once: Vec<FileSpan> = (0..6)
        .map(|i| {
            let gap = if i >= 3 { 3.0 } else { 0.0 };
            span(i, f64::from(i), gap, Some(300.0), 310.0, true)
        })
        .collect();
    let figures = concurrency(&six_at_once, &six[..6]);
    assert_eq!((figures.most_open, figures.waited), (6, 0));

    // At most 2 at once (and 2 threads, each one file at a time): two open, none waiting.
    let bounded: Vec<FileSpan> = (0..4)
        .map(|i| {
            let start = f64::from(i / 2) * 310.0;
            span(i, start, 0.0, Some(start + 300.0), start + 310.0, true)
        })
        .collect();
    assert_eq!(
        concurrency(&bounded, &six[..4]),
        Concurrency {
            most_open: 2,
            waited: 0,
            queued_ms: vec![0.0; 4],
        }
    );

    // No connection limit (HTTP/2, an unlimited simulated network) or waits not measured
    // (download threads on the real network): nothing waits for a connection; all twelve are open.
    let unlimited = concurrency(&twelve, &[0; 12]);
    assert_eq!((unlimited.most_open, unlimited.waited), (12, 0));
}

#[test]
fn a_wait_counts_only_from_a_full_set_of_connections() {
    let twelve = twelve_over_six();
    // With a limit of 7 the files issued while only six others were open could not have waited.
    let waits = connection_waits(&twelve, &[7; 12]);
    // File 6 + j is issued with files 0..6 + j open: 6 + j others, so from file 7 on.
    let expected: Vec<f64> = (0..12).map(|i| if i >= 7 { 304.0 } else { 0.0 }).collect();
    assert_eq!(waits, expected);
    // A wait shorter than the threshold is scheduling noise, not a queue.
    let short = [
        span(0, 0.0, 0.0, Some(10.0), 20.0, true),
        span(1, 1.0, 0.5, Some(11.0), 21.0, true),
    ];
    assert_eq!(connection_waits(&short, &[1, 1]), [0.0, 0.0]);
}

// ---- the schedules, on a real executor, with jobs the test finishes one by one ----

/// Runs `count` jobs under `schedule`; each job waits for the test to finish it. Returns the
/// outputs, the order jobs started in and the most in flight at once.
fn drive(
    count: usize,
    schedule: Schedule,
    finish_order: &[usize],
) -> (Vec<usize>, Vec<usize>, usize) {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let finishers: Rc<RefCell<Vec<Option<oneshot::Sender<()>>>>> =
        Rc::new(RefCell::new((0..count).map(|_| None).collect()));
    let started = Rc::new(RefCell::new(Vec::new()));
    let in_flight = Rc::new(Cell::new(0usize));
    let most = Rc::new(Cell::new(0usize));
    let outputs = Rc::new(RefCell::new(None));

    let job = {
        let (finishers, started, in_flight, most) = (
            finishers.clone(),
            started.clone(),
            in_flight.clone(),
            most.clone(),
        );
        move |index: usize| {
            let (send, receive) = oneshot::channel();
            finishers.borrow_mut()[index] = Some(send);
            started.borrow_mut().push(index);
            in_flight.set(in_flight.get() + 1);
            most.set(most.get().max(in_flight.get()));
            let in_flight = in_flight.clone();
            async move {
                receive.await.expect("the test finishes every job");
                in_flight.set(in_flight.get() - 1);
                index * 10
            }
        }
    };
    let sink = outputs.clone();
    spawner
        .spawn_local(async move {
            *sink.borrow_mut() = Some(run_jobs(count, schedule, job).await);
        })
        .unwrap();

    for &index in finish_order {
        pool.run_until_stalled();
        let sender = finishers.borrow_mut()[index].take().unwrap_or_else(|| {
            panic!("job {index} had not started when the test tried to finish it")
        });
        sender.send(()).unwrap();
    }
    pool.run_until_stalled();
    let outputs = outputs.borrow_mut().take().expect("the run finished");
    let started = started.borrow().clone();
    (outputs, started, most.get())
}

#[test]
fn sequential_runs_one_job_at_a_time_in_order() {
    let (outputs, started, most) = drive(4, Schedule::Sequential, &[0, 1, 2, 3]);
    assert_eq!(outputs, [0, 10, 20, 30]);
    assert_eq!(started, [0, 1, 2, 3]);
    assert_eq!(most, 1);
}

#[test]
fn concurrent_starts_every_job_before_any_ends() {
    let (outputs, started, most) = drive(5, Schedule::Concurrent, &[4, 2, 0, 1, 3]);
    assert_eq!(outputs, [0, 10, 20, 30, 40], "outputs stay in job order");
    assert_eq!(started, [0, 1, 2, 3, 4]);
    assert_eq!(most, 5);
}

#[test]
fn at_most_k_never_exceeds_k_and_refills_a_slot_as_soon_as_one_frees() {
    // Job 1 ends first: job 2 takes its slot while job 0 still runs.
    let (outputs, started, most) = drive(6, Schedule::AtMost(2), &[1, 2, 0, 3, 5, 4]);
    assert_eq!(outputs, [0, 10, 20, 30, 40, 50]);
    assert_eq!(started, [0, 1, 2, 3, 4, 5]);
    assert_eq!(most, 2);
    let (_, _, most) = drive(3, Schedule::AtMost(8), &[0, 1, 2]);
    assert_eq!(most, 3);
}
