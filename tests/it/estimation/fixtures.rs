//! Fixture reading for the estimation tests: a tiny CSV reader (header, commas, empty =
//! missing, quotes only around fields with commas) and expected.json access.

use std::path::PathBuf;

use ponder::design::{Categorical, Numeric};
use ponder::estimate::EstimateRow;
use serde_json::Value;

pub fn case_dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(case)
}

fn split_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A CSV file held as text cells.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn read(case: &str, file: &str) -> Csv {
        let text = std::fs::read_to_string(case_dir(case).join(file)).expect("fixture file");
        let mut lines = text.lines();
        let header = split_line(lines.next().expect("header"));
        let rows = lines.filter(|l| !l.is_empty()).map(split_line).collect();
        Csv { header, rows }
    }

    pub fn data(case: &str) -> Csv {
        Csv::read(case, "data.csv")
    }

    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    pub fn n(&self) -> usize {
        self.rows.len()
    }

    pub fn num(&self, name: &str) -> Numeric {
        let j = self.col(name);
        Numeric::new(
            name,
            self.rows
                .iter()
                .map(|r| if r[j].is_empty() { f64::NAN } else { r[j].parse().expect("number") })
                .collect(),
        )
    }

    pub fn values(&self, name: &str) -> Vec<f64> {
        self.num(name).values
    }

    pub fn cat(&self, name: &str) -> Categorical {
        let j = self.col(name);
        let vals: Vec<Option<&str>> = self
            .rows
            .iter()
            .map(|r| if r[j].is_empty() { None } else { Some(r[j].as_str()) })
            .collect();
        Categorical::from_strings(name, &vals)
    }

    /// Keeps the rows where `keep` holds.
    pub fn filter(&self, keep: impl Fn(usize) -> bool) -> Csv {
        Csv {
            header: self.header.clone(),
            rows: self
                .rows
                .iter()
                .enumerate()
                .filter(|(k, _)| keep(*k))
                .map(|(_, r)| r.clone())
                .collect(),
        }
    }

    /// Replicate weight columns rep_1..rep_R.
    pub fn replicate_columns(&self) -> Vec<Vec<f64>> {
        self.header.iter().filter(|h| h.starts_with("rep_")).map(|h| self.values(h)).collect()
    }
}

pub fn expected(case: &str) -> Value {
    let text =
        std::fs::read_to_string(case_dir(case).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("json")
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

/// Expected records with this name, in file order.
pub fn records<'a>(exp: &'a Value, name: &str) -> Vec<&'a Value> {
    exp["estimates"].as_array().expect("estimates").iter().filter(|e| e["name"] == name).collect()
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || a == b
}

/// Checks one row against an expected record: estimate 1e-9, se and CI 1e-6 relative, df
/// exact, deff 1e-6 when present.
pub fn check(row: &EstimateRow, e: &Value) {
    let what = format!("{} {:?}", row.name, row.domain);
    let est = e["estimate"].as_f64().unwrap();
    assert!(close(row.estimate, est, 1e-9), "{what}: estimate {} vs {est}", row.estimate);
    for (got, key) in [(row.se, "se"), (row.ci_low, "ci_low"), (row.ci_high, "ci_high")] {
        let want = e[key].as_f64().unwrap();
        assert!(close(got, want, 1e-6), "{what}: {key} {got} vs {want}");
    }
    match e["df"].as_f64() {
        None => assert_eq!(row.df, None, "{what}: df"),
        Some(d) => assert_eq!(row.df, Some(d), "{what}: df"),
    }
    if let Some(d) = e.get("deff").and_then(Value::as_f64) {
        let got = row.deff.unwrap_or(f64::NAN);
        assert!(close(got, d, 1e-6), "{what}: deff {got} vs {d}");
    }
    if let Some(dom) = e["domain"].as_object() {
        for (k, v) in dom {
            let label = row.domain.iter().find(|(n, _)| n == k).map(|(_, l)| l.as_str());
            assert_eq!(label, v.as_str(), "{what}: domain {k}");
        }
    }
}

/// Checks rows against every record of `name`, in order.
pub fn check_all(rows: &[EstimateRow], exp: &Value, name: &str) {
    let recs = records(exp, name);
    assert_eq!(rows.len(), recs.len(), "{name}: number of rows");
    for (r, e) in rows.iter().zip(recs) {
        check(r, e);
    }
}

/// Dummy columns of a categorical (all categories but the first, treatment coding).
pub fn dummies(c: &Categorical) -> Vec<Vec<f64>> {
    (1..c.levels.len())
        .map(|j| c.codes.iter().map(|&v| if v as usize == j { 1.0 } else { 0.0 }).collect())
        .collect()
}
