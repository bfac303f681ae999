//! Replicate weights: R reference cases (P08*), generation, and the R snippet.

use ponder::estimate::{
    EstimateRow, EstimateSpec, Publication, Statistic, VarianceSource, estimate,
};
use ponder::variance::replicates::{
    ReplicateDesign, ReplicateKind, ReplicateOptions, generate, r_snippet,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use approx::{assert_relative_eq, relative_eq};

use super::fixtures::{Csv, check_all, expected, f64s};
use super::reference::design;

fn run_rep(rep: &ReplicateDesign, spec: &EstimateSpec) -> Vec<EstimateRow> {
    estimate(&VarianceSource::Replicates(rep), spec, &Publication::default()).expect("estimate")
}

fn check_case(
    case: &str,
    kind: ReplicateKind,
    full: Vec<f64>,
    columns: Vec<Vec<f64>>,
    pairs: &[(&str, &str, bool)],
) {
    let csv = Csv::data(case);
    let exp = expected(case);
    let mut opts = ReplicateOptions::new(kind);
    opts.scale = exp["replicate_scale"].as_f64();
    opts.rscales = Some(f64s(&exp["replicate_rscales"]));
    opts.expected_count = Some(columns.len());
    let rep = ReplicateDesign::from_columns(full, columns, opts).expect("replicates");
    for (name, var, total) in pairs {
        let v = csv.num(var);
        let stat = if *total { Statistic::Total(&v) } else { Statistic::Mean(&v) };
        check_all(&run_rep(&rep, &EstimateSpec::new(name, stat)), &exp, name);
    }
}

#[test]
fn p08_replicate_variance_from_columns() {
    let pairs = [("mean_api00", "api00", false), ("total_enroll", "enroll", true)];
    for (case, kind) in [
        ("P08a_jk1_clus1", ReplicateKind::Jk1),
        ("P08b_jkn_strat", ReplicateKind::Jkn),
        ("P08c_bootstrap_clus1", ReplicateKind::Bootstrap),
    ] {
        let csv = Csv::data(case);
        let reps = Csv::read(case, "replicate_weights.csv").replicate_columns();
        check_case(case, kind, csv.numeric("pw"), reps, &pairs);
    }
    // P08d: every replicate recalibrated (weights from expected.json)
    let case = "P08d_jk1_calibrated";
    let exp = expected(case);
    let reps: Vec<Vec<f64>> =
        exp["final_replicate_weights"].as_array().expect("reps").iter().map(f64s).collect();
    let pairs = [("mean_api00", "api00", false), ("total_api00", "api00", true)];
    check_case(case, ReplicateKind::Jk1, f64s(&exp["final_weights"]), reps, &pairs);
}

fn assert_same_weights(got: &ReplicateDesign, case: &str) {
    let want = Csv::read(case, "replicate_weights.csv").replicate_columns();
    assert_eq!(got.n_replicates(), want.len());
    for (r, (a, b)) in got.replicate_weights().iter().zip(&want).enumerate() {
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                relative_eq!(*x, *y, epsilon = 0.0, max_relative = 1e-12),
                "{case} replicate {} row {}: {x} vs {y}",
                r + 1,
                k + 1
            );
        }
    }
}

#[test]
fn jk1_and_jkn_generation_reproduce_r() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let case = "P08a_jk1_clus1";
    let csv = Csv::data(case);
    let d = design(&csv, None, &["dnum"], &["fpc"], Some("pw"));
    let g = generate(&d, ReplicateKind::Jk1, None, false, &mut rng).expect("jk1");
    assert_same_weights(&g.design, case);
    assert_relative_eq!(
        g.design.scale(),
        expected(case)["replicate_scale"].as_f64().unwrap(),
        epsilon = 0.0,
        max_relative = 1e-14
    );

    let case = "P08b_jkn_strat";
    let csv = Csv::data(case);
    let d = design(&csv, Some("stype"), &[], &["fpc"], Some("pw"));
    let g = generate(&d, ReplicateKind::Jkn, None, false, &mut rng).expect("jkn");
    let exp = expected(case);
    // R orders strata by factor level (E, H, M); apistrat rows are already in that order
    assert_same_weights(&g.design, case);
    for (a, b) in g.design.rscales().iter().zip(f64s(&exp["replicate_rscales"])) {
        assert_relative_eq!(*a, b, epsilon = 0.0, max_relative = 1e-14);
    }
    let api00 = csv.num("api00");
    check_all(
        &run_rep(&g.design, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
        &exp,
        "mean_api00",
    );
}

#[test]
fn bootstrap_generation_is_seeded_and_rescaled() {
    let csv = Csv::data("P08a_jk1_clus1");
    let d = design(&csv, None, &["dnum"], &[], Some("pw"));
    let a =
        generate(&d, ReplicateKind::Bootstrap, Some(40), false, &mut ChaCha8Rng::seed_from_u64(7))
            .expect("a");
    let b =
        generate(&d, ReplicateKind::Bootstrap, Some(40), false, &mut ChaCha8Rng::seed_from_u64(7))
            .expect("b");
    let c =
        generate(&d, ReplicateKind::Bootstrap, Some(40), false, &mut ChaCha8Rng::seed_from_u64(8))
            .expect("c");
    assert_eq!(a.design.replicate_weights(), b.design.replicate_weights());
    assert_ne!(a.design.replicate_weights(), c.design.replicate_weights());
    assert_relative_eq!(a.design.scale(), 1.0 / 39.0, epsilon = 0.0, max_relative = 1e-15);
    // Rao–Wu with n − 1 draws: PSU multipliers are n/(n−1) × counts, summing to n
    let w = csv.numeric("pw");
    let psu = d.psu_of_rows();
    for rep in a.design.replicate_weights() {
        let mut mult = vec![f64::NAN; d.n_psus()];
        for (k, &u) in psu.iter().enumerate() {
            mult[u as usize] = rep[k] / w[k];
        }
        let s: f64 = mult.iter().sum();
        assert!(
            relative_eq!(s, 15.0, epsilon = 0.0, max_relative = 1e-12),
            "sum of multipliers {s}"
        );
    }
}

#[test]
fn brr_fay_and_sdr_on_paired_strata() {
    // pair the 15 apiclus1 districts' schools into strata of 2 PSUs: use rows as PSUs, strata of 2 rows
    let csv = Csv::data("P01_strat_srswor").filter(|k| k < 40);
    let mut c = csv.filter(|_| true);
    c.header.push("pair".into());
    for (k, row) in c.rows.iter_mut().enumerate() {
        row.push(format!("p{:02}", k / 2));
    }
    let d = design(&c, Some("pair"), &[], &[], Some("pw"));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let api00 = c.num("api00");
    let lin = super::reference::run(&d, &EstimateSpec::new("t", Statistic::Total(&api00)))[0].se;
    for kind in [ReplicateKind::Brr, ReplicateKind::Fay { rho: 0.5 }] {
        let g = generate(&d, kind, None, false, &mut rng).expect("brr");
        assert_eq!(g.design.n_replicates(), 24); // smallest Hadamard order ≥ 21
        let se = run_rep(&g.design, &EstimateSpec::new("t", Statistic::Total(&api00)))[0].se;
        // for a total with 2 PSUs per stratum, BRR and Fay equal the linearization variance
        assert!(
            relative_eq!(se, lin, epsilon = 0.0, max_relative = 1e-9),
            "{kind:?}: {se} vs {lin}"
        );
    }
    let g = generate(&d, ReplicateKind::Sdr, None, false, &mut rng).expect("sdr");
    assert_relative_eq!(
        g.design.scale(),
        4.0 / g.design.n_replicates() as f64,
        epsilon = 0.0,
        max_relative = 1e-15
    );
    let se = run_rep(&g.design, &EstimateSpec::new("t", Statistic::Total(&api00)))[0].se;
    assert!(se.is_finite() && se > 0.0);
    let code = r_snippet(&g.design, "out.csv", "pw", "rep");
    assert!(code.contains("svrepdesign(") && code.contains("scale = "));
}
