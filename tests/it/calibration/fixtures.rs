//! Tiny loaders for the reference fixtures (CSV with a header, no quoted commas in the
//! columns we use; empty field = missing) and synthetic problems for property tests.

use std::collections::BTreeMap;

use ponder::calibration::Margin;
use ponder::data::Factor;
use serde_json::Value;

pub use crate::common::{assert_all_relative_eq, f64s, json, numeric};

/// Columns of a fixture CSV file by name, as text.
pub fn read_csv(case: &str, file: &str) -> BTreeMap<String, Vec<String>> {
    let csv = crate::common::Csv::read(case, file);
    csv.header.iter().map(|h| (h.clone(), csv.text(h))).collect()
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
