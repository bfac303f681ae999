//! Publication tables (issue 13): layout (domains in rows in codebook order, categories in
//! columns, percentages, marks and footnotes), the spreadsheet read back by a reader that
//! is not ponder (Python `openpyxl`, skipped with a message when absent), deterministic
//! bytes, and unsupported extensions refused.

mod run;
mod significance;

use crate::cli::assert_refused;
use crate::common::Scratch;
use ponder::estimate::{EstimateRow, Flags, Labels, Publication, Text};
use ponder::report::publication::{self, Mark, Setup};
use ponder::report::run::Lang;

fn row(domain: &str, category: &str, estimate: f64, n: usize, flags: Flags) -> EstimateRow {
    EstimateRow {
        name: "answer_by_region".into(),
        stat: "proportion",
        variable: "answer".into(),
        category: Some(category.into()),
        domain: vec![("region".into(), domain.into())],
        estimate,
        se: 0.02,
        ci_low: estimate - 0.04,
        ci_high: estimate + 0.04,
        cv: 0.02 / estimate,
        deff: None,
        n,
        n_weighted: 100.0,
        df: None,
        flags,
        item: None,
    }
}

fn labels() -> Labels {
    let mut l = Labels { codebook: Some("cb.yaml".into()), ..Labels::default() };
    l.add_variable(
        "region",
        Text::new("Région", "Region"),
        vec![
            ("11".into(), Text::new("Île-de-France", "Paris region")),
            ("94".into(), Text::new("Corse", "Corsica")),
        ],
    );
    l.add_variable(
        "answer",
        Text::new("Réponse", "Answer"),
        vec![("yes".into(), Text::new("Oui", "Yes")), ("no".into(), Text::new("Non", "No"))],
    );
    l
}

fn setup(lang: Lang) -> Setup {
    Setup {
        lang,
        rules: Publication { min_n: Some(30), max_cv: Some(0.3), suppress: false },
        source: Some(Text::new("Enquête test 2024", "Test survey 2024")),
        population: Some(Text::new("personnes de 18 ans ou plus", "people aged 18 or over")),
        weight: Some("w_cal".into()),
        ..Setup::default()
    }
}

/// Rows in data order (Corsica first, `no` before `yes`): the table puts them in codebook order.
fn rows() -> Vec<EstimateRow> {
    let low = Flags { low_n: true, ..Flags::default() };
    vec![
        row("94", "no", 0.6, 20, low),
        row("94", "yes", 0.4, 20, low),
        row("11", "no", 0.5111, 120, Flags::default()),
        row("11", "yes", 0.4889, 120, Flags::default()),
    ]
}

#[test]
fn a_table_has_domains_in_rows_and_categories_in_columns_in_codebook_order() {
    let t = &publication::tables(&rows(), &labels(), &setup(Lang::Fr))[0];
    assert_eq!(t.title, "answer_by_region", "no title: the name");
    assert_eq!(t.row_heads, ["Région"]);
    assert_eq!(t.columns, ["Oui", "Non"]);
    let names: Vec<&str> = t.rows.iter().map(|r| r.labels[0].as_str()).collect();
    assert_eq!(names, ["Île-de-France", "Corse"]);
    assert_eq!(t.rows[1].n, 20);
    let corse_yes = t.rows[1].cells[0].as_ref().unwrap();
    assert_eq!(corse_yes.marks, [Mark::LowN]);
    let body = publication::body_texts(t, Lang::Fr);
    assert_eq!(body[0], ["Île-de-France", "48,9", "[44,9 ; 52,9]", "51,1", "[47,1 ; 55,1]", "120"]);
    assert_eq!(body[1][1], "40,0 (a)");
    let head = publication::header_texts(t, Lang::Fr);
    assert_eq!(head, ["Région", "Oui (%)", "IC 95 %", "Non (%)", "IC 95 %", "n"]);
    let en = &publication::tables(&rows(), &labels(), &setup(Lang::En))[0];
    assert_eq!(publication::body_texts(en, Lang::En)[0][1..3], ["48.9", "44.9–52.9"]);
    assert_eq!(en.rows[0].labels, ["Paris region"]);
}

#[test]
fn marks_used_get_footnotes_with_source_population_and_method() {
    let t = &publication::tables(&rows(), &labels(), &setup(Lang::Fr))[0];
    let notes = t.footnotes.join("\n");
    assert!(notes.starts_with("(a) moins de 30 répondants"), "{notes}");
    assert!(!notes.contains("(b)"), "no cell has a high CV: {notes}");
    assert!(notes.contains("Champ : personnes de 18 ans ou plus"), "{notes}");
    assert!(notes.contains("Source : Enquête test 2024."), "{notes}");
    assert!(notes.contains("poids w_cal") && notes.contains("linéarisation"), "{notes}");
    let mut cv = rows();
    cv[2].flags.high_cv = true;
    cv[2].flags.suppressed = true;
    cv[2].estimate = f64::NAN;
    let t = &publication::tables(&cv, &labels(), &setup(Lang::En))[0];
    assert_eq!(publication::body_texts(t, Lang::En)[0][3..5], ["– (b,c)", ""]);
    let notes = t.footnotes.join("\n");
    assert!(notes.contains("(b) coefficient of variation above 30%"), "{notes}");
    assert!(notes.contains("(c) value not published"), "{notes}");
    let md = publication::to_markdown(std::slice::from_ref(t), Lang::En);
    assert!(md.contains("| Region | Yes (%) | 95% CI | No (%) | 95% CI | n |"), "{md}");
}

#[test]
fn sheet_names_are_short_unique_and_clean() {
    let mut a = publication::tables(&rows(), &labels(), &setup(Lang::Fr)).remove(0);
    a.title = "Confiance: dans la justice [selon] la région / le département".into();
    let mut b = a.clone();
    b.title = "Méthodologie".into();
    let mut c = b.clone();
    c.title = "Non-recours selon le sexe et l'âge".into();
    let names = publication::sheet_names(&[a.clone(), a, b, c], "Méthodologie");
    assert_eq!(names[3], "Non-recours selon le sexe et l", "cut, no apostrophe at the end");
    assert!(
        names.iter().all(|n| n.chars().count() <= 31 && !n.contains([':', '[', ']', '/'])),
        "{names:?}"
    );
    assert_ne!(names[0], names[1]);
    assert_ne!(names[2].to_lowercase(), "méthodologie", "{names:?}");
}

const DATA: &str = "w,region,answer
10,11,yes
12,11,no
8,94,yes
11,94,no
10,11,yes
7,11,no
";

const CONFIG: &str = "design:
  weight: w
publication:
  min_n: 3
  decimals: 1
  source: {fr: Enquête test, en: Test survey}
estimates:
  - {name: answer_by_region, stat: proportion, variable: answer, by: [region],
     title: {fr: Réponse selon la région, en: Answer by region}}
  - {name: total_w, stat: total, variable: w}
";

fn scratch() -> Scratch {
    let s = Scratch::new();
    s.write("data.csv", DATA);
    s.write("e.yaml", CONFIG);
    s
}

fn estimate(s: &Scratch, out: &str, lang: &str) {
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", out, "--lang", lang]);
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
}

#[test]
fn the_spreadsheet_is_deterministic_and_read_back_with_numbers() {
    let s = scratch();
    estimate(&s, "a.xlsx", "en");
    estimate(&s, "b.xlsx", "en");
    let a = std::fs::read(s.path("a.xlsx")).unwrap();
    assert!(a.starts_with(b"PK"), "a zip file");
    assert_eq!(a, std::fs::read(s.path("b.xlsx")).unwrap(), "same input, same bytes");
    let script = "import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print('|'.join(wb.sheetnames))
ws = wb['Answer by region']
for row in ws.iter_rows(min_row=4, max_row=5, values_only=True):
    print(';'.join(type(v).__name__ + '=' + str(v) for v in row))
print(ws.cell(row=4, column=2).number_format)
";
    // Two runs in the same second would match anyway: the date itself must be the fixed one.
    let core = std::process::Command::new("python3")
        .args(["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('docProps/core.xml').decode())"])
        .arg(s.path("a.xlsx"))
        .output();
    if let Some(o) = core.ok().filter(|o| o.status.success()) {
        let xml = String::from_utf8_lossy(&o.stdout);
        assert!(xml.contains("2000-01-01T00:00:00Z"), "{xml}");
    }
    let py = std::process::Command::new("python3").args(["-c", "import openpyxl"]).output();
    if !py.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: Python openpyxl is not importable (pip install openpyxl)");
        return;
    }
    let o = std::process::Command::new("python3")
        .args(["-c", script, s.path("a.xlsx").to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Answer by region|total_w|Methodology");
    // Île-de-France (code 11, first): `no` (first category: no codebook) 19/39, CI
    // bounds, `yes`, CI bounds, n = 4.
    let cells: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(cells[0], "str=11", "no codebook: the code");
    assert!(
        cells[1..].iter().all(|c| c.starts_with("float=") || c.starts_with("int=")),
        "{cells:?}"
    );
    let no: f64 = cells[1].trim_start_matches("float=").parse().unwrap();
    approx::assert_relative_eq!(no, 19.0 / 39.0, max_relative = 1e-12);
    assert_eq!(lines[3], "0.0%");
    // Corse has 2 respondents (< min_n 3): its values carry the mark in their format.
    assert!(lines[2].starts_with("str=94;float="), "{}", lines[2]);
}

#[test]
fn markdown_and_html_publication_tables_and_the_raw_table_unchanged() {
    let s = scratch();
    estimate(&s, "t.pub.md", "fr");
    estimate(&s, "t.html", "fr");
    estimate(&s, "raw.md", "fr");
    let md = std::fs::read_to_string(s.path("t.pub.md")).unwrap();
    assert!(md.contains("### Réponse selon la région"), "{md}");
    assert!(md.contains("Source : Enquête test."), "{md}");
    let html = std::fs::read_to_string(s.path("t.html")).unwrap();
    assert!(
        html.contains("<caption>Réponse selon la région</caption>") && html.contains("lang=\"fr\"")
    );
    let raw = std::fs::read_to_string(s.path("raw.md")).unwrap();
    assert!(raw.contains("| name") && !raw.contains("###"), "{raw}");
}

#[test]
fn an_unsupported_extension_is_refused_with_the_supported_list() {
    let s = scratch();
    assert_refused(
        &s,
        &["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", "t.xls"],
        &["`.xls`", ".xlsx", ".pub.md", ".html", ".csv"],
    );
}

#[test]
fn row_tables_refuse_publication_formats_and_estimates_accept_them() {
    use ponder::report::table::{check_estimates_path, check_table_path};
    let s = Scratch::new();
    let err = check_table_path(&s.path("m.xlsx"), &[]).unwrap_err().to_string();
    assert!(err.contains("for estimates only") && err.contains(".csv"), "{err}");
    assert!(check_estimates_path(&s.path("m.xlsx"), &[]).is_ok());
    assert!(check_table_path(&s.path("m.md"), &[]).is_ok());
    let err = check_estimates_path(&s.path("m"), &[]).unwrap_err().to_string();
    assert!(err.contains("(none)") && err.contains(".xlsx"), "{err}");
}

#[test]
fn publication_keys_are_read_and_checked() {
    use ponder::config::estimate::EstimateConfig;
    let s = scratch();
    let cfg = EstimateConfig::load(&s.path("e.yaml")).unwrap();
    assert_eq!(cfg.notes.decimals, Some(1));
    assert_eq!(cfg.notes.source.as_ref().map(|t| t.en.as_str()), Some("Test survey"));
    s.write(
        "bad.yaml",
        &CONFIG
            .replace("decimals: 1", "decimals: 9")
            .replace("source: {fr: Enquête test, en: Test survey}", "source: {fr: Enquête}"),
    );
    let err = EstimateConfig::load(&s.path("bad.yaml")).unwrap_err().to_string();
    assert!(err.contains("publication.decimals") && err.contains("publication.source"), "{err}");
}
