//! The « Français et la justice » designs run end to end on a synthetic register: the
//! sample of designs/fej2024.yaml, a simulated web-then-phone collection, and the
//! correction of designs/fej2024_nonresponse.yaml.

// parallel columns indexed by row read more clearly with an index here
#![allow(clippy::needless_range_loop)]

use super::{Scratch, stderr};
use crate::common::repo;
use approx::assert_relative_eq;
use ponder::data::{ColumnData, Table};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Web response falls with age and rises with diploma; phone response rises with age; a
/// number is found more often for older persons; 2 % out of scope, 1 % unknown.
fn collect(sample: &Table, rng: &mut ChaCha8Rng) -> (Vec<Option<String>>, Vec<Option<i64>>) {
    let age = sample.numeric("age").unwrap();
    let dip = sample.factor("diploma").unwrap();
    let (mut outcome, mut phone) = (Vec::new(), Vec::new());
    for k in 0..sample.n_rows() {
        let higher = matches!(dip.levels[dip.codes[k] as usize].as_str(), "bac+2" | "sup_bac+2");
        let p_web =
            (0.55 - 0.004 * (age[k] - 18.0) + if higher { 0.15 } else { 0.0 }).clamp(0.05, 0.9);
        let has_phone = rng.random::<f64>() < 0.4 + 0.006 * (age[k] - 18.0);
        let u: f64 = rng.random();
        let o = if u < 0.02 {
            "out_of_scope"
        } else if u < 0.03 {
            "unknown"
        } else if rng.random::<f64>() < p_web {
            "web"
        } else if !has_phone {
            "no_number"
        } else if rng.random::<f64>() < 0.25 + 0.005 * (age[k] - 18.0) {
            "phone"
        } else if rng.random::<f64>() < 0.5 {
            "refusal"
        } else {
            "unreached"
        };
        outcome.push(Some(o.to_string()));
        phone.push(Some(has_phone as i64));
    }
    (outcome, phone)
}

#[test]
fn fej_sample_then_sequential_nonresponse() {
    let s = Scratch::new();
    let frame = ponder::simulate::generate_frame(150_000, 7).unwrap();
    frame.write_csv(std::fs::File::create(s.path("frame.csv")).unwrap()).unwrap();
    let o = s.run(&[
        "sample",
        "-q",
        "-d",
        &repo("designs/fej2024.yaml"),
        "-f",
        "frame.csv",
        "-o",
        "sample.csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut sample = Table::read(&s.path("sample.csv")).unwrap();
    assert_eq!(sample.n_rows(), 25_000);
    let (outcome, phone) = collect(&sample, &mut ChaCha8Rng::seed_from_u64(11));
    // `break_off:` of the nonresponse config (issue 15): every 20th respondent broke off
    let break_off = outcome
        .iter()
        .enumerate()
        .map(|(k, o)| {
            matches!(o.as_deref(), Some("web" | "phone"))
                .then(|| if k % 20 == 0 { "yes" } else { "no" }.to_string())
        })
        .collect();
    sample.add_column("outcome", ColumnData::Str(outcome)).unwrap();
    sample.add_column("has_phone", ColumnData::I64(phone)).unwrap();
    sample.add_column("break_off", ColumnData::Str(break_off)).unwrap();
    sample.write(&s.path("collected.csv")).unwrap();

    let o = s.run(&[
        "nonresponse",
        "-q",
        "-c",
        &repo("designs/fej2024_nonresponse.yaml"),
        "-i",
        "collected.csv",
        "-o",
        "adjusted.csv",
        "-r",
        "nr.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("adjusted.csv")).unwrap();
    let (d, w) = (t.numeric("design_weight").unwrap(), t.numeric("w_nr").unwrap());
    let phase = t.factor("w_nr_phase").unwrap();
    let label = |k: usize| phase.levels[phase.codes[k] as usize].as_str();
    // respondents carry the weight of the eligible persons, the unknowns' weight being
    // shared among known-eligibility persons (eligible or not) of their region
    let region = t.factor("region").unwrap();
    let nr = region.levels.len();
    let (mut known, mut unknown, mut eligible) = (vec![0.0; nr], vec![0.0; nr], vec![0.0; nr]);
    for k in 0..d.len() {
        let c = region.codes[k] as usize;
        match label(k) {
            "unknown" => unknown[c] += d[k],
            "ineligible" => known[c] += d[k],
            _ => {
                known[c] += d[k];
                eligible[c] += d[k];
            }
        }
    }
    let expected: f64 = (0..nr).map(|c| eligible[c] * (known[c] + unknown[c]) / known[c]).sum();
    let total: f64 = w.iter().sum();
    assert_relative_eq!(total, expected, epsilon = 0.0, max_relative = 1e-9);
    for k in 0..d.len() {
        let resp = matches!(label(k), "web" | "phone");
        assert_eq!(w[k] > 0.0, resp, "row {k}: phase {} weight {}", label(k), w[k]);
    }
    let report = s.json("nr.json");
    assert!(report.is_object());
    calibrate_and_estimate(&s);
}

/// Counts of the in-scope register (18+, ordinary dwelling, not Mayotte) by category.
fn scope_counts(frame: &Table, column: &str) -> Vec<(String, f64)> {
    let (age, dw, reg) = (
        frame.numeric("age").unwrap(),
        frame.factor("dwelling").unwrap(),
        frame.factor("region").unwrap(),
    );
    let f = frame.factor(column).unwrap();
    let mut counts = vec![0.0; f.levels.len()];
    for k in 0..frame.n_rows() {
        let ordinary = dw.levels[dw.codes[k] as usize] == "ordinary";
        let mayotte = reg.levels[reg.codes[k] as usize] == "976";
        if age[k] >= 18.0 && ordinary && !mayotte {
            counts[f.codes[k] as usize] += 1.0;
        }
    }
    f.levels.iter().cloned().zip(counts).filter(|(_, c)| *c > 0.0).collect()
}

/// The rest of the chain: rake the adjusted weights to the register's counts by sex × age
/// and region, then estimate the share of higher-education graduates with the calibration
/// residuals; the register's own share must lie within 4 standard errors.
fn calibrate_and_estimate(s: &Scratch) {
    let frame = Table::read(&s.path("frame.csv")).unwrap();
    let margin = |col: &str| {
        let items: Vec<String> =
            scope_counts(&frame, col).iter().map(|(l, c)| format!("\"{l}\": {c}")).collect();
        format!("  - variable: {col}\n    totals: {{{}}}\n", items.join(", "))
    };
    s.write(
        "cal.yaml",
        &format!(
            "weight: w_nr\noutput: w_cal\nmethod: raking\nmargins:\n{}{}",
            margin("sex_age"),
            margin("region")
        ),
    );
    let o =
        s.run(&["calibrate", "-q", "-c", "cal.yaml", "-i", "adjusted.csv", "-o", "calibrated.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    s.write("est.yaml", "design:\n  weight: w_cal\n  strata: region\n  calibration: cal.yaml\nestimates:\n  - {name: higher, stat: proportion, variable: diploma, category: sup_bac+2, missing: drop}\n");
    let o = s.run(&["estimate", "-q", "-c", "est.yaml", "-i", "calibrated.csv", "-o", "est.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let est = Table::read(&s.path("est.csv")).unwrap();
    let (p, se) = (est.numeric("estimate").unwrap()[0], est.numeric("se").unwrap()[0]);
    let counts = scope_counts(&frame, "diploma");
    let total: f64 = counts.iter().map(|c| c.1).sum();
    let truth = counts.iter().find(|c| c.0 == "sup_bac+2").unwrap().1 / total;
    assert!(se > 0.0 && (p - truth).abs() < 4.0 * se, "estimate {p} ± {se}, register {truth}");
}
