//! Variance benches: linearization of 20 estimates × 20 domains on a calibrated design
//! (25,000 rows, 100 strata, 1,000 PSUs) and bootstrap replicate variance of a mean by region.
//! Results are recorded in docs/performance-variance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use ponder::data::Factor;
use ponder::design::{Categorical, Design, DesignSpec, Numeric};
use ponder::estimate::{EstimateSpec, Publication, Statistic, VarianceSource, estimate};
use ponder::variance::replicates::{ReplicateKind, generate};
use ponder::variance::{CalibrationStep, Linearization};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const N: usize = 25_000;
const STRATA: usize = 100;
const PSUS: usize = 1_000;
const REGIONS: usize = 20;

struct Data {
    design: Linearization,
    region: Categorical,
    age: Categorical,
    vars: Vec<Numeric>,
    yes: Categorical,
}

fn cat(name: &str, codes: Vec<u32>, k: usize) -> Categorical {
    Categorical::new(name, Factor { codes, levels: (0..k).map(|i| format!("{i:02}")).collect() })
}

fn data() -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let per_psu = N / PSUS;
    let psu: Vec<u32> = (0..N).map(|k| (k / per_psu) as u32).collect();
    let stratum: Vec<u32> = psu.iter().map(|p| p / (PSUS / STRATA) as u32).collect();
    let region: Vec<u32> = stratum.iter().map(|h| h % REGIONS as u32).collect();
    let age: Vec<u32> = (0..N).map(|_| rng.random_range(0..8u32)).collect();
    let d: Vec<f64> = (0..N).map(|_| rng.random_range(500.0..3000.0)).collect();
    // a precomputed "raked" weight vector: g factors around 1
    let w: Vec<f64> = d.iter().map(|d| d * rng.random_range(0.8..1.25)).collect();
    let vars: Vec<Numeric> = (0..4)
        .map(|j| {
            Numeric::new(
                &format!("y{j}"),
                (0..N).map(|_| rng.random_range(0.0..100.0) * (j + 1) as f64).collect(),
            )
        })
        .collect();
    let yes = cat("yes", (0..N).map(|_| rng.random_range(0..2u32)).collect(), 2);
    let mut spec = DesignSpec::with_weights("d", d);
    spec.strata = Some(cat("stratum", stratum, STRATA));
    spec.clusters = vec![cat("psu", psu, PSUS)];
    let base = Design::new(spec).expect("design");
    // calibration model: intercept, region and age dummies (full sets: rank-deficient on purpose)
    let mut model = vec![vec![1.0; N]];
    for (codes, k) in [(&region, REGIONS), (&age, 8)] {
        for j in 0..k {
            model.push(codes.iter().map(|&c| if c as usize == j { 1.0 } else { 0.0 }).collect());
        }
    }
    let design = Linearization::new(base)
        .calibrated(w, CalibrationStep::Regression { model })
        .expect("calibrated");
    Data { design, region: cat("region", region, REGIONS), age: cat("age", age, 8), vars, yes }
}

fn specs(data: &Data) -> Vec<EstimateSpec<'_>> {
    let mut out = Vec::new();
    for i in 0..20 {
        let v = &data.vars[i % 4];
        let stat = match i % 5 {
            0 | 1 => Statistic::Mean(v),
            2 => Statistic::Total(v),
            3 => Statistic::Proportion { variable: &data.yes, category: Some("01") },
            _ => Statistic::Ratio { numerator: v, denominator: &data.vars[(i + 1) % 4] },
        };
        let mut s = EstimateSpec::new(&format!("e{i}"), stat);
        s.by = vec![&data.region];
        out.push(s);
    }
    out
}

fn bench(c: &mut Criterion) {
    let data = data();
    let _ = &data.age;
    let specs = specs(&data);
    let src = VarianceSource::Linearization(&data.design);
    c.bench_function("linearized_20_estimates_x_20_domains_calibrated", |b| {
        b.iter(|| {
            for s in &specs {
                black_box(estimate(&src, s, &Publication::default()).expect("estimate"));
            }
        })
    });
    let mean = {
        let mut s = EstimateSpec::new("mean_by_region", Statistic::Mean(&data.vars[0]));
        s.by = vec![&data.region];
        s
    };
    for r in [200usize, 1000] {
        let mut rng = ChaCha8Rng::seed_from_u64(r as u64);
        let g = generate(data.design.design(), ReplicateKind::Bootstrap, Some(r), false, &mut rng)
            .expect("bootstrap");
        c.bench_function(&format!("bootstrap_{r}_generation"), |b| {
            b.iter(|| {
                let mut rng = ChaCha8Rng::seed_from_u64(r as u64);
                black_box(
                    generate(
                        data.design.design(),
                        ReplicateKind::Bootstrap,
                        Some(r),
                        false,
                        &mut rng,
                    )
                    .expect("g"),
                )
            })
        });
        bench_reraked(c, &data, &g.design, &mean, r);
        let rep_src = VarianceSource::Replicates(&g.design);
        c.bench_function(&format!("bootstrap_{r}_variance_mean_by_region"), |b| {
            b.iter(|| {
                black_box(estimate(&rep_src, &mean, &Publication::default()).expect("estimate"))
            })
        });
    }
}

/// The end-to-end replicate bench: every bootstrap replicate re-raked on 6
/// categorical margins (region + 5 others, 40 categories), then a mean by region.
fn bench_reraked(
    c: &mut Criterion,
    data: &Data,
    reps: &ponder::variance::replicates::ReplicateDesign,
    mean: &EstimateSpec<'_>,
    r: usize,
) {
    use ponder::calibration::{Margin, Method, Options, Problem, calibrate_replicates};
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let d = reps.full_weights().to_vec();
    let mut margins = Vec::new();
    for (m, k) in [(0usize, REGIONS), (1, 2), (2, 4), (3, 5), (4, 4), (5, 5)] {
        let codes: Vec<u32> = if m == 0 {
            data.region.codes.clone()
        } else {
            (0..N).map(|_| rng.random_range(0..k as u32)).collect()
        };
        let mut targets = vec![0.0; k];
        for (c, w) in codes.iter().zip(&d) {
            targets[*c as usize] += w * 1.05;
        }
        let levels = (0..k).map(|j| j.to_string()).collect();
        margins.push(Margin::Categorical {
            name: format!("m{m}"),
            factor: Factor { codes, levels },
            targets,
        });
    }
    let problem = Problem::new(d, margins).expect("problem");
    let options = Options::new(Method::Raking, None);
    let starts: Vec<Vec<f64>> = reps.replicate_weights().to_vec();
    c.bench_function(&format!("bootstrap_{r}_reraked_6_margins_then_mean_by_region"), |b| {
        b.iter(|| {
            let cals = calibrate_replicates(&problem, &starts, &options).expect("re-rake");
            let full = reps.full_weights().to_vec();
            let rw: Vec<Vec<f64>> = cals.into_iter().map(|c| c.weights).collect();
            let design = reps.with_weights(full, rw).expect("replicate design");
            black_box(
                estimate(&VarianceSource::Replicates(&design), mean, &Publication::default())
                    .expect("estimate"),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
