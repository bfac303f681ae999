//! Missing answers of a question (issue 15): `missing_codes:` (not asked, item nonresponse,
//! break-off), the rates per domain, `item_nonresponse: exclude | {reweight: [classes]}`
//! against R (tests/fixtures/item_nonresponse/r_call.txt: the reweighting by hand, then
//! svrepdesign on the adjusted replicate weights, and svycontrast on the totals for the
//! linearization), and the errors.

use crate::common::{Scratch, assert_estimate_and_se, fixture, json};
use approx::{abs_diff_eq, assert_abs_diff_eq, relative_eq};
use ponder::bind::estimate::{check_columns, compute};
use ponder::config::estimate::EstimateConfig;
use ponder::data::Table;
use ponder::estimate::EstimateRow;
use std::path::Path;

fn run(config: &str) -> Vec<EstimateRow> {
    let cfg =
        EstimateConfig::load(Path::new(&fixture("item_nonresponse", config))).expect("config");
    let table = Table::read(Path::new(&fixture("item_nonresponse", "data.csv"))).unwrap();
    check_columns(&cfg, &table).expect("columns");
    compute(&cfg, &table).expect("estimates")
}

fn find<'a>(rows: &'a [EstimateRow], name: &str, domain: Option<&str>) -> &'a EstimateRow {
    rows.iter()
        .find(|r| r.name == name && r.domain.first().map(|d| d.1.as_str()) == domain)
        .unwrap_or_else(|| panic!("no row {name} {domain:?}"))
}

/// Every R row of `part` (`replicates` or `linearization`): estimates to 1e-9, SEs to 1e-6
/// (relative).
fn check(config: &str, part: &str) {
    let rows = run(config);
    let expected = json("item_nonresponse", "expected.json");
    let list = expected[part].as_array().unwrap();
    assert_eq!(rows.len(), list.len(), "{part}: rows");
    for e in list {
        let (name, domain) = (e["name"].as_str().unwrap(), e["domain"].as_str());
        let r = find(&rows, name, domain);
        let want = (e["estimate"].as_f64().unwrap(), e["se"].as_f64().unwrap());
        assert_estimate_and_se(&format!("{part} {name} {domain:?}"), (r.estimate, r.se), want);
    }
}

#[test]
fn item_reweighting_with_replicates_matches_r_svrepdesign() {
    check("estimate_rep.yaml", "replicates");
}

#[test]
fn item_reweighting_linearized_matches_r_svycontrast() {
    check("estimate_lin.yaml", "linearization");
}

/// The weighted shares of item nonresponse and break-off among the persons asked, and the
/// handling, on every row (R: sums of weights).
#[test]
fn item_rates_match_r_and_flag_every_row() {
    let rows = run("estimate_lin.yaml");
    let expected = json("item_nonresponse", "expected.json");
    for e in expected["rates"].as_array().unwrap() {
        let domain = e["domain"].as_str();
        let name = if domain.is_some() { "p_yes_by_stype_exclude" } else { "p_yes_exclude" };
        let i = find(&rows, name, domain).item.as_ref().expect("item rates");
        assert_eq!(i.n_asked as u64, e["n_asked"].as_u64().unwrap());
        for (got, key) in [
            (i.item_nonresponse_rate, "item_nonresponse_rate"),
            (i.break_off_rate, "break_off_rate"),
        ] {
            assert!(
                abs_diff_eq!(got, e[key].as_f64().unwrap(), epsilon = 1e-12),
                "{name} {domain:?} {key}"
            );
        }
    }
    assert!(rows.iter().all(|r| r.item.is_some()));
    assert!(find(&rows, "p_yes_reweight", None).item.as_ref().unwrap().handling == "reweight");
    // the default (no `item_nonresponse:`) is exclude, stated in the flags
    let text = ponder::report::table::flags_text(find(&rows, "p_yes_exclude", None));
    assert!(text.contains("item_nonresponse_excluded"), "{text}");
}

/// No code occurs: reweighting and excluding give the plain estimate (factors 1).
#[test]
fn item_choices_without_codes_give_the_plain_estimate() {
    let s = Scratch::new();
    let data = std::fs::read_to_string(fixture("item_nonresponse", "data.csv")).unwrap();
    // every respondent answers: the codes become answers
    let data = data
        .replace("\"dont_know\"", "\"yes\"")
        .replace("\"refused\"", "\"no\"")
        .replace("\"break_off\"", "\"no\"");
    s.write("data.csv", &data);
    let cfg = |item: &str| {
        format!(
            "design:\n  weight: pw\n  clusters: [dnum]\nmissing_codes:\n  not_asked: [not_asked]\n  \
             item_nonresponse: [dont_know, refused]\nestimates:\n  - {{name: p, stat: proportion, \
             variable: q, category: \"yes\", by: [stype]{item}}}\n"
        )
    };
    let est = |item: &str| {
        let path = s.write("e.yaml", &cfg(item));
        let c = EstimateConfig::load(&path).unwrap();
        compute(&c, &Table::read(&s.path("data.csv")).unwrap()).unwrap()
    };
    let (plain, re) = (est(""), est(", item_nonresponse: {reweight: [cls]}"));
    for (a, b) in plain.iter().zip(&re) {
        assert!(
            relative_eq!(a.estimate, b.estimate, epsilon = 0.0, max_relative = 1e-12)
                && relative_eq!(a.se, b.se, epsilon = 0.0, max_relative = 1e-9),
            "{a:?} {b:?}"
        );
        assert_eq!(a.item.as_ref().unwrap().item_nonresponse_rate, 0.0);
    }
}

fn config_error(yaml: &str) -> String {
    let s = Scratch::new();
    let p = s.write("e.yaml", yaml);
    EstimateConfig::load(&p).map(|_| ()).expect_err("should be refused").to_string()
}

#[test]
fn a_code_in_two_roles_is_refused_by_name() {
    let e = config_error(
        "design: {weight: w}\nmissing_codes:\n  item_nonresponse: [dont_know, 9]\n  break_off: [\"9.0\"]\n\
         estimates:\n  - {name: a, stat: mean, variable: y}\n",
    );
    assert!(
        e.contains("missing_codes.break_off")
            && e.contains("`9.0`")
            && e.contains("item_nonresponse"),
        "{e}"
    );
}

#[test]
fn item_nonresponse_without_codes_or_unknown_choice_is_refused() {
    let e = config_error(
        "design: {weight: w}\nestimates:\n  - {name: a, stat: mean, variable: y, item_nonresponse: exclude}\n",
    );
    assert!(e.contains("estimates[0].item_nonresponse") && e.contains("missing_codes"), "{e}");
    let e = config_error(
        "design: {weight: w}\nmissing_codes: {item_nonresponse: [dk]}\nestimates:\n  - {name: a, stat: mean, variable: y, item_nonresponse: impute}\n",
    );
    assert!(e.contains("unknown choice `impute`"), "{e}");
    let e = config_error(
        "design: {weight: w}\nmissing_codes: {item_nonresponse: [dk]}\nestimates:\n  - {name: a, stat: mean, variable: y, item_nonresponse: {reweight: []}}\n",
    );
    assert!(e.contains("item_nonresponse.reweight"), "{e}");
}

fn compute_error(yaml: &str, data: &str) -> String {
    let s = Scratch::new();
    let p = s.write("e.yaml", yaml);
    s.write("d.csv", data);
    let c = EstimateConfig::load(&p).unwrap();
    compute(&c, &Table::read(&s.path("d.csv")).unwrap())
        .map(|_| ())
        .expect_err("refused")
        .to_string()
}

/// A class asked but without any answer would vanish: refused, naming the class.
#[test]
fn an_empty_reweighting_class_is_a_named_error() {
    let data = "w,q,g\n1,yes,a\n2,no,a\n1,dk,b\n3,dk,b\n2,na,b\n";
    let yaml = "design: {weight: w}\nmissing_codes: {not_asked: [na], item_nonresponse: [dk]}\nestimates:\n  - {name: p, stat: proportion, variable: q, category: \"yes\", item_nonresponse: {reweight: [g]}}\n";
    let e = compute_error(yaml, data);
    assert!(e.contains("estimate `p`") && e.contains("g=b") && e.contains("no answer"), "{e}");
}

/// A declared code is no published category: asking for it is refused; every category
/// leaves the codes out.
#[test]
fn a_code_as_category_is_refused_and_codes_are_no_categories() {
    let data = "w,q\n1,yes\n2,no\n1,dk\n3,na\n";
    let yaml = |cat: &str| {
        format!(
            "design: {{weight: w}}\nmissing_codes: {{not_asked: [na], item_nonresponse: [dk]}}\nestimates:\n  - {{name: p, stat: proportion, variable: q{cat}}}\n"
        )
    };
    let e = compute_error(&yaml(", category: dk"), data);
    assert!(e.contains("category `dk`") && e.contains("missing_codes"), "{e}");
    let s = Scratch::new();
    let p = s.write("e.yaml", &yaml(""));
    s.write("d.csv", data);
    let rows = compute(&EstimateConfig::load(&p).unwrap(), &Table::read(&s.path("d.csv")).unwrap())
        .unwrap();
    let cats: Vec<&str> = rows.iter().map(|r| r.category.as_deref().unwrap()).collect();
    assert_eq!(cats, ["no", "yes"]);
    let i = rows[0].item.as_ref().unwrap();
    // asked: yes (1), no (2), dk (1); not asked: na
    assert!(
        abs_diff_eq!(i.item_nonresponse_rate, 0.25, epsilon = 1e-12) && i.n_asked == 3,
        "{i:?}"
    );
    assert_abs_diff_eq!(rows[1].estimate, 1.0 / 3.0, epsilon = 1e-12);
}

/// The estimates CSV gains the columns, and the publication table a footnote.
#[test]
fn item_columns_and_footnote_are_written() {
    let rows = run("estimate_rep.yaml");
    let t = ponder::report::table::estimates_table(&rows).unwrap();
    for c in ["item_nonresponse", "n_asked", "item_nonresponse_rate", "break_off_rate"] {
        assert!(t.column_names().iter().any(|n| n == c), "{c}");
    }
    let labels = ponder::estimate::Labels::default();
    let setup = ponder::report::publication::Setup {
        lang: ponder::report::run::Lang::En,
        ..Default::default()
    };
    let tables = ponder::report::publication::tables(&rows, &labels, &setup);
    let re = tables.iter().find(|t| t.name == "p_yes_reweight").unwrap();
    assert!(
        re.footnotes.iter().any(|f| f.starts_with("Item nonresponse:")
            && f.contains("reweighted")
            && f.contains("cls")),
        "{:?}",
        re.footnotes
    );
    let ex = tables.iter().find(|t| t.name == "p_yes_exclude").unwrap();
    assert!(
        ex.footnotes.iter().any(|f| f.contains("excluded from the denominator")),
        "{:?}",
        ex.footnotes
    );
}

/// Break-offs by mode for the nonresponse report: counts, unweighted and design-weighted
/// rates; respondents only.
#[test]
fn break_off_rates_by_mode() {
    use ponder::nonresponse::{Outcome, break_off_by_mode};
    let o = [
        Outcome::Web,
        Outcome::Web,
        Outcome::Web,
        Outcome::Phone,
        Outcome::Phone,
        Outcome::Nonrespondent,
    ];
    let broke = [true, false, false, true, false, true];
    let d = [1.0, 2.0, 5.0, 4.0, 4.0, 9.0];
    let b = break_off_by_mode(&o, &broke, &d);
    let modes: Vec<&str> = b.iter().map(|r| r.mode).collect();
    assert_eq!(modes, ["web", "phone", "all"]);
    assert_eq!((b[0].respondents, b[0].break_offs), (3, 1));
    assert!(
        abs_diff_eq!(b[0].rate, 1.0 / 3.0, epsilon = 1e-12)
            && abs_diff_eq!(b[0].weighted_rate, 1.0 / 8.0, epsilon = 1e-12)
    );
    assert_abs_diff_eq!(b[1].weighted_rate, 0.5, epsilon = 1e-12);
    assert_eq!((b[2].respondents, b[2].break_offs), (5, 2));
    assert_abs_diff_eq!(b[2].weighted_rate, 5.0 / 16.0, epsilon = 1e-12);
}

/// `break_off:` of a nonresponse configuration: a respondent without a yes/no value is
/// refused with the row named.
#[test]
fn break_off_column_of_a_respondent_must_be_yes_or_no() {
    let s = Scratch::new();
    s.write(
        "nr.yaml",
        "weight: d\nstatus: st\ncodes: {web: [web], phone: [phone], nonrespondent: [nr]}\nmethod: classes\nclasses: [g]\nbreak_off: bo\n",
    );
    let good = "d,st,g,bo\n1,web,a,no\n2,web,a,yes\n1,phone,a,no\n1,nr,a,\n1,web,b,no\n1,nr,b,\n";
    s.write("ok.csv", good);
    let cfg = ponder::config::nonresponse::NonresponseConfig::load(&s.path("nr.yaml")).unwrap();
    let t = Table::read(&s.path("ok.csv")).unwrap();
    let d = t.numeric("d").unwrap();
    let (adj, _) = ponder::bind::nonresponse::adjust_with_replicates(&cfg, &t, &d, &[]).unwrap();
    assert_eq!(adj.report.break_off[0].break_offs, 1);
    s.write("bad.csv", &good.replace("1,phone,a,no", "1,phone,a,"));
    let t = Table::read(&s.path("bad.csv")).unwrap();
    let e = ponder::bind::nonresponse::adjust_with_replicates(&cfg, &t, &d, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("column `bo` row 3") && e.contains("yes"), "{e}");
}

/// `missing_codes:` in a model configuration: a coded response is a missing value (never a
/// level counted as « not the category »): with `missing: drop` the model is the one fitted
/// on the answers only; with `missing: fail` it is refused.
#[test]
fn model_responses_with_codes_are_missing_values() {
    let s = Scratch::new();
    let data = std::fs::read_to_string(fixture("item_nonresponse", "data.csv")).unwrap();
    s.write("d.csv", &data);
    // the same data with the codes blanked: the reference fit
    let blank = data
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return l.to_string();
            }
            ["\"dont_know\"", "\"refused\"", "\"break_off\"", "\"not_asked\""]
                .iter()
                .fold(l.to_string(), |l, c| l.replace(c, ""))
        })
        .collect::<Vec<_>>()
        .join("\n");
    s.write("blank.csv", &blank);
    let model = |codes: &str, missing: &str| {
        format!(
            "{codes}design:\n  weight: pw\n  clusters: [dnum]\nmodels:\n  - name: m\n    family: quasibinomial\n    \
             response: q\n    category: \"yes\"\n    terms: [cls]\n    missing: {missing}\n"
        )
    };
    let codes = "missing_codes: {not_asked: [not_asked], item_nonresponse: [dont_know, refused], break_off: [break_off]}\n";
    let fit = |yaml: &str, input: &str| -> Vec<serde_json::Value> {
        s.write("m.yaml", yaml);
        let o = s.run(&["model", "-q", "-c", "m.yaml", "-i", input, "-o", "out.json"]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let v = s.json("out.json");
        v.as_array().or_else(|| v["rows"].as_array()).expect("rows").clone()
    };
    let coded = fit(&model(codes, "drop"), "d.csv");
    let reference = fit(&model("", "drop"), "blank.csv");
    let coef = |rows: &[serde_json::Value]| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r["kind"] == "coefficient")
            .map(|r| (r["estimate"].as_f64().unwrap(), r["se"].as_f64().unwrap()))
            .collect()
    };
    let (a, b) = (coef(&coded), coef(&reference));
    assert!(!a.is_empty() && a.len() == b.len());
    for ((ea, sa), (eb, sb)) in a.iter().zip(&b) {
        assert!(
            relative_eq!(*ea, *eb, epsilon = 0.0, max_relative = 1e-9)
                && relative_eq!(*sa, *sb, epsilon = 0.0, max_relative = 1e-9),
            "{ea} {sa} vs {eb} {sb}"
        );
    }
    s.write("m.yaml", &model(codes, "fail"));
    let o = s.run(&["model", "-q", "-c", "m.yaml", "-i", "d.csv", "-o", "out.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Declared codes need no codebook label (they are no published category); without
/// `missing_codes:` the same unlabelled code is refused by the codebook check.
#[test]
fn declared_codes_need_no_codebook_label() {
    let s = Scratch::new();
    s.write("d.csv", "w,q\n1,yes\n2,no\n1,dk\n");
    s.write(
        "cb.yaml",
        "variables:\n  q:\n    label: {fr: Question, en: Question}\n    values:\n      \"yes\": {fr: Oui, en: \"Yes\"}\n      \"no\": {fr: Non, en: \"No\"}\n",
    );
    let table = Table::read(&s.path("d.csv")).unwrap();
    let labels = |codes: &str| {
        let p = s.write(
            "e.yaml",
            &format!("codebook: cb.yaml\ndesign: {{weight: w}}\n{codes}estimates:\n  - {{name: p, stat: proportion, variable: q, missing: drop}}\n"),
        );
        ponder::bind::codebook::estimate_labels(&EstimateConfig::load(&p).unwrap(), &table)
    };
    assert!(labels("missing_codes: {item_nonresponse: [dk]}\n").is_ok());
    let e = labels("").map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("value `dk`") && e.contains("no label"), "{e}");
}

/// A reweighting of a quantile is refused by name (never ignored).
#[test]
fn reweighting_a_quantile_is_refused() {
    let yaml = "design: {weight: w}\nmissing_codes: {item_nonresponse: [9]}\nestimates:\n  - {name: med, stat: quantile, variable: y, item_nonresponse: {reweight: [g]}}\n";
    let e = compute_error(yaml, "w,y,g\n1,1,a\n1,2,a\n1,9,a\n");
    assert!(e.contains("estimate `med`") && e.contains("quantiles"), "{e}");
}

/// `exclude` with codes is the former `missing: drop` with blanks: same estimates and SEs.
#[test]
fn exclude_with_codes_equals_drop_with_blanks() {
    let s = Scratch::new();
    let data = std::fs::read_to_string(fixture("item_nonresponse", "data.csv")).unwrap();
    let blank = ["\"dont_know\"", "\"refused\"", "\"break_off\"", "\"not_asked\""]
        .iter()
        .fold(data.clone(), |d, c| d.replace(c, ""));
    s.write("coded.csv", &data);
    s.write("blank.csv", &blank);
    let yaml = |codes: &str| {
        format!(
            "design:\n  weight: pw\n  clusters: [dnum]\n{codes}estimates:\n  - {{name: p, stat: proportion, \
             variable: q, by: [stype], missing: drop}}\n"
        )
    };
    let rows = |codes: &str, file: &str| {
        let p = s.write("e.yaml", &yaml(codes));
        compute(&EstimateConfig::load(&p).unwrap(), &Table::read(&s.path(file)).unwrap()).unwrap()
    };
    let coded = rows(
        "missing_codes: {not_asked: [not_asked], item_nonresponse: [dont_know, refused], break_off: [break_off]}\n",
        "coded.csv",
    );
    let plain = rows("", "blank.csv");
    assert_eq!(coded.len(), plain.len());
    for (a, b) in coded.iter().zip(&plain) {
        assert_eq!((&a.category, &a.domain, a.n), (&b.category, &b.domain, b.n));
        assert!(
            relative_eq!(a.estimate, b.estimate, epsilon = 0.0, max_relative = 1e-12)
                && relative_eq!(a.se, b.se, epsilon = 0.0, max_relative = 1e-12),
            "{a:?} {b:?}"
        );
        assert!(a.item.is_some() && b.item.is_none());
    }
}

/// A replicate that drops every respondent of a class still asked: its estimate is
/// undefined, left out and counted (`dropped_replicates`), never a silent loss of the class.
#[test]
fn a_replicate_without_respondent_in_a_class_is_dropped_and_counted() {
    let s = Scratch::new();
    // JK1 by hand over 3 PSUs: replicate r zeroes PSU r and scales the others by 3/2.
    // Class b has its only respondent in PSU 1 and a don't know in PSU 2.
    let rows = [
        (1, "a", "yes"),
        (1, "b", "no"),
        (2, "a", "no"),
        (2, "b", "dk"),
        (3, "a", "yes"),
        (3, "a", "no"),
    ];
    let mut csv = String::from("psu,g,q,w,r1,r2,r3\n");
    for (psu, g, q) in rows {
        let rep: Vec<String> =
            (1..=3).map(|r| if r == psu { "0".into() } else { "1.5".into() }).collect();
        csv.push_str(&format!("{psu},{g},{q},1,{}\n", rep.join(",")));
    }
    s.write("d.csv", &csv);
    let p = s.write(
        "e.yaml",
        "design:\n  weight: w\n  replicates: {columns: \"r*\", type: jk1}\nmissing_codes: {item_nonresponse: [dk]}\nestimates:\n  - {name: p, stat: proportion, variable: q, category: \"yes\", item_nonresponse: {reweight: [g]}}\n",
    );
    let out = compute(&EstimateConfig::load(&p).unwrap(), &Table::read(&s.path("d.csv")).unwrap())
        .unwrap();
    assert_eq!(out[0].flags.dropped_replicates, 1, "{:?}", out[0]);
    // full sample: a: 2 yes of 4 (factor 1), b: the no answer carries the dk (factor 2)
    assert!(abs_diff_eq!(out[0].estimate, 2.0 / 6.0, epsilon = 1e-12), "{}", out[0].estimate);
}
