//! Calibration benchmarks: raking and bounded logit on 25k, 250k and 2.5M rows with six
//! categorical margins (40 categories), and the same with one numeric margin added.
//! Synthetic data, seeded (ChaCha8). Then `ponder calibrate` CSV → CSV on 2.5 M rows (coded
//! and text categories; the peak memory per row printed), and the coding of its six margin
//! columns alone (`margin_coding`); `Problem::new`'s checks, the collapse into cells and
//! the kernel apart on 2.5 M rows (`checks_and_cells`); 200 replicate rakings of 25,000
//! rows (`replicate_rakings`). Results:
//! docs/performance-calibration.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ponder::calibration::{
    Bounds, Margin, Method, Options, Problem, calibrate, calibrate_replicates, calibrate_timed,
};
use ponder::data::Factor;
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
            Margin::Categorical { name: format!("m{m}"), factor: Factor { codes, levels }, targets }
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

/// Writes the CSV → CSV workload into `dir`: `n` rows of `id`, six categorical
/// columns `v0..v5` (codes 1..k, as in LEVELS; with `text`, labels `v0_a`, `v0_b`, …), a
/// numeric `x` (4 decimals) and a design weight `d` (9 decimals); and a raking config
/// whose margins are the weighted category counts × 1.02. Returns (data, config).
fn csv_workload(
    dir: &std::path::Path,
    n: usize,
    text_labels: bool,
) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::fmt::Write as _;
    let label = |m: usize, c: usize| {
        if text_labels { format!("v{m}_{}", (b'a' + c as u8) as char) } else { (c + 1).to_string() }
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut totals: Vec<Vec<f64>> = LEVELS.iter().map(|&k| vec![0.0; k]).collect();
    let mut text = String::from("id,v0,v1,v2,v3,v4,v5,x,d\n");
    for i in 1..=n {
        let codes: Vec<usize> = LEVELS.iter().map(|&k| rng.random_range(0..k)).collect();
        let x: f64 = rng.random_range(1.0..200.0);
        let d: f64 = rng.random_range(10.0..60.0);
        let d: f64 = format!("{d:.9}").parse().expect("a number");
        write!(text, "{i}").expect("string");
        for (m, &c) in codes.iter().enumerate() {
            totals[m][c] += d;
            write!(text, ",{}", label(m, c)).expect("string");
        }
        writeln!(text, ",{x:.4},{d:.9}").expect("string");
    }
    let mut cfg = String::from("weight: d\noutput: w_cal\nmethod: raking\nmargins:\n");
    for (m, t) in totals.iter().enumerate() {
        let cells: Vec<String> = t
            .iter()
            .enumerate()
            .map(|(c, v)| format!("\"{}\": {}", label(m, c), v * 1.02))
            .collect();
        writeln!(cfg, "  - variable: v{m}\n    totals: {{{}}}", cells.join(", ")).expect("string");
    }
    let stem = if text_labels { "big_text" } else { "big" };
    let (data, config) = (dir.join(format!("{stem}.csv")), dir.join(format!("{stem}.yaml")));
    std::fs::write(&data, text).expect("writing the bench data");
    std::fs::write(&config, cfg).expect("writing the bench config");
    (data, config)
}

/// The `ponder calibrate` command line of a CSV workload, writing `out.csv` next to it.
fn calibrate_cli(
    dir: &std::path::Path,
    (input, config): &(std::path::PathBuf, std::path::PathBuf),
) -> ponder::cli::Cli {
    let output = dir.join("out.csv");
    <ponder::cli::Cli as clap::Parser>::parse_from([
        "ponder".as_ref(),
        "--quiet".as_ref(),
        "calibrate".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "--input".as_ref(),
        input.as_os_str(),
        "--output".as_ref(),
        output.as_os_str(),
    ] as [&std::ffi::OsStr; 9])
}

/// `ponder calibrate` CSV → CSV on 2.5 M rows, six categorical margins: read, margins,
/// raking, write (the output replaced at each iteration, as when a run is redone); the same
/// workload with text labels; the peak memory of one run per row, printed. (A file this
/// size is read whole; [`csv_in_chunks`] times the chunked path of larger files.)
fn csv_to_csv(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut group = c.benchmark_group("calibrate_csv_to_csv");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for (label, text) in [("raking_6cat", false), ("raking_6cat_text", true)] {
        let cli = calibrate_cli(dir.path(), &csv_workload(dir.path(), 2_500_000, text));
        if let Some(bytes) = peak_memory(|| ponder::cli::run(&cli).expect("calibrates")) {
            let per_row = bytes as f64 / 2.5e6;
            println!(
                "peak_memory/calibrate_csv_to_csv/{label}/2500000: {per_row:.0} bytes per row"
            );
        }
        group.bench_function(BenchmarkId::new(label, 2_500_000), |b| {
            b.iter(|| ponder::cli::run(&cli).expect("calibrates"))
        });
    }
    group.finish();
}

/// The calibration of [`csv_to_csv`] with the file read by chunks whatever its size (the
/// command reads a file of less than 256 MB whole): `Table::read_columns_in_chunks`
/// (chunks of 16 MB), margins, raking, the weights appended, written back by chunks.
fn csv_in_chunks(c: &mut Criterion) {
    use ponder::bind::calibration::{Replicates, input_weights, run};
    use ponder::config::calibrate::CalibrationConfig;
    use ponder::data::{ColumnUse, Table};
    let dir = tempfile::tempdir().expect("temporary folder");
    let (input, config) = csv_workload(dir.path(), 2_500_000, false);
    let output = dir.path().join("out.csv");
    let cfg = CalibrationConfig::load(&config).expect("config");
    let pick = |name: &str| match name {
        "d" => Some(ColumnUse::Values),
        v if v.starts_with('v') => Some(ColumnUse::Categories),
        _ => None,
    };
    let calibrate = || {
        let mut t = Table::read_columns_in_chunks(&input, &pick, 16 << 20).expect("data");
        let d = input_weights(&t, "d", "weight column").expect("weights");
        let out = run(&cfg, &t, d, Replicates::Columns, None).expect("calibrates");
        t.add_f64("w_cal", &out.calibration.weights).expect("new column");
        t.write(&output).expect("written");
    };
    if let Some(bytes) = peak_memory(calibrate) {
        let per_row = bytes as f64 / 2.5e6;
        println!(
            "peak_memory/calibrate_csv_in_chunks/raking_6cat/2500000: {per_row:.0} bytes per row"
        );
    }
    let mut group = c.benchmark_group("calibrate_csv_in_chunks");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("raking_6cat/2500000", |b| b.iter(calibrate));
    group.finish();
}

/// The growth of the process's resident memory at its peak while `f` runs, in bytes
/// (Linux: the peak is reset through `/proc/self/clear_refs`, read from `VmHWM`).
fn peak_memory(f: impl FnOnce()) -> Option<u64> {
    let status = |key: &str| -> Option<u64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = s.lines().find(|l| l.starts_with(key))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let before = status("VmRSS:")?;
    f();
    Some(status("VmHWM:")?.saturating_sub(before))
}

/// Coding the six margin columns of the CSV workload (2.5 M rows, read once) into factors
/// and matching them to the figures: `timings.margins` of the calibrate report. Coded
/// categories (`1`…`k`, integer columns) and text labels (`v0_a`…, text columns).
fn margin_coding(c: &mut Criterion) {
    use ponder::bind::calibration::margins;
    use ponder::config::calibrate::CalibrationConfig;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut group = c.benchmark_group("margin_coding");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    for (label, text) in [("coded", false), ("text", true)] {
        let (input, config) = csv_workload(dir.path(), 2_500_000, text);
        let cfg = CalibrationConfig::load(&config).expect("config");
        let table = ponder::data::Table::read(&input).expect("data");
        let d = table.numeric("d").expect("weights");
        assert_eq!(margins(&cfg, &table, &d).expect("margins").len(), 6);
        group.bench_function(BenchmarkId::new(label, 2_500_000), |b| {
            b.iter(|| black_box(margins(&cfg, &table, &d).expect("margins")))
        });
        // the CPU time on one thread, which does not depend on the machine's load
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
        let per_call = pool.install(|| {
            let t0 = thread_cpu_ns()?;
            for _ in 0..10 {
                black_box(margins(&cfg, &table, &d).expect("margins"));
            }
            Some((thread_cpu_ns()? - t0) as f64 / 10.0 / 1e6)
        });
        if let Some(ms) = per_call {
            println!("cpu_time/margin_coding/{label}/2500000: {ms:.1} ms CPU per call (1 thread)");
        }
    }
    group.finish();
}

/// `Problem::new`'s checks (`timings.checks`), then the collapse of the rows into cells
/// (`timings.cells`) and the kernel with the mapping of g back to the rows
/// (`timings.solve`), measured apart from one `calibrate_timed` call per iteration, on
/// 2.5 M rows with the six margins (raking).
fn checks_and_cells(c: &mut Criterion) {
    use criterion::BatchSize;
    let p = problem(2_500_000, false, 42);
    let (d, margins) = (p.weights().to_vec(), p.margins().to_vec());
    let raking = Options::new(Method::Raking, None);
    let mut group = c.benchmark_group("checks_and_cells");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.bench_function("problem_new/2500000", |b| {
        b.iter_batched(
            || (d.clone(), margins.clone()),
            |(d, m)| Problem::new(d, m).expect("valid"),
            BatchSize::LargeInput,
        )
    });
    for (label, part) in [("cells", 0), ("solve", 1)] {
        group.bench_function(BenchmarkId::new(label, 2_500_000), |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let (cal, t) = calibrate_timed(&p, &raking).expect("converges");
                    black_box(cal);
                    spent += Duration::from_secs_f64([t.cells, t.solve][part]);
                }
                spent
            })
        });
    }
    group.finish();
}

/// The replicate rakings of the replicate chain (`timings.replicates` less the reading):
/// 200 bootstrap-like replicate columns of 25,000 rows (d × a multiplier in {0, 1, 2, 3}),
/// each raked on the six margins from its own weights, on the cells shared by all.
fn replicate_rakings(c: &mut Criterion) {
    let p = problem(25_000, false, 7);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let reps: Vec<Vec<f64>> = (0..200)
        .map(|_| {
            p.weights()
                .iter()
                .map(|&d| d * [0.0, 1.0, 1.0, 2.0, 3.0][rng.random_range(0..5usize)])
                .collect()
        })
        .collect();
    let raking = Options::new(Method::Raking, None);
    assert_eq!(calibrate_replicates(&p, &reps, &raking).expect("converges").len(), 200);
    let mut group = c.benchmark_group("replicate_rakings");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("raking_6cat/200x25000", |b| {
        b.iter(|| black_box(calibrate_replicates(&p, &reps, &raking).expect("converges")))
    });
    group.finish();
    // the CPU time on one thread, which does not depend on the machine's load
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
    let per_call = pool.install(|| {
        let t0 = thread_cpu_ns()?;
        for _ in 0..5 {
            black_box(calibrate_replicates(&p, &reps, &raking).expect("converges"));
        }
        Some((thread_cpu_ns()? - t0) as f64 / 5.0 / 1e6)
    });
    if let Some(ms) = per_call {
        println!("cpu_time/replicate_rakings/200x25000: {ms:.1} ms CPU per call (1 thread)");
    }
}

criterion_group!(
    benches,
    categorical,
    with_numeric,
    cpu_time,
    csv_to_csv,
    csv_in_chunks,
    margin_coding,
    checks_and_cells,
    replicate_rakings
);
criterion_main!(benches);
