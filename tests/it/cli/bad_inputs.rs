//! Adversarial inputs found by a sweep of every subcommand: each is refused with exit 1, a
//! message naming the key/column/value at fault in the user's words (no Rust type names, no
//! `Number(..)` debug forms), and no output — where before it panicked, exited 0 while
//! ignoring an option, or spoke serde.

use super::{Scratch, stderr};
use crate::common::repo;

/// Words of serde/Rust internals that must never reach a user.
const INTERNALS: [&str; 9] = [
    "struct Raw",
    "untagged enum",
    "Number(",
    "String(",
    "expected f64",
    "expected u64",
    "expected usize",
    "u128",
    "panicked",
];

/// As [`super::assert_refused`] (exit 1, every needle in the message, the folder
/// byte-identical afterwards), plus: the message speaks YAML, not Rust.
fn refused(s: &Scratch, args: &[&str], needles: &[&str]) {
    let before = s.snapshot();
    let o = s.run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "expected exit 1 for {args:?}, stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr should mention `{n}` for {args:?}:\n{err}");
    }
    for w in INTERNALS {
        assert!(!err.contains(w), "internal wording `{w}` for {args:?}:\n{err}");
    }
    assert_eq!(before, s.snapshot(), "the folder changed after a refused run {args:?}");
}

const CAL_DATA: &str = "id,sex,age,income,d,rep_1,rep_2\n\
1,1,a,10,10,0,11\n2,1,b,12,10,11,0\n3,2,a,9,10,11,11\n4,2,b,15,10,11,11\n\
5,1,c,11,10,11,11\n6,2,c,14,10,11,11\n7,1,a,13,10,11,11\n8,2,b,8,10,11,11\n9,1,c,,0,0,0\n";

const SEX: &str = "  - variable: sex\n    totals: {1: 50, 2: 46}\n";

#[test]
fn calibrate_configs() {
    let m = |body: &str| format!("weight: d\n{body}margins:\n{SEX}");
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("- weight: d\n".into(), vec!["c.yaml", "mapping"]),
        ("~\n".into(), vec!["c.yaml", "mapping"]),
        (format!("margins:\n{SEX}"), vec!["missing required key `weight`", "add `weight:`"]),
        ("weight: d\nmargins:\n  - sex\n".into(), vec!["margins[0]", "mapping"]),
        (m("tolerance: small\n"), vec!["tolerance", "expected a number"]),
        (m("max_iterations: 99999999999999999999999\n"), vec!["max_iterations", "whole number"]),
        (m("output: \"\"\n"), vec!["`output`", "empty"]),
        (m("replicates: \"rep_[\"\n"), vec!["`replicates`", "rep_["]),
        // the same margin twice (was accepted)
        (format!("weight: d\nmargins:\n{SEX}{SEX}"), vec!["margins[1]", "already has a margin"]),
        // a variable crossed with itself (was accepted)
        (
            "weight: d\nmargins:\n  - variables: [sex, sex]\n    totals: {\"1,1\": 50, \"2,2\": 46}\n"
                .into(),
            vec!["margins[0].variables", "`sex` is listed twice"],
        ),
        (
            "weight: d\nmargins:\n  - variable: \"\"\n    totals: {1: 50, 2: 46}\n".into(),
            vec!["margins[0]", "empty"],
        ),
        // the value as written, and no spurious "no margin is given"
        (
            "weight: d\nmargins:\n  - variable: sex\n    totals: {1: -50, 2: 146}\n".into(),
            vec!["category `1`", "got `-50`", "1 problem(s)"],
        ),
        (
            "weight: d\nmargins:\n  - variable: sex\n    totals: {1: fifty, 2: 46}\n".into(),
            vec!["got `fifty`", "1 problem(s)"],
        ),
        // raking to a zero total of a positive variable drove every weight to ~0 (exit 0)
        (
            "weight: d\nmargins:\n  - variable: income\n    total: 0\n".into(),
            vec!["margins[0].total", "`income`", "cannot be 0"],
        ),
        // a text column caught by the replicate glob was called the "weight column"
        (m("replicates: \"*\"\n"), vec!["replicate column", "`age`", "replicates: \"*\""]),
    ];
    for (config, needles) in cases {
        let s = Scratch::new();
        s.write("in.csv", CAL_DATA);
        s.write("c.yaml", &config);
        refused(&s, &["calibrate", "-c", "c.yaml", "-i", "in.csv", "-o", "out.csv"], &needles);
    }
}

#[test]
fn estimate_configs() {
    let data = super::fixture("P01_strat_srswor", "data.csv");
    let mean = "  - {name: m, stat: mean, variable: api00}\n";
    let one = |design: &str, est: &str| format!("design: {design}\nestimates:\n{est}");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (one("pw", mean), vec!["`design`", "mapping"]),
        // duplicate or empty names (were written as ambiguous rows)
        (
            one("{weight: pw}", &format!("{mean}  - {{name: m, stat: mean, variable: api99}}\n")),
            vec!["estimates[1].name", "`m` is already used by estimates[0]"],
        ),
        (
            one("{weight: pw}", "  - {name: \"\", stat: mean, variable: api00}\n"),
            vec!["estimates[0].name", "empty"],
        ),
        // options of another statistic (were ignored)
        (
            one("{weight: pw}", "  - {name: m, stat: mean, variable: api00, quantile: 0.9}\n"),
            vec!["estimates[0].quantile", "stat: quantile"],
        ),
        (
            one("{weight: pw}", "  - {name: m, stat: mean, variable: api00, quantile_rule: hf7}\n"),
            vec!["estimates[0].quantile_rule"],
        ),
        // a list as category (was read as "every category")
        (
            one(
                "{weight: pw}",
                "  - {name: m, stat: proportion, variable: sch.wide, category: [Yes, No]}\n",
            ),
            vec!["estimates[0].category", "[Yes, No]", "not one category"],
        ),
        // columns twice (by: silently merged; clusters: a different variance)
        (
            one("{weight: pw}", "  - {name: m, stat: mean, variable: api00, by: [stype, stype]}\n"),
            vec!["estimates[0].by", "`stype` is listed twice"],
        ),
        (one("{weight: pw, clusters: [dnum, dnum]}", mean), vec!["design.clusters", "`dnum`"]),
        (one("{weight: pw, strata: stype, clusters: [stype]}", mean), vec!["design.clusters"]),
        (one("{weight: pw, strata: \"\"}", mean), vec!["design.strata", "empty"]),
        (
            one("{weight: pw, replicates: {columns: \"api*\", type: jk1, count: 0}}", mean),
            vec!["design.replicates.count", "at least 2"],
        ),
        (
            one(
                "{weight: pw, replicates: {columns: \"api*\", type: jkn, rscales: [-1, 1, 1]}}",
                mean,
            ),
            vec!["design.replicates.rscales", "-1"],
        ),
        (
            one("{weight: pw, replicates: {columns: \"[\", type: jk1}}", mean),
            vec!["design.replicates.columns", "not a valid column pattern"],
        ),
        // a pattern matching a column that is not a weight: named with the pattern
        (
            one("{weight: pw, replicates: {columns: \"sch*\", type: bootstrap}}", mean),
            vec![
                "design.replicates.columns",
                "column `sch.wide` matches `sch*` but is not a replicate weight",
                "must be numeric",
                "narrow the pattern",
            ],
        ),
        // a library error, now with the file and key
        (
            one("{weight: pw, replicates: {columns: api99, type: bootstrap}}", mean),
            vec!["e.yaml", "design.replicates", "api99", "at least 2"],
        ),
    ];
    for (cfg, needles) in cases {
        let s = Scratch::new();
        s.write("e.yaml", &cfg);
        refused(&s, &["estimate", "-c", "e.yaml", "-i", &data, "-o", "out.csv"], &needles);
    }
}

#[test]
fn estimate_degenerate_weights_and_denominators() {
    let s = Scratch::new();
    let mean = "design: {weight: w}\nestimates:\n  - {name: m, stat: mean, variable: y}\n";
    s.write("e.yaml", mean);
    // every weight 0 (a wrong column): was exit 0 with one empty row
    s.write("zero.csv", "y,w,z\n1,0,0\n2,0,0\n3,0,0\n");
    refused(
        &s,
        &["estimate", "-c", "e.yaml", "-i", "zero.csv", "-o", "out.csv"],
        &["zero.csv", "`w`", "0 on every row"],
    );
    // a ratio over a denominator totalling 0 is undefined: no SE of 0 beside it
    s.write("d.csv", "y,w,z\n1,2,0\n2,2,0\n3,2,0\n");
    s.write(
        "r.yaml",
        "design: {weight: w}\nestimates:\n  - {name: r, stat: ratio, variable: y, denominator: z}\n",
    );
    let o = s.run(&["estimate", "-c", "r.yaml", "-i", "d.csv", "-o", "out.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = ponder::data::Table::read(&s.path("out.csv")).unwrap();
    let se = t.numeric_opt("se").unwrap();
    assert_eq!(se, vec![None], "an undefined ratio has no SE");
    let flags = t.factor("flags").unwrap();
    assert_eq!(flags.levels, vec!["undefined"], "and is flagged");
}

#[test]
fn replicates_requests() {
    let data = super::fixture("P02_clus1", "data.csv");
    let s = Scratch::new();
    s.write("d.yaml", "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\n");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> =
            ["replicates", "-d", "d.yaml", "-i", &data, "-o", "out.csv"].map(String::from).to_vec();
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        // SDR with 0 or 1 replicates panicked (overflow, division by 0); 2 gave replicates
        // equal to the full sample
        (vec!["-t", "sdr", "-R", "0"], vec!["SDR", "at least 4"]),
        (vec!["-t", "sdr", "-R", "1"], vec!["SDR", "at least 4"]),
        (vec!["-t", "sdr", "-R", "2"], vec!["SDR", "at least 4"]),
        // aborted on a failed allocation
        (vec!["-t", "bootstrap", "-R", "99999999999999"], vec!["--replicates", "fewer replicates"]),
        (vec!["-t", "bootstrap", "--prefix", ""], vec!["--prefix"]),
        // a seed for replicates that draw nothing (was ignored)
        (vec!["-t", "jk1", "--seed", "3"], vec!["--seed applies to --type bootstrap only", "jk1"]),
        (vec!["-t", "sdr", "-R", "4", "--seed", "3"], vec!["--seed", "sdr"]),
    ];
    for (extra, needles) in cases {
        let a = args(&extra);
        refused(&s, &a.iter().map(String::as_str).collect::<Vec<_>>(), &needles);
    }
    // design keys `ponder replicates` does not use (were ignored)
    s.write(
        "cal.yaml",
        "weight: pw\nmargins:\n  - variable: stype\n    totals: {E: 1, H: 1, M: 1}\n",
    );
    for (design, key) in [
        (
            "design:\n  weight: pw\n  replicates: {columns: \"x*\", type: jk1}\n",
            "design.replicates",
        ),
        ("design:\n  weight: pw\n  calibration: cal.yaml\n", "design.calibration"),
    ] {
        s.write("d2.yaml", design);
        refused(
            &s,
            &["replicates", "-d", "d2.yaml", "-i", &data, "-o", "out.csv", "-t", "jk1"],
            &["d2.yaml", key],
        );
    }
}

const FRAME: &str = "id,h,x,age\n1,a,1,30\n2,a,2,40\n3,a,3,50\n4,a,4,60\n5,a,5,70\n6,a,6,80\n\
7,b,1,30\n8,b,2,40\n9,b,3,50\n10,b,4,15\n11,c,5,30\n12,c,6,40\n";

#[test]
fn sample_designs() {
    let strat = |alloc: &str| {
        format!("strata: [h]\nn: 6\nallocation: {alloc}\nselection: {{method: srswor}}\nseed: 1\n")
    };
    let srs = |head: &str| format!("{head}n: 3\nselection: {{method: srswor}}\nseed: 1\n");
    let cube =
        |balance: &str| format!("n: 3\nselection: {{method: cube, balance: {balance}}}\nseed: 1\n");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "strata: [h, h]\nn: 6\nallocation: {method: proportional}\nselection: {method: srswor}\nseed: 1\n"
                .into(),
            vec!["`strata`", "`h` is listed twice"],
        ),
        // keys of another allocation method (were ignored)
        (strat("{method: proportional, variable: x}"), vec!["allocation.variable", "neyman"]),
        (strat("{method: proportional, sizes: {a: 1, b: 1, c: 4}}"), vec!["allocation.sizes"]),
        (
            strat("{method: neyman, variable: x, cost: {a: 1, b: 1, c: 1}}"),
            vec!["allocation.cost", "optimal"],
        ),
        (strat("{method: proportional, oversample: {a: lots}}"), vec!["allocation.oversample", "`a: lots`"]),
        // a scope with no unit was an internal error (exit 3)
        (srs("filters:\n  - {column: age, min: 500}\n"), vec!["frame.csv", "no unit", "in scope", "age >= 500"]),
        (srs("filters:\n  - {column: h, in: []}\n"), vec!["filters[0]", "empty"]),
        (srs("filters:\n  - {column: age, min: .nan}\n"), vec!["filters[0]", "numbers"]),
        // an extra key in a typed balancing column was ignored
        (cube("[{column: age, type: numeric, weight: 2}]"), vec!["selection.balance[0]", "`weight`"]),
        (cube("[3]"), vec!["selection.balance[0]", "`3`"]),
        (srs("frame: 42\n"), vec!["`frame`", "`42`"]),
        (srs("frame: {synthetic: {rows: 10, seed: 1, foo: 2}}\n"), vec!["`frame`", "`foo`"]),
    ];
    for (design, needles) in cases {
        let s = Scratch::new();
        s.write("frame.csv", FRAME);
        s.write("d.yaml", &design);
        refused(&s, &["sample", "-d", "d.yaml", "-f", "frame.csv", "-o", "s.csv"], &needles);
    }
    let s = Scratch::new();
    s.write("d.yaml", &srs("frame: {synthetic: {rows: 0, seed: 1}}\n"));
    refused(&s, &["sample", "-d", "d.yaml", "-o", "s.csv"], &["frame.synthetic.rows"]);
}

#[test]
fn nonresponse_configs() {
    let data = super::fixture("P11b_nonresponse_propensity", "data.csv");
    let base = "weight: pw\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\n";
    let classes = format!("{base}method: classes\nclasses: [stype]\n");
    let propensity = format!("{base}method: propensity\nmodel: [api99]\n");
    let cases: Vec<(String, Vec<&str>)> = vec![
        // options of another method or phase scheme (were ignored)
        (format!("{classes}model: [api99]\n"), vec!["`model`", "score"]),
        (format!("{propensity}classes: [stype]\n"), vec!["`classes`", "method: classes"]),
        (format!("{propensity}score_groups: 5\n"), vec!["`score_groups`", "method: score"]),
        (format!("{classes}phone_number: api99\n"), vec!["`phone_number`", "sequential"]),
        (format!("{classes}eligibility_classes: [stype]\n"), vec!["`eligibility_classes`", "unknown"]),
        // typed columns: an extra key was ignored, a missing one spoke serde
        (
            format!("{base}method: classes\nclasses: [{{column: stype, type: categorical, extra: 1}}]\n"),
            vec!["classes[0]", "`extra`"],
        ),
        (
            format!("{base}method: classes\nclasses: [{{column: stype}}]\n"),
            vec!["classes[0]", "`type`"],
        ),
        (format!("{base}method: classes\nclasses: [stype, stype]\n"), vec!["`classes`", "listed twice"]),
        (format!("{classes}output: \"\"\n"), vec!["`output`", "empty"]),
        ("weight: pw\nstatus: resp\ncodes: [1, 0]\nmethod: classes\nclasses: [stype]\n".into(), vec!["`codes`", "mapping"]),
        // respondent codes that match no value: now said so, with the values present
        (
            "weight: pw\nstatus: resp\ncodes: {respondent: [5], nonrespondent: [0, 1]}\nmethod: classes\nclasses: [stype]\n".into(),
            vec!["`resp`", "respondent code", "declared: 5", "holds: 0, 1"],
        ),
    ];
    for (cfg, needles) in cases {
        let s = Scratch::new();
        s.write("n.yaml", &cfg);
        refused(&s, &["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "out.csv"], &needles);
    }
    // a negative design weight: the message now names the column
    let s = Scratch::new();
    s.write("n.yaml", "weight: pw\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [g]\n");
    s.write("d.csv", "id,g,resp,pw\n1,a,1,-10\n2,a,0,10\n3,b,1,10\n4,b,0,10\n");
    refused(
        &s,
        &["nonresponse", "-c", "n.yaml", "-i", "d.csv", "-o", "out.csv"],
        &["d.csv", "`pw`", "-10", "rows 1"],
    );
}

/// A small FEJ pipeline (20,000-person register, 1,000 drawn) with `steps` and `report`.
fn pipeline(s: &Scratch, steps: &[&str], report: &str) {
    let design = std::fs::read_to_string(repo("designs/fej2024_sample.yaml"))
        .unwrap()
        .replace("synthetic: {rows: 2000000, seed: 2024}", "synthetic: {rows: 20000, seed: 2024}")
        .replace("\nn: 25000", "\nn: 1000");
    s.write("sample.yaml", &design);
    let est = std::fs::read_to_string(repo("designs/fej2024_estimates.yaml")).unwrap().replace(
        "codebook: fej2024_codebook.yaml",
        &format!("codebook: {}", repo("designs/fej2024_codebook.yaml")),
    );
    s.write("estimates.yaml", &est.replace("count: 500", "count: 5"));
    let mut text = String::from("seed: 11\nsteps:\n  - sample: sample.yaml\n");
    for st in steps {
        text.push_str(&format!("  - {st}\n"));
    }
    text.push_str(report);
    s.write("p.yaml", &text);
}

#[test]
fn run_and_simulate_requests() {
    let nr = format!("nonresponse: {}", repo("designs/fej2024_nonresponse.yaml"));
    let cal = repo("calibration/fej2024.yaml");
    let full = [
        "collection: {synthetic: {mode_effect: 0.0}}".to_string(),
        nr.clone(),
        format!("calibration: {{config: {cal}, population_total: frame}}"),
        "replicates: {type: bootstrap, count: 5}".into(),
        "estimates: estimates.yaml".into(),
    ];
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    let s = Scratch::new();
    let run = ["run", "-q", "p.yaml", "--out", "out"];
    let cases: Vec<(Vec<String>, &str, Vec<&str>)> = vec![
        // an unknown key of the calibration step (was ignored, exit 0)
        (
            vec![
                "collection: {synthetic: {}}".into(),
                nr.clone(),
                format!("calibration: {{config: {cal}, population_totl: frame}}"),
            ],
            "",
            vec!["steps[3].calibration", "`population_totl`", "did you mean `population_total`"],
        ),
        (
            vec![
                "collection: {synthetic: {}}".into(),
                nr.clone(),
                format!("calibration: {{config: {cal}, population_total: lots}}"),
            ],
            "",
            vec!["population_total", "`lots`"],
        ),
        (
            vec!["collection: {synthetic: {}}".into(), nr.clone(), format!("calibration: [{cal}]")],
            "",
            vec!["steps[3].calibration", "file path"],
        ),
        // a map naming no estimate failed after all the work
        (
            full.iter().map(|x| x.to_string()).collect(),
            "report: {map: trust_by_regio}\n",
            vec!["report.map", "did you mean `trust_by_region`"],
        ),
        (vec![], "report: {map: trust_by_region}\n", vec!["report.map", "no `estimates` step"]),
    ];
    for (steps, report, needles) in cases {
        let st: Vec<&str> = steps.iter().map(String::as_str).collect();
        pipeline(&s, &st, report);
        refused(&s, &run, &needles);
        assert!(!s.path("out").exists(), "{needles:?}: the output folder was created");
    }
    // command-line options: checked before any work
    pipeline(&s, &full, "");
    for (extra, needles) in [
        (vec!["--replicates", "0"], vec!["--replicates 0", "at least 2"]),
        (vec!["--replicates", "99999999999"], vec!["--replicates", "fewer replicates"]),
    ] {
        refused(&s, &[&run[..], &extra].concat(), &needles);
        assert!(!s.path("out").exists(), "{needles:?}: the output folder was left behind");
    }
    pipeline(&s, &[], "");
    refused(
        &s,
        &[&run[..], &["--replicates", "5"]].concat(),
        &["--replicates 5", "no `replicates` step"],
    );
    s.write("afile", "x");
    refused(&s, &["run", "-q", "p.yaml", "--out", "afile"], &["afile", "is a file"]);
    // a run that fails mid-way leaves no output folder behind
    s.write(
        "tight.yaml",
        &std::fs::read_to_string(&cal)
            .unwrap()
            .replace("method: raking\n", "method: logit\nbounds: [0.999, 1.001]\n"),
    );
    pipeline(
        &s,
        &[full[0], full[1], "calibration: {config: tight.yaml, population_total: frame}"],
        "",
    );
    refused(&s, &run, &["calibration", "bounds"]);
    assert!(!s.path("out").exists(), "a failed run left its output folder");
    // simulate: sizes checked up front; a failed simulation leaves no folder
    pipeline(&s, &full, "");
    let sim = ["simulate", "-q", "p.yaml", "-K", "2", "--replicates", "2", "--out", "sim"];
    refused(&s, &[&sim[..], &["--population", "0"]].concat(), &["--population 0"]);
    refused(
        &s,
        &[&sim[..], &["--population", "2000", "--sample-size", "3000"]].concat(),
        &["--sample-size 3000"],
    );
    refused(
        &s,
        &[&sim[..], &["--population", "2000", "--sample-size", "1500"]].concat(),
        &["simulate", "min = 40"],
    );
    assert!(!s.path("sim").exists(), "a failed simulation left its output folder");
}
