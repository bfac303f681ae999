//! Estimate tables: one row per estimate, category and domain, written as CSV, TSV,
//! Parquet, Markdown or JSON by extension.
//!
//! Columns: `name, stat, variable, category,` one column per `by` variable (the union over
//! the requests, in order of appearance; empty where a request does not use it), then
//! `estimate, se, ci_low, ci_high, cv, deff, n, n_weighted, df, flags`.
//!
//! With a codebook ([`Labels::has_codebook`], [`estimates_table_labelled`]) the codes stay
//! and label columns in the chosen language follow them: `category_label` after
//! `category`, `<by>_label` after each `<by>` column (a code without label, or of a
//! variable the codebook does not list, is repeated as is). Without a codebook the table
//! is exactly the unlabelled one.

use super::run::Lang;
use crate::data::{ColumnData, Table, check_writable_path};
use crate::error::{Error, Result};
use crate::estimate::{EstimateRow, Labels};
use crate::model::ModelRow;
use std::path::Path;

/// Output kinds of an estimate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableFormat {
    Data,
    Markdown,
    Json,
}

fn format_of(path: &Path) -> Result<TableFormat> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv" | "tsv" | "parquet") => Ok(TableFormat::Data),
        Some("md") => Ok(TableFormat::Markdown),
        Some("json") => Ok(TableFormat::Json),
        _ => Err(Error::io(
            path,
            "unknown extension for an estimate table: use .csv, .tsv, .parquet, .md or .json",
        )),
    }
}

/// Checks an estimate table path (extension, folder, not an input).
///
/// # Errors
/// As [`check_writable_path`], plus an unknown extension.
pub fn check_table_path(path: &Path, inputs: &[&Path]) -> Result<()> {
    format_of(path)?;
    check_writable_path(path, inputs)
}

/// The flags of a row as text: `empty`, `undefined`, `low_n`, `high_cv`, `suppressed`,
/// joined by `;`.
pub fn flags_text(r: &EstimateRow) -> String {
    let f = &r.flags;
    let mut v = Vec::new();
    if f.empty {
        v.push("empty".to_string());
    }
    if f.undefined {
        v.push("undefined".to_string());
    }
    if f.low_n {
        v.push("low_n".to_string());
    }
    if f.high_cv {
        v.push("high_cv".to_string());
    }
    if f.suppressed {
        v.push("suppressed".to_string());
    }
    if f.dropped_replicates > 0 {
        v.push(format!("dropped_replicates={}", f.dropped_replicates));
    }
    v.join(";")
}

/// The estimate rows as a table.
///
/// # Errors
/// Internal errors only.
pub fn estimates_table(rows: &[EstimateRow]) -> Result<Table> {
    labelled_table(rows, None)
}

/// The estimate rows as a table with label columns in `lang` when `labels` come from a
/// codebook (else as [`estimates_table`]).
///
/// # Errors
/// Internal errors only.
pub fn estimates_table_labelled(
    rows: &[EstimateRow],
    labels: &Labels,
    lang: Lang,
) -> Result<Table> {
    let with = labels.has_codebook().then_some((labels, lang == Lang::En));
    labelled_table(rows, with)
}

/// The table, with label columns when `labels` is `Some((labels, english))`.
fn labelled_table(rows: &[EstimateRow], labels: Option<(&Labels, bool)>) -> Result<Table> {
    let mut by: Vec<String> = Vec::new();
    for r in rows {
        for (k, _) in &r.domain {
            if !by.contains(k) {
                by.push(k.clone());
            }
        }
    }
    let text =
        |f: &dyn Fn(&EstimateRow) -> Option<String>| ColumnData::Str(rows.iter().map(f).collect());
    let num = |f: &dyn Fn(&EstimateRow) -> f64| {
        ColumnData::F64(rows.iter().map(|r| Some(f(r)).filter(|v| v.is_finite())).collect())
    };
    let mut cols = vec![
        ("name".to_string(), text(&|r| Some(r.name.clone()))),
        ("stat".to_string(), text(&|r| Some(r.stat.to_string()))),
        ("variable".to_string(), text(&|r| Some(r.variable.clone()))),
        ("category".to_string(), text(&|r| r.category.clone())),
    ];
    if let Some((l, en)) = labels {
        let label = |r: &EstimateRow| {
            r.category.as_deref().map(|c| l.value_or_code(&r.variable, c, en).to_string())
        };
        cols.push(("category_label".to_string(), text(&label)));
    }
    for b in &by {
        let code = |r: &EstimateRow| r.domain.iter().find(|(k, _)| k == b).map(|(_, v)| v.clone());
        cols.push((b.clone(), text(&code)));
        if let Some((l, en)) = labels {
            let label = |r: &EstimateRow| code(r).map(|c| l.value_or_code(b, &c, en).to_string());
            cols.push((format!("{b}_label"), text(&label)));
        }
    }
    cols.extend([
        ("estimate".to_string(), num(&|r| r.estimate)),
        ("se".to_string(), num(&|r| r.se)),
        ("ci_low".to_string(), num(&|r| r.ci_low)),
        ("ci_high".to_string(), num(&|r| r.ci_high)),
        ("cv".to_string(), num(&|r| r.cv)),
        ("deff".to_string(), num(&|r| r.deff.unwrap_or(f64::NAN))),
        ("n".to_string(), ColumnData::I64(rows.iter().map(|r| Some(r.n as i64)).collect())),
        ("n_weighted".to_string(), num(&|r| r.n_weighted)),
        ("df".to_string(), num(&|r| r.df.unwrap_or(f64::NAN))),
        ("flags".to_string(), text(&|r| Some(flags_text(r)).filter(|s| !s.is_empty()))),
    ]);
    Table::from_columns(cols)
}

/// Writes estimate rows by extension (.csv, .tsv, .parquet, .md, .json), atomically.
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_estimates(path: &Path, rows: &[EstimateRow]) -> Result<()> {
    write_table(path, &estimates_table(rows)?)
}

/// Writes estimate rows with label columns in `lang` when `labels` come from a codebook
/// (else exactly as [`write_estimates`]).
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_estimates_labelled(
    path: &Path,
    rows: &[EstimateRow],
    labels: &Labels,
    lang: Lang,
) -> Result<()> {
    write_table(path, &estimates_table_labelled(rows, labels, lang)?)
}

/// The model rows as a table: `name, kind, term, estimate, se, statistic, df, df2, p_value,
/// ci_low, ci_high, exp_estimate, exp_ci_low, exp_ci_high, n, flags`.
///
/// # Errors
/// Internal errors only.
pub fn models_table(rows: &[ModelRow]) -> Result<Table> {
    let text = |f: &dyn Fn(&ModelRow) -> String| {
        ColumnData::Str(rows.iter().map(|r| Some(f(r)).filter(|s| !s.is_empty())).collect())
    };
    let num = |f: &dyn Fn(&ModelRow) -> f64| {
        ColumnData::F64(rows.iter().map(|r| Some(f(r)).filter(|v| v.is_finite())).collect())
    };
    let exp = |i: usize| num(&move |r: &ModelRow| r.exp.map_or(f64::NAN, |e| e[i]));
    let cols = vec![
        ("name", text(&|r| r.name.clone())),
        ("kind", text(&|r| r.kind.to_string())),
        ("term", text(&|r| r.term.clone())),
        ("estimate", num(&|r| r.estimate)),
        ("se", num(&|r| r.se)),
        ("statistic", num(&|r| r.statistic)),
        ("df", num(&|r| r.df)),
        ("df2", num(&|r| r.df2)),
        ("p_value", num(&|r| r.p_value)),
        ("ci_low", num(&|r| r.ci_low)),
        ("ci_high", num(&|r| r.ci_high)),
        ("exp_estimate", exp(0)),
        ("exp_ci_low", exp(1)),
        ("exp_ci_high", exp(2)),
        ("n", ColumnData::I64(rows.iter().map(|r| r.n.map(|n| n as i64)).collect())),
        ("flags", text(&|r| r.flags.clone())),
    ];
    Table::from_columns(cols.into_iter().map(|(n, c)| (n.to_string(), c)).collect())
}

/// Writes model rows by extension (.csv, .tsv, .parquet, .md, .json), atomically.
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_models(path: &Path, rows: &[ModelRow]) -> Result<()> {
    write_table(path, &models_table(rows)?)
}

fn write_table(path: &Path, table: &Table) -> Result<()> {
    match format_of(path)? {
        TableFormat::Data => table.write(path),
        TableFormat::Markdown => super::write_text(path, &table.to_markdown()),
        TableFormat::Json => super::write_json(path, &table.to_records()),
    }
}
