//! Errors: each names what is wrong and where.

use approx::abs_diff_eq;
use ponder::design::{Categorical, Design, DesignSpec, LonelyPsu, Numeric, WeightSource};
use ponder::estimate::{
    EstimateSpec, MissingPolicy, Publication, Statistic, VarianceSource, estimate,
};
use ponder::variance::Linearization;
use ponder::variance::replicates::{ReplicateDesign, ReplicateKind, ReplicateOptions};

fn cat(name: &str, v: &[&str]) -> Categorical {
    Categorical::from_strings(
        name,
        &v.iter().map(|s| if s.is_empty() { None } else { Some(*s) }).collect::<Vec<_>>(),
    )
}

fn msg<T: std::fmt::Debug>(r: ponder::Result<T>) -> String {
    r.expect_err("an error").to_string()
}

#[test]
fn missing_design_values_name_column_and_rows() {
    let mut spec = DesignSpec::with_weights("w", vec![1.0, 2.0, 3.0, 4.0]);
    spec.strata = Some(cat("region", &["a", "", "b", ""]));
    let m = msg(Design::new(spec));
    assert!(m.contains("`region`") && m.contains("2 row(s)") && m.contains("2, 4"), "{m}");
    let spec = DesignSpec::with_weights("w", vec![1.0, f64::NAN, 3.0]);
    let m = msg(Design::new(spec));
    assert!(m.contains("`w`") && m.contains("rows 2"), "{m}");
    let mut spec = DesignSpec::with_weights("w", vec![1.0; 3]);
    spec.fpc = vec![Numeric::new("N", vec![10.0, f64::NAN, 10.0])];
    assert!(msg(Design::new(spec)).contains("`N`"));
}

#[test]
fn psus_not_nested_in_strata() {
    let mut spec = DesignSpec::with_weights("w", vec![1.0; 4]);
    spec.strata = Some(cat("h", &["a", "a", "b", "b"]));
    spec.clusters = vec![cat("psu", &["1", "2", "1", "3"])];
    let m = msg(Design::new(spec.clone()));
    assert!(
        m.contains("PSU `1`") && m.contains("`a`") && m.contains("`b`") && m.contains("nest: true"),
        "{m}"
    );
    spec.nest = true;
    let d = Design::new(spec).expect("nested ids are distinct PSUs");
    assert_eq!(d.n_psus(), 4);
}

#[test]
fn lonely_psu_under_fail_names_the_stratum_and_policies() {
    let mut spec = DesignSpec::with_weights("w", vec![1.0; 5]);
    spec.strata = Some(cat("h", &["a", "a", "b", "b", "c"]));
    let d = Design::new(spec.clone()).expect("design");
    let e = d.variance(&[1.0, 2.0, 3.0, 4.0, 5.0]).expect_err("lonely PSU");
    assert!(
        matches!(&e, ponder::Error::LonelyPsu { stratum, stage: 1, .. } if stratum == "c"),
        "{e:?}"
    );
    let m = e.to_string();
    assert!(m.starts_with("variance: stratum `c`"), "{m}");
    assert!(m.contains("`c`") && m.contains("remove, adjust, average, certainty"), "{m}");
    // the other policies give a number (R survey's rules)
    let z = [1.0, 2.0, 3.0, 4.0, 5.0];
    let base = 2.0 * (0.25 + 0.25) * 2.0; // strata a and b: n/(n−1) Σ (t − t̄)²
    for (p, want) in [
        (LonelyPsu::Remove, base),
        (LonelyPsu::Certainty, base),
        (LonelyPsu::Average, base * 3.0 / 2.0),
        // R survey's onestrat does not centre the lonely PSU's total (centre 0, the
        // influence values' population mean), checked against R in R02_lonely_psu
        (LonelyPsu::Adjust, base + 5.0f64.powi(2)),
    ] {
        spec.lonely_psu = p;
        let v = Design::new(spec.clone()).expect("design").variance(&z).expect("variance");
        assert!(abs_diff_eq!(v, want, epsilon = 1e-12), "{p:?}: {v} vs {want}");
    }
}

#[test]
fn replicate_count_must_match_declared() {
    let mut opts = ReplicateOptions::new(ReplicateKind::Jk1);
    opts.expected_count = Some(3);
    let m = msg(ReplicateDesign::from_columns(vec![1.0; 2], vec![vec![1.0; 2]; 2], opts));
    assert!(m.contains("3 replicate columns declared but 2 found"), "{m}");
    let m = msg(ReplicateDesign::from_columns(
        vec![1.0; 2],
        vec![vec![1.0; 2]; 2],
        ReplicateOptions::new(ReplicateKind::Jkn),
    ));
    assert!(m.contains("rscales"), "{m}");
}

#[test]
fn missing_analysis_values_fail_or_drop() {
    let d = Design::new(DesignSpec::with_weights("w", vec![1.0; 4])).expect("design");
    let y = Numeric::new("income", vec![1.0, f64::NAN, 3.0, f64::NAN]);
    let lin = Linearization::new(d.clone());
    let src = VarianceSource::Linearization(&lin);
    let spec = EstimateSpec::new("m", Statistic::Mean(&y));
    let m = msg(estimate(&src, &spec, &Publication::default()));
    assert!(m.contains("`income`") && m.contains("2 missing"), "{m}");
    let mut spec = spec;
    spec.missing = MissingPolicy::Drop;
    let rows = estimate(&src, &spec, &Publication::default()).expect("drop");
    assert_eq!(rows[0].estimate, 2.0);
    assert_eq!(rows[0].n, 2);
}

#[test]
fn empty_domain_gives_a_flagged_row() {
    let d = Design::new(DesignSpec::with_weights("w", vec![1.0, 1.0, 1.0, 0.0])).expect("design");
    let y = Numeric::new("y", vec![1.0, 2.0, 3.0, 4.0]);
    let region = cat("region", &["a", "a", "b", "c"]); // c only has a zero-weight row
    let mut spec = EstimateSpec::new("m", Statistic::Mean(&y));
    spec.by = vec![&region];
    let rows = estimate(
        &VarianceSource::Linearization(&Linearization::new(d.clone())),
        &spec,
        &Publication::default(),
    )
    .expect("rows");
    assert_eq!(rows.len(), 3);
    let c = &rows[2];
    assert!(c.flags.empty && c.estimate.is_nan() && c.se.is_nan() && c.n == 0, "{c:?}");
    assert!(!rows[0].flags.empty && rows[0].estimate == 1.5);
    // an unobserved label combination kept on request
    let sex = cat("sex", &["f", "m", "f", "m"]);
    spec.by = vec![&region, &sex];
    spec.keep_empty_domains = true;
    let rows = estimate(
        &VarianceSource::Linearization(&Linearization::new(d.clone())),
        &spec,
        &Publication::default(),
    )
    .expect("rows");
    assert_eq!(rows.len(), 6);
    assert_eq!(rows.iter().filter(|r| r.flags.empty).count(), 3);
    let wrong = EstimateSpec {
        ci: ponder::estimate::CiMethod::Logit,
        ..EstimateSpec::new("m", Statistic::Mean(&y))
    };
    assert!(
        msg(estimate(
            &VarianceSource::Linearization(&Linearization::new(d.clone())),
            &wrong,
            &Publication::default()
        ))
        .contains("proportions only")
    );
    let _ = WeightSource::FromFpc;
}

#[test]
fn certainty_psus_contribute_no_stage_one_variance() {
    // stratum a: PSUs 1, 2, 3 (3 is a certainty PSU); one row per PSU
    let mut spec = DesignSpec::with_weights("w", vec![1.0; 3]);
    spec.strata = Some(cat("h", &["a", "a", "a"]));
    spec.certainty = Some(vec![false, false, true]);
    let d = Design::new(spec.clone()).expect("design");
    let v = d.variance(&[1.0, 3.0, 100.0]).expect("v");
    assert!(abs_diff_eq!(v, 2.0 * (1.0 + 1.0), epsilon = 1e-12), "{v}"); // 2/(2−1) Σ (t − 2)²
    assert_eq!(d.degrees_of_freedom(), 1.0);
    spec.pps_variance = ponder::design::PpsVariance::Poisson;
    spec.clusters = vec![cat("psu", &["1", "1", "2"])];
    spec.certainty = None;
    assert!(msg(Design::new(spec)).contains("element sampling"));
}
