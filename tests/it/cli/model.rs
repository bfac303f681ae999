//! `ponder model` against R `survey` (cases P14a–P15: svyglm, regTermTest, svychisq,
//! svycontrast of svyby) and its refusals (culprit named, no output file).

use super::{Scratch, assert_refused, expected, fixture, stderr};
use approx::{assert_relative_eq, relative_eq};
use serde_json::Value;

/// Runs `ponder model` with `yaml` on a case's data (or `data`), returning the JSON rows.
fn run_model(s: &Scratch, case: &str, yaml: &str, data: Option<&str>) -> Vec<Value> {
    s.write("m.yaml", yaml);
    let input = data.map_or_else(|| fixture(case, "data.csv"), str::to_string);
    let o = s.run(&["model", "-c", "m.yaml", "-i", &input, "-o", "out.json"]);
    assert_eq!(o.status.code(), Some(0), "{case}: {}", stderr(&o));
    let text = std::fs::read_to_string(s.path("out.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

/// Two JSON numbers within a relative `tol` (`approx`, no absolute slack).
fn close(what: &str, got: &Value, want: &Value, tol: f64) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!(relative_eq!(g, w, epsilon = 0.0, max_relative = tol), "{what}: {g} vs {w}");
}

/// Every coefficient of model `model` in expected.json, in R's order.
fn check_coefficients(rows: &[Value], exp: &Value, model: &str, exp_link: bool) {
    let got: Vec<&Value> =
        rows.iter().filter(|r| r["name"] == model && r["kind"] == "coefficient").collect();
    let want: Vec<&Value> =
        exp["coefficients"].as_array().unwrap().iter().filter(|c| c["model"] == model).collect();
    assert_eq!(got.len(), want.len(), "{model}: number of coefficients");
    for (g, w) in got.iter().zip(want) {
        let term = g["term"].as_str().unwrap().replace('=', "");
        assert_eq!(term, w["term"].as_str().unwrap(), "{model}: term order");
        let what = format!("{model} {term}");
        close(&format!("{what} estimate"), &g["estimate"], &w["estimate"], 1e-7);
        for k in ["se", "statistic", "p_value", "ci_low", "ci_high"] {
            close(&format!("{what} {k}"), &g[k], &w[k], 1e-6);
        }
        assert_eq!(g["df"].as_f64(), w["df"].as_f64(), "{what} df");
        if exp_link {
            let e = w["estimate"].as_f64().unwrap().exp();
            close(&format!("{what} exp"), &g["exp_estimate"], &e.into(), 1e-7);
        } else {
            assert!(g["exp_estimate"].is_null(), "{what}: no exp for identity link");
        }
    }
}

fn check_term_tests(rows: &[Value], exp: &Value) {
    for w in exp["term_tests"].as_array().unwrap() {
        let g = rows
            .iter()
            .find(|r| r["kind"] == "term_test" && r["name"] == w["model"] && r["term"] == w["term"])
            .expect("term test row");
        close("F", &g["statistic"], &w["statistic"], 1e-6);
        close("p", &g["p_value"], &w["p_value"], 1e-6);
        assert_eq!(g["df"].as_f64(), w["df1"].as_f64());
        assert_eq!(g["df2"].as_f64(), w["df2"].as_f64());
    }
}

/// `tests:` lines for the chisq and difference tests of expected.json.
fn tests_yaml(exp: &Value) -> String {
    let mut y = String::from("tests:\n");
    for t in exp["tests"].as_array().into_iter().flatten() {
        let stat = if t["statistic_kind"] == "F" { "F" } else { "chisq" };
        y += &format!(
            "  - {{name: {}, type: chisq, variables: [sch.wide, stype], statistic: {stat}}}\n",
            t["name"].as_str().unwrap()
        );
    }
    for d in exp["differences"].as_array().into_iter().flatten() {
        let cat = d["category"].as_str().map_or(String::new(), |c| format!(", category: {c}"));
        let l = d["levels"].as_array().unwrap();
        y += &format!(
            "  - {{name: {}, type: difference, stat: {}, variable: {}{cat}, by: {}, levels: [{}, {}]}}\n",
            d["name"].as_str().unwrap(),
            d["stat"].as_str().unwrap(),
            d["variable"].as_str().unwrap(),
            d["by"].as_str().unwrap(),
            l[0].as_str().unwrap(),
            l[1].as_str().unwrap()
        );
    }
    y
}

fn check_tests(rows: &[Value], exp: &Value) {
    for w in exp["tests"].as_array().into_iter().flatten() {
        let g = rows.iter().find(|r| r["name"] == w["name"]).expect("chisq row");
        assert_eq!(g["kind"], "chisq");
        close("statistic", &g["statistic"], &w["statistic"], 1e-6);
        close("df1", &g["df"], &w["df1"], 1e-6);
        close("p", &g["p_value"], &w["p_value"], 1e-6);
        match w["df2"].as_f64() {
            Some(_) => close("df2", &g["df2"], &w["df2"], 1e-6),
            None => assert!(g["df2"].is_null()),
        }
    }
    for w in exp["differences"].as_array().into_iter().flatten() {
        let g = rows.iter().find(|r| r["name"] == w["name"]).expect("difference row");
        assert_eq!(g["kind"], "difference");
        close("difference", &g["estimate"], &w["estimate"], 1e-7);
        for k in ["se", "statistic", "p_value"] {
            close(k, &g[k], &w[k], 1e-6);
        }
    }
}

const CLUS1: &str = "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\n";

#[test]
fn p14a_gaussian_stratified_term_test_and_chisq() {
    let case = "P14a_glm_gaussian_strat";
    let exp = expected(case);
    let yaml = format!(
        "design:\n  weight: pw\n  strata: stype\n  fpc: [fpc]\nmodels:\n  - name: api_linear\n    family: gaussian\n    response: api00\n    terms: [ell, meals, mobility, stype]\n    tests: [stype]\n{}",
        tests_yaml(&exp)
    );
    let rows = run_model(&Scratch::new(), case, &yaml, None);
    check_coefficients(&rows, &exp, "api_linear", false);
    check_term_tests(&rows, &exp);
    check_tests(&rows, &exp);
}

#[test]
fn p14b_quasibinomial_cluster_and_mean_differences() {
    let case = "P14b_glm_logistic_clus1";
    let exp = expected(case);
    let yaml = format!(
        "{CLUS1}models:\n  - name: schwide_logit\n    family: quasibinomial\n    response: sch.wide\n    category: \"Yes\"\n    terms: [ell, meals, stype]\n    tests: [stype]\n{}",
        tests_yaml(&exp)
    );
    let rows = run_model(&Scratch::new(), case, &yaml, None);
    check_coefficients(&rows, &exp, "schwide_logit", true);
    check_term_tests(&rows, &exp);
    check_tests(&rows, &exp);
}

#[test]
fn p14c_gaussian_on_raked_design_through_calibration_config() {
    let case = "P14c_glm_after_raking";
    let exp = expected(case);
    let s = Scratch::new();
    s.write(
        "cal.yaml",
        "weight: pw\noutput: w_cal\nmethod: raking\nalgorithm: ipf\ntolerance: 1.0e-13\nmargins:\n  - variable: stype\n    totals: {E: 4421, H: 755, M: 1018}\n  - variable: sch.wide\n    totals: {\"No\": 1072, \"Yes\": 5122}\n",
    );
    let data = fixture(case, "data.csv");
    let o = s.run(&["calibrate", "-c", "cal.yaml", "-i", &data, "-o", "cal.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = "design:\n  weight: w_cal\n  clusters: [dnum]\n  fpc: [fpc]\n  calibration: cal.yaml\nmodels:\n  - name: api_linear_raked\n    family: gaussian\n    response: api00\n    terms: [ell, meals, stype]\n";
    let rows = run_model(&s, case, yaml, Some(s.path("cal.csv").to_str().unwrap()));
    check_coefficients(&rows, &exp, "api_linear_raked", false);
}

#[test]
fn p14d_quasibinomial_with_jk1_replicates() {
    let case = "P14d_glm_logistic_jk1";
    let exp = expected(case);
    let yaml = "design:\n  weight: pw\n  replicates:\n    columns: \"rep_*\"\n    type: jk1\n    scale: 0.9148392778511668\nmodels:\n  - name: schwide_logit_jk1\n    family: quasibinomial\n    response: sch.wide\n    category: \"Yes\"\n    terms: [ell, meals]\n";
    let rows = run_model(&Scratch::new(), case, yaml, None);
    check_coefficients(&rows, &exp, "schwide_logit_jk1", true);
}

#[test]
fn p15_rao_scott_and_difference_of_proportions() {
    let case = "P15_chisq_and_differences_clus1";
    let exp = expected(case);
    let rows = run_model(&Scratch::new(), case, &format!("{CLUS1}{}", tests_yaml(&exp)), None);
    check_tests(&rows, &exp);
    assert_eq!(rows.len(), 3);
}

/// Refused runs: exit 1, the culprit named, no output file.
#[test]
fn bad_model_inputs_are_refused_by_name() {
    let s = Scratch::new();
    let data = fixture("P14b_glm_logistic_clus1", "data.csv");
    let model = |family: &str, response: &str, terms: &str| {
        format!(
            "{CLUS1}models:\n  - name: m\n    family: {family}\n    response: {response}\n    terms: [{terms}]\n"
        )
    };
    let args = ["model", "-c", "m.yaml", "-i", &data, "-o", "out.csv"];
    s.write("m.yaml", &model("quasibinomal", "api00", "ell"));
    assert_refused(&s, &args, &["unknown family `quasibinomal`", "did you mean `quasibinomial`"]);
    s.write("m.yaml", &model("gaussian", "api00", "ell, mels"));
    assert_refused(&s, &args, &["models[0].terms", "no column `mels`", "did you mean `meals`"]);
    s.write("m.yaml", &model("binomial", "api00", "ell"));
    assert_refused(&s, &args, &["`m` (models[0] of m.yaml)", "api00", "row 1"]);
    s.write("m.yaml", &format!("{CLUS1}models:\n  - {{name: m, family: quasibinomial, response: sch.wide, category: Maybe, terms: [ell]}}\n"));
    assert_refused(&s, &args, &["`m`", "Maybe", "sch.wide"]);
    s.write("m.yaml", &format!("{CLUS1}models:\n  - {{name: m, family: gaussian, response: api00, terms: [stype], domain: {{stype: E}}}}\n"));
    assert_refused(&s, &args, &["`m` (models[0] of m.yaml)", "term `stype` has a single level"]);
    s.write("m.yaml", &format!("{CLUS1}models:\n  - {{name: m, family: gaussian, response: api00, terms: [ell], level: 95}}\ntests:\n  - {{name: t, type: chisq, variables: [stype, sch.wide], level: 0.9}}\n"));
    assert_refused(
        &s,
        &args,
        &[
            "models[0].level",
            "must be in (0, 1), got 95",
            "tests[0].level",
            "`level` does not apply to `type: chisq`",
        ],
    );
    s.write(
        "m.yaml",
        &format!(
            "{CLUS1}tests:\n  - {{name: d, type: difference, stat: mean, variable: api00, by: stype, levels: [E, X]}}\n"
        ),
    );
    assert_refused(&s, &args, &["tests[0].levels", "`X` does not occur in column `stype`"]);
    // a column crossed with itself (was an « empty cell » error from the data)
    s.write(
        "m.yaml",
        &format!("{CLUS1}tests:\n  - {{name: t, type: chisq, variables: [stype, stype]}}\n"),
    );
    assert_refused(&s, &args, &["tests[0].variables", "`stype` is given twice"]);
    s.write("m.yaml", &format!("{CLUS1}models:\n  - name: m\n    family: gaussian\n    response: api00\n    terms: [ell]\n    oops: 1\n"));
    assert_refused(&s, &args, &["oops"]);
}

/// `categorical:` reads a numeric-coded term (a region code) as categories: one dummy per
/// non-reference level instead of a slope; an unknown name there is refused.
#[test]
fn categorical_reads_numeric_codes_as_levels() {
    let s = Scratch::new();
    let mut csv = String::from("y,g,w\n");
    for k in 0..60 {
        let g = 1 + k % 3;
        csv.push_str(&format!("{},{g},{}\n", (k * 7 % 11) as f64 + g as f64, 1.0 + (k % 4) as f64));
    }
    s.write("d.csv", &csv);
    let model = |extra: &str| {
        format!(
            "design: {{weight: w}}\nmodels:\n  - {{name: m, family: gaussian, response: y, terms: [g]{extra}}}\n"
        )
    };
    let terms = |rows: &[Value]| -> Vec<String> {
        rows.iter().map(|r| r["term"].as_str().unwrap().to_string()).collect()
    };
    let slope = run_model(&s, "", &model(""), Some("d.csv"));
    assert_eq!(terms(&slope), ["(Intercept)", "g"]);
    let levels = run_model(&s, "", &model(", categorical: [g]"), Some("d.csv"));
    assert_eq!(terms(&levels), ["(Intercept)", "g=2", "g=3"]);
    s.write("bad.yaml", &model(", categorical: [h]"));
    let o = s.run(&["model", "-c", "bad.yaml", "-i", "d.csv", "-o", "bad.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("categorical"), "{}", stderr(&o));
    assert!(!s.path("bad.csv").exists());
}

/// The estimate of `stat` (its SE) from `ponder estimate` with `design`, on `data`.
fn estimate_se(s: &Scratch, design: &str, data: &str, request: &str) -> (f64, f64) {
    s.write("e.yaml", &format!("{design}estimates:\n  - {request}\n"));
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", data, "-o", "est.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(s.path("est.json")).unwrap();
    let rows: Value = serde_json::from_str(&text).unwrap();
    (rows[0]["estimate"].as_f64().unwrap(), rows[0]["se"].as_f64().unwrap())
}

#[test]
fn models_on_a_nonresponse_phase_match_the_estimates_variance() {
    // P11a: weighting classes on a one-stage cluster sample, then (second run) a
    // calibration of the adjusted weights: the intercept-only gaussian model is the mean,
    // a single dummy the difference of two domain means; both through the two-phase
    // (sampling + Poisson response) linearization of the estimates.
    let s = Scratch::new();
    s.write("n.yaml", "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [stype]\n");
    let data = fixture("P11a_nonresponse_rhg", "data.csv");
    let o = s.run(&["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "adj.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    s.write("cal.yaml", "weight: w_nr\noutput: w_cal\nmethod: linear\npopulation_total: 6194\nmargins:\n  - variable: api99\n    total: 3800000\n");
    let o = s.run(&["calibrate", "-c", "cal.yaml", "-i", "adj.csv", "-o", "cal.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let base = "design:\n  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n.yaml\n";
    for (weight, extra) in [("w_nr", ""), ("w_cal", "  calibration: cal.yaml\n")] {
        let design = format!("{base}  weight: {weight}\n{extra}");
        let (mean, se) =
            estimate_se(&s, &design, "cal.csv", "{name: m, stat: mean, variable: api00}");
        let rows = run_model(
            &s,
            "P11a_nonresponse_rhg",
            &format!(
                "{design}models:\n  - {{name: m, family: gaussian, response: api00, terms: []}}\ntests:\n  - {{name: d, type: difference, stat: mean, variable: api00, by: stype, levels: [H, E]}}\n"
            ),
            Some(&s.path("cal.csv").to_string_lossy()),
        );
        let b0 = &rows[0];
        assert!(
            relative_eq!(
                b0["estimate"].as_f64().unwrap(),
                mean,
                epsilon = 0.0,
                max_relative = 1e-10
            ),
            "{weight} mean"
        );
        assert!(
            relative_eq!(b0["se"].as_f64().unwrap(), se, epsilon = 0.0, max_relative = 1e-9),
            "{weight} se {} vs {se}",
            b0["se"]
        );
        let d = rows.iter().find(|r| r["kind"] == "difference").unwrap();
        s.write("d.yaml", &format!("{design}models:\n  - {{name: d, family: gaussian, response: api00, terms: [stype], reference: {{stype: E}}, domain: {{}}}}\n"));
        let dummy = run_model(
            &s,
            "P11a_nonresponse_rhg",
            &std::fs::read_to_string(s.path("d.yaml")).unwrap(),
            Some(&s.path("cal.csv").to_string_lossy()),
        );
        let h = dummy.iter().find(|r| r["term"] == "stype=H").unwrap();
        assert_relative_eq!(
            h["estimate"].as_f64().unwrap(),
            d["estimate"].as_f64().unwrap(),
            epsilon = 0.0,
            max_relative = 1e-9
        );
        assert!(
            relative_eq!(
                h["se"].as_f64().unwrap(),
                d["se"].as_f64().unwrap(),
                epsilon = 0.0,
                max_relative = 1e-9
            ),
            "{weight} difference se"
        );
    }
}

#[test]
fn level_sets_the_confidence_level_of_coefficients_and_differences() {
    let s = Scratch::new();
    let body = |level: &str| {
        format!(
            "{CLUS1}models:\n  - {{name: m, family: gaussian, response: api00, terms: [ell]{level}}}\ntests:\n  - {{name: d, type: difference, stat: mean, variable: api00, by: stype, levels: [E, H]{level}}}\n"
        )
    };
    let wide = run_model(&s, "P14b_glm_logistic_clus1", &body(""), None);
    let narrow = run_model(&s, "P14b_glm_logistic_clus1", &body(", level: 0.9"), None);
    assert_eq!(wide.len(), narrow.len());
    for (w, n) in wide.iter().zip(&narrow) {
        if w["kind"] != "coefficient" && w["kind"] != "difference" {
            continue;
        }
        let width = |r: &Value| r["ci_high"].as_f64().unwrap() - r["ci_low"].as_f64().unwrap();
        assert!(width(n) < width(w), "{}: 90 % interval not narrower", w["term"]);
        assert_eq!(w["estimate"], n["estimate"]);
        assert_eq!(w["se"], n["se"]);
    }
}

/// `margins:` writes the observed mean, each predictive margin and its difference from the
/// observed mean (case P16, R by hand with `svyrecvar` and `withReplicates` on JK1), both
/// linearized and on replicates; a level that does not occur and a numeric term are refused.
#[test]
fn p16_predictive_margins_through_the_model_config() {
    let case = "P16_predictive_margin_clus1";
    let exp = expected(case);
    let model = "models:\n  - name: schwide\n    family: quasibinomial\n    response: sch.wide\n    category: \"Yes\"\n    terms: [ell, meals, stype]\n    margins: {stype: [E, H]}\n";
    let jk1 = "design:\n  weight: pw\n  replicates:\n    columns: \"rep_*\"\n    type: jk1\n    scale: 0.9148392778511668\n";
    for (design, prefix) in [(CLUS1, ""), (jk1, "jk1_")] {
        let rows = run_model(&Scratch::new(), case, &format!("{design}{model}"), None);
        let kind = |k: &str| rows.iter().filter(|r| r["kind"] == k).collect::<Vec<_>>();
        let (obs, margins, diffs) = (kind("observed"), kind("margin"), kind("margin_difference"));
        assert_eq!((obs.len(), margins.len(), diffs.len()), (1, 2, 2), "{rows:?}");
        for (i, e) in exp["margins"].as_array().unwrap().iter().enumerate() {
            let level = e["level"].as_str().unwrap();
            assert_eq!(margins[i]["term"], format!("stype={level}"));
            close("margin", &margins[i]["estimate"], &e[&format!("{prefix}margin")], 1e-9);
            close("margin se", &margins[i]["se"], &e[&format!("{prefix}se_margin")], 1e-6);
            let d = &e[&format!("{prefix}se_difference")];
            close("difference se", &diffs[i]["se"], d, 1e-6);
        }
        close("observed", &obs[0]["estimate"], &exp["margins"][0]["observed"], 1e-12);
    }
    let s = Scratch::new();
    for (bad, culprit) in [
        ("{stype: X}", "`X` does not occur in column `stype`"),
        ("{ell: 3}", "`ell` is numeric"),
        ("{region: 1}", "region"),
    ] {
        let yaml = format!("{CLUS1}{}", model.replace("{stype: [E, H]}", bad));
        s.write("m.yaml", &yaml);
        let data = fixture(case, "data.csv");
        let args = ["model", "-c", "m.yaml", "-i", &data, "-o", "out.json"];
        assert_refused(&s, &args, &[culprit, "margins"]);
    }
}

/// The FEJ mode-effect diagnostic (designs/fej2024_modes.yaml) on the bundled run: the
/// phone coefficient at equal composition with its test, the counterfactual « all on the
/// web » beside the observed proportion, and the raw difference between modes.
#[test]
fn fej_mode_effects_run_on_the_bundled_output() {
    let (_, out, _) = crate::common::bundled_run();
    let s = Scratch::new();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/designs/fej2024_modes.yaml");
    let input = out.join("weighted.parquet");
    let o = s.run(&["model", "-c", config, "-i", input.to_str().unwrap(), "-o", "modes.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(s.path("modes.json")).unwrap();
    let rows: Vec<Value> =
        serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone();
    for model in ["trust_mode", "fairness_mode"] {
        let find = |kind: &str, term: &str| {
            rows.iter()
                .find(|r| r["name"] == model && r["kind"] == kind && r["term"] == term)
                .unwrap_or_else(|| panic!("{model}: no {kind} row `{term}` in {rows:?}"))
        };
        let phone = find("coefficient", "outcome=phone");
        assert!(phone["se"].as_f64().unwrap() > 0.0 && phone["p_value"].as_f64().is_some());
        find("term_test", "outcome");
        let margin = find("margin", "outcome=web")["estimate"].as_f64().unwrap();
        assert!(margin > 0.0 && margin < 1.0, "{margin}");
        find("margin_difference", "outcome=web − observed");
    }
    assert!(rows.iter().any(|r| r["name"] == "trust_phone_minus_web_raw"));
}

/// Mode-composition calibration (issue 16, option b): the FEJ calibration plus a margin on
/// the collection mode of the respondents at fixed shares meets every margin, and moves
/// the share of web respondents to the target.
#[test]
fn fej_calibration_to_a_fixed_mode_mix() {
    let (_, out, _) = crate::common::bundled_run();
    let s = Scratch::new();
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/calibration/fej2024.yaml"))
            .unwrap();
    let yaml = format!(
        "{}\n  # the mode mix of a reference edition: 70 % web, 30 % telephone\n  - variable: outcome\n    percentages: {{web: 70, phone: 30}}\n",
        base.replace("output: w_cal", "output: w_mode")
    );
    s.write("modes.yaml", &yaml);
    let input = out.join("weighted.parquet");
    let o =
        s.run(&["calibrate", "-c", "modes.yaml", "-i", input.to_str().unwrap(), "-o", "w.parquet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = ponder::data::Table::read(&s.path("w.parquet")).unwrap();
    let (w, mode) = (t.numeric("w_mode").unwrap(), t.factor("outcome").unwrap());
    let web = mode.level_index("web").unwrap();
    let total: f64 = w.iter().sum();
    let on_web: f64 = w.iter().zip(&mode.codes).filter(|(_, c)| **c == web).map(|(w, _)| w).sum();
    assert!(
        relative_eq!(on_web / total, 0.70, epsilon = 0.0, max_relative = 1e-8),
        "web share {}",
        on_web / total
    );
    assert!(relative_eq!(total, 51_491_359.0, epsilon = 0.0, max_relative = 1e-8), "{total}");
}

/// A dispute-level model (`units:` in the model config): each dispute carries its person's
/// weight; the persons are clusters within the design's PSUs. R: `svyglm` on the file
/// expanded to one row per dispute (`ids = ~dnum + person_id`), and the same with the
/// persons' JK1 replicate weights (tests/fixtures/units/model_r_call.txt).
#[test]
fn dispute_level_model_matches_r_on_the_expanded_design() {
    let text = std::fs::read_to_string(fixture("units", "model_expected.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    let units = fixture("units/clus1", "disputes.csv");
    let model = format!(
        "units: {{file: \"{units}\", key: person_id}}\nmodels:\n  - {{name: nr, family: quasibinomial, response: recourse, category: none, terms: [type, amount, sch.wide]}}\n"
    );
    let jk1 = "design:\n  weight: pw\n  replicates:\n    columns: \"rep_*\"\n    type: jk1\n    scale: 0.9148392778511668\n";
    let lin = "design:\n  weight: pw\n  clusters: [dnum]\n";
    for (design, which) in [(lin, "linearized"), (jk1, "jk1")] {
        let persons = fixture("units/clus1", "persons.csv");
        let rows =
            run_model(&Scratch::new(), "units/clus1", &format!("{design}{model}"), Some(&persons));
        let want = exp[which].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{which}: {rows:?}");
        for (r, e) in rows.iter().zip(want) {
            assert_eq!(r["term"].as_str().unwrap().replace('=', ""), e["term"]);
            close(&format!("{which} {}", e["term"]), &r["estimate"], &e["estimate"], 1e-7);
            close(&format!("{which} se {}", e["term"]), &r["se"], &e["se"], 1e-6);
        }
    }
}
