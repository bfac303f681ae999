//! `calibrate_replicates` (cells shared by the replicates) against calibrating each replicate
//! column on its own: identical weights and reports, identical errors.

use ponder::calibration::{
    Algorithm, Margin, Method, Options, Problem, calibrate, calibrate_replicates,
};
use ponder::data::Factor;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 3 categorical margins (+ the total), some rows of weight 0 with missing codes, and
/// bootstrap-like replicate columns (many zeros, so cells empty in some replicates).
fn setup(seed: u64) -> (Problem, Vec<Vec<f64>>) {
    let n = 600;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let d: Vec<f64> =
        (0..n).map(|k| if k % 37 == 0 { 0.0 } else { 5.0 + rng.random_range(0.0..10.0) }).collect();
    let mut margins = Vec::new();
    for (m, k) in [(0, 3u32), (1, 4), (2, 6)] {
        let codes: Vec<u32> = (0..n)
            .map(|i| if d[i] == 0.0 && m == 1 { u32::MAX } else { rng.random_range(0..k) })
            .collect();
        let mut targets = vec![0.0; k as usize];
        for (c, w) in codes.iter().zip(&d) {
            if *c != u32::MAX {
                targets[*c as usize] += w * rng.random_range(1.0..1.1);
            }
        }
        let s: f64 = targets.iter().sum();
        let levels = (0..k).map(|j| j.to_string()).collect();
        margins.push((format!("m{m}"), codes, levels, targets, s));
    }
    let total = margins[0].4;
    let margins = margins
        .into_iter()
        .map(|(name, codes, levels, targets, s)| Margin::Categorical {
            name,
            factor: Factor { codes, levels },
            targets: targets.iter().map(|t| t * total / s).collect(),
        })
        .chain([Margin::Total { target: total }])
        .collect();
    let problem = Problem::new(d.clone(), margins).unwrap();
    let reps = (0..12)
        .map(|_| {
            d.iter().map(|w| w * f64::from(rng.random_range(0..3u32)) * 0.5).collect::<Vec<f64>>()
        })
        .collect();
    (problem, reps)
}

#[test]
fn replicates_match_one_by_one_calibration() {
    for (seed, method, algorithm) in [
        (1, Method::Raking, Algorithm::Auto),
        (2, Method::Linear, Algorithm::Auto),
        (3, Method::Raking, Algorithm::Ipf),
    ] {
        let (problem, reps) = setup(seed);
        let o = Options { tolerance: 1e-11, algorithm, ..Options::new(method, None) };
        let all = calibrate_replicates(&problem, &reps, &o).unwrap();
        assert_eq!(all.len(), reps.len());
        for (r, (cal, d)) in all.iter().zip(&reps).enumerate() {
            let one = calibrate(&problem.with_weights(d.clone()).unwrap(), &o).unwrap();
            assert_eq!(cal.report.solved_on, "cells");
            assert_eq!(cal.weights, one.weights, "seed {seed}, replicate {}", r + 1);
            assert_eq!(cal.report, one.report, "seed {seed}, replicate {}", r + 1);
            assert_eq!(cal.stage_weights, one.stage_weights);
        }
    }
}

#[test]
fn replicate_errors_name_the_replicate_and_the_cause() {
    let (problem, mut reps) = setup(4);
    let o = Options::new(Method::Raking, None);
    // Positive weight on a row whose `m1` code is missing.
    reps[1][0] = 3.0;
    let e = calibrate_replicates(&problem, &reps, &o).unwrap_err().to_string();
    assert!(e.contains("replicate 2") && e.contains("m1"), "{e}");
    // A category with a positive target left without any unit of positive weight.
    let (problem, mut reps) = setup(4);
    let Margin::Categorical { factor: Factor { codes, .. }, .. } = &problem.margins()[0] else {
        unreachable!()
    };
    for (w, c) in reps[2].iter_mut().zip(codes) {
        if *c == 2 {
            *w = 0.0;
        }
    }
    let e = calibrate_replicates(&problem, &reps, &o).unwrap_err().to_string();
    assert!(e.contains("replicate 3") && e.contains("`m0`") && e.contains("`2`"), "{e}");
    // Negative weight.
    let (problem, mut reps) = setup(4);
    reps[0][5] = -1.0;
    let e = calibrate_replicates(&problem, &reps, &o).unwrap_err().to_string();
    assert!(e.contains("replicate 1: input weights") && e.contains("negative"), "{e}");
    assert!(e.contains("rows 6;"), "the row at fault is named: {e}");
}

/// A replicate that does not converge keeps the kind of its error, prefixed once by its
/// number.
#[test]
fn replicate_errors_keep_their_kind() {
    let (problem, reps) = setup(3);
    let o = Options { max_iterations: 1, ..Options::new(Method::Raking, None) };
    let main = ponder::calibration::solve(&problem, &o).unwrap();
    if main.converged() {
        return; // one Newton step met the margins: nothing to check on this sample
    }
    match calibrate_replicates(&problem, &reps, &o).unwrap_err() {
        ponder::Error::NotConverged { step: "calibration", iterations: 1, message } => {
            assert!(message.starts_with("replicate 1: raking calibration did not"), "{message}");
            assert_eq!(message.matches("replicate 1: ").count(), 1, "{message}");
        }
        e => panic!("expected NotConverged, got {e:?}"),
    }
}
