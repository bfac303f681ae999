//! Calibration benchmarks: raking and bounded logit on 25k, 250k and 2.5M rows with six
//! categorical margins (40 categories), and the same with one numeric margin added.
//! Synthetic data, seeded (ChaCha8). Results: docs/performance-calibration.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ponder::calibration::{Bounds, Margin, Method, Options, Problem, calibrate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Levels of the six categorical margins (40 categories).
const LEVELS: [usize; 6] = [2, 5, 6, 8, 13, 6];
const SIZES: [usize; 3] = [25_000, 250_000, 2_500_000];

/// Sample with design weights; targets from a "population" weighting d·h, h a product of
/// per-category factors in [0.85, 1.15] (and, for the numeric margin, a factor on x), so
/// raking and logit with bounds [0.4, 2.5] are feasible.
fn problem(n: usize, numeric: bool, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let d: Vec<f64> = (0..n).map(|_| rng.random_range(50.0..150.0)).collect();
    let mut h = vec![1.0; n];
    let mut margins = Vec::new();
    for (m, &nl) in LEVELS.iter().enumerate() {
        let factor: Vec<f64> = (0..nl).map(|_| rng.random_range(0.85..1.15)).collect();
        // Skewed category sizes, as in real margins.
        let codes: Vec<u32> = (0..n)
            .map(|_| {
                let u: f64 = rng.random();
                ((u * u * nl as f64) as u32).min(nl as u32 - 1)
            })
            .collect();
        let mut targets = vec![0.0; nl];
        for k in 0..n {
            h[k] *= factor[codes[k] as usize];
        }
        for k in 0..n {
            targets[codes[k] as usize] += d[k] * h[k];
        }
        let levels = (0..nl).map(|l| format!("{m}.{l}")).collect();
        margins.push((codes, levels, targets, m));
    }
    // Targets of earlier margins must use the final h: recompute all.
    let mut out: Vec<Margin> = margins
        .into_iter()
        .map(|(codes, levels, _, m)| {
            let mut targets = vec![0.0; LEVELS[m]];
            for k in 0..n {
                targets[codes[k] as usize] += d[k] * h[k];
            }
            Margin::Categorical { name: format!("m{m}"), codes, levels, targets }
        })
        .collect();
    if numeric {
        let values: Vec<f64> =
            (0..n).map(|_| rng.random_range(0.0..1.0f64).powi(2) * 1e5).collect();
        let target = (0..n).map(|k| d[k] * h[k] * values[k]).sum::<f64>() * 1.02;
        out.push(Margin::Numeric { name: "income".into(), values, target });
    }
    Problem::new(d, out).expect("valid synthetic problem")
}

fn bench_group(c: &mut Criterion, numeric: bool) {
    let name = if numeric { "calibration_6cat_1num" } else { "calibration_6cat" };
    let mut group = c.benchmark_group(name);
    for &n in &SIZES {
        let p = problem(n, numeric, 42);
        group.sample_size(10);
        let secs = if n >= 2_500_000 { 4 } else { 2 };
        group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(secs));
        let logit = Options::new(Method::Logit, Some(Bounds::new(0.4, 2.5).expect("bounds")));
        for (label, opts) in [("raking", Options::new(Method::Raking, None)), ("logit", logit)] {
            let cal = calibrate(&p, &opts).expect("converges");
            assert!(cal.report.converged);
            group.bench_with_input(BenchmarkId::new(label, n), &p, |b, p| {
                b.iter(|| black_box(calibrate(p, &opts).expect("converges")))
            });
        }
    }
    group.finish();
}

fn categorical(c: &mut Criterion) {
    bench_group(c, false);
}

fn with_numeric(c: &mut Criterion) {
    bench_group(c, true);
}

/// On-CPU nanoseconds of the calling thread (Linux `/proc/thread-self/schedstat`), to get
/// numbers that hold on a loaded machine where wall-clock times are inflated.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Single-thread CPU time per solve at 2.5M rows (printed, not a criterion measurement).
fn cpu_time(_c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
    for numeric in [false, true] {
        let p = problem(2_500_000, numeric, 42);
        let logit = Options::new(Method::Logit, Some(Bounds::new(0.4, 2.5).expect("bounds")));
        for (label, opts) in [("raking", Options::new(Method::Raking, None)), ("logit", logit)] {
            let reps = if numeric { 3 } else { 10 };
            let per_call = pool.install(|| {
                let t0 = thread_cpu_ns()?;
                for _ in 0..reps {
                    black_box(calibrate(&p, &opts).expect("converges"));
                }
                Some((thread_cpu_ns()? - t0) as f64 / reps as f64 / 1e6)
            });
            if let Some(ms) = per_call {
                let what = if numeric { "6cat_1num" } else { "6cat" };
                println!("cpu_time/{what}/{label}/2500000: {ms:.1} ms CPU per solve (1 thread)");
            }
        }
    }
}

criterion_group!(benches, categorical, with_numeric, cpu_time);
criterion_main!(benches);
