//! Model benches (issue 12): a logistic (quasibinomial) model with 12 coefficients on 25,000
//! rows — linearized on a stratified, clustered design with fpc (100 strata, 1,000 PSUs of
//! 25 rows, 10 of 200 PSUs sampled per stratum) and on an element design (SRS), then with 500
//! bootstrap replicates (refitted on each) — and the Rao–Scott test of a 20 × 5 table.
//! Results are recorded in docs/performance-models.md.

use criterion::{Criterion, criterion_group, criterion_main};
use ponder::data::Factor;
use ponder::design::{Categorical, Design, DesignSpec, Numeric};
use ponder::model::{
    ChisqStatistic, Column, Family, GlmOptions, ModelSpec, Variable, Variance, fit_glm, rao_scott,
};
use ponder::variance::Linearization;
use ponder::variance::replicates::{ReplicateKind, generate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const N: usize = 25_000;
const STRATA: usize = 100;
const PSUS: usize = 1_000;
/// PSUs in the population of each stratum (10 sampled: fpc fraction 0.05).
const POP_PSUS: f64 = 200.0;
const REPLICATES: usize = 500;

struct Data {
    clustered: Linearization,
    srs: Linearization,
    y: Vec<f64>,
    x1: Vec<f64>,
    x2: Vec<f64>,
    /// Factors of 4, 5 and 3 levels (3 + 4 + 2 dummies): 12 coefficients with the intercept.
    f: [Factor; 3],
    /// The 20 × 5 table's variables.
    region: Factor,
    answer: Factor,
}

fn factor(codes: Vec<u32>, k: usize) -> Factor {
    Factor { codes, levels: (0..k).map(|i| format!("{i:02}")).collect() }
}

fn data() -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let per_psu = N / PSUS;
    let psu: Vec<u32> = (0..N).map(|k| (k / per_psu) as u32).collect();
    let stratum: Vec<u32> = psu.iter().map(|p| p / (PSUS / STRATA) as u32).collect();
    let w: Vec<f64> = (0..N).map(|_| rng.random_range(500.0..3000.0)).collect();
    let x1: Vec<f64> = (0..N).map(|_| rng.random_range(-2.0..2.0)).collect();
    let x2: Vec<f64> = (0..N).map(|_| rng.random_range(0.0..10.0)).collect();
    let f =
        [4usize, 5, 3].map(|k| factor((0..N).map(|_| rng.random_range(0..k as u32)).collect(), k));
    let psu_effect: Vec<f64> = (0..PSUS).map(|_| rng.random_range(-0.5..0.5)).collect();
    let y: Vec<f64> = (0..N)
        .map(|k| {
            let eta = -0.5 + 0.8 * x1[k] - 0.1 * x2[k] + 0.3 * f64::from(f[0].codes[k])
                - 0.2 * f64::from(f[1].codes[k])
                + 0.4 * f64::from(f[2].codes[k])
                + psu_effect[psu[k] as usize];
            f64::from(u8::from(rng.random_range(0.0..1.0) < 1.0 / (1.0 + (-eta).exp())))
        })
        .collect();
    let region = factor(stratum.iter().map(|h| h % 20).collect(), 20);
    // an answer depending on the region and on the PSU
    let answer = factor(
        (0..N)
            .map(|k| {
                let shift = (region.codes[k] % 3) as f64 * 0.1 + psu_effect[psu[k] as usize] * 0.3;
                let u: f64 = rng.random_range(0.0..1.0);
                ((u + shift).rem_euclid(1.0) * 5.0) as u32
            })
            .collect(),
        5,
    );
    let mut spec = DesignSpec::with_weights("w", w.clone());
    spec.strata = Some(Categorical::new("stratum", factor(stratum, STRATA)));
    spec.clusters = vec![Categorical::new("psu", factor(psu, PSUS))];
    spec.fpc = vec![Numeric::new("fpc", vec![POP_PSUS; N])];
    let clustered = Linearization::new(Design::new(spec).expect("design"));
    let srs = Linearization::new(Design::new(DesignSpec::with_weights("w", w)).expect("srs"));
    Data { clustered, srs, y, x1, x2, f, region, answer }
}

fn spec(data: &Data) -> ModelSpec<'_> {
    let names = ["f4", "f5", "f3"];
    let mut terms = vec![
        Variable { name: "x1", column: Column::Numeric(&data.x1) },
        Variable { name: "x2", column: Column::Numeric(&data.x2) },
    ];
    for (name, f) in names.iter().zip(&data.f) {
        terms.push(Variable { name, column: Column::Factor(f) });
    }
    let y = Variable { name: "y", column: Column::Numeric(&data.y) };
    ModelSpec::new(Family::QuasiBinomial, y, terms)
}

fn bench(c: &mut Criterion) {
    let data = data();
    let spec = spec(&data);
    let opts = GlmOptions::default();
    let fit = fit_glm(&spec, Variance::Linearization(&data.clustered), &opts).expect("fit");
    assert_eq!(fit.coefficients.len(), 12);
    for (name, design) in [("stratified_clustered_fpc", &data.clustered), ("srs", &data.srs)] {
        c.bench_function(&format!("glm_logit_12_coef_25k_linearized_{name}"), |b| {
            b.iter(|| {
                black_box(fit_glm(&spec, Variance::Linearization(design), &opts).expect("fit"))
            })
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(REPLICATES as u64);
    let g = generate(
        data.clustered.design(),
        ReplicateKind::Bootstrap,
        Some(REPLICATES),
        false,
        &mut rng,
    )
    .expect("bootstrap");
    c.bench_function(&format!("glm_logit_12_coef_25k_bootstrap_{REPLICATES}_refits"), |b| {
        b.iter(|| black_box(fit_glm(&spec, Variance::Replicates(&g.design), &opts).expect("fit")))
    });
    let (a, b) = (("region", &data.region), ("answer", &data.answer));
    for (name, design) in [("stratified_clustered_fpc", &data.clustered), ("srs", &data.srs)] {
        c.bench_function(&format!("rao_scott_20x5_25k_linearized_{name}"), |bn| {
            bn.iter(|| {
                black_box(
                    rao_scott(Variance::Linearization(design), a, b, ChisqStatistic::F)
                        .expect("svychisq"),
                )
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
