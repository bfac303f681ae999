//! Property tests of linked units: one dispute per person gives the person-level results;
//! duplicating every dispute doubles totals and leaves rates and their SEs unchanged; the
//! order of the unit file does not matter.

use approx::abs_diff_eq;
use ponder::design::{Categorical, Design, DesignSpec, Numeric};
use ponder::estimate::{
    EstimateRow, EstimateSpec, Publication, Statistic, UnitLink, VarianceSource, estimate,
    estimate_linked,
};
use ponder::variance::replicates::{ReplicateKind, generate};
use ponder::variance::{Linearization, TwoPhase};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Persons of a stratified cluster sample and their disputes (value y, type, a 0/1 flag).
struct World {
    lin: Linearization,
    person_y: Vec<f64>,
    person_dom: Vec<String>,
    /// Disputes: person row, y, type, flag.
    units: Vec<(u32, f64, String, f64)>,
}

fn world(seed: u64, n_strata: usize, psus: usize, max_disputes: usize) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut w, mut strata, mut psu, mut person_y, mut person_dom) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut units = Vec::new();
    for h in 0..n_strata {
        for i in 0..psus {
            for _ in 0..rng.random_range(1..4usize) {
                let k = w.len() as u32;
                w.push(rng.random_range(1.0..20.0));
                strata.push(Some(format!("h{h}")));
                psu.push(Some(format!("h{h}p{i}")));
                person_y.push(rng.random_range(0.0..10.0));
                person_dom.push(if rng.random_range(0.0..1.0) < 0.5 { "a" } else { "b" }.into());
                for _ in 0..rng.random_range(0..=max_disputes) {
                    let t = if rng.random_range(0.0..1.0) < 0.5 { "x" } else { "y" };
                    let flag = if rng.random_range(0.0..1.0) < 0.4 { 1.0 } else { 0.0 };
                    units.push((k, rng.random_range(0.0..100.0), t.to_string(), flag));
                }
            }
        }
    }
    let mut spec = DesignSpec::with_weights("w", w);
    spec.strata = Some(Categorical::from_strings("h", &strata));
    spec.clusters = vec![Categorical::from_strings("psu", &psu)];
    let lin = Linearization::new(Design::new(spec).expect("design"));
    World { lin, person_y, person_dom, units }
}

fn cat(name: &str, v: &[String]) -> Categorical {
    Categorical::from_strings(name, &v.iter().map(Some).collect::<Vec<_>>())
}

/// Total and mean of y by type, and the share of flagged disputes by type, on `units`.
fn unit_rows(w: &World, units: &[(u32, f64, String, f64)]) -> Vec<EstimateRow> {
    let n = w.lin.weights().len();
    let link = UnitLink::new(units.iter().map(|u| u.0).collect(), n).unwrap();
    let y = Numeric::new("y", units.iter().map(|u| u.1).collect());
    let flag = Numeric::new("flag", units.iter().map(|u| u.3).collect());
    let ty = cat("type", &units.iter().map(|u| u.2.clone()).collect::<Vec<_>>());
    let src = VarianceSource::Linearization(&w.lin);
    let mut out = Vec::new();
    for stat in [Statistic::Total(&y), Statistic::Mean(&y), Statistic::Mean(&flag)] {
        let mut spec = EstimateSpec::new("u", stat);
        spec.by = vec![&ty];
        out.extend(estimate_linked(&src, &link, &spec, &Publication::default()).expect("units"));
    }
    out
}

/// Equal to 1e-9 relative, or 1e-10 absolute near zero (a variance of a constant is 0 on
/// one side and a rounding residue such as 4e-16 on the other); both NaN (a domain without
/// respondents) counts as equal.
fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || approx::relative_eq!(a, b, epsilon = 1e-10, max_relative = 1e-9)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// One dispute per person (unit file shuffled): the person-level estimates and SEs,
    /// by linearization, with bootstrap replicate weights and with a nonresponse phase.
    #[test]
    fn one_unit_per_person_gives_person_results(seed in any::<u64>(), h in 1usize..4, m in 2usize..5) {
        let w = world(seed, h, m, 0);
        let design = w.lin.design().clone();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 3);
        let boot = generate(&design, ReplicateKind::Bootstrap, Some(20), false, &mut rng).unwrap();
        // a nonresponse phase: every other person responds, with weight d / 0.6
        let adjusted: Vec<f64> = design.weights().iter().enumerate()
            .map(|(k, d)| if k % 2 == 0 { d / 0.6 } else { 0.0 }).collect();
        let two = TwoPhase::new(design, adjusted).unwrap();
        let sources = [
            VarianceSource::Linearization(&w.lin),
            VarianceSource::Replicates(&boot.design),
            VarianceSource::TwoPhase(&two),
        ];
        for src in &sources {
            one_unit_check(&w, src, seed)?;
        }
    }

    /// Every dispute twice: totals and their SEs double, means and shares (and SEs) stay.
    #[test]
    fn duplicating_units_doubles_totals_only(seed in any::<u64>(), h in 1usize..4, m in 2usize..5) {
        let w = world(seed, h, m, 3);
        prop_assume!(!w.units.is_empty());
        let once = unit_rows(&w, &w.units);
        let twice: Vec<_> = w.units.iter().chain(&w.units).cloned().collect();
        let doubled = unit_rows(&w, &twice);
        prop_assert_eq!(once.len(), doubled.len());
        for (a, b) in once.iter().zip(&doubled) {
            let f = if a.stat == "total" { 2.0 } else { 1.0 };
            prop_assert!(close(b.estimate, f * a.estimate), "{} {} vs {}", a.stat, b.estimate, a.estimate);
            // SEs: 1e-9 relative (floor 1e-9) plus 1e-12 of the estimate
            let tol = 1e-9 * a.se.max(1e-9) + 1e-12 * a.estimate.abs();
            prop_assert!(abs_diff_eq!(b.se, f * a.se, epsilon = tol),
                "{} se {} vs {}", a.stat, b.se, a.se);
            prop_assert_eq!(b.n, 2 * a.n);
        }
    }

    /// The order of the unit file's rows does not change any result.
    #[test]
    fn unit_row_order_does_not_matter(seed in any::<u64>(), h in 1usize..4, m in 2usize..5) {
        let w = world(seed, h, m, 3);
        let mut shuffled = w.units.clone();
        shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 2));
        let a = unit_rows(&w, &w.units);
        let b = unit_rows(&w, &shuffled);
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!(&x.domain, &y.domain);
            prop_assert!(close(x.estimate, y.estimate));
            let tol = 1e-9 * y.se.max(1e-9) + 1e-12 * y.estimate.abs();
            prop_assert!(abs_diff_eq!(x.se, y.se, epsilon = tol), "se {} vs {}", x.se, y.se);
        }
    }
}

/// The linked estimate on one unit per person (shuffled) equals the person-level one.
fn one_unit_check(w: &World, src: &VarianceSource, seed: u64) -> Result<(), TestCaseError> {
    let n = w.person_y.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 1));
    let link = UnitLink::new(order.clone(), n).unwrap();
    let uy = Numeric::new("y", order.iter().map(|&i| w.person_y[i as usize]).collect());
    let udom =
        cat("d", &order.iter().map(|&i| w.person_dom[i as usize].clone()).collect::<Vec<_>>());
    let py = Numeric::new("y", w.person_y.clone());
    let pdom = cat("d", &w.person_dom);
    for total in [true, false] {
        let (us, ps) = if total {
            (Statistic::Total(&uy), Statistic::Total(&py))
        } else {
            (Statistic::Mean(&uy), Statistic::Mean(&py))
        };
        let mut a = EstimateSpec::new("x", us);
        a.by = vec![&udom];
        let mut b = EstimateSpec::new("x", ps);
        b.by = vec![&pdom];
        let ra = estimate_linked(src, &link, &a, &Publication::default()).unwrap();
        let rb = estimate(src, &b, &Publication::default()).unwrap();
        prop_assert_eq!(ra.len(), rb.len());
        for (x, y) in ra.iter().zip(&rb) {
            prop_assert_eq!(&x.domain, &y.domain);
            prop_assert!(close(x.estimate, y.estimate), "{} vs {}", x.estimate, y.estimate);
            prop_assert!(close(x.se, y.se), "se {} vs {}", x.se, y.se);
            prop_assert_eq!(x.n, y.n);
        }
    }
    Ok(())
}
