//! `units.answered`: only the persons who answered a filter question hold unit rows; they are
//! reweighted to all persons of positive weight within classes, in the full-sample and every
//! replicate weight. Checked against the same estimates on a person file whose weights the
//! test adjusted itself (f_c = Σ_c w / Σ_{c, answered} w per weight column, 0 for the persons
//! who did not answer), on the JK1 case of the R references (tests/fixtures/units/jk1_clus1).

use crate::common::fixture;
use approx::assert_relative_eq;
use ponder::bind::estimate::compute;
use ponder::config::estimate::EstimateConfig;
use ponder::data::Table;
use ponder::estimate::EstimateRow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Columns 10 (pw) to 25 (rep_15) of persons.csv are the weights; 3 is stype.
const WEIGHTS: std::ops::Range<usize> = 10..26;

struct Case {
    header: String,
    persons: Vec<Vec<String>>,
    disputes: Vec<String>,
    dispute_header: String,
}

fn case() -> Case {
    let text = std::fs::read_to_string(fixture("units/jk1_clus1", "persons.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let persons = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    let text = std::fs::read_to_string(fixture("units/jk1_clus1", "disputes.csv")).unwrap();
    let mut lines = text.lines();
    let dispute_header = lines.next().unwrap().to_string();
    Case { header, persons, disputes: lines.map(str::to_string).collect(), dispute_header }
}

/// Person keys holding disputes (column 2 of disputes.csv).
fn holders(disputes: &[String]) -> BTreeSet<String> {
    disputes.iter().map(|l| l.split(',').nth(1).unwrap().to_string()).collect()
}

/// Writes the case with a `filter` answer per person and runs `yaml` on it.
fn run(
    dir: &Path,
    c: &Case,
    filter: &[&str],
    persons: &[Vec<String>],
    yaml: &str,
) -> Vec<EstimateRow> {
    let mut p = format!("{},\"filter\"\n", c.header);
    for (row, f) in persons.iter().zip(filter) {
        p.push_str(&format!("{},{f}\n", row.join(",")));
    }
    std::fs::write(dir.join("persons.csv"), p).unwrap();
    let mut d = format!("{}\n", c.dispute_header);
    let keep = |l: &&String| {
        let key = l.split(',').nth(1).unwrap();
        persons.iter().zip(filter).any(|(r, f)| r[0] == key && *f == "yes")
    };
    for l in c.disputes.iter().filter(keep) {
        d.push_str(&format!("{l}\n"));
    }
    std::fs::write(dir.join("disputes.csv"), d).unwrap();
    let base = std::fs::read_to_string(fixture("units/jk1_clus1", "estimate.yaml")).unwrap();
    let cfg_text = base.replace("units: {file: disputes.csv, key: person_id}", yaml);
    std::fs::write(dir.join("estimate.yaml"), cfg_text).unwrap();
    let cfg = EstimateConfig::load(&dir.join("estimate.yaml")).expect("config");
    compute(&cfg, &Table::read(&dir.join("persons.csv")).unwrap()).expect("estimates")
}

fn keyed(rows: &[EstimateRow]) -> BTreeMap<String, (f64, f64)> {
    rows.iter()
        .map(|r| (format!("{} {:?} {:?}", r.name, r.category, r.domain), (r.estimate, r.se)))
        .collect()
}

const ANSWERED: &str = "units: {file: disputes.csv, key: person_id, answered: {column: filter, classes: [stype]}}\nmissing_codes: {item_nonresponse: [dont_know]}";
const PLAIN: &str = "units: {file: disputes.csv, key: person_id}";

/// Filter answers: `yes` for holders, `no` for the others, `dont_know` for every third holder
/// (whose disputes then leave the unit file).
fn answers(c: &Case, with_dont_know: bool) -> Vec<&'static str> {
    let h = holders(&c.disputes);
    let mut n = 0;
    c.persons
        .iter()
        .map(|r| {
            if !h.contains(&r[0]) {
                return "no";
            }
            n += 1;
            if with_dont_know && n % 3 == 0 { "dont_know" } else { "yes" }
        })
        .collect()
}

#[test]
fn everyone_answering_leaves_the_estimates_unchanged() {
    let c = case();
    let dir = tempfile::tempdir().unwrap();
    let f = answers(&c, false);
    let with = keyed(&run(dir.path(), &c, &f, &c.persons, ANSWERED));
    let without = keyed(&run(dir.path(), &c, &f, &c.persons, PLAIN));
    assert_eq!(with.len(), without.len());
    for (k, (e, se)) in &without {
        let (e2, se2) = with[k];
        assert_relative_eq!(e2, *e, max_relative = 1e-12);
        assert_relative_eq!(se2, *se, max_relative = 1e-12);
    }
}

#[test]
fn answerers_are_reweighted_within_classes_in_every_replicate() {
    let c = case();
    let dir = tempfile::tempdir().unwrap();
    let f = answers(&c, true);
    assert!(f.contains(&"dont_know"));
    let with = keyed(&run(dir.path(), &c, &f, &c.persons, ANSWERED));
    // The oracle: each weight column adjusted by hand within stype.
    let mut adjusted = c.persons.clone();
    for col in WEIGHTS {
        let mut all: BTreeMap<String, f64> = BTreeMap::new();
        let mut ans: BTreeMap<String, f64> = BTreeMap::new();
        for (r, a) in c.persons.iter().zip(&f) {
            let w: f64 = r[col].parse().unwrap();
            if w > 0.0 {
                *all.entry(r[3].clone()).or_default() += w;
                if *a != "dont_know" {
                    *ans.entry(r[3].clone()).or_default() += w;
                }
            }
        }
        for (r, a) in adjusted.iter_mut().zip(&f) {
            let w: f64 = r[col].parse().unwrap();
            let g = if *a == "dont_know" { 0.0 } else { all[&r[3]] / ans[&r[3]] };
            r[col] = format!("{}", if w > 0.0 { w * g } else { 0.0 });
        }
    }
    let oracle = keyed(&run(dir.path(), &c, &f, &adjusted, PLAIN));
    assert_eq!(with.len(), oracle.len());
    let mut moved = false;
    for (k, (e, se)) in &oracle {
        let (e2, se2) = with[k];
        assert_relative_eq!(e2, *e, max_relative = 1e-12);
        assert_relative_eq!(se2, *se, max_relative = 1e-10);
        moved |= k.starts_with("n_disputes");
    }
    assert!(moved);
    // The total of disputes is larger than the answerers' unadjusted total.
    let raw = keyed(&run(dir.path(), &c, &f, &c.persons, PLAIN));
    let key = raw.keys().find(|k| k.starts_with("n_disputes")).unwrap().clone();
    assert!(with[&key].0 > raw[&key].0 * 1.05, "{} vs {}", with[&key].0, raw[&key].0);
}

#[test]
fn answered_without_replicates_or_with_an_empty_class_is_refused() {
    let c = case();
    let dir = tempfile::tempdir().unwrap();
    let mut f = answers(&c, true);
    // every person of stype M does not answer: the class has no answerer
    for (r, a) in c.persons.iter().zip(f.iter_mut()) {
        if r[3] == "\"M\"" {
            *a = "dont_know";
        }
    }
    let p = dir.path();
    // writes the config and the unit file (the run itself succeeds), then the person file
    // where stype M has no answerer
    let _ = run(p, &c, &answers(&c, true), &c.persons, ANSWERED);
    std::fs::write(p.join("persons.csv"), {
        let mut s = format!("{},\"filter\"\n", c.header);
        for (row, a) in c.persons.iter().zip(&f) {
            s.push_str(&format!("{},{a}\n", row.join(",")));
        }
        s
    })
    .unwrap();
    let cfg = EstimateConfig::load(&p.join("estimate.yaml")).unwrap();
    let err = compute(&cfg, &Table::read(&p.join("persons.csv")).unwrap()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("units.answered") && msg.contains("stype = M"), "{msg}");
    // no replicate weights: refused by name
    let yaml = std::fs::read_to_string(p.join("estimate.yaml")).unwrap();
    let lin = yaml
        .replace("  replicates:\n    columns: \"rep_*\"\n    type: jk1\n    scale: 0.9148392778511668\n    mse: false\n", "  clusters: [dnum]\n");
    assert_ne!(lin, yaml, "the replicates block was removed");
    std::fs::write(p.join("estimate.yaml"), lin).unwrap();
    let cfg = EstimateConfig::load(&p.join("estimate.yaml")).unwrap();
    let msg = compute(&cfg, &Table::read(&p.join("persons.csv")).unwrap()).unwrap_err().to_string();
    assert!(msg.contains("units.answered") && msg.contains("replicate"), "{msg}");
}

/// A person who did not answer the filter but holds units: refused by name, the message
/// pointing at the filter column.
#[test]
fn a_non_answerer_holding_units_is_refused_naming_the_filter() {
    let c = case();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let f = answers(&c, true);
    let _ = run(p, &c, &f, &c.persons, ANSWERED);
    // every dispute back in the unit file, those of the `dont_know` persons included
    let mut d = format!("{}\n", c.dispute_header);
    for l in &c.disputes {
        d.push_str(&format!("{l}\n"));
    }
    std::fs::write(p.join("disputes.csv"), d).unwrap();
    let cfg = EstimateConfig::load(&p.join("estimate.yaml")).unwrap();
    let err = compute(&cfg, &Table::read(&p.join("persons.csv")).unwrap()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ponder::Error::Link { .. }), "{msg}");
    assert!(msg.contains("did not answer `filter`"), "{msg}");
}
