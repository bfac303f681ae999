//! The replicate chain through the CLI: `ponder replicates` (JK1) reproduces R's replicate
//! weights; `ponder calibrate` recalibrates every replicate; `ponder estimate` on the
//! replicate columns gives R's SEs before (P08a) and after calibration (P08d).

use super::{Scratch, assert_refused, expected, stderr};
use approx::relative_eq;
use ponder::data::Table;

fn fixture(file: &str) -> String {
    super::fixture("P08d_jk1_calibrated", file)
}

const SCALE: &str = "0.9148392778511668"; // (1 - 15/757) * 14/15, as R with the fpc

fn check_se(s: &Scratch, config: &str, data: &str, case: &str) {
    s.write("e.yaml", config);
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", data, "-o", "est.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("est.csv")).unwrap();
    let (est, se) = (t.numeric("estimate").unwrap(), t.numeric("se").unwrap());
    for (i, e) in expected(case)["estimates"].as_array().unwrap().iter().enumerate() {
        assert!(
            relative_eq!(
                est[i],
                e["estimate"].as_f64().unwrap(),
                epsilon = 0.0,
                max_relative = 1e-9
            ),
            "{case} estimate {i}"
        );
        assert!(
            relative_eq!(se[i], e["se"].as_f64().unwrap(), epsilon = 0.0, max_relative = 1e-6),
            "{case} se {i}: {} vs {}",
            se[i],
            e["se"]
        );
    }
}

#[test]
fn jk1_then_calibration_then_replicate_estimates() {
    let s = Scratch::new();
    s.write("d.yaml", "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\n");
    let o = s.run(&[
        "replicates",
        "-d",
        "d.yaml",
        "-i",
        &fixture("data.csv"),
        "-o",
        "rep.csv",
        "-t",
        "jk1",
        "--r-script",
        "rep.R",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ours = Table::read(&s.path("rep.csv")).unwrap();
    let r = Table::read(std::path::Path::new(&fixture("replicate_weights.csv"))).unwrap();
    for k in 1..=15 {
        let (a, b) =
            (ours.numeric(&format!("rep_{k}")).unwrap(), r.numeric(&format!("rep_{k}")).unwrap());
        for (x, y) in a.iter().zip(&b) {
            // |Δ| ≤ 1e-12 · max(|y|, 1)
            assert!(
                relative_eq!(*x, *y, epsilon = 1e-12, max_relative = 1e-12),
                "rep_{k}: {x} vs {y}"
            );
        }
    }
    assert!(std::fs::read_to_string(s.path("rep.R")).unwrap().contains("svrepdesign"));

    // P08a: replicate SEs of the uncalibrated design
    let est = "estimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_enroll, stat: total, variable: enroll}\n";
    let cfg = format!(
        "design:\n  weight: pw\n  replicates: {{columns: \"rep_*\", type: jk1, scale: {SCALE}, count: 15}}\n{est}"
    );
    check_se(&s, &cfg, "rep.csv", "P08a_jk1_clus1");

    // P08d: recalibrate every replicate, then replicate SEs of the calibrated design
    s.write(
        "cal.yaml",
        "weight: pw\noutput: w_cal\nmethod: linear\nreplicates: \"rep_*\"\nmargins:\n  - variable: stype\n    totals: {E: 4421, H: 755, M: 1018}\n  - variable: api99\n    total: 3914069\n",
    );
    let o = s.run(&["calibrate", "-c", "cal.yaml", "-i", "rep.csv", "-o", "cal.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cal = Table::read(&s.path("cal.csv")).unwrap();
    let exp = expected("P08d_jk1_calibrated");
    for (k, col) in exp["final_replicate_weights"].as_array().unwrap().iter().enumerate() {
        let ours = cal.numeric(&format!("w_cal_rep_{}", k + 1)).unwrap();
        for (x, y) in ours.iter().zip(col.as_array().unwrap()) {
            let y = y.as_f64().unwrap();
            // |Δ| ≤ 1e-9 · max(|y|, 1)
            assert!(
                relative_eq!(*x, y, epsilon = 1e-9, max_relative = 1e-9),
                "replicate {}: {x} vs {y}",
                k + 1
            );
        }
    }
    let est = "estimates:\n  - {name: mean_api00, stat: mean, variable: api00}\n  - {name: total_api00, stat: total, variable: api00}\n";
    let cfg = format!(
        "design:\n  weight: w_cal\n  replicates: {{columns: \"w_cal_rep_*\", type: jk1, scale: {SCALE}}}\n{est}"
    );
    check_se(&s, &cfg, "cal.csv", "P08d_jk1_calibrated");
}

#[test]
fn bootstrap_is_seeded_and_bad_requests_are_refused() {
    let s = Scratch::new();
    s.write("d.yaml", "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\n");
    let data = fixture("data.csv");
    // 20 bootstrap replicates into `out`, with `extra` flags
    let args = |out: &str, extra: &[&str]| -> Vec<String> {
        let base = ["replicates", "-d", "d.yaml", "-i", &data, "-o", out, "-t", "bootstrap"];
        base.iter().chain(&["-R", "20"]).chain(extra).map(|a| a.to_string()).collect()
    };
    let run = |out: &str, seed: &str| {
        let a = args(out, &["--seed", seed]);
        let o = s.run(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read(s.path(out)).unwrap()
    };
    let (a, b, c) = (run("a.csv", "7"), run("b.csv", "7"), run("c.csv", "8"));
    assert_eq!(a, b, "same seed, same bytes");
    assert_ne!(a, c, "another seed, other replicates");
    // without --seed: seed 1, said in the summary, the bytes of --seed 1
    let o = s.run(&args("d.csv", &[]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("(seed 1, scale"), "{}", stderr(&o));
    assert_eq!(std::fs::read(s.path("d.csv")).unwrap(), run("one_seed.csv", "1"));
    // the same bytes on one thread, and after recalibrating every replicate
    let one = args("one.csv", &["--seed", "7"]);
    let one: Vec<&str> = one.iter().map(String::as_str).collect();
    assert_eq!(s.run_env(&one, "RAYON_NUM_THREADS", "1").status.code(), Some(0));
    assert_eq!(a, std::fs::read(s.path("one.csv")).unwrap());
    s.write("cal.yaml", "weight: pw\noutput: w_cal\nmethod: raking\nreplicates: \"rep_*\"\nmargins:\n  - variable: stype\n    totals: {E: 4421, H: 755, M: 1018}\n");
    let cal = |out: &str, threads: &str| {
        let o = s.run_env(
            &["calibrate", "-c", "cal.yaml", "-i", "a.csv", "-o", out],
            "RAYON_NUM_THREADS",
            threads,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read(s.path(out)).unwrap()
    };
    assert_eq!(cal("c1.csv", "1"), cal("c2.csv", "2"));
    assert_refused(
        &s,
        &["replicates", "-d", "d.yaml", "-i", &data, "-o", "x.csv", "-t", "brr"],
        &["BRR"],
    );
    assert_refused(
        &s,
        &["replicates", "-d", "d.yaml", "-i", &data, "-o", "x.csv", "-t", "fay"],
        &["--rho"],
    );
    let o = s.run(&["replicates", "-d", "d.yaml", "-i", &data, "-o", "x.csv", "-t", "jackknife"]);
    assert_eq!(o.status.code(), Some(2));
}
