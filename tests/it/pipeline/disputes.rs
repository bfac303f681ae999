//! `ponder run` with `disputes:` / `dispute_models:`: disputes.csv agrees with the weighted
//! file, break-offs and non-respondents hold no dispute, the dispute-level outputs exist,
//! bad dispute configurations are refused before any work.

use crate::common::{Scratch, bundled_run, repo, stderr};
use ponder::data::{ColumnData, Table};
use ponder::pipeline::disputes::{DISPUTE_COLUMNS, dispute_table};
use ponder::simulate::Disputes;
use std::collections::HashMap;

/// The text of column `name` per row (missing: None).
fn text(t: &Table, name: &str) -> Vec<Option<String>> {
    let f = t.factor(name).unwrap();
    f.codes.iter().map(|&c| f.levels.get(c as usize).cloned()).collect()
}

#[test]
fn the_bundled_run_writes_disputes_that_agree_with_the_persons() {
    let (_, out, _) = bundled_run();
    let persons = Table::read(&out.join("weighted.parquet")).unwrap();
    let disputes = Table::read(&out.join("disputes.csv")).unwrap();
    let mut expected = vec!["person_id".to_string()];
    expected.extend(DISPUTE_COLUMNS.iter().map(|c| c.to_string()));
    assert_eq!(disputes.column_names(), expected);
    let (id, w) = (persons.numeric("person_id").unwrap(), persons.numeric("w_cal").unwrap());
    let (dispute, recourse, reason) = (
        text(&persons, "dispute"),
        text(&persons, "recourse"),
        text(&persons, "nonrecourse_reason"),
    );
    let row: HashMap<i64, usize> = id.iter().enumerate().map(|(k, &i)| (i as i64, k)).collect();
    let (d_id, d_n) =
        (disputes.numeric("person_id").unwrap(), disputes.numeric("dispute_id").unwrap());
    let (d_rec, d_reason) = (text(&disputes, "recourse"), text(&disputes, "nonrecourse_reason"));
    let mut held = vec![0usize; id.len()];
    for u in 0..disputes.n_rows() {
        let k = row[&(d_id[u] as i64)];
        assert!(w[k] > 0.0, "dispute row {u}: person of weight 0");
        assert_eq!(dispute[k].as_deref(), Some("yes"), "dispute row {u}");
        held[k] += 1;
        assert_eq!(d_n[u] as usize, held[k], "dispute ids 1, 2, … in order (row {u})");
        if d_n[u] == 1.0 {
            assert_eq!((&d_rec[u], &d_reason[u]), (&recourse[k], &reason[k]), "row {u}");
        }
        let asked = d_reason[u].as_deref() != Some("not_asked");
        assert!(d_reason[u].is_some(), "row {u}: a reason or a code");
        if d_n[u] > 1.0 {
            assert_eq!(asked, d_rec[u].as_deref() == Some("none"), "row {u}");
        }
    }
    for k in 0..id.len() {
        let answered_yes = w[k] > 0.0 && dispute[k].as_deref() == Some("yes");
        assert_eq!(held[k] > 0, answered_yes, "person row {k}");
    }
    let n_yes = held.iter().filter(|h| **h > 0).count();
    assert!(disputes.n_rows() as f64 > 1.2 * n_yes as f64, "{} disputes", disputes.n_rows());
}

#[test]
fn the_bundled_run_estimates_models_and_charts_the_disputes() {
    let (_, out, _) = bundled_run();
    let est = std::fs::read_to_string(out.join("disputes_estimates.csv")).unwrap();
    for t in ["family", "neighbours", "consumer", "work", "housing", "debt"] {
        assert!(
            est.contains(&format!(
                "nonrecourse_by_type,proportion,recourse,none,Aucun recours,{t},"
            )),
            "{t}: {est}"
        );
    }
    assert!(est.lines().any(|l| l.starts_with("disputes_total,total,one,")), "{est}");
    // person-level estimates stay in estimates.csv, dispute-level ones out of it
    let persons = std::fs::read_to_string(out.join("estimates.csv")).unwrap();
    assert!(!persons.contains("nonrecourse_by_type") && persons.contains("\ndispute,"));
    let models = std::fs::read_to_string(out.join("models.csv")).unwrap();
    assert!(models.contains("nonrecourse_per_dispute,coefficient,type=family,"), "{models}");
    assert!(models.contains("nonrecourse_per_dispute,term_test,stake,"), "{models}");
    let tables = std::fs::read_to_string(out.join("disputes_tables.md")).unwrap();
    assert!(tables.contains("Non-recours selon le type de litige") && tables.contains("Voisinage"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let chart = html.split("<section id=\"disputes\">").nth(1).expect("a disputes section");
    let chart = chart.split("</section>").next().unwrap();
    assert!(chart.contains("<h2>Non-recours selon le type de litige</h2>"), "{chart}");
    assert_eq!(chart.matches("<rect x=").count(), 6, "one bar per type: {chart}");
    let family = chart.find("Famille (séparation, enfants, succession)").unwrap();
    assert!(family < chart.find("Voisinage").unwrap(), "codebook order");
}

/// Two persons with disputes, one non-respondent, one break-off.
fn persons(break_off: bool) -> Table {
    let s = |v: &[Option<&str>]| ColumnData::Str(v.iter().map(|x| x.map(str::to_string)).collect());
    let mut cols = vec![
        ("person_id".to_string(), ColumnData::I64(vec![Some(11), Some(12), Some(13), Some(14)])),
        ("w".to_string(), ColumnData::from_f64(&[1.0, 0.0, 2.0, 3.0])),
        ("dispute".to_string(), s(&[Some("yes"), None, Some("yes"), Some("yes")])),
        ("recourse".to_string(), s(&[Some("dont_know"), None, Some("court"), Some("mediation")])),
        ("nonrecourse_reason".to_string(), s(&[None, None, None, None])),
    ];
    if break_off {
        cols.push(("break_off".to_string(), s(&[Some("no"), None, Some("yes"), Some("no")])));
    }
    Table::from_columns(cols).unwrap()
}

#[test]
fn break_offs_and_nonrespondents_hold_no_dispute_and_the_last_dispute_is_the_answer() {
    // frame rows 5, 6, 7, 8 of a world where persons 5..8 have 2, 1, 1, 2 disputes
    let mut first = vec![0u32; 6];
    first.extend([2, 3, 4, 6]);
    let world = Disputes {
        first,
        kind: vec![0, 2, 1, 3, 5, 4],
        stake: vec![3, 0, 1, 2, 1, 0],
        recourse: vec![2, 0, 1, 0, 0, 2],
        reason: vec![3, 255, 255, 255, 255, 0],
    };
    let rows = [5, 6, 7, 8];
    let t = dispute_table("person_id", "w", &world, &rows, &persons(true)).unwrap();
    assert_eq!(t.numeric("person_id").unwrap(), [11.0, 11.0, 14.0, 14.0]);
    assert_eq!(t.numeric("dispute_id").unwrap(), [1.0, 2.0, 1.0, 2.0]);
    let types: Vec<_> = text(&t, "type").into_iter().flatten().collect();
    assert_eq!(types, ["family", "consumer", "debt", "housing"]);
    // the most recent dispute carries the person's answer as given (even an item
    // nonresponse code), the older ones the world's
    let rec: Vec<_> = text(&t, "recourse").into_iter().flatten().collect();
    assert_eq!(rec, ["dont_know", "court", "mediation", "none"]);
    assert_eq!(text(&t, "nonrecourse_reason")[3].as_deref(), Some("cost"));
    assert_eq!(text(&t, "stake")[1].as_deref(), Some("lt500"));
    // without a break_off column, person 13 answers the module
    let t = dispute_table("person_id", "w", &world, &rows, &persons(false)).unwrap();
    assert_eq!(t.numeric("person_id").unwrap(), [11.0, 11.0, 13.0, 14.0, 14.0]);
    assert_eq!(t.numeric("one").unwrap(), [1.0; 5]);
}

/// A pipeline (the bundled steps) whose estimates step has `disputes: d.yaml`.
fn pipeline_with(s: &Scratch, disputes_yaml: &str) -> String {
    s.write("d.yaml", disputes_yaml);
    let p = format!(
        "seed: 1\nsteps:\n  - sample: {}\n  - collection: {{synthetic: {{}}}}\n  - nonresponse: {}\n  \
         - calibration: {{config: {}, population_total: frame}}\n  - replicates: {{type: bootstrap, count: 500}}\n  \
         - estimates: {{config: {}, disputes: d.yaml}}\n",
        repo("designs/fej2024_sample.yaml"),
        repo("designs/fej2024_nonresponse.yaml"),
        repo("calibration/fej2024.yaml"),
        repo("designs/fej2024_estimates.yaml"),
    );
    s.write("p.yaml", &p);
    "p.yaml".into()
}

fn fej_disputes() -> String {
    std::fs::read_to_string(repo("designs/fej2024_disputes.yaml")).unwrap().replace(
        "codebook: fej2024_codebook.yaml",
        &format!("codebook: {}", repo("designs/fej2024_codebook.yaml")),
    )
}

#[test]
fn dispute_configurations_without_units_or_with_an_unknown_key_are_refused_up_front() {
    let cases = [
        (
            fej_disputes().replace(
                "units:\n  file: disputes.csv\n  key: person_id\n  answered: {column: dispute, classes: [sex, age_group]}\n",
                "",
            ),
            "has no `units: {file, key}` block",
        ),
        (
            fej_disputes().replace("classes: [sex, age_group]", "classes: [sex, agegroup]"),
            "no column `agegroup`",
        ),
        (fej_disputes().replace("key: person_id", "key: pid"), "key `pid` is not a column"),
        (fej_disputes().replace("by: [stake]", "by: [stakes]"), "no column `stakes`"),
    ];
    for (yaml, message) in cases {
        assert_ne!(yaml, fej_disputes(), "the edit took ({message})");
        let s = Scratch::new();
        let p = pipeline_with(&s, &yaml);
        let o = s.run(&["run", "-q", &p, "--out", "out"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(message), "{message}: {err}");
        assert!(!s.path("out/disputes.csv").exists() && !s.path("out/weighted.csv").exists());
    }
}
