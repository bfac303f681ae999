//! Significance marks of the publication tables (issue 13): each region against the whole,
//! with the design covariance of the two estimates (checked against R `survey`:
//! `svycontrast` of `svytotal`, tests/fixtures/publication_significance/reference.R), and
//! Holm's correction over the comparisons of a table, which removes a mark here.

use crate::common::{Scratch, fixture};
use approx::assert_relative_eq;

/// R survey 4.x, `reference.R`: region, θ̂_d − θ̂, SE, p-value.
const R: [(&str, f64, f64, f64); 4] = [
    ("A", -0.129057532561, 0.040956059257, 0.00162644630279),
    ("B", -0.042382620172, 0.042175237263, 0.314936734859),
    ("C", 0.080158793970, 0.044269457238, 0.0701869958738),
    ("D", 0.087402358326, 0.044133311074, 0.0476566943126),
];

fn config(significance: &str) -> String {
    format!(
        "design: {{weight: w, strata: stratum}}
publication:
  min_n: 10
{significance}estimates:
  - {{name: yes_by_region, stat: proportion, variable: answer, category: \"yes\", by: [region]}}
"
    )
}

fn scratch(significance: &str) -> Scratch {
    let s = Scratch::new();
    s.write(
        "data.csv",
        &std::fs::read_to_string(fixture("publication_significance", "data.csv")).unwrap(),
    );
    s.write("e.yaml", &config(significance));
    s
}

/// The Markdown table's rows (`| A | 22,9* | …`) and footnotes.
fn table(s: &Scratch, lang: &str) -> String {
    let o =
        s.run(&["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", "t.pub.md", "--lang", lang]);
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    std::fs::read_to_string(s.path("t.pub.md")).unwrap()
}

fn starred(md: &str) -> Vec<String> {
    md.lines()
        .filter(|l| l.starts_with("| ") && l.contains('*'))
        .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
        .collect()
}

#[test]
fn each_domain_against_the_whole_matches_r_survey() {
    use ponder::config::estimate::EstimateConfig;
    let s = scratch("");
    let cfg = EstimateConfig::load(&s.path("e.yaml")).unwrap();
    let table = ponder::data::Table::read(&s.path("data.csv")).unwrap();
    let d = ponder::bind::significance::versus_overall(&cfg, &table).unwrap();
    assert_eq!(d.len(), 4);
    for (region, est, se, p) in R {
        let v =
            d.iter().find(|v| v.domain == [("region".to_string(), region.to_string())]).unwrap();
        assert_eq!(v.category.as_deref(), Some("yes"));
        assert_relative_eq!(v.difference.estimate, est, max_relative = 1e-9);
        assert_relative_eq!(v.difference.se, se, max_relative = 1e-9);
        assert_relative_eq!(v.difference.p_value, p, max_relative = 1e-6);
        assert_relative_eq!(v.difference.estimates[1], 0.3582412, max_relative = 1e-6);
    }
}

#[test]
fn holm_keeps_the_strong_difference_and_removes_the_weak_one() {
    // Default: 5 %, Holm. A (p = 0.0016, × 4 = 0.0065) is marked; D (p = 0.048, × 3 = 0.14)
    // is not, nor B and C.
    let md = table(&scratch(""), "fr");
    assert_eq!(starred(&md), ["A"], "{md}");
    assert!(
        md.contains("* : différence significative avec l'ensemble (35,8\u{a0}%) au seuil de 5 %"),
        "{md}"
    );
    assert!(md.contains("correction de Holm sur les 4 comparaisons du tableau"), "{md}");
    // Without correction D is marked too; Bonferroni as Holm here.
    let md = table(&scratch("  significance: {level: 0.05, correction: none}\n"), "en");
    assert_eq!(starred(&md), ["A", "D"], "{md}");
    assert!(md.contains("without correction for multiple comparisons"), "{md}");
    let md = table(&scratch("  significance: {correction: bonferroni}\n"), "en");
    assert_eq!(starred(&md), ["A"], "{md}");
    assert!(md.contains("Bonferroni's correction over the 4 comparisons"), "{md}");
    // A looser level marks D even after Holm (0.14 < 0.15) — and B (0.31 × 2) does not.
    let md = table(&scratch("  significance: {level: 0.15}\n"), "en");
    assert_eq!(starred(&md), ["A", "C", "D"], "{md}");
    // Off: no mark, no footnote.
    let md = table(&scratch("  significance: false\n"), "fr");
    assert!(starred(&md).is_empty() && !md.contains("significative"), "{md}");
}

#[test]
fn the_spreadsheet_keeps_a_marked_value_a_number() {
    let s = scratch("");
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", "t.xlsx"]);
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    let py = std::process::Command::new("python3").args(["-c", "import openpyxl"]).output();
    if !py.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: Python openpyxl is not importable (pip install openpyxl)");
        return;
    }
    let script = "import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
c = ws.cell(row=4, column=2)
print(ws.cell(row=4, column=1).value, type(c.value).__name__, c.number_format)";
    let o = std::process::Command::new("python3")
        .args(["-c", script, s.path("t.xlsx").to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.trim(), "A float 0.0%\"*\"", "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_bad_significance_rule_is_refused_by_key() {
    let s = scratch("  significance: {level: 0.95, correction: holms}\n");
    crate::cli::assert_refused(
        &s,
        &["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", "t.pub.md"],
        &[
            "publication.significance.level",
            "not the 0.95",
            "publication.significance.correction",
            "`holm`",
        ],
    );
    assert!(!s.path("t.pub.md").exists());
}
