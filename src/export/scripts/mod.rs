//! Loader scripts: one per language, each reading the package's data file, declaring the
//! replicate weights with ponder's variance convention, and computing the estimates of the
//! plan. R and Python compute exactly ponder's variance; Stata and SAS use the method whose
//! documented formula is the same (see each file), untested here (no licence).

mod python;
mod r;
mod sas;
mod stata;

use super::Plan;
use super::columns::{Built, Kind};

/// `(file name, text)` of every script.
pub(super) fn all(plan: &Plan, built: &Built) -> Vec<(&'static str, String)> {
    vec![
        ("load.R", r::script(plan, built)),
        ("load.do", stata::script(plan, built)),
        ("load.sas", sas::script(plan, built)),
        ("load.py", python::script(plan, built)),
    ]
}

/// A float as the shortest text that reads back as the same double (R, Python, Stata and
/// SAS all read this form exactly).
pub(super) fn num(x: f64) -> String {
    let s = format!("{x:?}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// The replicate columns as `(prefix, R)` when they are `prefix1..prefixR` in order.
pub(super) fn numbered(names: &[String]) -> Option<(String, usize)> {
    let first = names.first()?;
    let prefix = first.strip_suffix('1')?;
    let ok = names.iter().enumerate().all(|(i, n)| *n == format!("{prefix}{}", i + 1));
    ok.then(|| (prefix.to_string(), names.len()))
}

/// The common value of the rscales, when they are all equal.
pub(super) fn constant(v: &[f64]) -> Option<f64> {
    let first = *v.first()?;
    v.iter().all(|x| *x == first).then_some(first)
}

/// The replicate columns contiguous in the data file (so `first-last` lists them)?
pub(super) fn contiguous(plan: &Plan, built: &Built) -> bool {
    let pos = |n: &String| built.columns.iter().position(|(c, _)| c == n);
    let p: Vec<Option<usize>> = plan.replicates.iter().map(pos).collect();
    p.windows(2).all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if b == a + 1))
}

/// The text columns of the package.
pub(super) fn text_columns(built: &Built) -> Vec<&str> {
    built.columns.iter().filter(|(_, k)| *k == Kind::Text).map(|(n, _)| n.as_str()).collect()
}

/// A quoted string literal (double quotes; `"` and `\` escaped), valid in R, Python and
/// Stata/SAS for the plain names and codes ponder writes.
pub(super) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The data file the scripts read: `data.csv` when written, else `data.parquet`.
pub(super) fn data_file(plan: &Plan) -> &'static str {
    if plan.formats.iter().any(|f| f == "csv") { "data.csv" } else { "data.parquet" }
}

/// The variance formula in words, with this package's numbers, for script headers.
pub(super) fn formula(plan: &Plan) -> Vec<String> {
    let c = &plan.convention;
    let r = plan.replicates.len();
    let rs = match constant(&c.rscales) {
        Some(1.0) => String::new(),
        Some(x) => format!(" · {}", num(x)),
        None => " · rscale_r".to_string(),
    };
    let centre =
        if c.mse { "the full-sample estimate" } else { "the mean of the replicate estimates" };
    vec![
        format!("ponder's replicate variance ({} replicates, type {}):", r, c.kind),
        format!("  v = {}{rs} · Σ_r (θ_r − c)², c = {centre}", num(c.scale)),
        format!("  degrees of freedom {}", num(c.df)),
    ]
}
