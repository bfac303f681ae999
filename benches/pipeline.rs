//! The whole « Français et la justice » chain: `ponder run` on the bundled pipeline
//! (designs/fej2024.yaml: 2-million-person synthetic register, 25,000 drawn by the cube
//! method, web + phone collection, score-group nonresponse, raking on 5 census margins,
//! 500 bootstrap replicates redoing both, 125 estimate rows, every output file), and
//! `ponder simulate` replications on a 60,000-person population (3,000 drawn, 50
//! replicates each). Results: docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use ponder::config::pipeline::PipelineConfig;
use ponder::pipeline::Silent;
use ponder::pipeline::run::{RunOptions, run};
use ponder::pipeline::simulation::{SimulationOptions, simulate};
use std::hint::black_box;
use std::path::PathBuf;

fn pipeline() -> PipelineConfig {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("designs/fej2024.yaml");
    PipelineConfig::load(&path).expect("bundled pipeline")
}

fn bench(c: &mut Criterion) {
    let cfg = pipeline();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(60));
    g.bench_function("run_fej2024_25000_drawn_500_replicates", |b| {
        b.iter(|| {
            let opts = RunOptions { out: dir.path().join("out"), ..RunOptions::default() };
            black_box(run(&cfg, &opts, &Silent).expect("run"))
        })
    });
    g.bench_function("simulate_20_replications", |b| {
        b.iter(|| {
            let opts = SimulationOptions {
                replications: 20,
                population: 60_000,
                sample_size: Some(3_000),
                replicates: 50,
                seed: 1,
            };
            black_box(simulate(&cfg, &opts, &Silent).expect("simulate"))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
