//! `ponder estimate` through the CLI against the R reference cases, the chain
//! calibrate → estimate, and bad inputs.

use super::{Scratch, assert_refused, fixture, stderr};
use approx::relative_eq;
use ponder::data::Table;
use serde_json::Value;

fn expected(case: &str) -> Vec<Value> {
    super::expected(case)["estimates"].as_array().unwrap().clone()
}

/// Runs `ponder estimate` on a fixture's data with this config and compares every expected
/// record (matched by name and domain) with the output row.
fn check_case(case: &str, config: &str, data: &str) {
    check_case_in(&Scratch::new(), case, config, data, "");
}

/// As [`check_case`] in a given folder, for the expected records whose name ends with
/// `suffix`.
fn check_case_in(s: &Scratch, case: &str, config: &str, data: &str, suffix: &str) {
    s.write("e.yaml", config);
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", data, "-o", "est.csv"]);
    assert_eq!(o.status.code(), Some(0), "{case}: {}", stderr(&o));
    let out = Table::read(&s.path("est.csv")).unwrap();
    let names = out.factor("name").unwrap();
    let cols = out.column_names();
    let get = |c: &str| out.numeric_opt(c).unwrap();
    let (est, se, lo, hi, df, deff) =
        (get("estimate"), get("se"), get("ci_low"), get("ci_high"), get("df"), get("deff"));
    for e in expected(case).into_iter().filter(|e| e["name"].as_str().unwrap().ends_with(suffix)) {
        let name = e["name"].as_str().unwrap();
        let row = (0..out.n_rows())
            .find(|&i| {
                names.levels[names.codes[i] as usize] == name
                    && e["domain"].as_object().is_none_or(|d| {
                        d.iter().all(|(k, v)| {
                            cols.contains(k) && {
                                let f = out.factor(k).unwrap();
                                f.codes[i] != ponder::data::Factor::MISSING
                                    && f.levels[f.codes[i] as usize] == v.as_str().unwrap()
                            }
                        })
                    })
            })
            .unwrap_or_else(|| panic!("{case}: no output row for {name} {:?}", e["domain"]));
        let x = |v: &Option<f64>| v.unwrap_or(f64::NAN);
        // the estimate to 1e-9 relative, its SE and interval to 1e-6
        for (what, got, tol) in [
            ("estimate", &est, 1e-9),
            ("se", &se, 1e-6),
            ("ci_low", &lo, 1e-6),
            ("ci_high", &hi, 1e-6),
        ] {
            let (got, want) = (x(&got[row]), e[what].as_f64().unwrap());
            assert!(
                relative_eq!(got, want, epsilon = 0.0, max_relative = tol),
                "{case} {name} {what}: {got} vs R {want}"
            );
        }
        assert_eq!(df[row], e["df"].as_f64(), "{case} {name} df");
        if let Some(d) = e.get("deff").and_then(Value::as_f64) {
            assert!(
                relative_eq!(x(&deff[row]), d, epsilon = 0.0, max_relative = 1e-6),
                "{case} {name} deff {:?} vs {d}",
                deff[row]
            );
        }
    }
}

#[test]
fn p01_stratified_srswor() {
    let cfg = "design:\n  weight: pw\n  strata: stype\n  fpc: [fpc]\nestimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_enroll, stat: total, variable: enroll}\n  - {name: mean_api00_by_stype, stat: mean, variable: api00, by: [stype]}\n";
    check_case("P01_strat_srswor", cfg, &fixture("P01_strat_srswor", "data.csv"));
}

#[test]
fn p02_one_stage_clusters_proportions_ratio() {
    let cfg = "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\nestimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_enroll, stat: total, variable: enroll}\n  - {name: prop_schwide_yes_wald, stat: proportion, variable: sch.wide, category: \"Yes\"}\n  - {name: prop_schwide_yes_logit, stat: proportion, variable: sch.wide, category: \"Yes\", ci: logit, df: design}\n  - {name: prop_schwide_yes_beta, stat: proportion, variable: sch.wide, category: \"Yes\", ci: beta, df: design}\n  - {name: prop_schwide_yes_xlogit, stat: proportion, variable: sch.wide, category: \"Yes\", ci: xlogit, df: design}\n  - {name: ratio_apistu_enroll, stat: ratio, variable: api.stu, denominator: enroll}\n";
    check_case("P02_clus1", cfg, &fixture("P02_clus1", "data.csv"));
}

#[test]
fn p10_quantiles() {
    let cfg = "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\nestimates:\n  - {name: quantile_api00_p25, stat: quantile, variable: api00, quantile: 0.25, df: design}\n  - {name: quantile_api00_p50, stat: quantile, variable: api00, quantile: 0.5, df: design}\n  - {name: quantile_api00_p75, stat: quantile, variable: api00, quantile: 0.75, df: design}\n";
    check_case("P10_quantile", cfg, &fixture("P10_quantile", "data.csv"));
}

#[test]
fn p03_two_stages_fpc_weights_and_missing_values() {
    let cfg = "design:\n  clusters: [dnum, snum]\n  fpc: [fpc1, fpc2]\nestimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_enroll, stat: total, variable: enroll, missing: drop}\n  - {name: mean_enroll, stat: mean, variable: enroll, missing: drop}\n  - {name: total_apistu, stat: total, variable: api.stu}\n";
    check_case("P03_clus2", cfg, &fixture("P03_clus2", "data.csv"));
}

#[test]
fn p09_domains_crossed() {
    let cfg = "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\nestimates:\n  - {name: mean_api00_by_stype, stat: mean, variable: api00, by: [stype]}\n  - {name: total_enroll_by_stype, stat: total, variable: enroll, by: [stype]}\n  - {name: total_api00_by_stype, stat: total, variable: api00, by: [stype]}\n  - {name: mean_api00_by_stype_schwide, stat: mean, variable: api00, by: [stype, sch.wide]}\n";
    check_case("P09_domains", cfg, &fixture("P09_domains", "data.csv"));
}

#[test]
fn p13_pps_with_replacement_and_poisson() {
    let est = "estimates:\n  - {name: total_api00, stat: total, variable: api00}\n  - {name: total_apistu, stat: total, variable: api.stu}\n  - {name: mean_api00, stat: mean, variable: api00}\n";
    let wr = format!("design:\n  probabilities: pik\n{est}");
    check_case("P13a_pps_with_replacement", &wr, &fixture("P13a_pps_with_replacement", "data.csv"));
    let po = format!("design:\n  probabilities: pik\n  pps_variance: poisson\n{est}");
    check_case("P13b_poisson_ht", &po, &fixture("P13b_poisson_ht", "data.csv"));
}

/// Calibrate with the CLI, then estimate with `calibration:` (GREG residuals).
fn calibrate_then_check(case: &str, calibration: &str, design: &str, estimates: &str) {
    let s = Scratch::new();
    s.write("cal.yaml", calibration);
    let data = fixture(case, "data.csv");
    let o = s.run(&["calibrate", "-c", "cal.yaml", "-i", &data, "-o", "cal.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cal = Table::read(&s.path("cal.csv")).unwrap();
    let w = cal.numeric("w_cal").unwrap();
    let exp = super::expected(case);
    for (x, y) in w.iter().zip(exp["final_weights"].as_array().unwrap()) {
        assert!(
            relative_eq!(*x, y.as_f64().unwrap(), epsilon = 0.0, max_relative = 1e-9),
            "{case} weight {x} vs {y}"
        );
    }
    let cfg = format!("design:\n  weight: w_cal\n{design}  calibration: cal.yaml\n{estimates}");
    check_case_in(&s, case, &cfg, s.path("cal.csv").to_str().unwrap(), "");
}

const STYPE: &str = "  - variable: stype\n    totals: {E: 4421, H: 755, M: 1018}\n";

#[test]
fn p04_poststratification() {
    calibrate_then_check(
        "P04_poststrat",
        &format!("weight: pw\noutput: w_cal\nmethod: linear\nmargins:\n{STYPE}"),
        "  clusters: [dnum]\n  fpc: [fpc]\n",
        "estimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_enroll, stat: total, variable: enroll}\n",
    );
}

#[test]
fn p07_bounded_logit_and_truncated_linear() {
    for (case, method) in
        [("P07a_logit_bounded", "logit"), ("P07b_truncated_linear", "truncated_linear")]
    {
        calibrate_then_check(
            case,
            &format!(
                "weight: pw\noutput: w_cal\nmethod: {method}\nbounds: [0.5, 2.5]\ntolerance: 1.0e-13\nmargins:\n{STYPE}  - variable: sch.wide\n    totals: {{\"No\": 1072, \"Yes\": 5122}}\n  - variable: enroll\n    total: 3834376.7367224297\n"
            ),
            "  strata: stype\n  fpc: [fpc]\n",
            "estimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_apistu, stat: total, variable: api.stu}\n",
        );
    }
}

/// The chain of the guide: calibrate (P06 linear calibration) with the CLI, then estimate
/// with `calibration:` so the linearization uses the GREG residuals.
#[test]
fn p06_calibrate_then_estimate_with_residuals() {
    let s = Scratch::new();
    s.write(
        "cal.yaml",
        "weight: pw\noutput: w_cal\nmethod: linear\nmargins:\n  - variable: stype\n    totals: {E: 4421, H: 755, M: 1018}\n  - variable: api99\n    total: 3914069\n",
    );
    let data = fixture("P06_linear_calib", "data.csv");
    let o = s.run(&["calibrate", "-c", "cal.yaml", "-i", &data, "-o", "cal.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cfg = "design:\n  weight: w_cal\n  clusters: [dnum]\n  fpc: [fpc]\n  calibration: cal.yaml\nestimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_api00, stat: total, variable: api00}\n";
    check_case_in(&s, "P06_linear_calib", cfg, s.path("cal.csv").to_str().unwrap(), "");
}

/// P05: raking by IPF gives R `rake()`'s backfitting variance, Newton raking R
/// `calibrate(calfun = "raking")`'s regression-residual variance.
#[test]
fn p05_rake_and_calibrate_raking_variances() {
    let data = fixture("P05_rake", "data.csv");
    for (algorithm, suffix) in [("ipf", "_rake"), ("newton", "_calraking")] {
        let s = Scratch::new();
        s.write(
            "cal.yaml",
            &format!("weight: pw\noutput: w_cal\nmethod: raking\nalgorithm: {algorithm}\ntolerance: 1.0e-13\nmargins:\n  - variable: stype\n    totals: {{E: 4421, H: 755, M: 1018}}\n  - variable: sch.wide\n    totals: {{\"No\": 1072, \"Yes\": 5122}}\n"),
        );
        let o = s.run(&["calibrate", "-c", "cal.yaml", "-i", &data, "-o", "cal.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let cfg = format!(
            "design:\n  weight: w_cal\n  clusters: [dnum]\n  fpc: [fpc]\n  calibration: cal.yaml\nestimates:\n  - {{name: mean_api00{suffix}, stat: mean, variable: api00}}\n  - {{name: total_enroll{suffix}, stat: total, variable: enroll}}\n"
        );
        check_case_in(&s, "P05_rake", &cfg, s.path("cal.csv").to_str().unwrap(), suffix);
    }
}

#[test]
fn output_formats() {
    let s = Scratch::new();
    let cfg = "design:\n  weight: pw\n  strata: stype\n  fpc: [fpc]\nestimates:\n  - {name: m, stat: mean, variable: api00, by: [stype]}\npublication: {min_n: 60, suppress: true}\n";
    s.write("e.yaml", cfg);
    let data = fixture("P01_strat_srswor", "data.csv");
    for out in ["e.md", "e.json", "e.parquet"] {
        let o = s.run(&["estimate", "-c", "e.yaml", "-i", &data, "-o", out]);
        assert_eq!(o.status.code(), Some(0), "{out}: {}", stderr(&o));
    }
    let md = std::fs::read_to_string(s.path("e.md")).unwrap();
    assert!(md.starts_with("| name | stat | variable | category | stype | estimate |"), "{md}");
    let json = s.json("e.json");
    assert_eq!(json.as_array().unwrap().len(), 3);
    // stype H and M have 50 sampled schools < 60: flagged and suppressed; E has 100
    let flagged: Vec<&Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flags"].as_str().is_some_and(|f| f.contains("low_n")))
        .collect();
    assert_eq!(flagged.len(), 2);
    assert!(flagged.iter().all(|r| r["estimate"].is_null()));
}

#[test]
fn bad_estimate_inputs_are_refused() {
    let data = fixture("P01_strat_srswor", "data.csv");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "design:\n  weight: pw\nestimates:\n  - {name: m, stat: mean, variable: api0}\n",
            vec!["api0", "did you mean `api00`"],
        ),
        (
            "design:\n  weight: pw\nestimates:\n  - {name: m, stat: median, variable: api00}\n",
            vec!["median", "estimates[0].stat"],
        ),
        (
            "design:\n  weight: pw\n  lonely_psu: skip\nestimates:\n  - {name: m, stat: mean, variable: api00}\n",
            vec!["skip", "fail, remove"],
        ),
        (
            "design:\n  weight: pw\nestimates:\n  - {name: m, stat: proportion, variable: sch.wide, category: Yess}\n",
            vec!["Yess", "did you mean `Yes`"],
        ),
        (
            "design:\n  weight: pw\n  strata: stype\n  clusters: [dnum]\nestimates:\n  - {name: m, stat: mean, variable: api00}\n",
            vec!["dnum"],
        ),
        (
            "design:\n  weight: pw\n  replicates: {columns: \"rep_*\", type: jk1}\nestimates:\n  - {name: m, stat: mean, variable: api00}\n",
            vec!["rep_*"],
        ),
        ("design:\n  wieght: pw\nestimates: []\n", vec!["wieght", "did you mean `weight`"]),
    ];
    for (cfg, needles) in cases {
        let s = Scratch::new();
        s.write("e.yaml", cfg);
        assert_refused(&s, &["estimate", "-c", "e.yaml", "-i", &data, "-o", "out.csv"], &needles);
    }
}

#[test]
fn missing_design_values_and_unnested_psus_are_refused() {
    let s = Scratch::new();
    s.write("d.csv", "h,psu,y,w\na,1,1,2\na,2,2,2\n,3,3,2\nb,4,1,2\n");
    s.write("e.yaml", "design:\n  weight: w\n  strata: h\n  clusters: [psu]\nestimates:\n  - {name: m, stat: mean, variable: y}\n");
    assert_refused(
        &s,
        &["estimate", "-c", "e.yaml", "-i", "d.csv", "-o", "out.csv"],
        &["`h`", "3"],
    );
    // PSU 2 appears in strata a and b: an error unless `nest: true`
    s.write("d2.csv", "h,psu,y,w\na,1,1,2\na,2,2,2\nb,2,3,2\nb,3,1,2\n");
    assert_refused(&s, &["estimate", "-c", "e.yaml", "-i", "d2.csv", "-o", "out.csv"], &["nest"]);
    s.write("e2.yaml", "design:\n  weight: w\n  strata: h\n  clusters: [psu]\n  nest: true\nestimates:\n  - {name: m, stat: mean, variable: y}\n");
    let o = s.run(&["estimate", "-c", "e2.yaml", "-i", "d2.csv", "-o", "out.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn single_psu_stratum_is_refused_under_fail() {
    let s = Scratch::new();
    s.write("d.csv", "h,psu,y,w\na,1,1,2\na,2,2,2\nb,3,3,2\n");
    s.write("e.yaml", "design:\n  weight: w\n  strata: h\n  clusters: [psu]\nestimates:\n  - {name: m, stat: mean, variable: y}\n");
    assert_refused(
        &s,
        &["estimate", "-c", "e.yaml", "-i", "d.csv", "-o", "out.csv"],
        &["`b`", "lonely"],
    );
    s.write("e2.yaml", "design:\n  weight: w\n  strata: h\n  clusters: [psu]\n  lonely_psu: remove\nestimates:\n  - {name: m, stat: mean, variable: y}\n");
    let o = s.run(&["estimate", "-c", "e2.yaml", "-i", "d.csv", "-o", "out.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
