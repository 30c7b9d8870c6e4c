//! The scheduler gallery's pure layers: the kernels are exact and deterministic, the static plan is
//! one contiguous block per thread, the dynamic plan covers every item once, and a run on real rayon
//! pools gives the same image hash, prime count and sums whatever the threads and the schedule.

use std::sync::Mutex;
use std::time::Instant;

use playground::exec::control::RunControl;
use playground::exec::gallery::{
    compute_item, run_gallery, GallerySink, ItemOutput, Kernel, KernelResult, Unheard,
};
use playground::kernels::mandelbrot::{escape_row, image_hash, render, View};
use playground::kernels::primes::{count_primes, count_primes_sieve, trial_division};
use playground::kernels::sum_squares::sum_of_squares_formula;
use playground::model::schedule::{busy_and_idle, static_blocks, PieceSpan, Schedule};
use playground::model::timeline::Clock;

struct Monotonic(Instant);
impl Clock for Monotonic {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}

fn on_pool<T: Send>(threads: usize, run: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(run)
}

fn run(
    kernel: &Kernel,
    schedule: Schedule,
    threads: usize,
) -> playground::exec::gallery::GalleryRun {
    on_pool(threads, || {
        run_gallery(
            kernel,
            schedule,
            &Monotonic(Instant::now()),
            &RunControl::new(),
            &Unheard,
        )
        .unwrap()
    })
}

const VIEW: View = View {
    width: 96,
    height: 48,
    max_iter: 200,
    left: -2.2,
    top: 1.05,
    step: 3.0 / 96.0,
};

#[test]
fn trial_division_agrees_with_the_sieve() {
    for n in [0u32, 1, 2, 3, 4, 10, 100, 7919, 30_000] {
        assert_eq!(count_primes(0..n).0, count_primes_sieve(n), "π below {n}");
    }
    assert_eq!(trial_division(7919), (true, 44)); // 2, then 3, 5, …, 87 (87² < 7919 < 89²)
    assert!(!trial_division(7917).0);
    assert!(!trial_division(1).0 && trial_division(2).0);
}

#[test]
fn the_prime_count_below_ten_million_is_exact_on_any_threads() {
    // π(10,000,000) = 664,579 (a published value; the sieve agrees below).
    let kernel = Kernel::Primes {
        limit: 10_000_000,
        slices: 200,
    };
    assert_eq!(count_primes_sieve(10_000_000), 664_579);
    let dynamic = run(&kernel, Schedule::Dynamic { piece: 4 }, 4);
    assert_eq!(dynamic.result, KernelResult::Primes(664_579));
}

#[test]
fn the_image_is_the_same_whatever_the_threads_and_schedule() {
    let reference = image_hash(&render(&VIEW));
    let kernel = Kernel::Mandelbrot(VIEW);
    for threads in 1..=4 {
        for schedule in [
            Schedule::Static,
            Schedule::Dynamic { piece: 1 },
            Schedule::Dynamic { piece: 5 },
        ] {
            let outcome = run(&kernel, schedule, threads);
            let KernelResult::Image { hash, counts } = &outcome.result else {
                panic!("not an image")
            };
            assert_eq!(*hash, reference, "{threads} threads, {schedule}");
            assert_eq!(counts.len(), 96 * 48);
        }
    }
    // A different image hashes differently.
    let shifted = View { left: -2.0, ..VIEW };
    assert_ne!(image_hash(&render(&shifted)), reference);
}

#[test]
fn every_kernel_gives_the_same_result_under_both_schedules() {
    for kernel in [
        Kernel::Primes {
            limit: 200_000,
            slices: 37,
        },
        Kernel::Squares {
            n: 1_000_000,
            slices: 64,
        },
    ] {
        let expected = match kernel {
            Kernel::Primes { limit, .. } => KernelResult::Primes(count_primes_sieve(limit)),
            Kernel::Squares { n, .. } => KernelResult::Squares(sum_of_squares_formula(n)),
            Kernel::Mandelbrot(_) => unreachable!(),
        };
        for threads in 1..=4 {
            assert_eq!(run(&kernel, Schedule::Static, threads).result, expected);
            assert_eq!(
                run(&kernel, Schedule::Dynamic { piece: 3 }, threads).result,
                expected
            );
        }
    }
}

#[test]
fn the_static_plan_is_one_contiguous_block_per_thread_covering_every_row_once() {
    for (items, threads) in [(48u32, 2u32), (48, 5), (7, 3), (3, 4), (1000, 7)] {
        let blocks = Schedule::Static.pieces(items, threads);
        assert_eq!(
            blocks.len() as u32,
            threads.min(items),
            "{items} on {threads}"
        );
        assert_eq!(blocks[0].start, 0);
        assert_eq!(blocks.last().unwrap().end, items);
        for pair in blocks.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "contiguous");
        }
        let sizes: Vec<u32> = blocks.iter().map(|b| b.len() as u32).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
    }
    assert_eq!(static_blocks(10, 3), [0..4, 4..7, 7..10]);
}

#[test]
fn dynamic_pieces_cover_every_row_once() {
    for (items, piece) in [(48u32, 1u32), (48, 5), (48, 48), (48, 100), (1, 1)] {
        let pieces = Schedule::Dynamic { piece }.pieces(items, 2);
        let mut seen = vec![0; items as usize];
        for p in &pieces {
            assert!(p.len() as u32 <= piece && !p.is_empty());
            for row in p.clone() {
                seen[row as usize] += 1;
            }
        }
        assert!(
            seen.iter().all(|&n| n == 1),
            "{items} rows, pieces of {piece}"
        );
        assert_eq!(pieces.len() as u32, items.div_ceil(piece));
    }
}

#[test]
fn a_static_run_gives_thread_i_block_i_and_nothing_else() {
    let outcome = run(&Kernel::Mandelbrot(VIEW), Schedule::Static, 3);
    assert_eq!(outcome.spans.len(), 3);
    for span in &outcome.spans {
        assert_eq!(span.worker, span.piece, "{span:?}");
    }
    let dynamic = run(&Kernel::Mandelbrot(VIEW), Schedule::Dynamic { piece: 1 }, 3);
    assert_eq!(dynamic.spans.len(), 48);
    let mut pieces: Vec<u32> = dynamic.spans.iter().map(|s| s.piece).collect();
    pieces.sort_unstable();
    assert_eq!(pieces, (0..48).collect::<Vec<_>>());
}

#[test]
fn the_default_view_is_uneven_top_to_bottom() {
    // The lower half runs through the set's body: several times the iterations of the upper half.
    let view = View::uneven(200, 100, 500);
    let mut row = vec![0; 200];
    let costs: Vec<u64> = (0..100).map(|r| escape_row(&view, r, &mut row)).collect();
    let upper: u64 = costs[..50].iter().sum();
    let lower: u64 = costs[50..].iter().sum();
    assert!(lower >= 2 * upper, "upper {upper}, lower {lower}");
    // And row by row it varies more than tenfold.
    let (low, high) = (costs.iter().min().unwrap(), costs.iter().max().unwrap());
    assert!(*high >= 10 * *low, "rows cost {low} to {high}");
}

#[test]
fn the_sink_hears_every_item_and_piece_once_while_the_run_runs() {
    #[derive(Default)]
    struct Heard {
        items: Mutex<Vec<u32>>,
        started: Mutex<Vec<u32>>,
        done: Mutex<Vec<PieceSpan>>,
    }
    impl GallerySink for Heard {
        fn item_done(&self, item: u32, _worker: u32, output: &ItemOutput) {
            assert!(matches!(output, ItemOutput::Row(row) if row.len() == 96));
            self.items.lock().unwrap().push(item);
        }
        fn piece_started(&self, _worker: u32, piece: u32, _start_ms: f64) {
            self.started.lock().unwrap().push(piece);
        }
        fn piece_done(&self, span: &PieceSpan) {
            self.done.lock().unwrap().push(*span);
        }
    }
    let heard = Heard::default();
    on_pool(2, || {
        run_gallery(
            &Kernel::Mandelbrot(VIEW),
            Schedule::Dynamic { piece: 4 },
            &Monotonic(Instant::now()),
            &RunControl::new(),
            &heard,
        )
        .unwrap()
    });
    let mut items = heard.items.into_inner().unwrap();
    items.sort_unstable();
    assert_eq!(items, (0..48).collect::<Vec<_>>());
    assert_eq!(heard.started.into_inner().unwrap().len(), 12);
    assert_eq!(heard.done.into_inner().unwrap().len(), 12);
}

#[test]
fn a_cancelled_run_stops() {
    let control = RunControl::new();
    control.cancel();
    let outcome = on_pool(2, || {
        run_gallery(
            &Kernel::Mandelbrot(VIEW),
            Schedule::Static,
            &Monotonic(Instant::now()),
            &control,
            &Unheard,
        )
    });
    assert!(outcome.is_err());
}

#[test]
fn busy_and_idle_split_the_wall_time_per_thread() {
    let span = |worker, start_ms, end_ms| PieceSpan {
        worker,
        piece: 0,
        start_ms,
        end_ms,
        cost: 1,
    };
    let spans = [span(0, 0.0, 10.0), span(1, 0.0, 4.0), span(1, 5.0, 7.0)];
    let (busy, idle) = busy_and_idle(&spans, 3, 10.0);
    assert_eq!(busy, [10.0, 6.0, 0.0]);
    assert_eq!(idle, [0.0, 4.0, 10.0]);
}

#[test]
fn each_item_costs_what_its_kernel_counts() {
    let (ItemOutput::Sum(sum), cost) = compute_item(&Kernel::Squares { n: 100, slices: 4 }, 1)
    else {
        panic!()
    };
    assert_eq!(cost, 25);
    assert_eq!(sum, (25u128..50).map(|i| i * i).sum::<u128>());
}
