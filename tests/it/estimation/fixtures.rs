//! Expected-record checks for the estimation tests (fixture reading is `crate::common`).

use approx::relative_eq;
use ponder::design::Categorical;
use ponder::estimate::EstimateRow;
use serde_json::Value;

pub use crate::common::{Csv, expected, f64s};

/// Expected records with this name, in file order.
pub fn records<'a>(exp: &'a Value, name: &str) -> Vec<&'a Value> {
    exp["estimates"].as_array().expect("estimates").iter().filter(|e| e["name"] == name).collect()
}

/// Checks one row against an expected record: estimate 1e-9, se and CI 1e-6 relative, df
/// exact, deff 1e-6 when present.
pub fn check(row: &EstimateRow, e: &Value) {
    let what = format!("{} {:?}", row.name, row.domain);
    let est = e["estimate"].as_f64().unwrap();
    assert!(
        relative_eq!(row.estimate, est, epsilon = 0.0, max_relative = 1e-9),
        "{what}: estimate {} vs {est}",
        row.estimate
    );
    for (got, key) in [(row.se, "se"), (row.ci_low, "ci_low"), (row.ci_high, "ci_high")] {
        let want = e[key].as_f64().unwrap();
        assert!(
            relative_eq!(got, want, epsilon = 0.0, max_relative = 1e-6),
            "{what}: {key} {got} vs {want}"
        );
    }
    match e["df"].as_f64() {
        None => assert_eq!(row.df, None, "{what}: df"),
        Some(d) => assert_eq!(row.df, Some(d), "{what}: df"),
    }
    if let Some(d) = e.get("deff").and_then(Value::as_f64) {
        let got = row.deff.unwrap_or(f64::NAN);
        assert!(
            relative_eq!(got, d, epsilon = 0.0, max_relative = 1e-6),
            "{what}: deff {got} vs {d}"
        );
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
