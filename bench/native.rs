//! Native reference timings for the benchmark table (`bench/run.sh` runs this via `cargo bench`).
//! Prints one JSON object: milliseconds, each the median of `runs` runs (printed too, for the table).

use std::hint::black_box;
use std::time::Instant;

use playground::kernels::sum_squares::sum_of_squares;
use playground::model::stats::median;

fn median_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    let samples: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(&samples).expect("at least one run")
}

/// What the kernel would be without its hand-kept carry: LLVM turns this loop into a closed formula.
fn folded_sum_of_squares(n: u64) -> u64 {
    (0..n)
        .map(|i| i.wrapping_mul(i))
        .fold(0u64, u64::wrapping_add)
}

fn main() {
    let runs = 7;
    // The seed's work: four tasks of n = 10,000,000, one after another on one thread.
    let seed_sequential = median_ms(runs, || {
        for _ in 0..4 {
            black_box(sum_of_squares(0..black_box(10_000_000)));
        }
    });
    // The same work on two native threads: what this machine's cores allow at best.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a 2-thread pool");
    let seed_two_threads = median_ms(runs, || {
        use rayon::prelude::*;
        pool.install(|| {
            (0..4)
                .into_par_iter()
                .with_max_len(1)
                .map(|_| sum_of_squares(0..black_box(10_000_000)))
                .sum::<u128>()
        });
    });
    let kernel_1e7 = median_ms(runs, || {
        black_box(sum_of_squares(0..black_box(10_000_000)));
    });
    let kernel_1e8 = median_ms(runs, || {
        black_box(sum_of_squares(0..black_box(100_000_000)));
    });
    let folded_1e7 = median_ms(runs, || {
        black_box(folded_sum_of_squares(black_box(10_000_000)));
    });
    let folded_1e8 = median_ms(runs, || {
        black_box(folded_sum_of_squares(black_box(100_000_000)));
    });
    println!(
        "{{\"runs\":{runs},\"seedSequentialMs\":{seed_sequential},\"seedTwoThreadsMs\":{seed_two_threads},\"kernel1e7Ms\":{kernel_1e7},\"kernel1e8Ms\":{kernel_1e8},\
         \"folded1e7Ms\":{folded_1e7},\"folded1e8Ms\":{folded_1e8}}}"
    );
}
