//! Seeded simulations on a synthetic population: coverage of intervals and the bootstrap
//! variance against the Monte-Carlo variance.

use approx::abs_diff_eq;
use ponder::design::{Categorical, Design, DesignSpec, Numeric};
use ponder::estimate::{
    CiMethod, DfRule, EstimateSpec, Publication, Statistic, VarianceSource, estimate,
};
use ponder::variance::Linearization;
use ponder::variance::replicates::{ReplicateKind, generate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const H: usize = 4;
const CLUSTERS: usize = 60; // per stratum
const SIZE: usize = 15; // units per cluster
const TAKE: usize = 8; // clusters sampled per stratum

/// Population: y (continuous) and b (binary) by stratum and cluster.
struct Population {
    y: Vec<Vec<Vec<f64>>>,
    b: Vec<Vec<Vec<f64>>>,
}

fn population() -> Population {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let normal = |rng: &mut ChaCha8Rng| -> f64 {
        (0..12).map(|_| rng.random_range(0.0..1.0)).sum::<f64>() - 6.0
    };
    let mut y = vec![];
    let mut b = vec![];
    for h in 0..H {
        let (mut yh, mut bh) = (vec![], vec![]);
        for _ in 0..CLUSTERS {
            let c = 2.0 * normal(&mut rng);
            let (mut yc, mut bc) = (vec![], vec![]);
            for _ in 0..SIZE {
                let v = 50.0 + 5.0 * h as f64 + c + 4.0 * normal(&mut rng);
                yc.push(v);
                bc.push(if v + 3.0 * normal(&mut rng) > 58.0 { 1.0 } else { 0.0 });
            }
            yh.push(yc);
            bh.push(bc);
        }
        y.push(yh);
        b.push(bh);
    }
    Population { y, b }
}

fn mean_of(v: &[Vec<Vec<f64>>]) -> f64 {
    let all: Vec<f64> = v.iter().flatten().flatten().copied().collect();
    all.iter().sum::<f64>() / all.len() as f64
}

/// A stratified one-stage cluster sample (SRSWOR of TAKE clusters per stratum, fpc given).
fn draw(pop: &Population, rng: &mut ChaCha8Rng) -> (Design, Numeric, Categorical) {
    let (mut w, mut st, mut psu, mut y, mut b) = (vec![], vec![], vec![], vec![], vec![]);
    for h in 0..H {
        let mut ids: Vec<usize> = (0..CLUSTERS).collect();
        for i in 0..TAKE {
            let j = rng.random_range(i..CLUSTERS);
            ids.swap(i, j);
        }
        for &c in &ids[..TAKE] {
            for u in 0..SIZE {
                w.push(CLUSTERS as f64 / TAKE as f64);
                st.push(format!("{h}"));
                psu.push(format!("{h}-{c}"));
                y.push(pop.y[h][c][u]);
                b.push(if pop.b[h][c][u] == 1.0 { "yes" } else { "no" });
            }
        }
    }
    let n = w.len();
    let mut spec = DesignSpec::with_weights("w", w);
    spec.strata = Some(Categorical::from_strings("h", &st.iter().map(Some).collect::<Vec<_>>()));
    spec.clusters =
        vec![Categorical::from_strings("psu", &psu.iter().map(Some).collect::<Vec<_>>())];
    spec.fpc = vec![Numeric::new("N", vec![CLUSTERS as f64; n])];
    let d = Design::new(spec).expect("design");
    (
        d,
        Numeric::new("y", y),
        Categorical::from_strings("b", &b.iter().map(Some).collect::<Vec<_>>()),
    )
}

#[test]
fn wald_and_logit_intervals_cover_95_percent() {
    let pop = population();
    let (ybar, pbar) = (mean_of(&pop.y), mean_of(&pop.b));
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let reps = 1000;
    let (mut cover_y, mut cover_p) = (0, 0);
    for _ in 0..reps {
        let (d, y, b) = draw(&pop, &mut rng);
        let lin = Linearization::new(d.clone());
        let src = VarianceSource::Linearization(&lin);
        let mut s = EstimateSpec::new("y", Statistic::Mean(&y));
        s.df = DfRule::Design;
        let r = &estimate(&src, &s, &Publication::default()).expect("mean")[0];
        cover_y += (r.ci_low <= ybar && ybar <= r.ci_high) as usize;
        let mut s =
            EstimateSpec::new("b", Statistic::Proportion { variable: &b, category: Some("yes") });
        s.ci = CiMethod::Logit;
        s.df = DfRule::Design;
        let r = &estimate(&src, &s, &Publication::default()).expect("prop")[0];
        cover_p += (r.ci_low <= pbar && pbar <= r.ci_high) as usize;
    }
    let (cy, cp) = (cover_y as f64 / reps as f64, cover_p as f64 / reps as f64);
    eprintln!("coverage wald {cy} logit {cp}");
    assert!((0.93..=0.97).contains(&cy), "Wald coverage {cy}");
    assert!((0.93..=0.97).contains(&cp), "logit coverage {cp}");
}

#[test]
fn bootstrap_variance_matches_monte_carlo_variance() {
    let pop = population();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut ests, mut boot) = (vec![], vec![]);
    for i in 0..1500 {
        let (d, y, _) = draw(&pop, &mut rng);
        let spec = EstimateSpec::new("y", Statistic::Mean(&y));
        if i < 200 {
            let g =
                generate(&d, ReplicateKind::Bootstrap, Some(100), false, &mut rng).expect("boot");
            let r =
                &estimate(&VarianceSource::Replicates(&g.design), &spec, &Publication::default())
                    .expect("b")[0];
            boot.push(r.se * r.se);
            ests.push(r.estimate);
        } else {
            let r = &estimate(
                &VarianceSource::Linearization(&Linearization::new(d.clone())),
                &spec,
                &Publication::default(),
            )
            .expect("l")[0];
            ests.push(r.estimate);
        }
    }
    let m = ests.iter().sum::<f64>() / ests.len() as f64;
    let mc = ests.iter().map(|e| (e - m) * (e - m)).sum::<f64>() / (ests.len() - 1) as f64;
    let vb = boot.iter().sum::<f64>() / boot.len() as f64;
    eprintln!("boot {vb} mc {mc}");
    assert!(abs_diff_eq!(vb / mc, 1.0, epsilon = 0.15), "bootstrap {vb} vs Monte Carlo {mc}");
}
