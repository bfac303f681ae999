//! Reading and writing files, by extension, atomically.
//!
//! CSV/TSV columns are typed by ponder's own rule ([`super::typing`]), not by polars'
//! inference on the first rows. A quote-free file is split and typed by
//! [`super::plain`]; any other is read by polars as text and typed afterwards.

use super::parquet::WriteOptions;
use super::plain::PlainText;
use super::typing::type_column;
use crate::error::{Error, Result};
use polars::prelude::*;
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The file formats ponder reads and writes, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.csv`: comma-separated, header row, `.` decimal, empty field = missing.
    Csv,
    /// `.tsv`: tab-separated.
    Tsv,
    /// `.parquet`.
    Parquet,
}

impl FileFormat {
    /// The format of a path, by extension.
    ///
    /// # Errors
    /// An extension other than `.csv`, `.tsv`, `.parquet`.
    pub fn of(path: &Path) -> Result<FileFormat> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(FileFormat::Csv),
            Some("tsv") => Ok(FileFormat::Tsv),
            Some("parquet") => Ok(FileFormat::Parquet),
            other => Err(Error::io(
                path,
                format!(
                    "unknown file extension `{}`: use .csv, .tsv or .parquet",
                    other.map(|e| format!(".{e}")).unwrap_or_default()
                ),
            )),
        }
    }

    pub(super) fn separator(self) -> u8 {
        if self == FileFormat::Tsv { b'\t' } else { b',' }
    }
}

/// Reads a data file; for a CSV/TSV file without quotes, also its lines, kept to write
/// them back verbatim.
pub(super) fn read_frame(path: &Path) -> Result<(DataFrame, Option<PlainText>)> {
    let format = data_file(path)?;
    let (df, plain) = match format {
        FileFormat::Parquet => {
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            let df = ParquetReader::new(f)
                .finish()
                .map_err(|e| Error::io(path, format!("not a readable Parquet file: {e}")))?;
            (df, None)
        }
        FileFormat::Csv | FileFormat::Tsv => read_delimited(path, format)?,
    };
    check_frame(path, &df)?;
    Ok((df, plain))
}

/// The format of a data file to read, by extension.
///
/// # Errors
/// An unknown extension, a missing file, a folder.
pub(super) fn data_file(path: &Path) -> Result<FileFormat> {
    let format = FileFormat::of(path)?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(path, "is a folder, a data file is needed"));
    }
    Ok(format)
}

/// Reads a CSV/TSV file once: blank lines at its end are not rows and are left out, a
/// blank line between rows is refused (it is neither a row nor a row of missing values);
/// then ponder splits the file itself when every quote in it wraps a whole field
/// ([`PlainText`]), polars reads any other.
fn read_delimited(path: &Path, format: FileFormat) -> Result<(DataFrame, Option<PlainText>)> {
    let sep = format.separator();
    let header = check_header(path, format)?;
    let mut text = super::plain::read_parallel(path).map_err(|e| Error::io(path, e))?;
    trim_trailing_blank_lines(&mut text);
    let plain = PlainText::split(text);
    let (df, plain) = match plain.parse(sep) {
        Some(df) => (df, Some(plain)),
        None => {
            // the splitter declines a blank line: refuse it here, on records when a quoted
            // value may span lines
            let blank = if plain.quoted() {
                field_counts(plain.bytes(), sep).iter().position(|&n| n == 0).map(|i| i + 1)
            } else {
                plain.first_blank_line()
            };
            refuse_blank_line(path, blank)?;
            // lines that may not be records are not written back verbatim
            let df = read_with_polars(path, plain.bytes(), format)?;
            (df, Some(plain).filter(|p| !p.quoted()))
        }
    };
    if df.width() != header {
        return Err(Error::io(path, "could not read every column of the header"));
    }
    Ok((df, plain))
}

/// The line (from 1) of a quote opened and never closed, if any.
fn unclosed_quote_line(text: &[u8]) -> Option<usize> {
    let mut open = None;
    for p in memchr::memchr_iter(b'"', text) {
        open = if open.is_some() { None } else { Some(p) };
    }
    open.map(|p| 1 + memchr::memchr_iter(b'\n', &text[..p]).count())
}

/// Drops the line breaks after the last one that ends a line with content.
fn trim_trailing_blank_lines(text: &mut Vec<u8>) {
    let breaks = text.iter().rev().take_while(|&&b| b == b'\n' || b == b'\r').count();
    let keep = text.len() - breaks;
    let terminator = if text[keep..].starts_with(b"\r\n") { 2 } else { 1 };
    text.truncate((keep + terminator).min(text.len()));
}

fn refuse_blank_line(path: &Path, line: Option<usize>) -> Result<()> {
    match line {
        None => Ok(()),
        Some(line) => Err(Error::io(
            path,
            format!(
                "line {line} is blank: a row needs one field per column (empty = missing); \
                 remove the blank line, or write the separators of a row of missing values"
            ),
        )),
    }
}

/// Reads a delimited file's bytes as text with polars, then types its columns.
pub(super) fn read_with_polars(path: &Path, text: &[u8], format: FileFormat) -> Result<DataFrame> {
    let parse = CsvParseOptions::default()
        .with_separator(format.separator())
        .with_missing_is_null(true)
        .with_truncate_ragged_lines(false);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(true)
        .with_parse_options(parse)
        .into_reader_with_file_handle(std::io::Cursor::new(text))
        .finish()
        .map_err(|e| match std::str::from_utf8(text) {
            Err(bad) => {
                let line = 1 + memchr::memchr_iter(b'\n', &text[..bad.valid_up_to()]).count();
                Error::io(path, format!("line {line} is not UTF-8 text; save the file in UTF-8"))
            }
            Ok(_) => match unclosed_quote_line(text) {
                Some(line) => Error::io(
                    path,
                    format!(
                        "line {line} opens a quoted value that is never closed: close the \
                         quote, or double a quote inside a value (\"\")"
                    ),
                ),
                None => Error::io(path, csv_message(&e.to_string(), text, format.separator())),
            },
        })?;
    type_columns(path, text, format.separator(), df)
}

/// The column names of a data file without reading its rows: the header line of a CSV/TSV
/// file, the schema of a Parquet file.
///
/// # Errors
/// An unknown extension, a missing or unreadable file.
pub fn column_names_of(path: &Path) -> Result<Vec<String>> {
    match FileFormat::of(path)? {
        FileFormat::Parquet => {
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            let schema = ParquetReader::new(f)
                .schema()
                .map_err(|e| Error::io(path, format!("not a readable Parquet file: {e}")))?;
            Ok(schema.iter_names().map(|n| n.to_string()).collect())
        }
        format => {
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            let mut line = String::new();
            BufReader::new(f).read_line(&mut line).map_err(|e| Error::io(path, e))?;
            let sep = format.separator() as char;
            Ok(line
                .trim_end_matches(['\n', '\r'])
                .split(sep)
                .map(|s| s.trim().trim_matches('"').to_string())
                .collect())
        }
    }
}

/// Reads the header line: refuses an empty file, a header that is not UTF-8, a header that
/// reads as one column because the file uses another separator, empty or duplicated
/// column names.
pub(super) fn check_header(path: &Path, format: FileFormat) -> Result<usize> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut raw = Vec::new();
    BufReader::new(f).read_until(b'\n', &mut raw).map_err(|e| Error::io(path, e))?;
    let line = std::str::from_utf8(&raw).map_err(|_| {
        Error::io(path, "the header line is not UTF-8 text; save the file in UTF-8")
    })?;
    let line = line.trim_end_matches(['\n', '\r']);
    if line.trim().is_empty() {
        return Err(Error::io(path, "the file is empty: a header row and data rows are needed"));
    }
    if line.contains('\r') {
        return Err(Error::io(
            path,
            "lines end with a carriage return alone (old Mac text): save the file with \
             LF or CRLF line ends",
        ));
    }
    let sep = format.separator() as char;
    let names: Vec<&str> = line.split(sep).map(|s| s.trim().trim_matches('"')).collect();
    if let [name] = names[..] {
        let other = [';', '\t', ','].into_iter().find(|&c| c != sep && name.contains(c));
        if let Some(c) = other {
            let (found, expected) = (separator_name(c), separator_name(sep));
            return Err(Error::io(
                path,
                format!(
                    "the header `{}` reads as one column: the file seems {found}-separated, \
                     but a .{} file is read as {expected}-separated; convert the file (with \
                     `.` as decimal mark) or give it the extension of its separator \
                     (.csv comma, .tsv tab)",
                    name.escape_debug(),
                    if format == FileFormat::Tsv { "tsv" } else { "csv" }
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(Error::io(path, format!("column {} of the header has no name", i + 1)));
        }
        if !seen.insert(*n) {
            return Err(Error::io(
                path,
                format!("column `{n}` appears twice in the header; rename one of them"),
            ));
        }
    }
    Ok(names.len())
}

fn separator_name(c: char) -> &'static str {
    match c {
        ';' => "semicolon",
        '\t' => "tab",
        _ => "comma",
    }
}

/// polars' message for a CSV it cannot read; a row with more fields than the header is
/// named by its line.
fn csv_message(raw: &str, text: &[u8], sep: u8) -> String {
    let first = raw.lines().next().unwrap_or(raw);
    if raw.contains("found more fields") || raw.contains("ragged") {
        let counts = field_counts(text, sep);
        let header = counts.first().copied().unwrap_or(0);
        match first_ragged_line(&counts, header) {
            Some((line, fields)) => ragged_message(line, fields, header),
            None => format!(
                "a row has more fields than the header (ragged CSV): {first}; check quoting \
                 and separators"
            ),
        }
    } else {
        format!("not a readable CSV file: {first}")
    }
}

/// The first line (from 1) whose record has another number of fields than `expected`
/// (blank lines aside), with its number of fields; `counts` as [`field_counts`] gives them.
fn first_ragged_line(counts: &[usize], expected: usize) -> Option<(usize, usize)> {
    counts
        .iter()
        .copied()
        .enumerate()
        .find(|&(_, fields)| fields != expected && fields > 0)
        .map(|(i, fields)| (i + 1, fields))
}

fn ragged_message(line: usize, fields: usize, expected: usize) -> String {
    format!(
        "line {line} has {fields} field(s) but the header has {expected} (ragged CSV); every \
         row needs one field per column (empty = missing): check quoting and separators"
    )
}

pub(super) fn check_frame(path: &Path, df: &DataFrame) -> Result<()> {
    if df.height() == 0 {
        return Err(Error::io(path, "the file has a header but no data rows"));
    }
    Ok(())
}

/// Types text columns: integer, float or text (see the module docs).
fn type_columns(path: &Path, text: &[u8], sep: u8, df: DataFrame) -> Result<DataFrame> {
    let cols: Vec<Column> = df.columns().to_vec();
    // columns are typed independently: one per thread
    let typed: Vec<Column> = cols
        .par_iter()
        .map(type_column)
        .collect::<Result<_, _>>()
        .map_err(|e: PolarsError| Error::io(path, format!("typing columns: {e}")))?;
    check_ragged(path, text, sep, &typed)?;
    DataFrame::new_infer_height(typed).map_err(|e| Error::io(path, e))
}

/// polars fills a row with fewer fields than the header with nulls; a ragged file is an
/// error here, so count fields on the raw lines when the last column has nulls.
fn check_ragged(path: &Path, text: &[u8], sep: u8, cols: &[Column]) -> Result<()> {
    let Some(last) = cols.last() else { return Ok(()) };
    if last.null_count() == 0 {
        return Ok(());
    }
    match first_ragged_line(&field_counts(text, sep), cols.len()) {
        Some((line, fields)) => Err(Error::io(path, ragged_message(line, fields, cols.len()))),
        None => Ok(()),
    }
}

/// Number of fields on each record, quote-aware (a quoted field may hold separators and
/// line breaks). A blank line counts 0.
fn field_counts(text: &[u8], sep: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut in_quotes, mut fields, mut empty_line) = (false, 1usize, true);
    for &c in text {
        match c {
            b'"' => {
                in_quotes = !in_quotes;
                empty_line = false;
            }
            b'\n' if !in_quotes => {
                counts.push(if empty_line { 0 } else { fields });
                fields = 1;
                empty_line = true;
            }
            b'\r' if !in_quotes => {}
            c if c == sep && !in_quotes => {
                fields += 1;
                empty_line = false;
            }
            _ => empty_line = false,
        }
    }
    if !empty_line {
        counts.push(fields);
    }
    counts
}

/// Checks that an output path can be written: known extension, existing folder, and not
/// one of the inputs (inputs are never overwritten).
///
/// # Errors
/// Each of the above, naming the path.
pub fn check_output_path(out: &Path, inputs: &[&Path]) -> Result<()> {
    if out.is_dir() {
        return Err(Error::io(
            out,
            "is a folder: give the output file's name, e.g. `out/weighted.csv`",
        ));
    }
    FileFormat::of(out)?;
    check_writable_path(out, inputs)
}

/// Like [`check_output_path`] for any file (reports), without the data-format check.
pub fn check_writable_path(out: &Path, inputs: &[&Path]) -> Result<()> {
    let dir = parent_dir(out);
    if !dir.is_dir() {
        return Err(Error::io(
            out,
            format!("the output folder `{}` does not exist; create it first", dir.display()),
        ));
    }
    let target = resolved(out);
    for input in inputs {
        if resolved(input) == target {
            return Err(Error::io(
                out,
                "the output would overwrite an input file; choose another output path",
            ));
        }
    }
    Ok(())
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn resolved(p: &Path) -> PathBuf {
    let dir = parent_dir(p).canonicalize().unwrap_or_else(|_| parent_dir(p));
    dir.join(p.file_name().unwrap_or_default())
}

pub(super) fn write_frame(df: &mut DataFrame, path: &Path, opts: &WriteOptions) -> Result<()> {
    let format = FileFormat::of(path)?;
    // polars writes the column chunks in parallel (one task per column), with min/max
    // statistics (kept: readers use them to skip row groups; ≈ 18 ms of a 96 ms
    // uncompressed write of 409 columns)
    write_atomic(path, |f| match format {
        FileFormat::Parquet => super::parquet::write(df, f, opts.parquet),
        FileFormat::Csv | FileFormat::Tsv => {
            CsvWriter::new(f).include_header(true).with_separator(format.separator()).finish(df)
        }
    })
}

/// Writes a file through a temporary file in the destination folder and a rename, so an
/// interrupted or failed write leaves nothing behind.
///
/// # Errors
/// A missing folder or a failed write, naming the path.
pub fn write_atomic<E: std::fmt::Display>(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::result::Result<(), E>,
) -> Result<()> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(Error::io(
            path,
            format!("the output folder `{}` does not exist; create it first", dir.display()),
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".ponder-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(path, format!("cannot create a temporary file: {e}")))?;
    write(tmp.as_file_mut()).map_err(|e| Error::io(path, format!("writing failed: {e}")))?;
    tmp.as_file_mut().flush().map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // temporary files are created private (0600); outputs get the usual rw-r--r--
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        tmp.as_file().set_permissions(perms).map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path)
        .map_err(|e| Error::io(path, format!("cannot move the file in place: {e}")))?;
    Ok(())
}

pub(super) fn to_markdown(df: &DataFrame) -> String {
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let mut out = format!("| {} |\n", names.join(" | "));
    out.push_str(&format!("|{}\n", " --- |".repeat(names.len())));
    for i in 0..df.height() {
        let cells: Vec<String> = df
            .columns()
            .iter()
            .map(|c| match c.get(i) {
                Ok(AnyValue::Null) | Err(_) => String::new(),
                Ok(AnyValue::String(s)) => s.replace('|', "\\|"),
                Ok(AnyValue::Float64(v)) => format_number(v),
                Ok(v) => v.to_string(),
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

fn format_number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.abs() >= 1e-4 && v.abs() < 1e15 {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:e}")
    }
}

pub(super) fn to_records(df: &DataFrame) -> Vec<serde_json::Map<String, serde_json::Value>> {
    (0..df.height())
        .map(|i| {
            df.columns()
                .iter()
                .map(|c| {
                    let v = match c.get(i) {
                        Ok(AnyValue::String(s)) => serde_json::Value::from(s),
                        Ok(AnyValue::Float64(v)) if v.is_finite() => serde_json::Value::from(v),
                        Ok(AnyValue::Int64(v)) => serde_json::Value::from(v),
                        Ok(AnyValue::Boolean(b)) => serde_json::Value::from(b),
                        _ => serde_json::Value::Null,
                    };
                    (c.name().to_string(), v)
                })
                .collect()
        })
        .collect()
}
