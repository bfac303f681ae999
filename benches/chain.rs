//! Issue 14's whole-command workloads, in process (`ponder::cli::run`, as the CLI runs
//! them; only the process start and exit are left out):
//!
//! - `replicate_chain/*/25000x200`: 25,000 rows stratified by 13 regions, `ponder
//!   replicates` (200 bootstrap replicates) → `ponder calibrate` (raking on 6 margins, the
//!   weight and the 200 replicate columns) → `ponder estimate` (mean of y by region with
//!   replicate SEs), Parquet between the steps: each step alone, then the three in turn;
//! - `calibrate_csv_whole_run/raking_6cat/250000`: a 250,000-row CSV file raked on the same
//!   6 margins and written back as CSV.
//!
//! The files have the shape of `benches/peers/gen.py`'s (the peers' comparison is run by
//! `benches/peers/run.sh`, outside CI). Results: docs/performance.md.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Margins: name and number of categories (coded 1..=k).
const MARGINS: [(&str, usize); 6] =
    [("sex", 2), ("age", 5), ("dipl", 6), ("pcs", 8), ("hh", 5), ("region", 13)];

/// Writes `sample.csv` (id, the six margins, d, y) of `n` rows and `calibrate.yaml` (raking
/// to population totals: the design-weighted totals of each category times a factor in
/// [0.92, 1.08], every margin rescaled to one grand total, 1.04 × Σd); `replicates` adds
/// `replicates: "rep_*"` to the config.
fn sample(dir: &Path, n: usize, replicates: bool) -> PathBuf {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let mut text = String::from("id,region,sex,age,dipl,pcs,hh,d,y\n");
    let mut totals: Vec<Vec<f64>> = MARGINS.iter().map(|(_, k)| vec![0.0; *k]).collect();
    let mut grand = 0.0;
    for i in 1..=n {
        let codes: Vec<usize> = MARGINS.iter().map(|(_, k)| rng.random_range(1..=*k)).collect();
        let d = (rng.random_range(500.0..1500.0) * 1000.0f64).round() / 1000.0;
        let y = 50.0 + 2.0 * codes[1] as f64 + rng.random_range(-15.0..15.0);
        let [sex, age, dipl, pcs, hh, region] = codes[..] else { unreachable!() };
        writeln!(text, "{i},{region},{sex},{age},{dipl},{pcs},{hh},{d},{y:.4}").expect("string");
        for (m, c) in codes.iter().enumerate() {
            totals[m][c - 1] += d;
        }
        grand += d;
    }
    std::fs::write(dir.join("sample.csv"), text).expect("writing the bench data");
    let mut cfg = String::from("weight: d\noutput: w_cal\nmethod: raking\ntolerance: 1e-06\n");
    if replicates {
        cfg.push_str("replicates: \"rep_*\"\n");
    }
    cfg.push_str("margins:\n");
    for ((name, _), t) in MARGINS.iter().zip(&totals) {
        let t: Vec<f64> = t.iter().map(|x| x * rng.random_range(0.92..1.08)).collect();
        let s: f64 = t.iter().sum();
        let cells: Vec<String> = t
            .iter()
            .enumerate()
            .map(|(c, x)| format!("{}: {:.6}", c + 1, x * grand * 1.04 / s))
            .collect();
        writeln!(cfg, "  - variable: {name}\n    totals: {{{}}}", cells.join(", "))
            .expect("string");
    }
    std::fs::write(dir.join("calibrate.yaml"), cfg).expect("writing the bench config");
    dir.join("sample.csv")
}

/// A parsed `ponder` command line (`--quiet` first); an argument with a dot is a file of
/// `dir` (every file name here has an extension, no other argument has a dot).
fn cli(dir: &Path, args: &[&str]) -> ponder::cli::Cli {
    let mut argv: Vec<OsString> = vec!["ponder".into(), "--quiet".into()];
    argv.extend(args.iter().map(|a| match *a {
        a if a.contains('.') => dir.join(a).into_os_string(),
        a => a.into(),
    }));
    <ponder::cli::Cli as clap::Parser>::parse_from(argv)
}

fn run(cli: &ponder::cli::Cli) {
    ponder::cli::run(cli).expect("the command runs");
}

/// The three steps of the replicate chain, each alone, then in turn.
fn replicate_chain(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dir = dir.path();
    sample(dir, 25_000, true);
    std::fs::write(dir.join("design.yaml"), "design:\n  weight: d\n  strata: region\n")
        .expect("writing the design");
    std::fs::write(
        dir.join("estimate.yaml"),
        "design:\n  weight: w_cal\n  replicates:\n    columns: \"w_cal_rep_*\"\n    type: \
         bootstrap\n    count: 200\nestimates:\n  - {name: y_by_region, stat: mean, variable: y, \
         by: [region]}\n",
    )
    .expect("writing the estimate config");
    let replicates = cli(
        dir,
        &[
            "replicates",
            "-d",
            "design.yaml",
            "-i",
            "sample.csv",
            "-o",
            "rep.parquet",
            "-t",
            "bootstrap",
            "-R",
            "200",
            "--seed",
            "1",
        ],
    );
    let calibrate =
        cli(dir, &["calibrate", "-c", "calibrate.yaml", "-i", "rep.parquet", "-o", "cal.parquet"]);
    let estimate =
        cli(dir, &["estimate", "-c", "estimate.yaml", "-i", "cal.parquet", "-o", "est.csv"]);
    for step in [&replicates, &calibrate, &estimate] {
        run(step);
    }
    let mut group = c.benchmark_group("replicate_chain");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("replicates/25000x200", |b| b.iter(|| run(&replicates)));
    group.bench_function("calibrate/25000x200", |b| b.iter(|| run(&calibrate)));
    group.bench_function("estimate/25000x200", |b| b.iter(|| run(&estimate)));
    group.bench_function("three_steps/25000x200", |b| {
        b.iter(|| [&replicates, &calibrate, &estimate].into_iter().for_each(run))
    });
    group.finish();
}

/// `ponder calibrate` CSV → CSV on 250,000 rows.
fn csv_whole_run(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dir = dir.path();
    sample(dir, 250_000, false);
    let calibrate =
        cli(dir, &["calibrate", "-c", "calibrate.yaml", "-i", "sample.csv", "-o", "out.csv"]);
    run(&calibrate);
    let mut group = c.benchmark_group("calibrate_csv_whole_run");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.bench_function("raking_6cat/250000", |b| b.iter(|| run(&calibrate)));
    group.finish();
}

criterion_group!(benches, replicate_chain, csv_whole_run);
criterion_main!(benches);
