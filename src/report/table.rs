//! Estimate tables: one row per estimate, category and domain, written as CSV, TSV,
//! Parquet, Markdown or JSON by extension.
//!
//! Columns: `name, stat, variable, category,` one column per `by` variable (the union over
//! the requests, in order of appearance; empty where a request does not use it), then
//! `estimate, se, ci_low, ci_high, cv, deff, n, n_weighted, df, flags` (then, when a
//! request has declared codes of missing answers, `item_nonresponse, n_asked,
//! item_nonresponse_rate, break_off_rate`).
//!
//! With a codebook ([`Labels::has_codebook`], [`estimates_table_labelled`]) the codes stay
//! and label columns in the chosen language follow them: `category_label` after
//! `category`, `<by>_label` after each `<by>` column (a code without label, or of a
//! variable the codebook does not list, is repeated as is). Without a codebook the table
//! is exactly the unlabelled one.

use super::publication::{self, PubTable, Setup};
use super::run::Lang;
use crate::data::{ColumnData, Table, WriteOptions, check_writable_path};
use crate::error::{Error, Result};
use crate::estimate::{EstimateRow, Labels};
use crate::model::ModelRow;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Output kinds of an estimate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableFormat {
    Data,
    Markdown,
    Json,
    /// Publication tables: `.xlsx`, `.pub.md`, `.html`.
    Publication(PubFormat),
}

/// Formats of publication tables (estimates only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PubFormat {
    Xlsx,
    Markdown,
    Html,
}

/// The supported extensions, for messages.
const SUPPORTED: &str = ".csv, .tsv, .parquet, .md, .json (the estimate rows), \
    .xlsx, .pub.md, .html (publication tables)";

fn format_of(path: &Path) -> Result<TableFormat> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("md") if name.ends_with(".pub.md") => {
            Ok(TableFormat::Publication(PubFormat::Markdown))
        }
        Some("csv" | "tsv" | "parquet") => Ok(TableFormat::Data),
        Some("md") => Ok(TableFormat::Markdown),
        Some("json") => Ok(TableFormat::Json),
        Some("xlsx") => Ok(TableFormat::Publication(PubFormat::Xlsx)),
        Some("html" | "htm") => Ok(TableFormat::Publication(PubFormat::Html)),
        other => Err(Error::io(
            path,
            format!(
                "unsupported extension {} for an estimate table: use {SUPPORTED}",
                other.map_or_else(|| "(none)".to_string(), |e| format!("`.{e}`"))
            ),
        )),
    }
}

/// True when the path asks for publication tables (`.xlsx`, `.pub.md`, `.html`).
pub fn is_publication(path: &Path) -> bool {
    matches!(format_of(path), Ok(TableFormat::Publication(_)))
}

/// Checks the path of a table of rows (estimates or models: .csv, .tsv, .parquet, .md,
/// .json; folder, not an input).
///
/// # Errors
/// As [`check_writable_path`], plus an unsupported extension (publication formats
/// included: they are for estimates, see [`check_estimates_path`]).
pub fn check_table_path(path: &Path, inputs: &[&Path]) -> Result<()> {
    if let TableFormat::Publication(_) = format_of(path)? {
        return Err(publication_refused(path));
    }
    check_writable_path(path, inputs)
}

/// Checks the output path of `ponder estimate`: a table of rows, or publication tables
/// (.xlsx, .pub.md, .html).
///
/// # Errors
/// As [`check_writable_path`], plus an unsupported extension.
pub fn check_estimates_path(path: &Path, inputs: &[&Path]) -> Result<()> {
    format_of(path)?;
    check_writable_path(path, inputs)
}

fn publication_refused(path: &Path) -> Error {
    Error::io(
        path,
        "publication tables (.xlsx, .pub.md, .html) are written for estimates only: \
         use .csv, .tsv, .parquet, .md or .json",
    )
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
    // missing answers of the question: never silent
    if let Some(i) = &r.item {
        v.push(match i.handling {
            "reweight" => "item_nonresponse_reweighted".to_string(),
            _ => "item_nonresponse_excluded".to_string(),
        });
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
    if rows.iter().any(|r| r.item.is_some()) {
        // missing answers of the question (`missing_codes:`): how they entered, the persons
        // asked, and the weighted shares of item nonresponse and break-off among them
        let handling = |r: &EstimateRow| {
            r.item.as_ref().map(|i| match i.classes.is_empty() {
                true => i.handling.to_string(),
                false => format!("{}({})", i.handling, i.classes.join(" x ")),
            })
        };
        let rate = |f: fn(&crate::estimate::ItemRates) -> f64| {
            move |r: &EstimateRow| r.item.as_ref().map_or(f64::NAN, f)
        };
        cols.extend([
            ("item_nonresponse".to_string(), text(&handling)),
            (
                "n_asked".to_string(),
                ColumnData::I64(
                    rows.iter().map(|r| r.item.as_ref().map(|i| i.n_asked as i64)).collect(),
                ),
            ),
            ("item_nonresponse_rate".to_string(), num(&rate(|i| i.item_nonresponse_rate))),
            ("break_off_rate".to_string(), num(&rate(|i| i.break_off_rate))),
        ]);
    }
    Table::from_columns(cols)
}

/// Writes estimate rows by extension (.csv, .tsv, .parquet, .md, .json), atomically.
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_estimates(path: &Path, rows: &[EstimateRow]) -> Result<()> {
    write_table(path, &estimates_table(rows)?, &WriteOptions::default())
}

/// Writes estimate rows with label columns in `lang` when `labels` come from a codebook
/// (else exactly as [`write_estimates`]); a `.parquet` file with the codec of `written`.
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_estimates_labelled(
    path: &Path,
    rows: &[EstimateRow],
    labels: &Labels,
    lang: Lang,
    written: &WriteOptions,
) -> Result<()> {
    write_table(path, &estimates_table_labelled(rows, labels, lang)?, written)
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

/// Writes model rows by extension (.csv, .tsv, .parquet, .md, .json), atomically; a
/// `.parquet` file with the codec of `written`.
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_models(path: &Path, rows: &[ModelRow], written: &WriteOptions) -> Result<()> {
    write_table(path, &models_table(rows)?, written)
}

fn write_table(path: &Path, table: &Table, written: &WriteOptions) -> Result<()> {
    match format_of(path)? {
        TableFormat::Data => table.write_with(path, written),
        TableFormat::Markdown => super::write_text(path, &table.to_markdown()),
        TableFormat::Json => super::write_json(path, &table.to_records()),
        TableFormat::Publication(_) => Err(publication_refused(path)),
    }
}

/// Writes estimate rows by extension: publication tables for `.xlsx` (one sheet per
/// estimate and a methodology sheet), `.pub.md` and `.html`; else the rows as
/// [`write_estimates_labelled`] (in `setup.lang`).
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_estimates_published(
    path: &Path,
    rows: &[EstimateRow],
    labels: &Labels,
    setup: &Setup,
    written: &WriteOptions,
) -> Result<()> {
    let TableFormat::Publication(format) = format_of(path)? else {
        return write_estimates_labelled(path, rows, labels, setup.lang, written);
    };
    write_publication(path, format, &publication::tables(rows, labels, setup), setup)
}

/// The publication tables of the rows written three ways, as `ponder run` does
/// (`tables.xlsx`, `tables.md`, `tables.html`): a spreadsheet, Markdown and HTML — the
/// paths are taken as given, whatever their extension.
///
/// # Errors
/// I/O failures, naming the path.
pub fn write_publication_files(
    [xlsx, md, html]: &[std::path::PathBuf; 3],
    rows: &[EstimateRow],
    labels: &Labels,
    setup: &Setup,
) -> Result<()> {
    let tables = publication::tables(rows, labels, setup);
    write_publication(xlsx, PubFormat::Xlsx, &tables, setup)?;
    write_publication(md, PubFormat::Markdown, &tables, setup)?;
    write_publication(html, PubFormat::Html, &tables, setup)
}

fn write_publication(
    path: &Path,
    format: PubFormat,
    tables: &[PubTable],
    setup: &Setup,
) -> Result<()> {
    match format {
        PubFormat::Markdown => {
            super::write_text(path, &publication::to_markdown(tables, setup.lang))
        }
        PubFormat::Html => super::write_text(path, &publication::to_html(tables, setup.lang)),
        PubFormat::Xlsx => {
            let bytes = xlsx_bytes(tables, setup).map_err(|e| publication::xlsx_error(path, e))?;
            crate::data::write_atomic(path, |f| std::io::Write::write_all(f, &bytes))
        }
    }
}

/// The spreadsheet: one sheet per table, then the methodology sheet; a fixed creation
/// date (the same input gives the same bytes).
///
/// # Errors
/// The writer's errors (internal: names and formats are checked here).
pub fn xlsx_bytes(tables: &[PubTable], setup: &Setup) -> std::result::Result<Vec<u8>, XlsxError> {
    let en = setup.lang == Lang::En;
    let method = if en { "Methodology" } else { "Méthodologie" };
    let mut book = Workbook::new();
    let date = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&date).set_author("ponder"));
    for (t, name) in tables.iter().zip(publication::sheet_names(tables, method)) {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        write_sheet(sheet, t, setup.lang)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name(method)?;
    sheet.set_column_width(0, 100)?;
    sheet.write_string_with_format(0, 0, method, &Format::new().set_bold())?;
    for (i, line) in methodology_lines(setup).iter().enumerate() {
        sheet.write_string(i as u32 + 2, 0, line)?;
    }
    book.save_to_buffer()
}

/// The lines of the methodology sheet: general notes, rules, marks.
fn methodology_lines(setup: &Setup) -> Vec<String> {
    let en = setup.lang == Lang::En;
    let mut out = publication::general_notes(setup);
    if let Some(n) = setup.rules.min_n {
        out.push(match en {
            false => format!("(a) moins de {n} répondants : à interpréter avec prudence."),
            true => format!("(a) fewer than {n} respondents: read with caution."),
        });
    }
    if let Some(cv) = setup.rules.max_cv {
        let cv = publication::number(cv * 100.0, 0, setup.lang);
        out.push(match en {
            false => {
                format!("(b) coefficient de variation supérieur à {cv} % : estimation fragile.")
            }
            true => format!("(b) coefficient of variation above {cv}%: unreliable estimate."),
        });
    }
    if setup.rules.suppress {
        out.push(if en { "(c) value not published." } else { "(c) valeur non diffusée." }.into());
    }
    out.push(match en {
        false => "(d) aucun répondant ou estimation non définie.".into(),
        true => "(d) no respondent or undefined estimate.".into(),
    });
    if let Some(sig) = setup.significance {
        let level = publication::number(sig.level * 100.0, 0, setup.lang);
        let c = match (sig.correction, en) {
            (crate::model::Correction::Holm, _) => "Holm",
            (crate::model::Correction::Bonferroni, _) => "Bonferroni",
            (crate::model::Correction::None, false) => "aucune",
            (crate::model::Correction::None, true) => "none",
        };
        out.push(match en {
            false => format!(
                "* différence significative avec l'ensemble des domaines au seuil de {level} % \
                 (test z avec la covariance des deux estimations ; correction des comparaisons \
                 multiples d'un tableau : {c})."
            ),
            true => format!(
                "* significantly different from all domains together at the {level}% level (z \
                 test with the covariance of the two estimates; correction for the multiple \
                 comparisons of a table: {c})."
            ),
        });
    }
    out
}

/// One sheet: title, header row, one row per domain (value, interval bounds as numbers
/// with number formats; marks in the value's format), n, footnotes.
fn write_sheet(
    sheet: &mut Worksheet,
    t: &PubTable,
    lang: Lang,
) -> std::result::Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let zeros = "0".repeat(t.decimals);
    let base = match (t.percent, t.decimals) {
        (true, 0) => "0%".to_string(),
        (true, _) => format!("0.{zeros}%"),
        (false, 0) => "#,##0".to_string(),
        (false, _) => format!("#,##0.{zeros}"),
    };
    let plain = Format::new().set_num_format(&base);
    let count = Format::new().set_num_format("#,##0");
    sheet.write_string_with_format(0, 0, &t.title, &bold)?;
    let lead = t.row_heads.len() as u16;
    for (i, h) in t.row_heads.iter().enumerate() {
        sheet.write_string_with_format(2, i as u16, h, &bold)?;
        sheet.set_column_width(i as u16, 24)?;
    }
    let ci = publication::ci_head(t, lang);
    let (low, high) = if lang == Lang::En { ("low", "high") } else { ("borne inf.", "borne sup.") };
    for (j, c) in t.columns.iter().enumerate() {
        let col = lead + 3 * j as u16;
        let head = if t.percent { format!("{c} (%)") } else { c.clone() };
        sheet.write_string_with_format(2, col, &head, &bold)?;
        sheet.write_string_with_format(2, col + 1, format!("{ci} {low}"), &bold)?;
        sheet.write_string_with_format(2, col + 2, format!("{ci} {high}"), &bold)?;
        sheet.set_column_width(col, 14)?;
    }
    let n_col = lead + 3 * t.columns.len() as u16;
    sheet.write_string_with_format(2, n_col, "n", &bold)?;
    for (i, r) in t.rows.iter().enumerate() {
        let row = 3 + i as u32;
        for (k, l) in r.labels.iter().enumerate() {
            sheet.write_string(row, k as u16, l)?;
        }
        for (j, c) in r.cells.iter().enumerate() {
            let Some(c) = c else { continue };
            let col = lead + 3 * j as u16;
            let star = if c.differs && c.value.is_some() { "*" } else { "" };
            let marks = format!("{star}{}", publication::marks_text(&c.marks));
            match c.value {
                Some(v) if marks.is_empty() => {
                    sheet.write_number_with_format(row, col, v, &plain)?
                }
                Some(v) => {
                    let f = Format::new().set_num_format(format!("{base}\"{marks}\""));
                    sheet.write_number_with_format(row, col, v, &f)?
                }
                None => sheet.write_string(row, col, format!("–{marks}"))?,
            };
            if let (Some((l, h)), Some(_)) = (c.ci, c.value) {
                sheet.write_number_with_format(row, col + 1, l, &plain)?;
                sheet.write_number_with_format(row, col + 2, h, &plain)?;
            }
        }
        sheet.write_number_with_format(row, n_col, r.n as f64, &count)?;
    }
    let below = 4 + t.rows.len() as u32;
    for (i, f) in t.footnotes.iter().enumerate() {
        sheet.write_string(below + i as u32, 0, f)?;
    }
    Ok(())
}
