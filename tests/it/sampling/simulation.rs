//! Simulations: the empirical inclusion frequencies of every method agree with π (binomial
//! bounds, Bonferroni over all units and methods), and balanced samples reproduce their
//! balancing totals.

use ponder::data::Factor;
use ponder::sampling::{
    BalanceVar, CubeOptions, CubeOrder, Sample, SortKey, Strata,
    inclusion_probabilities_stratified, select_cube, select_poisson, select_srswor,
    select_systematic, sort_order,
};
use statrs::distribution::{ContinuousCDF, Normal};

use super::rng;

/// A 40-unit frame in two interleaved strata (24 + 16) with unequal sizes, including one
/// certainty unit per stratum once π ∝ size is capped.
struct Frame {
    strata: Strata,
    x: Vec<f64>,
    y: Vec<f64>,
    cat: Vec<u32>,
    pi: Vec<f64>,
    n_h: [u64; 2],
}

fn frame() -> Frame {
    let n = 40;
    let codes: Vec<u32> = (0..n).map(|k| u32::from(k % 5 >= 3)).collect();
    let strata = Strata::from_codes("h", codes, vec!["a".into(), "b".into()]).unwrap();
    let mut x: Vec<f64> = (0..n).map(|k| 1.0 + ((k * 7) % 11) as f64).collect();
    x[0] = 60.0; // certainty in stratum a
    x[3] = 60.0; // certainty in stratum b
    let y: Vec<f64> = (0..n).map(|k| ((k * 13) % 17) as f64 + 0.5 * x[k]).collect();
    let cat: Vec<u32> = (0..n as u32).map(|k| (k * 3) % 4).collect();
    let n_h = [8, 6];
    let pi = inclusion_probabilities_stratified(&x, &strata, &n_h, "x").unwrap().pi;
    Frame { strata, x, y, cat, pi, n_h }
}

/// z threshold for `tests` two-sided tests at family-wise level 1e-3 (Bonferroni).
fn z_threshold(tests: usize) -> f64 {
    Normal::new(0.0, 1.0).unwrap().inverse_cdf(1.0 - 1e-3 / (2.0 * tests as f64))
}

/// Draws `reps` samples and checks every unit's inclusion frequency against π.
fn check_frequencies(
    name: &str,
    pi: &[f64],
    reps: usize,
    tests: usize,
    mut draw: impl FnMut(u64) -> Sample,
) {
    let mut count = vec![0u32; pi.len()];
    for r in 0..reps {
        for &k in &draw(1000 + r as u64).rows {
            count[k] += 1;
        }
    }
    let z_max = z_threshold(tests);
    for (k, &p) in pi.iter().enumerate() {
        let c = f64::from(count[k]);
        if p == 1.0 || p == 0.0 {
            assert_eq!(c, p * reps as f64, "{name}: unit {k} with π = {p}");
            continue;
        }
        let sd = (reps as f64 * p * (1.0 - p)).sqrt();
        let z = (c - reps as f64 * p) / sd;
        assert!(
            z.abs() < z_max,
            "{name}: unit {k}: π = {p}, frequency {}, z = {z:.2}",
            c / reps as f64
        );
    }
}

const METHODS: usize = 5;

#[test]
fn srswor_frequencies_match_pi() {
    let f = frame();
    let pi: Vec<f64> = f
        .strata
        .codes()
        .iter()
        .map(|&c| f.n_h[c as usize] as f64 / f.strata.sizes()[c as usize] as f64)
        .collect();
    check_frequencies("srswor", &pi, 20_000, METHODS * pi.len(), |s| {
        select_srswor(&f.strata, &f.n_h, &mut rng(s), None).unwrap()
    });
}

#[test]
fn srswor_with_large_fractions_matches_pi() {
    // n_h > N_h / 16 takes the sequential (Algorithm S) branch, n_h small takes Floyd's.
    let strata = Strata::from_codes(
        "h",
        (0..200).map(|k| u32::from(k >= 40)).collect(),
        vec!["a".into(), "b".into()],
    )
    .unwrap();
    let n_h = [30, 5];
    let pi: Vec<f64> = (0..200).map(|k| if k < 40 { 30.0 / 40.0 } else { 5.0 / 160.0 }).collect();
    check_frequencies("srswor-fractions", &pi, 10_000, METHODS * pi.len(), |s| {
        select_srswor(&strata, &n_h, &mut rng(s), None).unwrap()
    });
}

#[test]
fn systematic_frequencies_match_pi_on_a_sort_order() {
    let f = frame();
    let order = sort_order(
        f.x.len(),
        &[
            SortKey::Codes { name: "cat", codes: &f.cat },
            SortKey::Values { name: "y", values: &f.y },
        ],
    )
    .unwrap();
    check_frequencies("systematic", &f.pi, 20_000, METHODS * f.pi.len(), |s| {
        select_systematic(&f.pi, &f.strata, Some(&order), &mut rng(s), None).unwrap()
    });
}

#[test]
fn poisson_frequencies_match_pi() {
    let f = frame();
    check_frequencies("poisson", &f.pi, 20_000, METHODS * f.pi.len(), |s| {
        select_poisson(&f.pi, &f.strata, &mut rng(s), None).unwrap()
    });
}

#[test]
fn cube_frequencies_match_pi() {
    let f = frame();
    let levels: Vec<String> = (0..4).map(|l| l.to_string()).collect();
    let cat_f = Factor { codes: f.cat.clone(), levels };
    let bal = [
        BalanceVar::Numeric { name: "y".into(), values: &f.y },
        BalanceVar::Categorical { name: "cat".into(), factor: &cat_f },
    ];
    for order in [CubeOrder::Random, CubeOrder::Frame] {
        let opts = CubeOptions { order };
        check_frequencies("cube", &f.pi, 10_000, METHODS * f.pi.len(), |s| {
            select_cube(&f.pi, &f.strata, &bal, &opts, &mut rng(s), None).unwrap().0
        });
    }
}

/// Balanced samples: exact n_h, HT totals within the landing bound, and far closer to the
/// frame totals than unbalanced samples of the same size.
#[test]
fn cube_samples_reproduce_the_balancing_totals() {
    let n = 2000;
    let codes: Vec<u32> = (0..n).map(|k| (k % 3) as u32).collect();
    let strata = Strata::from_codes("h", codes, vec!["a".into(), "b".into(), "c".into()]).unwrap();
    let x: Vec<f64> = (0..n).map(|k| 1.0 + ((k * 31) % 5) as f64).collect();
    let z: Vec<f64> = (0..n).map(|k| ((k * 17) % 23) as f64).collect();
    let cat: Vec<u32> = (0..n as u32).map(|k| (k * 7) % 5).collect();
    let n_h = [60, 40, 50];
    let pi = inclusion_probabilities_stratified(&x, &strata, &n_h, "x").unwrap().pi;
    let levels: Vec<String> = (0..5).map(|l| l.to_string()).collect();
    let cat_f = Factor { codes: cat.clone(), levels };
    let bal = [
        BalanceVar::Numeric { name: "x".into(), values: &x },
        BalanceVar::Numeric { name: "z".into(), values: &z },
        BalanceVar::Categorical { name: "cat".into(), factor: &cat_f },
    ];
    let total_z: f64 = z.iter().sum();
    let (mut cube_sq, mut poisson_sq) = (0.0, 0.0);
    let reps = 40;
    for r in 0..reps {
        let (s, report) =
            select_cube(&pi, &strata, &bal, &CubeOptions::default(), &mut rng(r), None).unwrap();
        assert_eq!(s.counts(3), n_h.to_vec());
        // |HT − total| ≤ Σ over landing units of |x_k / π_k| ≤ landing_units · max |x_k / π_k|.
        let landing = report.landing_units as f64;
        let cols: [&dyn Fn(usize) -> f64; 7] = [
            &|k| x[k],
            &|k| z[k],
            &|k| f64::from(cat[k] == 0),
            &|k| f64::from(cat[k] == 1),
            &|k| f64::from(cat[k] == 2),
            &|k| f64::from(cat[k] == 3),
            &|k| f64::from(cat[k] == 4),
        ];
        for (j, check) in report.checks[1..].iter().enumerate() {
            let bound = landing * (0..n).map(|k| cols[j](k) / pi[k]).fold(0.0, f64::max);
            assert!(
                check.deviation.abs() <= bound + 1e-9 * check.frame_total.abs(),
                "{}: deviation {} > bound {bound}",
                check.variable,
                check.deviation
            );
        }
        cube_sq += report.checks[2].deviation.powi(2);
        let p = select_poisson(&pi, &strata, &mut rng(r), None).unwrap();
        let ht: f64 = p.rows.iter().zip(&p.pi).map(|(&k, &q)| z[k] / q).sum();
        poisson_sq += (ht - total_z).powi(2);
    }
    assert!(cube_sq * 25.0 < poisson_sq, "balancing gains nothing: {cube_sq} vs {poisson_sq}");
}
