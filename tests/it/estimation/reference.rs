//! Reference cases computed with R `survey` 4.1.1 (tests/fixtures/P*).

use ponder::design::{Design, DesignSpec, LonelyPsu, Numeric, PpsVariance, WeightSource};
use ponder::estimate::{
    CiMethod, DfRule, EstimateRow, EstimateSpec, MissingPolicy, Publication, QuantileRule,
    Statistic, VarianceSource, estimate,
};
use ponder::variance::{CalibrationStep, Linearization, RakeMargin};

use approx::{assert_relative_eq, relative_eq};

use super::fixtures::{Csv, check, check_all, dummies, expected, f64s, records};

/// A design from fixture columns (`weights: None` = from the fpc).
pub fn design(
    csv: &Csv,
    strata: Option<&str>,
    ids: &[&str],
    fpc: &[&str],
    weights: Option<&str>,
) -> Design {
    let spec = DesignSpec {
        weights: match weights {
            Some(w) => WeightSource::Weights(csv.num(w)),
            None => WeightSource::FromFpc,
        },
        strata: strata.map(|s| csv.cat(s)),
        clusters: ids.iter().map(|c| csv.cat(c)).collect(),
        fpc: fpc.iter().map(|f| csv.num(f)).collect(),
        nest: false,
        lonely_psu: LonelyPsu::Fail,
        pps_variance: PpsVariance::WithReplacement,
        certainty: None,
    };
    Design::new(spec).expect("valid design")
}

/// A design or a calibrated design, for [`run`].
pub trait AsLinearization {
    /// The linearization (a copy).
    fn linearization(&self) -> Linearization;
}

impl AsLinearization for Design {
    fn linearization(&self) -> Linearization {
        Linearization::new(self.clone())
    }
}

impl AsLinearization for Linearization {
    fn linearization(&self) -> Linearization {
        self.clone()
    }
}

/// The linearization of a design without calibration.
pub fn lin(design: &Design) -> Linearization {
    Linearization::new(design.clone())
}

pub fn run(design: &impl AsLinearization, spec: &EstimateSpec) -> Vec<EstimateRow> {
    let lin = design.linearization();
    estimate(&VarianceSource::Linearization(&lin), spec, &Publication::default()).expect("estimate")
}

fn apiclus1(case: &str) -> (Csv, Design) {
    let csv = Csv::data(case);
    let d = design(&csv, None, &["dnum"], &["fpc"], Some("pw"));
    (csv, d)
}

#[test]
fn p01_stratified_srswor() {
    let case = "P01_strat_srswor";
    let csv = Csv::data(case);
    let exp = expected(case);
    let d = design(&csv, Some("stype"), &[], &["fpc"], Some("pw"));
    assert_eq!(d.degrees_of_freedom(), 197.0);
    let (api00, enroll, stype) = (csv.num("api00"), csv.num("enroll"), csv.cat("stype"));
    check_all(
        &run(&d, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
        &exp,
        "mean_api00",
    );
    check_all(
        &run(&d, &EstimateSpec::new("total_enroll", Statistic::Total(&enroll))),
        &exp,
        "total_enroll",
    );
    let mut s = EstimateSpec::new("mean_api00_by_stype", Statistic::Mean(&api00));
    s.by = vec![&stype];
    check_all(&run(&d, &s), &exp, "mean_api00_by_stype");
}

#[test]
fn p02_one_stage_cluster() {
    let case = "P02_clus1";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let (api00, enroll, schwide) = (csv.num("api00"), csv.num("enroll"), csv.cat("sch.wide"));
    let (apistu,) = (csv.num("api.stu"),);
    check_all(
        &run(&d, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
        &exp,
        "mean_api00",
    );
    check_all(
        &run(&d, &EstimateSpec::new("total_enroll", Statistic::Total(&enroll))),
        &exp,
        "total_enroll",
    );
    let prop = Statistic::Proportion { variable: &schwide, category: Some("Yes") };
    check_all(
        &run(&d, &EstimateSpec::new("prop_schwide_yes_wald", prop)),
        &exp,
        "prop_schwide_yes_wald",
    );
    for (name, ci) in [
        ("prop_schwide_yes_logit", CiMethod::Logit),
        ("prop_schwide_yes_beta", CiMethod::Beta),
        ("prop_schwide_yes_xlogit", CiMethod::Xlogit),
    ] {
        let mut s = EstimateSpec::new(name, prop);
        s.ci = ci;
        s.df = DfRule::Design;
        let rows = run(&d, &s);
        // R's logit point estimate comes from a glm fit (~1e-11 from the weighted mean)
        let e = records(&exp, name)[0];
        assert_relative_eq!(
            rows[0].estimate,
            e["estimate"].as_f64().unwrap(),
            epsilon = 0.0,
            max_relative = 1e-9
        );
        check(&rows[0], e);
    }
    let ratio = Statistic::Ratio { numerator: &apistu, denominator: &enroll };
    check_all(
        &run(&d, &EstimateSpec::new("ratio_apistu_enroll", ratio)),
        &exp,
        "ratio_apistu_enroll",
    );
}

#[test]
fn p03_two_stage_with_fpc_at_both_stages() {
    let case = "P03_clus2";
    let csv = Csv::data(case);
    let exp = expected(case);
    let d = design(&csv, None, &["dnum", "snum"], &["fpc1", "fpc2"], None);
    let want = f64s(&exp["final_weights"]);
    for (a, b) in d.weights().iter().zip(&want) {
        assert!(relative_eq!(*a, *b, epsilon = 0.0, max_relative = 1e-12), "weight {a} vs {b}");
    }
    assert_eq!(d.degrees_of_freedom(), 39.0);
    let (api00, enroll, apistu) = (csv.num("api00"), csv.num("enroll"), csv.num("api.stu"));
    check_all(
        &run(&d, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
        &exp,
        "mean_api00",
    );
    let mut t = EstimateSpec::new("total_enroll", Statistic::Total(&enroll));
    t.missing = MissingPolicy::Drop;
    check_all(&run(&d, &t), &exp, "total_enroll");
    let mut m = EstimateSpec::new("mean_enroll", Statistic::Mean(&enroll));
    m.missing = MissingPolicy::Drop;
    check_all(&run(&d, &m), &exp, "mean_enroll");
    check_all(
        &run(&d, &EstimateSpec::new("total_apistu", Statistic::Total(&apistu))),
        &exp,
        "total_apistu",
    );
}

#[test]
fn p04_post_stratification_residuals() {
    let case = "P04_poststrat";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let stype = csv.cat("stype");
    let cal = lin(&d)
        .calibrated(
            f64s(&exp["final_weights"]),
            CalibrationStep::PostStratification { codes: stype.codes.clone() },
        )
        .expect("calibrated");
    let (api00, enroll) = (csv.num("api00"), csv.num("enroll"));
    check_all(
        &run(&cal, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
        &exp,
        "mean_api00",
    );
    check_all(
        &run(&cal, &EstimateSpec::new("total_enroll", Statistic::Total(&enroll))),
        &exp,
        "total_enroll",
    );
}

fn model(csv: &Csv, cats: &[&str], nums: &[&str]) -> Vec<Vec<f64>> {
    let mut x = vec![vec![1.0; csv.n()]];
    for c in cats {
        x.extend(dummies(&csv.cat(c)));
    }
    for v in nums {
        x.push(csv.numeric(v));
    }
    x
}

#[test]
fn p05_rake_backfitting_and_greg_residuals() {
    let case = "P05_rake";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let (api00, enroll) = (csv.num("api00"), csv.num("enroll"));
    // rake(): weights after the last post-stratification on each margin = final weights at
    // convergence (R stopped at 1e-13)
    let w = f64s(&exp["final_weights"]);
    let margins = ["stype", "sch.wide"]
        .iter()
        .map(|m| RakeMargin { codes: csv.cat(m).factor.codes, weights: w.clone() })
        .collect();
    let rk =
        lin(&d).calibrated(w.clone(), CalibrationStep::RakeBackfitting { margins }).expect("rake");
    check_all(
        &run(&rk, &EstimateSpec::new("mean_api00_rake", Statistic::Mean(&api00))),
        &exp,
        "mean_api00_rake",
    );
    check_all(
        &run(&rk, &EstimateSpec::new("total_enroll_rake", Statistic::Total(&enroll))),
        &exp,
        "total_enroll_rake",
    );
    let step = CalibrationStep::Regression { model: model(&csv, &["stype", "sch.wide"], &[]) };
    let cr = lin(&d).calibrated(f64s(&exp["final_weights_calibrate_raking"]), step).expect("greg");
    assert_eq!(cr.calibration_steps()[0].rank(), Some(4));
    check_all(
        &run(&cr, &EstimateSpec::new("mean_api00_calraking", Statistic::Mean(&api00))),
        &exp,
        "mean_api00_calraking",
    );
    check_all(
        &run(&cr, &EstimateSpec::new("total_enroll_calraking", Statistic::Total(&enroll))),
        &exp,
        "total_enroll_calraking",
    );
}

#[test]
fn p05_full_dummy_sets_give_the_same_residuals() {
    // collinear model (every category of both margins): the g-inverse must not matter
    let case = "P05_rake";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let mut x = Vec::new();
    for m in ["stype", "sch.wide"] {
        let c = csv.cat(m);
        for j in 0..c.levels.len() {
            x.push(c.codes.iter().map(|&v| if v as usize == j { 1.0 } else { 0.0 }).collect());
        }
    }
    let cr = lin(&d)
        .calibrated(
            f64s(&exp["final_weights_calibrate_raking"]),
            CalibrationStep::Regression { model: x },
        )
        .expect("greg");
    assert_eq!(cr.calibration_steps()[0].rank(), Some(4));
    let api00 = csv.num("api00");
    check_all(
        &run(&cr, &EstimateSpec::new("mean_api00_calraking", Statistic::Mean(&api00))),
        &exp,
        "mean_api00_calraking",
    );
}

#[test]
fn p06_linear_calibration() {
    let case = "P06_linear_calib";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let step = CalibrationStep::Regression { model: model(&csv, &["stype"], &["api99"]) };
    let cal = lin(&d).calibrated(f64s(&exp["final_weights"]), step).expect("calibrated");
    let api00 = csv.num("api00");
    check_all(
        &run(&cal, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
        &exp,
        "mean_api00",
    );
    check_all(
        &run(&cal, &EstimateSpec::new("total_api00", Statistic::Total(&api00))),
        &exp,
        "total_api00",
    );
}

#[test]
fn p07_bounded_calibrations() {
    for case in ["P07a_logit_bounded", "P07b_truncated_linear"] {
        let csv = Csv::data(case);
        let exp = expected(case);
        let d = design(&csv, Some("stype"), &[], &["fpc"], Some("pw"));
        let step =
            CalibrationStep::Regression { model: model(&csv, &["stype", "sch.wide"], &["enroll"]) };
        let cal = lin(&d).calibrated(f64s(&exp["final_weights"]), step).expect("calibrated");
        let (api00, apistu) = (csv.num("api00"), csv.num("api.stu"));
        check_all(
            &run(&cal, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
            &exp,
            "mean_api00",
        );
        check_all(
            &run(&cal, &EstimateSpec::new("total_apistu", Statistic::Total(&apistu))),
            &exp,
            "total_apistu",
        );
    }
}

#[test]
fn p09_domains_on_the_full_design() {
    let case = "P09_domains";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let (api00, enroll, stype, sw) =
        (csv.num("api00"), csv.num("enroll"), csv.cat("stype"), csv.cat("sch.wide"));
    for (name, stat) in [
        ("mean_api00_by_stype", Statistic::Mean(&api00)),
        ("total_enroll_by_stype", Statistic::Total(&enroll)),
        ("total_api00_by_stype", Statistic::Total(&api00)),
    ] {
        let mut s = EstimateSpec::new(name, stat);
        s.by = vec![&stype];
        check_all(&run(&d, &s), &exp, name);
    }
    let mut s = EstimateSpec::new("mean_api00_by_stype_schwide", Statistic::Mean(&api00));
    s.by = vec![&stype, &sw];
    check_all(&run(&d, &s), &exp, "mean_api00_by_stype_schwide");
}

#[test]
fn p10_quantiles_math_rule_woodruff() {
    let case = "P10_quantile";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let api00 = csv.num("api00");
    for (name, p) in
        [("quantile_api00_p25", 0.25), ("quantile_api00_p50", 0.5), ("quantile_api00_p75", 0.75)]
    {
        let mut s = EstimateSpec::new(
            name,
            Statistic::Quantile { variable: &api00, p, rule: QuantileRule::Math },
        );
        s.df = DfRule::Design;
        check_all(&run(&d, &s), &exp, name);
    }
}

#[test]
fn p11_nonresponse_adjusted_weights() {
    // P11a: respondents post-stratified to the full-sample class totals; P11b: IPW weights fixed
    for case in ["P11a_nonresponse_rhg", "P11b_nonresponse_propensity"] {
        let all = Csv::data(case);
        let exp = expected(case);
        let w_all = f64s(&exp["final_weights"]);
        let resp: Vec<bool> = all.numeric("resp").iter().map(|&r| r == 1.0).collect();
        let csv = all.filter(|k| resp[k]);
        let w: Vec<f64> = w_all.iter().zip(&resp).filter(|(_, r)| **r).map(|(w, _)| *w).collect();
        let d = if case.starts_with("P11a") {
            let base = design(&csv, None, &["dnum"], &["fpc"], Some("pw"));
            lin(&base)
                .calibrated(
                    w,
                    CalibrationStep::PostStratification { codes: csv.cat("stype").factor.codes },
                )
                .expect("ps")
        } else {
            let mut c = csv.filter(|_| true);
            let j = c.header.iter().position(|h| h == "pw").expect("pw");
            for (row, wk) in c.rows.iter_mut().zip(&w) {
                row[j] = format!("{wk:?}");
            }
            lin(&design(&c, None, &["dnum"], &["fpc"], Some("pw")))
        };
        assert_eq!(d.design().degrees_of_freedom(), 12.0);
        let api00 = csv.num("api00");
        check_all(
            &run(&d, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
            &exp,
            "mean_api00",
        );
    }
}

#[test]
fn p13_pps_with_replacement_and_poisson() {
    for (case, pps) in [
        ("P13a_pps_with_replacement", PpsVariance::WithReplacement),
        ("P13b_poisson_ht", PpsVariance::Poisson),
    ] {
        let csv = Csv::data(case);
        let exp = expected(case);
        let mut spec = DesignSpec::with_weights("unused", vec![]);
        spec.weights = WeightSource::Probabilities(csv.num("pik"));
        spec.pps_variance = pps;
        let d = Design::new(spec).expect("design");
        for (a, b) in d.weights().iter().zip(f64s(&exp["final_weights"])) {
            assert_relative_eq!(*a, b, epsilon = 0.0, max_relative = 1e-12);
        }
        let (api00, apistu): (Numeric, Numeric) = (csv.num("api00"), csv.num("api.stu"));
        check_all(
            &run(&d, &EstimateSpec::new("total_api00", Statistic::Total(&api00))),
            &exp,
            "total_api00",
        );
        check_all(
            &run(&d, &EstimateSpec::new("total_apistu", Statistic::Total(&apistu))),
            &exp,
            "total_apistu",
        );
        check_all(
            &run(&d, &EstimateSpec::new("mean_api00", Statistic::Mean(&api00))),
            &exp,
            "mean_api00",
        );
        assert_eq!(d.degrees_of_freedom(), 206.0);
    }
}
