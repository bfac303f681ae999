//! The variance engine's covariance API: the diagonal is the variance, off-diagonal entries
//! follow from polarization, cov(a, b) = (V(a + b) − V(a − b)) / 4.

use approx::{abs_diff_eq, relative_eq};
use ponder::design::{Categorical, Design, DesignSpec, LonelyPsu, Numeric, WeightSource};
use ponder::variance::replicates::{ReplicateDesign, ReplicateKind, ReplicateOptions};
use ponder::variance::{CalibrationStep, Linearization};

fn cat(name: &str, v: &[u32]) -> Categorical {
    let s: Vec<Option<String>> = v.iter().map(|x| Some(format!("{x:02}"))).collect();
    Categorical::from_strings(name, &s)
}

/// A stratified two-stage design with fpc at stage 1, 24 rows.
fn design(lonely: LonelyPsu) -> Design {
    let n = 24;
    let strata: Vec<u32> = (0..n).map(|k| (k / 8) as u32).collect();
    let psu: Vec<u32> = (0..n).map(|k| (k / 2) as u32).collect();
    let w: Vec<f64> = (0..n).map(|k| 10.0 + (k % 5) as f64).collect();
    let mut spec = DesignSpec::with_weights("w", w);
    spec.strata = Some(cat("h", &strata));
    spec.clusters = vec![cat("psu", &psu), cat("row", &(0..n as u32).collect::<Vec<_>>())];
    spec.fpc = vec![Numeric::new("fpc", vec![40.0; n])];
    spec.lonely_psu = lonely;
    let d = Design::new(spec).expect("design");
    assert!(matches!(d.n_psus(), 12));
    d
}

fn vectors(n: usize) -> Vec<Vec<f64>> {
    vec![
        (0..n).map(|k| (k as f64 * 0.7).sin() * 3.0 + 1.0).collect(),
        (0..n).map(|k| (k % 3) as f64 - 1.0).collect(),
        (0..n).map(|k| if k % 4 == 0 { 2.5 } else { 0.0 }).collect(),
    ]
}

fn check(lin: &Linearization) {
    let z = vectors(lin.weights().len());
    let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
    let c = lin.covariance(&refs).expect("covariance");
    for a in 0..z.len() {
        assert_eq!(c[(a, a)], lin.variance(&z[a]).expect("variance"), "diagonal {a}");
        for b in 0..z.len() {
            assert_eq!(c[(a, b)], c[(b, a)]);
            let plus: Vec<f64> = z[a].iter().zip(&z[b]).map(|(x, y)| x + y).collect();
            let minus: Vec<f64> = z[a].iter().zip(&z[b]).map(|(x, y)| x - y).collect();
            let polar = (lin.variance(&plus).unwrap() - lin.variance(&minus).unwrap()) / 4.0;
            let scale = c[(a, a)].max(c[(b, b)]);
            assert!(abs_diff_eq!(c[(a, b)], polar, epsilon = 1e-10 * scale), "{a},{b}");
        }
    }
}

#[test]
fn linearized_covariance_diagonal_and_polarization() {
    for lonely in [LonelyPsu::Fail, LonelyPsu::Adjust] {
        check(&Linearization::new(design(lonely)));
    }
}

#[test]
fn calibrated_covariance_diagonal_and_polarization() {
    let d = design(LonelyPsu::Fail);
    let n = d.n_rows();
    let model = vec![vec![1.0; n], (0..n).map(|k| (k % 3) as f64).collect()];
    let w: Vec<f64> =
        d.weights().iter().enumerate().map(|(k, w)| w * (1.0 + 0.01 * (k % 7) as f64)).collect();
    let lin =
        Linearization::new(d).calibrated(w, CalibrationStep::Regression { model }).expect("cal");
    check(&lin);
}

#[test]
fn poisson_covariance_diagonal() {
    let n = 10;
    let mut spec = DesignSpec::with_weights("w", vec![0.0; n]);
    spec.weights = WeightSource::Probabilities(Numeric::new(
        "p",
        (0..n).map(|k| 0.1 + 0.05 * k as f64).collect(),
    ));
    spec.pps_variance = ponder::design::PpsVariance::Poisson;
    check(&Linearization::new(Design::new(spec).expect("design")));
}

#[test]
fn replicate_covariance_diagonal_is_the_variance() {
    let full = vec![1.0; 6];
    let reps: Vec<Vec<f64>> =
        (0..6).map(|r| (0..6).map(|k| if k == r { 0.0 } else { 1.2 }).collect()).collect();
    for mse in [false, true] {
        let mut o = ReplicateOptions::new(ReplicateKind::Jk1);
        o.mse = mse;
        let rep = ReplicateDesign::from_columns(full.clone(), reps.clone(), o).expect("rep");
        let thetas: Vec<Vec<f64>> = (0..6)
            .map(|r| {
                vec![
                    r as f64 * 0.5,
                    (r as f64).powi(2),
                    if r == 2 { f64::NAN } else { 1.0 - r as f64 },
                ]
            })
            .collect();
        let hat = [1.1, 4.0, -1.5];
        let c = rep.covariance_of(&thetas, &hat);
        for a in 0..3 {
            let col: Vec<f64> = thetas.iter().map(|t| t[a]).collect();
            assert_eq!(c[(a, a)], rep.variance_of(&col, hat[a]).0, "diagonal {a}");
        }
        // polarization on replicates where both are finite (0 and 1 always are)
        let col = |f: &dyn Fn(&Vec<f64>) -> f64| thetas.iter().map(f).collect::<Vec<f64>>();
        if !mse {
            let plus = col(&|t| t[0] + t[1]);
            let minus = col(&|t| t[0] - t[1]);
            let polar = (rep.variance_of(&plus, 0.0).0 - rep.variance_of(&minus, 0.0).0) / 4.0;
            assert!(
                relative_eq!(c[(0, 1)], polar, epsilon = 0.0, max_relative = 1e-12),
                "{} vs {polar}",
                c[(0, 1)]
            );
        }
    }
}

/// The cell-total covariance (one pass over the rows) is the covariance of the dense 0/1
/// indicator vectors; rows in no cell count in none.
fn check_cells(lin: &Linearization) {
    let n = lin.weights().len();
    let cells = 4usize;
    let cell: Vec<u32> =
        (0..n).map(|k| if k % 7 == 3 { u32::MAX } else { (k % 5 % 4) as u32 }).collect();
    let z: Vec<Vec<f64>> = (0..cells as u32)
        .map(|c| cell.iter().map(|&ck| f64::from(u8::from(ck == c))).collect())
        .collect();
    let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
    let dense = lin.covariance(&refs).expect("dense covariance");
    let fast = lin.cell_covariance(&cell, cells).expect("cell covariance");
    let scale = dense.diagonal().max();
    assert!(scale > 0.0);
    for a in 0..cells {
        for b in 0..cells {
            assert!(abs_diff_eq!(fast[(a, b)], dense[(a, b)], epsilon = 1e-12 * scale), "{a},{b}");
        }
    }
    assert!(lin.cell_covariance(&cell[1..], cells).is_err(), "wrong length refused");
}

#[test]
fn cell_covariance_is_the_covariance_of_indicators() {
    for lonely in [LonelyPsu::Fail, LonelyPsu::Adjust] {
        check_cells(&Linearization::new(design(lonely)));
    }
    let d = design(LonelyPsu::Fail);
    let n = d.n_rows();
    let model = vec![vec![1.0; n], (0..n).map(|k| (k % 3) as f64).collect()];
    let w: Vec<f64> =
        d.weights().iter().enumerate().map(|(k, w)| w * (1.0 + 0.01 * (k % 7) as f64)).collect();
    let regression = Linearization::new(d.clone())
        .calibrated(w.clone(), CalibrationStep::Regression { model: model.clone() })
        .expect("cal");
    check_cells(&regression);
    // two steps: the general (row by row) path
    check_cells(
        &regression.calibrated(w, CalibrationStep::Regression { model }).expect("second step"),
    );
}
