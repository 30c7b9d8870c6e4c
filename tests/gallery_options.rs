//! `playground.kernel`'s options as Rust checks them: every kernel and schedule by name, the piece
//! count turned into a piece size, each size within its range, and every message naming its option.

use playground::exec::gallery::{
    parse_gallery_options, Kernel, MANDELBROT_ASPECT, MANDELBROT_MAX_ITER, MANDELBROT_ROWS,
    NUMBER_SLICES, PRIMES_LIMIT, SQUARES_N,
};
use playground::model::schedule::Schedule;
use playground::model::schema::GALLERY_SIZE;

#[test]
fn the_defaults_are_the_uneven_image_and_eight_pieces_per_thread() {
    let options = parse_gallery_options("mandelbrot", "dynamic", 2.0, None, None).unwrap();
    let rows = MANDELBROT_ROWS.1;
    match options.kernel {
        Kernel::Mandelbrot(view) => {
            assert_eq!(view.height, rows);
            assert_eq!(view.width, rows * MANDELBROT_ASPECT.0 / MANDELBROT_ASPECT.1);
            assert_eq!(view.max_iter, MANDELBROT_MAX_ITER);
        }
        other => panic!("{other:?}"),
    }
    // 8 pieces per thread on 2 threads: 16 pieces of rows / 16.
    assert_eq!(options.schedule, Schedule::Dynamic { piece: rows / 16 });
    assert_eq!(options.piece_size(), rows / 16);
    let fixed = parse_gallery_options("mandelbrot", "static", 2.0, None, Some(101.0)).unwrap();
    assert_eq!(fixed.schedule, Schedule::Static);
    // Static: one block per thread, the first the larger.
    assert_eq!(fixed.piece_size(), 51);
}

#[test]
fn pieces_is_a_count_and_becomes_a_piece_size() {
    let options = parse_gallery_options("primes", "dynamic", 4.0, Some(100.0), None).unwrap();
    assert_eq!(
        options.kernel,
        Kernel::Primes {
            limit: PRIMES_LIMIT.1,
            slices: NUMBER_SLICES
        }
    );
    // NUMBER_SLICES slices in 100 pieces: pieces of ⌈slices / 100⌉.
    assert_eq!(
        options.schedule,
        Schedule::Dynamic {
            piece: NUMBER_SLICES.div_ceil(100)
        }
    );
    let squares =
        parse_gallery_options("squares", "dynamic", 1.0, Some(1.0), Some(1000.0)).unwrap();
    assert_eq!(
        squares.kernel,
        Kernel::Squares {
            n: 1000,
            slices: NUMBER_SLICES
        }
    );
    assert_eq!(
        squares.schedule,
        Schedule::Dynamic {
            piece: NUMBER_SLICES
        }
    );
}

#[test]
fn bad_options_are_refused_with_a_message_naming_them() {
    let refusal = |kernel: &str, schedule: &str, pieces: Option<f64>, size: Option<f64>| {
        parse_gallery_options(kernel, schedule, 2.0, pieces, size).unwrap_err()
    };
    assert!(refusal("fractal", "static", None, None).starts_with("kernel must be"));
    assert!(refusal("primes", "guided", None, None).starts_with("schedule must be"));
    assert!(refusal("primes", "static", Some(4.0), None).starts_with("pieces applies to"));
    for threads in [0.0, 17.0, 1.5, f64::NAN] {
        let message = parse_gallery_options("primes", "static", threads, None, None).unwrap_err();
        assert!(
            message.starts_with("threads must be a whole number from 1 to 16"),
            "{message}"
        );
    }
    let too_many = f64::from(NUMBER_SLICES) + 1.0;
    for pieces in [0.0, 1.5, -1.0, f64::NAN, f64::INFINITY, too_many] {
        let message = refusal("primes", "dynamic", Some(pieces), None);
        let range = format!("pieces must be a whole number from 1 to {NUMBER_SLICES}");
        assert!(message.starts_with(&range), "{message}");
    }
    for (kernel, (least, _, most)) in [
        ("mandelbrot", MANDELBROT_ROWS),
        ("primes", PRIMES_LIMIT),
        ("squares", SQUARES_N),
    ] {
        for size in [f64::from(least) - 1.0, f64::from(most) + 1.0, 2.5, f64::NAN] {
            let message = refusal(kernel, "static", None, Some(size));
            assert!(message.starts_with("size"), "{kernel} {size}: {message}");
            assert!(
                message.contains(&format!("from {least} to {most}")),
                "{message}"
            );
        }
    }
}

#[test]
fn the_size_fields_hint_gives_the_kernels_own_ranges_and_defaults() {
    let grouped = |n: u32| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let hint = GALLERY_SIZE.hint;
    for (least, default, most) in [MANDELBROT_ROWS, PRIMES_LIMIT] {
        let range = format!(
            "{} to {}; {}",
            grouped(least),
            grouped(most),
            grouped(default)
        );
        assert!(hint.contains(&range), "{hint} lacks {range}");
    }
    let (_, default, most) = SQUARES_N;
    assert!(
        hint.contains(&format!("to {}; {}", grouped(most), grouped(default))),
        "{hint}"
    );
}
