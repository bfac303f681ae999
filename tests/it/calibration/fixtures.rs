//! Tiny loaders for the reference fixtures (CSV with a header, no quoted commas in the
//! columns we use; empty field = missing) and synthetic problems for property tests.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ponder::calibration::Margin;
use ponder::data::Factor;
use serde_json::Value;

pub fn dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(case)
}

/// Columns of a CSV file by name, as strings.
pub fn read_csv(case: &str, file: &str) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(dir(case).join(file)).expect("fixture readable");
    let mut lines = text.lines();
    let header: Vec<String> =
        lines.next().expect("header").split(',').map(|s| s.trim_matches('"').to_string()).collect();
    let mut cols: BTreeMap<String, Vec<String>> =
        header.iter().map(|h| (h.clone(), Vec::new())).collect();
    for line in lines.filter(|l| !l.is_empty()) {
        for (h, v) in header.iter().zip(line.split(',')) {
            cols.get_mut(h).expect("column").push(v.trim_matches('"').to_string());
        }
    }
    cols
}

pub fn numeric(col: &[String]) -> Vec<f64> {
    col.iter().map(|s| if s.is_empty() { f64::NAN } else { s.parse().expect("number") }).collect()
}

pub fn json(case: &str, file: &str) -> Value {
    let text = std::fs::read_to_string(dir(case).join(file)).expect("fixture readable");
    serde_json::from_str(&text).expect("valid json")
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

/// A reference case: design weights and margins from case.json.
pub struct Case {
    pub weights: Vec<f64>,
    pub margins: Vec<Margin>,
    pub expected: Value,
}

pub fn load(case: &str) -> Case {
    let data = read_csv(case, "data.csv");
    let spec = json(case, "case.json");
    let weight_col = spec["design"]["weights"].as_str().expect("weights column");
    let weights = numeric(&data[weight_col]);
    let margins = spec["calibration"]["margins"]
        .as_array()
        .expect("margins")
        .iter()
        .map(|m| match m["type"].as_str().expect("type") {
            "categorical" => {
                let name = m["variable"].as_str().expect("variable").to_string();
                let totals = m["totals"].as_object().expect("totals");
                let levels: Vec<String> = totals.keys().cloned().collect();
                let targets = totals.values().map(|v| v.as_f64().expect("total")).collect();
                let codes = data[&name]
                    .iter()
                    .map(|v| {
                        levels.iter().position(|l| l == v).map_or(Factor::MISSING, |p| p as u32)
                    })
                    .collect();
                Margin::Categorical { name, factor: Factor { codes, levels }, targets }
            }
            "numeric" => {
                let name = m["variable"].as_str().expect("variable").to_string();
                let values = numeric(&data[&name]);
                Margin::Numeric { name, values, target: m["total"].as_f64().expect("total") }
            }
            _ => Margin::Total { target: m["total"].as_f64().expect("total") },
        })
        .collect();
    Case { weights, margins, expected: json(case, "expected.json") }
}

/// max_k |a_k − b_k| / max(|b_k|, tiny).
pub fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-300)).fold(0.0, f64::max)
}
