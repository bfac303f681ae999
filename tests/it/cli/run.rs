//! `ponder run` and `ponder simulate`: every output of a pipeline, byte-identical across
//! runs and thread counts, and bad pipelines refused before any work.

use super::{Scratch, stderr};
use crate::common::repo;
use approx::{abs_diff_eq, assert_abs_diff_eq};

/// The FEJ sample design on a smaller synthetic register and sample.
fn small_design(s: &Scratch, rows: usize, n: usize) {
    let text = std::fs::read_to_string(repo("designs/fej2024_sample.yaml")).unwrap();
    let text = text
        .replace(
            "synthetic: {rows: 2000000, seed: 2024}",
            &format!("synthetic: {{rows: {rows}, seed: 2024}}"),
        )
        .replace("\nn: 25000", &format!("\nn: {n}"));
    assert!(text.contains(&format!("rows: {rows}")) && text.contains(&format!("\nn: {n}")));
    s.write("sample.yaml", &text);
}

/// A pipeline over the repository's configurations with `steps` (YAML list items).
fn pipeline(s: &Scratch, steps: &[&str]) -> String {
    let mut text = String::from("seed: 11\nsteps:\n");
    for st in steps {
        text.push_str(&format!("  - {st}\n"));
    }
    text.push_str("report: {lang: fr, title: Test, map: trust_by_region}\n");
    s.write("pipeline.yaml", &text);
    "pipeline.yaml".to_string()
}

fn estimates(s: &Scratch, count: usize) {
    let text = std::fs::read_to_string(repo("designs/fej2024_estimates.yaml")).unwrap().replace(
        "codebook: fej2024_codebook.yaml",
        &format!("codebook: {}", repo("designs/fej2024_codebook.yaml")),
    );
    s.write("estimates.yaml", &text.replace("count: 500", &format!("count: {count}")));
}

fn full_steps(count: usize) -> Vec<String> {
    vec![
        "sample: sample.yaml".into(),
        "collection: {synthetic: {mode_effect: 0.0}}".into(),
        format!("nonresponse: {}", repo("designs/fej2024_nonresponse.yaml")),
        format!(
            "calibration: {{config: {}, population_total: frame}}",
            repo("calibration/fej2024.yaml")
        ),
        format!("replicates: {{type: bootstrap, count: {count}}}"),
        "estimates: estimates.yaml".into(),
    ]
}

const OUTPUTS: [&str; 9] = [
    "weighted.parquet",
    "weighted.csv",
    "collected.csv",
    "estimates.csv",
    "estimates.md",
    "sample.json",
    "nonresponse.json",
    "calibration.json",
    "report.html",
];

fn outputs(s: &Scratch, dir: &str) -> Vec<Vec<u8>> {
    OUTPUTS.iter().map(|f| std::fs::read(s.path(&format!("{dir}/{f}"))).unwrap()).collect()
}

#[test]
fn run_writes_every_output_identically_whatever_the_thread_count() {
    let s = Scratch::new();
    small_design(&s, 60_000, 3_000);
    estimates(&s, 20);
    let steps = full_steps(20);
    let p = pipeline(&s, &steps.iter().map(String::as_str).collect::<Vec<_>>());
    let o = s.run_env(&["run", "-q", &p, "--out", "a"], "RAYON_NUM_THREADS", "1");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = s.run(&["run", "-q", &p, "--out", "b"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (a, b) = (outputs(&s, "a"), outputs(&s, "b"));
    for (k, f) in OUTPUTS.iter().enumerate() {
        assert!(!a[k].is_empty(), "{f} is empty");
        assert!(a[k] == b[k], "{f} differs between 1 thread and the default pool");
    }
    // The weighted file: every sampled row, the weights of each step, 20 final replicates.
    let t = ponder::data::Table::read(&s.path("a/weighted.csv")).unwrap();
    assert_eq!(t.n_rows(), 3_000);
    for c in ["design_weight", "outcome", "trusts", "w_nr", "w_cal", "w_cal_rep_1", "w_cal_rep_20"]
    {
        assert!(t.has_column(c), "weighted.csv lacks {c}");
    }
    assert!(!t.has_column("w_cal_rep_21") && !t.has_column("w_nr_rep_1"));
    // Calibrated weights meet the margins' population total (the frame's in-scope count).
    let w = t.numeric("w_cal").unwrap();
    let cal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path("a/calibration.json")).unwrap()).unwrap();
    let total = cal["population_total"].as_f64().unwrap();
    assert!(abs_diff_eq!(w.iter().sum::<f64>() / total, 1.0, epsilon = 1e-8), "{total}");
    // Every replicate redid the calibration: each sums to the same total.
    let r = t.numeric("w_cal_rep_7").unwrap();
    assert_abs_diff_eq!(r.iter().sum::<f64>() / total, 1.0, epsilon = 1e-6);
    let est = std::fs::read_to_string(s.path("a/estimates.csv")).unwrap();
    assert!(est.lines().any(|l| l.starts_with("trust,")), "{est}");
    let html = std::fs::read_to_string(s.path("a/report.html")).unwrap();
    assert!(html.contains("<svg"), "no plot in the report");
    assert!(
        html.contains("<html lang=\"fr\"") && html.contains("Estimations"),
        "not the French report"
    );
}

#[test]
fn run_in_english_and_with_another_seed() {
    let s = Scratch::new();
    small_design(&s, 40_000, 2_000);
    estimates(&s, 10);
    let steps = full_steps(10);
    let p = pipeline(&s, &steps.iter().map(String::as_str).collect::<Vec<_>>());
    let o = s.run(&["run", "-q", &p, "--out", "en", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = s.run(&["run", "-q", &p, "--out", "fr", "--seed", "12"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let en = std::fs::read_to_string(s.path("en/report.html")).unwrap();
    let fr = std::fs::read_to_string(s.path("fr/report.html")).unwrap();
    assert!(en.contains("<html lang=\"en\"") && en.contains("Estimates"), "no English report");
    assert_ne!(en, fr);
    let a = std::fs::read(s.path("en/weighted.csv")).unwrap();
    let b = std::fs::read(s.path("fr/weighted.csv")).unwrap();
    assert_ne!(a, b, "another seed must draw another sample");
}

#[test]
fn the_bundled_pipeline_runs_from_the_project_folder() {
    // shared with the codebook test (40 replicates; 20 would be refused by name:
    // residual df < 1 for the trust model)
    let (_, out, _) = crate::common::bundled_run();
    let s = Scratch::new();
    for f in OUTPUTS {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let t = ponder::data::Table::read(&out.join("weighted.parquet")).unwrap();
    assert_eq!(t.n_rows(), 25_000);
    assert!(t.has_column("w_cal_rep_40"));
    let models = ponder::data::Table::read(&out.join("models.csv")).unwrap();
    let names = models.factor("name").unwrap();
    for m in ["nonrecourse", "trust", "trust_x_region", "trust_women_minus_men"] {
        assert!(names.level_index(m).is_some(), "models.csv has no `{m}` row");
    }
    assert!(out.join("models.md").is_file());
    // the mode-effect diagnostic (`modes:` of the estimates step)
    let modes = ponder::data::Table::read(&out.join("modes.csv")).unwrap();
    let kinds = modes.factor("kind").unwrap();
    for k in ["coefficient", "term_test", "observed", "margin", "margin_difference", "difference"] {
        assert!(kinds.level_index(k).is_some(), "modes.csv has no `{k}` row");
    }
    assert!(out.join("modes.md").is_file());
    // The bundled collected file is what this pipeline collects.
    let bundled = std::fs::read(repo("notebooks-data/fej2024_collected.csv")).unwrap();
    assert!(
        bundled == std::fs::read(out.join("collected.csv")).unwrap(),
        "notebooks-data/fej2024_collected.csv is stale: copy out/collected.csv of `ponder run`"
    );
    // ... and the input pipeline weights it.
    let out2 = s.path("out2");
    let o = crate::common::ponder()
        .args([
            "run",
            "-q",
            "designs/fej2024_input.yaml",
            "--replicates",
            "40",
            "--out",
            out2.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out2.join("calibration.json")).unwrap()).unwrap();
    assert!(cal["population_total"].as_f64().unwrap() > 5e7, "census total kept");
}

/// A bad pipeline: exit 1, the message contains `want`, and no output folder appears.
fn refused(s: &Scratch, steps: &[&str], want: &[&str]) {
    let p = pipeline(s, steps);
    let o = s.run(&["run", "-q", &p, "--out", "out"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    for w in want {
        assert!(e.contains(w), "`{w}` not in: {e}");
    }
    assert!(!s.path("out").exists(), "work started: the output folder exists");
}

#[test]
fn bad_pipelines_fail_before_any_work() {
    let s = Scratch::new();
    small_design(&s, 20_000, 1_000);
    estimates(&s, 10);
    let steps = full_steps(10);
    let st: Vec<&str> = steps.iter().map(String::as_str).collect();
    // Steps out of order: calibration before nonresponse.
    refused(
        &s,
        &[st[0], st[1], st[3], st[2], st[4], st[5]],
        &["pipeline.yaml", "steps[3]", "out of order", "calibration"],
    );
    // A path that does not exist.
    refused(
        &s,
        &[st[0], st[1], "nonresponse: nowhere.yaml"],
        &["steps[2].nonresponse", "nowhere.yaml", "does not exist"],
    );
    // A step input nobody produces: calibration of w_nr without the nonresponse step.
    refused(
        &s,
        &[st[0], st[1], st[3]],
        &["reads weight `w_nr`", "no earlier step produces", "design_weight"],
    );
    // Nonresponse without a collection outcome.
    refused(&s, &[st[0], st[2]], &["nothing produces the collection outcome", "collection"]);
    // An unknown step, with a did-you-mean.
    refused(
        &s,
        &[st[0], "calibrate: x.yaml"],
        &["unknown step `calibrate`", "did you mean `calibration`"],
    );
    // A step twice.
    refused(&s, &[st[0], st[0]], &["may appear once"]);
    // Replicate counts that disagree.
    refused(
        &s,
        &[st[0], st[1], st[2], st[3], "replicates: {type: bootstrap, count: 5}", st[5]],
        &["declares 10 replicates", "makes 5"],
    );
    // Estimates on replicates without a replicates step.
    refused(&s, &[st[0], st[1], st[2], st[3], st[5]], &["no `replicates` step"]);
    // No sample.
    refused(&s, &[st[2]], &["no `sample`"]);
    // The estimates step with models: a model file on another weight, a typo in a model
    // column, an empty or unknown key — all before any work.
    let models = std::fs::read_to_string(repo("designs/fej2024_models.yaml")).unwrap().replace(
        "codebook: fej2024_codebook.yaml",
        &format!("codebook: {}", repo("designs/fej2024_codebook.yaml")),
    );
    s.write("m_weight.yaml", &models.replace("weight: w_cal", "weight: w_nr"));
    let five = [st[0], st[1], st[2], st[3], st[4]];
    let with = |step: &'static str| -> Vec<&str> { five.iter().copied().chain([step]).collect() };
    refused(
        &s,
        &with("estimates: {config: estimates.yaml, models: m_weight.yaml}"),
        &["m_weight.yaml estimates with weight `w_nr`", "final weight is `w_cal`"],
    );
    s.write("m_col.yaml", &models.replace("household_size]", "houshold_size]"));
    refused(
        &s,
        &with("estimates: {config: estimates.yaml, models: m_col.yaml}"),
        &["models[0].terms", "no column `houshold_size`", "did you mean `household_size`"],
    );
    refused(&s, &with("estimates: {}"), &["the estimates step names no file"]);
    refused(
        &s,
        &with("estimates: {config: estimates.yaml, model: m_col.yaml}"),
        &["unknown key `model`", "did you mean `models`"],
    );
    // A bad step configuration is reported with its own file.
    s.write("bad_nr.yaml", "weight: design_weight\nmethod: scor\n");
    refused(&s, &[st[0], st[1], "nonresponse: bad_nr.yaml"], &["bad_nr.yaml"]);
    // Columns nothing provides, found before any work: a response-model predictor ...
    let nr = std::fs::read_to_string(repo("designs/fej2024_nonresponse.yaml")).unwrap();
    s.write("nr_typo.yaml", &nr.replace("  - diploma\n", "  - diplome\n"));
    refused(
        &s,
        &[st[0], st[1], "nonresponse: nr_typo.yaml"],
        &["nr_typo.yaml", "column `diplome`", "did you mean `diploma`"],
    );
    // ... a calibration margin ...
    let cal = std::fs::read_to_string(repo("calibration/fej2024.yaml")).unwrap();
    s.write("cal_typo.yaml", &cal.replace("variable: region", "variable: regions"));
    refused(
        &s,
        &[st[0], st[1], st[2], "calibration: {config: cal_typo.yaml, population_total: frame}"],
        &["cal_typo.yaml", "column `regions`", "did you mean `region`"],
    );
    // ... an estimate's domain.
    let est = std::fs::read_to_string(s.path("estimates.yaml")).unwrap();
    s.write("est_typo.yaml", &est.replacen("by: [diploma]", "by: [diplome]", 1));
    refused(
        &s,
        &[st[0], st[1], st[2], st[3], st[4], "estimates: est_typo.yaml"],
        &["est_typo.yaml", "no column `diplome`", "did you mean `diploma`"],
    );
    // ... and with a Parquet frame given by --frame, known by its schema.
    let frame = ponder::simulate::generate_frame(3_000, 1).unwrap();
    frame.write_csv(std::fs::File::create(s.path("frame.csv")).unwrap()).unwrap();
    ponder::data::Table::read(&s.path("frame.csv"))
        .unwrap()
        .write(&s.path("frame.parquet"))
        .unwrap();
    s.write(
        "cal_dw.yaml",
        "weight: design_weight\nmargins:\n  - variable: regions\n    totals: {11: 1}\n",
    );
    let p = pipeline(&s, &[st[0], "calibration: cal_dw.yaml"]);
    let o = s.run(&["run", "-q", &p, "--frame", "frame.parquet", "--out", "out"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("column `regions`") && stderr(&o).contains("did you mean `region`"),
        "{}",
        stderr(&o)
    );
    assert!(!s.path("out").exists());
    // A bad collection model.
    refused(&s, &[st[0], "collection: {synthetic: {unknown_rate: 1.5}}"], &["unknown_rate"]);
    // A missing pipeline file.
    let o = s.run(&["run", "-q", "nowhere.yaml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nowhere.yaml"));
    assert!(!s.path("out").exists());
}

#[test]
fn simulate_writes_bias_rmse_and_coverage_per_step() {
    let s = Scratch::new();
    small_design(&s, 20_000, 2_000);
    estimates(&s, 10);
    let steps = full_steps(10);
    let p = pipeline(&s, &steps.iter().map(String::as_str).collect::<Vec<_>>());
    let args = [
        "simulate",
        "-q",
        &p,
        "-K",
        "4",
        "--population",
        "60000",
        "--sample-size",
        "4000",
        "--replicates",
        "10",
    ];
    let o = s.run(&[&args[..], &["--out", "a"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = s.run_env(&[&args[..], &["--out", "b"]].concat(), "RAYON_NUM_THREADS", "1");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["simulation.csv", "simulation.md", "simulation.json"] {
        let a = std::fs::read(s.path(&format!("a/{f}"))).unwrap();
        assert!(a == std::fs::read(s.path(&format!("b/{f}"))).unwrap(), "{f} depends on threads");
    }
    let t = ponder::data::Table::read(&s.path("a/simulation.csv")).unwrap();
    let steps = t.factor("step").unwrap();
    assert_eq!(steps.levels, ["calibration", "design", "nonresponse"]);
    for c in ["truth", "bias", "bias_mc_se", "rmse", "coverage", "mean_se"] {
        assert!(t.numeric(c).is_ok(), "{c}");
    }
}

/// The HTML report of a run opens in headless Chromium without console errors and renders
/// its plots. Needs a `chromium` (or `chromium-browser`) binary on PATH; without one it
/// prints a note and passes (not on CI).
#[test]
fn report_opens_in_headless_chromium() {
    let Some(chromium) = crate::common::chromium() else { return };
    let s = Scratch::new();
    small_design(&s, 40_000, 2_000);
    estimates(&s, 10);
    let steps = full_steps(10);
    let p = pipeline(&s, &steps.iter().map(String::as_str).collect::<Vec<_>>());
    let o = s.run(&["run", "-q", &p, "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let url = format!("file://{}", s.path("out/report.html").display());
    let (dom, log) = crate::common::headless_dom(&chromium, &s.path("out/report.html"), &[]);
    assert!(dom.matches("<svg").count() >= 8, "plots missing from the rendered DOM");
    assert!(!log.contains("CONSOLE"), "console messages: {log}");
    assert!(!log.contains("Uncaught"), "{log}");
    let shot = s.path("shot.png");
    let o = std::process::Command::new(&chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1280,3000", &url])
        .output()
        .expect("chromium");
    assert!(o.status.success());
    assert!(std::fs::metadata(&shot).unwrap().len() > 50_000, "blank screenshot");
}
