//! Property tests: identities every design-based estimator must satisfy.

use approx::{abs_diff_eq, assert_abs_diff_eq, assert_relative_eq, relative_eq};
use ponder::design::{Categorical, Design, DesignSpec, Numeric};
use ponder::estimate::{
    EstimateRow, EstimateSpec, Publication, Statistic, VarianceSource, estimate,
};
use ponder::variance::Linearization;
use ponder::variance::replicates::{ReplicateKind, generate};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random stratified cluster sample: weights, strata, PSUs, y, a domain variable.
struct Sample {
    w: Vec<f64>,
    strata: Vec<String>,
    psu: Vec<String>,
    y: Vec<f64>,
    dom: Vec<String>,
}

fn sample(seed: u64, n_strata: usize, psus_per_stratum: usize) -> Sample {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = Sample { w: vec![], strata: vec![], psu: vec![], y: vec![], dom: vec![] };
    for h in 0..n_strata {
        for i in 0..psus_per_stratum {
            let m = rng.random_range(1..5usize);
            let effect: f64 = rng.random_range(-2.0..2.0);
            for _ in 0..m {
                s.w.push(rng.random_range(1.0..20.0));
                s.strata.push(format!("h{h}"));
                s.psu.push(format!("h{h}p{i}"));
                s.y.push(effect + rng.random_range(0.0..10.0));
                s.dom.push(if rng.random_range(0.0..1.0) < 0.5 { "a".into() } else { "b".into() });
            }
        }
    }
    s
}

fn cat(name: &str, v: &[String]) -> Categorical {
    Categorical::from_strings(name, &v.iter().map(Some).collect::<Vec<_>>())
}

fn design(s: &Sample, w: Vec<f64>) -> Design {
    let mut spec = DesignSpec::with_weights("w", w);
    spec.strata = Some(cat("h", &s.strata));
    spec.clusters = vec![cat("psu", &s.psu)];
    Design::new(spec).expect("design")
}

fn one(d: &Design, stat: Statistic, by: Vec<&Categorical>) -> Vec<EstimateRow> {
    let mut spec = EstimateSpec::new("x", stat);
    spec.by = by;
    estimate(
        &VarianceSource::Linearization(&Linearization::new(d.clone())),
        &spec,
        &Publication::default(),
    )
    .expect("estimate")
}

// Relative comparisons: `max_relative = tol` with `epsilon = tol × 1e-12`, i.e. absolute
// below a reference of 1e-12. SEs: `abs_diff_eq!` within 1e-9 relative plus 1e-12 of the
// estimate (a one-row domain has true SE 0 and only rounding noise is left).

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn total_of_a_constant_is_the_weight_sum(seed in any::<u64>(), h in 1usize..4, m in 2usize..6) {
        let s = sample(seed, h, m);
        let d = design(&s, s.w.clone());
        let one_col = Numeric::new("one", vec![1.0; s.w.len()]);
        let r = &one(&d, Statistic::Total(&one_col), vec![])[0];
        prop_assert!(relative_eq!(r.estimate, s.w.iter().sum(), epsilon = 1e-24, max_relative = 1e-12));
        prop_assert!(r.se >= 0.0);
    }

    #[test]
    fn means_are_invariant_to_weight_scaling(seed in any::<u64>(), h in 1usize..4, m in 2usize..6, c in 0.01f64..100.0) {
        let s = sample(seed, h, m);
        let y = Numeric::new("y", s.y.clone());
        let a = &one(&design(&s, s.w.clone()), Statistic::Mean(&y), vec![])[0];
        let b = &one(&design(&s, s.w.iter().map(|w| w * c).collect()), Statistic::Mean(&y), vec![])[0];
        prop_assert!(relative_eq!(a.estimate, b.estimate, epsilon = 1e-24, max_relative = 1e-12));
        prop_assert!(abs_diff_eq!(a.se, b.se, epsilon = 1e-9 * b.se.abs() + 1e-12 * a.estimate.abs()));
    }

    #[test]
    fn variances_are_non_negative(seed in any::<u64>(), h in 1usize..4, m in 2usize..6) {
        let s = sample(seed, h, m);
        let d = design(&s, s.w.clone());
        let y = Numeric::new("y", s.y.clone());
        let dom = cat("dom", &s.dom);
        for stat in [Statistic::Total(&y), Statistic::Mean(&y)] {
            for r in one(&d, stat, vec![&dom]) {
                prop_assert!(r.se >= 0.0 || r.flags.empty, "{r:?}");
            }
        }
    }

    #[test]
    fn jk1_equals_linearization_for_a_mean_under_srs(seed in any::<u64>(), n in 3usize..40) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let y: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..100.0)).collect();
        let d = Design::new(DesignSpec::with_weights("w", vec![7.5; n])).expect("design");
        let y = Numeric::new("y", y);
        let lin = &one(&d, Statistic::Mean(&y), vec![])[0];
        let g = generate(&d, ReplicateKind::Jk1, None, false, &mut rng).expect("jk1");
        let spec = EstimateSpec::new("x", Statistic::Mean(&y));
        let jk = &estimate(&VarianceSource::Replicates(&g.design), &spec, &Publication::default()).expect("jk")[0];
        prop_assert!(relative_eq!(jk.se, lin.se, epsilon = 1e-21, max_relative = 1e-9), "{} vs {}", jk.se, lin.se);
    }

    #[test]
    fn domain_mean_equals_ratio_estimator(seed in any::<u64>(), h in 1usize..4, m in 2usize..6) {
        let s = sample(seed, h, m);
        let d = design(&s, s.w.clone());
        let y = Numeric::new("y", s.y.clone());
        let dom = cat("dom", &s.dom);
        let by = one(&d, Statistic::Mean(&y), vec![&dom]);
        for r in by {
            let label = &r.domain[0].1;
            let ind: Vec<f64> = s.dom.iter().map(|v| if v == label { 1.0 } else { 0.0 }).collect();
            let num = Numeric::new("yd", s.y.iter().zip(&ind).map(|(a, b)| a * b).collect());
            let den = Numeric::new("d", ind);
            let ratio = &one(&d, Statistic::Ratio { numerator: &num, denominator: &den }, vec![])[0];
            prop_assert!(relative_eq!(r.estimate, ratio.estimate, epsilon = 1e-24, max_relative = 1e-12));
            prop_assert!(
                abs_diff_eq!(r.se, ratio.se, epsilon = 1e-9 * ratio.se.abs() + 1e-12 * r.estimate.abs()),
                "{} vs {}", r.se, ratio.se
            );
        }
    }

    #[test]
    fn results_do_not_depend_on_row_order(seed in any::<u64>(), h in 1usize..4, m in 2usize..6) {
        let s = sample(seed, h, m);
        let mut order: Vec<usize> = (0..s.w.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xABCD);
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let p = |v: &Vec<String>| order.iter().map(|&k| v[k].clone()).collect::<Vec<_>>();
        let t = Sample {
            w: order.iter().map(|&k| s.w[k]).collect(),
            strata: p(&s.strata),
            psu: p(&s.psu),
            y: order.iter().map(|&k| s.y[k]).collect(),
            dom: p(&s.dom),
        };
        let (d1, d2) = (design(&s, s.w.clone()), design(&t, t.w.clone()));
        let (y1, y2) = (Numeric::new("y", s.y.clone()), Numeric::new("y", t.y.clone()));
        let (c1, c2) = (cat("dom", &s.dom), cat("dom", &t.dom));
        let a = one(&d1, Statistic::Mean(&y1), vec![&c1]);
        let b = one(&d2, Statistic::Mean(&y2), vec![&c2]);
        prop_assert_eq!(a.len(), b.len());
        for (x, z) in a.iter().zip(&b) {
            prop_assert_eq!(&x.domain, &z.domain);
            prop_assert!(relative_eq!(x.estimate, z.estimate, epsilon = 1e-24, max_relative = 1e-12));
            // a one-row domain has true SE 0: compare on the scale of the estimate
            let close = abs_diff_eq!(x.se, z.se, epsilon = 1e-9 * z.se.abs() + 1e-12 * x.estimate.abs());
            prop_assert!(close || (x.se.is_nan() && z.se.is_nan()), "{} vs {}", x.se, z.se);
        }
    }
}

#[test]
fn two_phase_variance_terms() {
    use ponder::variance::two_phase_variance;
    let s = sample(11, 3, 4);
    let d = design(&s, s.w.clone());
    let n = s.w.len();
    let e: Vec<f64> = s.y.iter().map(|y| y - 5.0).collect();
    // every unit responds with certainty: no nonresponse term, sampling term = design variance
    let v = two_phase_variance(&d, &vec![true; n], &vec![1.0; n], &e).expect("v");
    assert_eq!(v.nonresponse, 0.0);
    assert_relative_eq!(
        v.sampling,
        d.variance(&e).expect("design variance"),
        epsilon = 1e-24,
        max_relative = 1e-12
    );
    // half respond with p̂ = 0.5: Poisson term Σ (1 − p) (d e / p)² over respondents
    let resp: Vec<bool> = (0..n).map(|k| k % 2 == 0).collect();
    let v = two_phase_variance(&d, &resp, &vec![0.5; n], &e).expect("v");
    let want: f64 = (0..n).filter(|&k| resp[k]).map(|k| 0.5 * (s.w[k] * e[k] / 0.5).powi(2)).sum();
    assert_relative_eq!(v.nonresponse, want, epsilon = 1e-24, max_relative = 1e-12);
    let z: Vec<f64> = (0..n).map(|k| if resp[k] { e[k] / 0.5 } else { 0.0 }).collect();
    assert_relative_eq!(
        v.sampling,
        d.variance(&z).expect("v"),
        epsilon = 1e-24,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        v.total(),
        v.sampling + v.nonresponse,
        epsilon = 1e-27,
        max_relative = 1e-15
    );
    assert!(two_phase_variance(&d, &resp, &vec![0.0; n], &e).is_err());
}

#[test]
fn publication_flags_and_suppression() {
    let s = sample(3, 2, 3);
    let d = design(&s, s.w.clone());
    let y = Numeric::new("y", s.y.clone());
    let dom = cat("dom", &s.dom);
    let mut spec = EstimateSpec::new("x", Statistic::Total(&y));
    spec.by = vec![&dom];
    let publ = Publication { min_n: Some(1000), max_cv: Some(0.0), suppress: true };
    let rows =
        estimate(&VarianceSource::Linearization(&Linearization::new(d.clone())), &spec, &publ)
            .expect("rows");
    for r in rows {
        assert!(
            r.flags.low_n && r.flags.high_cv && r.flags.suppressed && r.estimate.is_nan(),
            "{r:?}"
        );
    }
    let publ = Publication { min_n: Some(1), max_cv: Some(10.0), suppress: true };
    let rows =
        estimate(&VarianceSource::Linearization(&Linearization::new(d.clone())), &spec, &publ)
            .expect("rows");
    for r in rows {
        assert!(
            !r.flags.low_n && !r.flags.high_cv && !r.flags.suppressed && r.estimate.is_finite(),
            "{r:?}"
        );
        assert_abs_diff_eq!(r.cv, r.se / r.estimate.abs(), epsilon = 1e-15);
    }
}

#[test]
fn domain_degrees_of_freedom_count_the_domain_psus_and_strata() {
    use ponder::estimate::DfRule;
    let s = sample(21, 3, 4);
    let d = design(&s, s.w.clone());
    let y = Numeric::new("y", s.y.clone());
    let dom = cat("dom", &s.dom);
    let mut spec = EstimateSpec::new("x", Statistic::Mean(&y));
    spec.by = vec![&dom];
    spec.df = DfRule::Domain;
    let rows = estimate(
        &VarianceSource::Linearization(&Linearization::new(d.clone())),
        &spec,
        &Publication::default(),
    )
    .expect("rows");
    for r in &rows {
        let label = &r.domain[0].1;
        let want = d.degrees_of_freedom_where(|k| &s.dom[k] == label);
        assert_eq!(r.df, Some(want));
    }
    spec.by = vec![];
    let rows = estimate(
        &VarianceSource::Linearization(&Linearization::new(d.clone())),
        &spec,
        &Publication::default(),
    )
    .expect("rows");
    assert_eq!(rows[0].df, Some(d.degrees_of_freedom()));
    assert_eq!(d.degrees_of_freedom(), 12.0 - 3.0);
}
