//! `ponder calibrate` end to end, and every bad input refused cleanly.

use super::{Scratch, assert_refused, stderr};
use approx::abs_diff_eq;
use ponder::data::Table;

const DATA: &str = "id,sex,age,income,d,rep_1,rep_2\n\
1,1,a,10,10,0,11\n2,1,b,12,10,11,0\n3,2,a,9,10,11,11\n4,2,b,15,10,11,11\n\
5,1,c,11,10,11,11\n6,2,c,14,10,11,11\n7,1,a,13,10,11,11\n8,2,b,8,10,11,11\n9,1,c,,0,0,0\n";

const CONFIG: &str = "weight: d\noutput: w\nmethod: raking\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n  - variable: age\n    totals: {a: 30, b: 36, c: 30}\n";

fn setup(config: &str) -> Scratch {
    let s = Scratch::new();
    s.write("in.csv", DATA);
    s.write("c.yaml", config);
    s
}

const ARGS: [&str; 7] =
    ["calibrate", "--config", "c.yaml", "--input", "in.csv", "--output", "out.csv"];

fn sums(t: &Table, col: &str, by: &str) -> Vec<(String, f64)> {
    let w = t.numeric(col).unwrap();
    let f = t.factor(by).unwrap();
    f.levels
        .iter()
        .enumerate()
        .map(|(l, name)| {
            let s = f.codes.iter().zip(&w).filter(|(c, _)| **c == l as u32).map(|(_, w)| w).sum();
            (name.clone(), s)
        })
        .collect()
}

#[test]
fn calibrates_and_reports() {
    let s = setup(CONFIG);
    let o = s.run(&[&ARGS[..], &["--report", "r.json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("out.csv")).unwrap();
    assert_eq!(t.column_names(), vec!["id", "sex", "age", "income", "d", "rep_1", "rep_2", "w"]);
    for (cat, total) in sums(&t, "w", "sex") {
        let target = if cat == "1" { 50.0 } else { 46.0 };
        assert!(abs_diff_eq!(total, target, epsilon = 1e-8), "sex {cat}: {total}");
    }
    for (cat, total) in sums(&t, "w", "age") {
        let target = [30.0, 36.0, 30.0][["a", "b", "c"].iter().position(|c| *c == cat).unwrap()];
        assert!(abs_diff_eq!(total, target, epsilon = 1e-8), "age {cat}: {total}");
    }
    assert_eq!(t.numeric("w").unwrap()[8], 0.0, "weight 0 passes through");
    let report = s.json("r.json");
    assert_eq!(report["converged"], true);
    assert!(report["design_effect"].as_f64().unwrap() >= 1.0);
    assert!(report["g"]["p50"].is_number());
    for phase in ["read", "margins", "checks", "cells", "solve", "replicates", "write"] {
        assert!(report["timings"][phase].as_f64().is_some_and(|t| t >= 0.0), "{phase}");
    }
    assert_eq!(report["margins"].as_array().unwrap().len(), 2);
}

#[test]
fn html_report_and_replicates() {
    let s = setup(&format!("{CONFIG}replicates: \"rep_*\"\n"));
    let o = s.run(&[&ARGS[..], &["--report", "r.html"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("out.csv")).unwrap();
    for rep in ["w_rep_1", "w_rep_2"] {
        for (cat, total) in sums(&t, rep, "sex") {
            let target = if cat == "1" { 50.0 } else { 46.0 };
            assert!(abs_diff_eq!(total, target, epsilon = 1e-8), "{rep} sex {cat}: {total}");
        }
    }
    let html = std::fs::read_to_string(s.path("r.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Margins"));
    // the histogram of g is drawn from the weights taken before they move into the output
    // table (it is empty, and left out, without them)
    assert!(html.contains("g = w / d (rows with d &gt; 0)"), "no histogram of g");
}

#[test]
fn parquet_in_and_out() {
    let s = setup(CONFIG);
    let t = Table::read(&s.path("in.csv")).unwrap();
    t.write(&s.path("in.parquet")).unwrap();
    let o = s.run(&["calibrate", "-c", "c.yaml", "-i", "in.parquet", "-o", "out.parquet", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "--quiet prints nothing");
    let out = Table::read(&s.path("out.parquet")).unwrap();
    assert_eq!(out.numeric("w").unwrap().len(), 9);
}

/// `groups:` merges data categories into one margin category (CALMAR's regrouping).
#[test]
fn grouped_categories_meet_the_merged_margin() {
    let s = setup(
        "weight: d\noutput: w\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n  - variable: age\n    groups: {ab: [a, b]}\n    totals: {ab: 66, c: 30}\n",
    );
    let o = s.run(&ARGS);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("out.csv")).unwrap();
    let by_age = sums(&t, "w", "age");
    assert!(abs_diff_eq!(by_age[0].1 + by_age[1].1, 66.0, epsilon = 1e-8), "{by_age:?}");
    assert!(abs_diff_eq!(by_age[2].1, 30.0, epsilon = 1e-8), "{by_age:?}");
    // the data keep their own categories
    assert_eq!(t.factor("age").unwrap().levels, ["a", "b", "c"]);
}

/// A CALMAR margin table (`margins_table:`) is read when the spec meets the data: its
/// margins are met, a margin given twice (YAML and table) or a missing table is refused.
#[test]
fn calmar_margin_table_is_read_when_binding() {
    let s = setup("weight: d\noutput: w\nmargins_table: m.csv\n");
    s.write("m.csv", "var,n,mar1,mar2\nsex,2,50,46\n");
    let o = s.run(&ARGS);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("out.csv")).unwrap();
    for (cat, total) in sums(&t, "w", "sex") {
        let target = if cat == "1" { 50.0 } else { 46.0 };
        assert!(abs_diff_eq!(total, target, epsilon = 1e-8), "sex {cat}: {total}");
    }
    let s = setup(&format!("{CONFIG}margins_table: m.csv\n"));
    s.write("m.csv", "var,n,mar1,mar2\nsex,2,50,46\n");
    assert_refused(&s, &ARGS, &["margins_table row 1 (sex)", "already has a margin"]);
    let s = setup(&format!("{CONFIG}margins_table: none.csv\n"));
    assert_refused(&s, &ARGS, &["margins_table", "none.csv"]);
}

#[test]
fn bad_configs_are_refused() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("weight: d\nmargins: [\n", vec!["c.yaml", "line"]),
        (
            "weight: d\nmethd: raking\nmargins: []\n",
            vec!["methd", "did you mean `method`", "line 2"],
        ),
        (
            "weight: d\nmethod: rakng\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n",
            vec!["rakng", "did you mean `raking`"],
        ),
        (
            "weight: d\nmethod: logit\nbounds: [1.2, 3]\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n",
            vec!["bounds", "L < 1 < U"],
        ),
        (
            "weight: d\nmethod: logit\nbounds: [0.5, 0.9]\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n",
            vec!["bounds", "L < 1 < U"],
        ),
        (
            "weight: d\nmethod: logit\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n",
            vec!["needs bounds"],
        ),
        (
            "weight: d\nmargins:\n  - variable: sexe\n    totals: {1: 50, 2: 46}\n",
            vec!["sexe", "did you mean `sex`"],
        ),
        (
            "weight: d\nmargins:\n  - variable: sex\n    totals: {1: 50}\n",
            vec!["sample category `2`", "line 3"],
        ),
        (
            "weight: d\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 40, 3: 6}\n",
            vec!["category `3`", "no sample unit"],
        ),
        (
            "weight: d\nmargins:\n  - variable: sex\n    totals: {1: 50, 2: 46}\n  - variable: age\n    totals: {a: 30, b: 36, c: 40}\n",
            vec!["age"],
        ),
        (
            "weight: d\nmargins:\n  - variable: sex\n    percentages: {1: 50, 2: 46}\n",
            vec!["sum to 96", "population_total"],
        ),
        (
            "weight: d\nmargins:\n  - variable: age\n    groups: {ab: [a, b], bc: [b, c]}\n    totals: {ab: 66, bc: 30}\n",
            vec!["margins[0].groups", "category `b` is in groups `ab` and `bc`"],
        ),
        (
            "weight: d\nmargins:\n  - variable: age\n    groups: {c: [a, b]}\n    totals: {c: 96}\n",
            vec!["groups", "group name `c` is also a category"],
        ),
        (
            "weight: d\nmargins:\n  - variable: age\n    groups: {ab: a}\n    totals: {ab: 66, c: 30}\n",
            vec!["group `ab` must list the categories"],
        ),
        (
            "weight: d\nmargins:\n  - variable: age\n    groups: {ab: [a, b]}\n    totals: {a: 30, b: 36, c: 30}\n",
            vec!["ab"],
        ),
    ];
    for (config, needles) in cases {
        let s = setup(config);
        assert_refused(&s, &ARGS, &needles);
    }
    let s = setup(CONFIG);
    assert_refused(
        &s,
        &["calibrate", "--config", "nope.yaml", "--input", "in.csv", "--output", "out.csv"],
        &["nope.yaml"],
    );
}

#[test]
fn bad_data_is_refused() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("", vec!["in.csv", "empty"]),
        ("id,sex,age,income,d\n", vec!["in.csv", "no data rows"]),
        ("id,sex,age,income,d\n1,1,a,10,10\n2,1,b\n", vec!["in.csv", "line 3"]),
        ("id,sex,sex,income,d\n1,1,a,10,10\n", vec!["in.csv", "`sex` appears twice"]),
        (
            "id,sex,age,income,d\n1,1,a,10,-10\n2,2,b,10,10\n3,1,c,1,1\n",
            vec!["`d`", "negative", "row 1"],
        ),
        (
            "id,sex,age,income,d\n1,1,a,10,\n2,2,b,10,10\n3,1,c,1,1\n",
            vec!["`d`", "missing", "row 1"],
        ),
        ("id,sex,age,income,d\n1,,a,10,10\n2,2,b,10,10\n3,1,c,1,1\n", vec!["sex", "missing"]),
    ];
    for (data, needles) in cases {
        let s = setup(CONFIG);
        s.write("in.csv", data);
        assert_refused(&s, &ARGS, &needles);
    }
}

#[test]
fn bad_paths_are_refused() {
    let s = setup(CONFIG);
    s.write("in.xlsx", DATA);
    assert_refused(
        &s,
        &["calibrate", "-c", "c.yaml", "-i", "in.xlsx", "-o", "out.csv"],
        &["in.xlsx", ".xlsx"],
    );
    assert_refused(
        &s,
        &["calibrate", "-c", "c.yaml", "-i", "in.csv", "-o", "no/out.csv"],
        &["does not exist"],
    );
    assert_refused(&s, &["calibrate", "-c", "c.yaml", "-i", "in.csv", "-o", "out.txt"], &[".txt"]);
    assert_refused(
        &s,
        &["calibrate", "-c", "c.yaml", "-i", "in.csv", "-o", "in.csv"],
        &["overwrite an input"],
    );
    assert_refused(
        &s,
        &["calibrate", "-c", "c.yaml", "-i", "missing.csv", "-o", "out.csv"],
        &["missing.csv"],
    );
    assert_refused(
        &s,
        &["calibrate", "-c", "c.yaml", "-i", "in.csv", "-o", "out.csv", "-r", "r.pdf"],
        &["r.pdf"],
    );
}

#[test]
fn existing_output_column_and_infeasible_bounds_are_refused() {
    let s = setup(&CONFIG.replace("output: w", "output: income"));
    assert_refused(&s, &ARGS, &["`income`", "already exists"]);
    // sex 1 holds 4 of 8 rows with d = 10 (total 40): a target of 90 needs g = 2.25 > 1.5
    let cfg = "weight: d\nmethod: logit\nbounds: [0.5, 1.5]\nmargins:\n  - variable: sex\n    totals: {1: 90, 2: 40}\n";
    let s = setup(cfg);
    assert_refused(&s, &ARGS, &["sex", "bounds"]);
}

#[test]
fn no_matching_replicates_is_refused() {
    let s = setup(&format!("{CONFIG}replicates: \"boot_*\"\n"));
    assert_refused(&s, &ARGS, &["boot_*", "replicates"]);
}

/// The R reference weights through the CLI: P05 (IPF = `rake()`, Newton =
/// `calibrate(calfun = "raking")`), P06 (linear) and P12c (four distances, `survey` values).
mod reference {
    use super::super::{Scratch, expected, fixture, stderr};
    use approx::relative_eq;
    use ponder::data::Table;
    use serde_json::Value;

    const STYPE: &str = "  - variable: stype\n    totals: {E: 4421, H: 755, M: 1018}\n";
    const API99: &str = "  - variable: api99\n    total: 3914069\n";

    /// Calibrates `case`'s data with `config` and returns w_cal / pw.
    fn g_of(case: &str, config: &str) -> Vec<f64> {
        let s = Scratch::new();
        s.write("c.yaml", config);
        let o =
            s.run(&["calibrate", "-c", "c.yaml", "-i", &fixture(case, "data.csv"), "-o", "o.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let t = Table::read(&s.path("o.csv")).unwrap();
        let (w, d) = (t.numeric("w_cal").unwrap(), t.numeric("pw").unwrap());
        w.iter().zip(&d).map(|(w, d)| w / d).collect()
    }

    fn assert_close(ours: &[f64], theirs: &Value, scale: Option<&[f64]>, what: &str) {
        let theirs = theirs.as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{what}: number of rows");
        for (i, (x, y)) in ours.iter().zip(theirs).enumerate() {
            let y = y.as_f64().unwrap() / scale.map_or(1.0, |s| s[i]);
            let same = relative_eq!(*x, y, epsilon = 0.0, max_relative = 1e-9);
            assert!(same, "{what} row {}: {x} vs {y}", i + 1);
        }
    }

    #[test]
    fn p05_p06_p12c_weights() {
        let pw = Table::read(std::path::Path::new(&fixture("P05_rake", "data.csv")))
            .unwrap()
            .numeric("pw")
            .unwrap();
        let schwide = "  - variable: sch.wide\n    totals: {\"No\": 1072, \"Yes\": 5122}\n";
        let e = expected("P05_rake");
        for (alg, key) in [("ipf", "final_weights"), ("newton", "final_weights_calibrate_raking")] {
            let g = g_of(
                "P05_rake",
                &format!(
                    "weight: pw\noutput: w_cal\nalgorithm: {alg}\ntolerance: 1.0e-13\nmargins:\n{STYPE}{schwide}"
                ),
            );
            assert_close(&g, &e[key], Some(&pw), key);
        }
        let g = g_of(
            "P06_linear_calib",
            &format!("weight: pw\noutput: w_cal\nmethod: linear\nmargins:\n{STYPE}{API99}"),
        );
        assert_close(&g, &expected("P06_linear_calib")["g_weights"], None, "P06 g");
        let e = expected("P12c_sampling_calib");
        for (method, key) in [
            ("linear", "linear"),
            ("raking", "raking"),
            ("logit", "logit"),
            ("truncated_linear", "truncated"),
        ] {
            let bounds = if matches!(method, "logit" | "truncated_linear") {
                "bounds: [0.5, 2.5]\n"
            } else {
                ""
            };
            let g = g_of(
                "P12c_sampling_calib",
                &format!(
                    "weight: pw\noutput: w_cal\nmethod: {method}\n{bounds}tolerance: 1.0e-13\nmargins:\n{STYPE}{API99}"
                ),
            );
            assert_close(&g, &e["g_weights_survey_calibrate"][key], None, method);
        }
    }
}
