//! The form schema against the parsers that really check each field: what the page shows as a
//! field's default and range must be exactly what Rust accepts. Expected values come from the
//! schema; verdicts from the real parsers, so a limit changed in one place and not the other fails.
//! And the shared-memory layouts the page reads by name, against the structs' own behaviour.

use std::ptr;

use playground::exec::control::RunControl;
use playground::exec::counter::{parse_counter_threads, parse_increments};
use playground::exec::crash::{CrashReport, MESSAGE_BYTES};
use playground::exec::gallery::parse_gallery_options;
use playground::model::amdahl::serial_items_for;
use playground::model::cpu_params::{parse_cpu_params, parse_lab_params, CpuForm};
use playground::model::downloads::IoMode;
use playground::model::network::Network;
use playground::model::schema::{Field, Kind, Max, DEMOS};
use playground::model::server::{Load, ServerModel, PRESETS};

/// A device with this many logical cores, and a CPU run of this many tasks, for the fields whose
/// limit depends on them.
const CORES: u32 = 6;
const TASKS: u32 = 4;

/// Hands `value` (None: the field left empty) to the parser that checks `field` in the real code
/// path, the other inputs valid. Ok, or the parser's message.
fn check(field: &Field, value: Option<f64>) -> Result<(), String> {
    let text = value.map_or(String::new(), |v| format!("{v}"));
    let cpu = |tasks: &str, n: &str, threads: &str, chunks: &str| {
        parse_cpu_params(
            CpuForm {
                tasks,
                n,
                threads,
                chunks,
            },
            CORES,
        )
        .map(|_| ())
        .map_err(|errors| {
            let mine: Vec<_> = errors.iter().filter(|e| e.field == field.name).collect();
            assert!(
                !mine.is_empty(),
                "{}: errors name other fields: {errors:?}",
                field.id
            );
            mine.iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let lab = |processes: &str, crash: &str| {
        parse_lab_params(processes, crash, TASKS)
            .map(|_| ())
            .map_err(|errors| errors[0].message.clone())
    };
    let load = |clients, rate, requests, io, cpu| {
        Load::parse(clients, rate, requests, io, cpu).map(|_| ())
    };
    match field.id {
        "cpu-tasks" => cpu(&text, "1000", "1", "1"),
        "cpu-n" => cpu("1", &text, "1", "1"),
        "cpu-threads" => cpu("1", "1000", &text, "1"),
        "cpu-chunks" => cpu("1", "1000", "1", &text),
        "cpu-processes" => lab(&text, ""),
        "cpu-crash" => lab("1", &text),
        "dl-latency" => Network::custom(value.unwrap_or(f64::NAN), 0.0).map(|_| ()),
        "dl-kbps" => Network::custom(0.0, value.unwrap_or(f64::NAN)).map(|_| ()),
        "dl-limit" => IoMode::parse("bounded", value, 6).map(|_| ()),
        "dl-threads" => IoMode::parse("threads", value, 6).map(|_| ()),
        // The lab's worker counts go through checkLabInput, as www/lab.js calls it.
        "lab-workers" | "lab-sweep-max" => lab(&text, ""),
        "lab-counter-threads" => {
            parse_counter_threads(value.unwrap_or(f64::NAN), CORES).map(|_| ())
        }
        "lab-counter-increments" => parse_increments(value.unwrap_or(f64::NAN)).map(|_| ()),
        // The slider is in percent; the sweep takes the fraction.
        "lab-sweep-serial" => serial_items_for(value.unwrap_or(f64::NAN) / 100.0, 1000).map(|_| ()),
        "server-io" => load(None, None, 10.0, value.unwrap_or(f64::NAN), 1.0),
        "server-cpu" => load(None, None, 10.0, 1.0, value.unwrap_or(f64::NAN)),
        "server-clients" => load(value, None, 10.0, 1.0, 1.0),
        "server-rate" => load(None, value, 10.0, 1.0, 1.0),
        "server-requests" => load(None, None, value.unwrap_or(f64::NAN), 1.0, 1.0),
        "server-pool" => ServerModel::parse("thread-pool", value, CORES).map(|_| ()),
        "gallery-threads" => parse_gallery_options(
            "mandelbrot",
            "static",
            value.unwrap_or(f64::NAN),
            None,
            None,
        )
        .map(|_| ()),
        "gallery-pieces" => {
            parse_gallery_options("primes", "dynamic", 2.0, value, None).map(|_| ())
        }
        // The least size any work takes is the sums' (n = 1); Mandelbrot and primes start higher.
        "gallery-size" => parse_gallery_options("squares", "static", 2.0, None, value).map(|_| ()),
        other => panic!(
            "{other} is a numeric field with no parser in this test: add the parser that checks it"
        ),
    }
}

fn numeric(field: &Field) -> bool {
    matches!(field.kind, Kind::Whole | Kind::Decimal | Kind::Slider)
}

fn every_field() -> impl Iterator<Item = &'static Field> {
    DEMOS.iter().flat_map(|(_, fields)| fields.iter())
}

#[test]
fn every_numeric_default_min_and_max_is_accepted_and_one_beyond_is_refused_with_a_message() {
    let mut checked = 0;
    for field in every_field().filter(|f| numeric(f)) {
        if let Some(default) = field.default {
            let value = (!default.is_empty()).then(|| {
                default
                    .replace(',', "")
                    .parse::<f64>()
                    .expect("a numeric default")
            });
            assert_eq!(
                check(field, value),
                Ok(()),
                "{}: the default {default:?} is refused",
                field.id
            );
        }
        if let Some(min) = field.min {
            assert_eq!(
                check(field, Some(min)),
                Ok(()),
                "{}: its min {min} is refused",
                field.id
            );
            let below = check(field, Some(min - 1.0));
            assert!(
                below.as_ref().is_err_and(|m| !m.is_empty()),
                "{}: min - 1 = {} is accepted: {below:?}",
                field.id,
                min - 1.0
            );
        }
        if let Some(max) = field.max.on(CORES, TASKS) {
            assert_eq!(
                check(field, Some(max)),
                Ok(()),
                "{}: its max {max} is refused",
                field.id
            );
            let above = check(field, Some(max + 1.0));
            assert!(
                above.as_ref().is_err_and(|m| !m.is_empty()),
                "{}: max + 1 = {} is accepted: {above:?}",
                field.id,
                max + 1.0
            );
        }
        checked += 1;
    }
    assert_eq!(checked, every_field().filter(|f| numeric(f)).count());
    assert!(checked >= 20, "only {checked} numeric fields");
}

#[test]
fn choices_are_the_names_the_parsers_know() {
    for field in every_field().filter(|f| f.kind == Kind::Choice) {
        assert!(
            field.choices.iter().any(|c| Some(c.value) == field.default),
            "{}: the default is not a choice",
            field.id
        );
        for choice in field.choices.iter().filter(|c| c.value != "custom") {
            let known = match field.id {
                "dl-network" => Network::preset(choice.value).is_some(),
                "server-preset" => PRESETS.iter().any(|p| p.name == choice.value),
                "dl-source" => choice.value == "urls" || choice.value.parse::<u32>().is_ok(),
                "lab-sweep-mode" => ["threads", "processes"].contains(&choice.value),
                "gallery-kernel" => {
                    parse_gallery_options(choice.value, "static", 1.0, None, None).is_ok()
                }
                other => panic!("{other}: a choice field with no parser in this test"),
            };
            assert!(
                known,
                "{}: {:?} is not a name its parser knows",
                field.id, choice.value
            );
        }
    }
}

#[test]
fn ids_and_url_keys_are_unique_and_hints_spell_out_the_range() {
    let mut ids: Vec<_> = every_field().map(|f| f.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        every_field().count(),
        "an element id is used twice"
    );
    for (demo, fields) in DEMOS {
        let mut keys: Vec<_> = fields.iter().map(|f| f.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), fields.len(), "{demo}: a URL key is used twice");
    }
    assert_eq!(
        playground::model::schema::CPU_PROCESSES.hint_text(),
        "like <code>Pool(4)</code>: own memory each (1 to 16)"
    );
    assert_eq!(
        playground::model::schema::CPU_N.hint_text(),
        "each task sums i² for i in 0..n (1 to 1,000,000,000)"
    );
    assert_eq!(
        playground::model::schema::CPU_THREADS.hint_text(),
        "1 to your logical cores"
    );
    assert!(every_field().all(|f| !f.hint_text().contains("{range}")));
    assert_eq!(Max::PerCore(4).on(3, 0), Some(12.0));
}

/// A link leaves out a per-device field at its default and reads `all` as that default (www/share.js):
/// so the page must set that default (no fixed one), and every count a per-core limit scales with
/// the device is one of them, or a link would carry the author's machine.
#[test]
fn counts_set_from_the_device_have_no_fixed_default_and_every_per_core_count_is_one() {
    for field in every_field().filter(|f| f.per_device) {
        assert_eq!(
            field.default, None,
            "{}: the page sets a per-device default",
            field.id
        );
        assert_eq!(field.kind, Kind::Whole, "{}: a count", field.id);
        assert_eq!(field.min, Some(1.0), "{}: at least one", field.id);
    }
    for field in every_field().filter(|f| matches!(f.max, Max::PerCore(_))) {
        assert!(field.per_device, "{}: its limit is per core", field.id);
    }
    let per_device: Vec<_> = every_field()
        .filter(|f| f.per_device)
        .map(|f| f.id)
        .collect();
    assert_eq!(
        per_device,
        [
            "cpu-threads",
            "cpu-processes",
            "lab-workers",
            "lab-counter-threads",
            "lab-sweep-max",
            "server-pool",
            "gallery-threads"
        ]
    );
}

/// Reads a `T` at `offset` bytes from `base`, as the page reads the shared memory.
fn read<T: Copy>(base: usize, offset: usize) -> T {
    // SAFETY: `base + offset` is a field of a live struct of the test, of type T's size and alignment
    // (the very claim under test); nothing writes it meanwhile.
    unsafe { ptr::read_volatile((base + offset) as *const T) }
}

fn offset(words: &[(&str, usize)], name: &str) -> usize {
    words
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no word {name}"))
        .1
}

#[test]
fn the_control_words_sit_where_the_layout_says() {
    let control = RunControl::new();
    let base = control.address();
    let words = RunControl::WORDS;
    control.cancel();
    control.add_progress(0x1_0000_0005);
    control.check_in();
    control.check_in();
    for _ in 0..3 {
        control.process_beat();
    }
    assert_eq!(read::<u32>(base, offset(&words, "cancel")), 1);
    assert_eq!(
        read::<u64>(base, offset(&words, "itemsDone")),
        0x1_0000_0005
    );
    assert_eq!(read::<u32>(base, offset(&words, "heartbeat")), 2);
    // Two looks at the flag from outside a rayon pool count as the process's own beats too.
    assert_eq!(read::<u32>(base, offset(&words, "processHeartbeat")), 5);
    assert_eq!(base + offset(&words, "cancel"), control.cancel_address());
    assert_eq!(
        base + offset(&words, "itemsDone"),
        control.items_done_address()
    );
}

#[test]
fn the_crash_report_sits_where_the_layout_says() {
    let report = CrashReport::new();
    report.record("task 2 crashed");
    let base = report.address();
    let words = CrashReport::WORDS;
    assert_eq!(read::<u32>(base, offset(&words, "crashed")), 1);
    let length = read::<u32>(base, offset(&words, "length")) as usize;
    assert_eq!(length, "task 2 crashed".len());
    let bytes: Vec<u8> = (0..length)
        .map(|i| read::<u8>(base, offset(&words, "message") + i))
        .collect();
    assert_eq!(bytes, b"task 2 crashed");
    assert_eq!(
        offset(&words, "message") + MESSAGE_BYTES,
        std::mem::size_of::<CrashReport>()
    );
}
