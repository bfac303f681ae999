//! Reading and writing files with polars, by extension, atomically.
//!
//! CSV/TSV columns are read as text and typed afterwards by ponder's own rule, not by
//! polars' inference on the first rows: a column becomes integer when every value is an
//! integer written without a leading zero, float when every value is a number, text
//! otherwise. Codes such as department `01` therefore stay text and are written back as
//! `01` (never silently recoded to `1`), and a late non-numeric value cannot make the read
//! fail after the first thousand rows.

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

    fn separator(self) -> u8 {
        if self == FileFormat::Tsv { b'\t' } else { b',' }
    }
}

pub(super) fn read_frame(path: &Path) -> Result<DataFrame> {
    let format = FileFormat::of(path)?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(path, "is a folder, a data file is needed"));
    }
    let df = match format {
        FileFormat::Parquet => {
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            ParquetReader::new(f)
                .finish()
                .map_err(|e| Error::io(path, format!("not a readable Parquet file: {e}")))?
        }
        FileFormat::Csv | FileFormat::Tsv => read_delimited(path, format)?,
    };
    check_frame(path, &df)?;
    Ok(df)
}

fn read_delimited(path: &Path, format: FileFormat) -> Result<DataFrame> {
    let header = check_header(path, format.separator())?;
    let parse = CsvParseOptions::default()
        .with_separator(format.separator())
        .with_missing_is_null(true)
        .with_truncate_ragged_lines(false);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(true)
        .with_parse_options(parse)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .map_err(|e| Error::io(path, e))?
        .finish()
        .map_err(|e| Error::io(path, csv_message(&e.to_string())))?;
    if df.width() != header {
        return Err(Error::io(path, "could not read every column of the header"));
    }
    type_columns(path, df)
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

/// Reads the header line: refuses an empty file, empty or duplicated column names.
fn check_header(path: &Path, sep: u8) -> Result<usize> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut line = String::new();
    BufReader::new(f).read_line(&mut line).map_err(|e| Error::io(path, e))?;
    let line = line.trim_end_matches(['\n', '\r']);
    if line.trim().is_empty() {
        return Err(Error::io(path, "the file is empty: a header row and data rows are needed"));
    }
    let names: Vec<&str> = line.split(sep as char).map(|s| s.trim().trim_matches('"')).collect();
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

fn csv_message(raw: &str) -> String {
    if raw.contains("found more fields") || raw.contains("ragged") {
        format!(
            "a row has more fields than the header (ragged CSV): {}; check quoting and separators",
            raw.lines().next().unwrap_or(raw)
        )
    } else {
        format!("not a readable CSV file: {}", raw.lines().next().unwrap_or(raw))
    }
}

fn check_frame(path: &Path, df: &DataFrame) -> Result<()> {
    if df.height() == 0 {
        return Err(Error::io(path, "the file has a header but no data rows"));
    }
    Ok(())
}

/// Types text columns: integer, float or text (see the module docs).
fn type_columns(path: &Path, df: DataFrame) -> Result<DataFrame> {
    let cols: Vec<Column> = df.columns().to_vec();
    // columns are typed independently: one per thread
    let typed: Vec<Column> = cols
        .par_iter()
        .map(type_column)
        .collect::<Result<_, _>>()
        .map_err(|e: PolarsError| Error::io(path, format!("typing columns: {e}")))?;
    check_ragged(path, &typed)?;
    DataFrame::new_infer_height(typed).map_err(|e| Error::io(path, e))
}

fn type_column(col: &Column) -> PolarsResult<Column> {
    let ca = col.str()?;
    if ca.len() == ca.null_count() {
        return Ok(col.clone());
    }
    match fast_type(ca) {
        Fast::Text => Ok(col.clone()),
        Fast::Typed(c) => Ok(c),
        Fast::Unsure => type_column_general(col, ca),
    }
}

/// The reference typing rule (see the module docs), used when [`fast_type`] meets a value
/// outside its strict grammar (`1-2`, `.5`, `1e400`, an integer overflowing i64 …).
fn type_column_general(col: &Column, ca: &StringChunked) -> PolarsResult<Column> {
    // one scan decides text / integer-looking / float-looking; then a single parse
    let mut integral = true;
    for s in ca.iter().flatten() {
        if !looks_numeric(s) {
            return Ok(col.clone());
        }
        integral &= !s.contains(['.', 'e', 'E']);
    }
    if integral {
        let as_i64 = col.cast(&DataType::Int64)?;
        if as_i64.null_count() == ca.null_count() {
            return Ok(as_i64);
        }
    }
    let as_f64 = col.cast(&DataType::Float64)?;
    if as_f64.null_count() != ca.null_count() {
        return Ok(col.clone()); // e.g. `1-2`: looks numeric, is not a number
    }
    Ok(as_f64)
}

/// Outcome of the one-pass typing of a text column.
enum Fast {
    /// Some value is not numeric: the column stays text.
    Text,
    /// Every value parsed under the strict grammar.
    Typed(Column),
    /// A value looks numeric but is outside the strict grammar: use the reference rule.
    Unsure,
}

/// One value under the strict grammar: `-?(0|[1-9][0-9]*)` fitting in i64 is an integer;
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` with a finite value is a float. On that
/// grammar `str::parse::<f64>` and polars' cast (fast-float) are both correctly rounded,
/// so the values are the same bits as the reference rule's.
enum Value {
    Int(i64),
    Float,
    NotNumeric,
    Unsure,
}

fn classify(s: &str) -> Value {
    let b = s.as_bytes();
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if let Some(v) = strict_int(digits, neg) {
        return Value::Int(v);
    }
    if !looks_numeric(s) {
        return Value::NotNumeric;
    }
    if strict_float(digits) { Value::Float } else { Value::Unsure }
}

/// `0|[1-9][0-9]*` without overflow, negated when `neg`.
#[inline]
fn strict_int(digits: &[u8], neg: bool) -> Option<i64> {
    let (&first, rest) = digits.split_first()?;
    if !first.is_ascii_digit() || first == b'0' && !rest.is_empty() || digits.len() > 19 {
        return None;
    }
    // accumulate negatively: i64::MIN has no positive counterpart
    let mut v: i64 = -i64::from(first - b'0');
    for &c in rest {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(c - b'0'))?;
    }
    if neg { Some(v) } else { v.checked_neg() }
}

/// `(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` (sign already stripped).
fn strict_float(b: &[u8]) -> bool {
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len == 0 || int_len > 1 && b[0] == b'0' {
        return false;
    }
    let mut rest = &b[int_len..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exp = exp.strip_prefix(b"+").or_else(|| exp.strip_prefix(b"-")).unwrap_or(exp);
        return !exp.is_empty() && exp.iter().all(u8::is_ascii_digit);
    }
    rest.is_empty()
}

/// Every value of a text column, `None` for a missing one (straight over the views when
/// there is no missing value).
fn for_each_str(ca: &StringChunked, mut f: impl FnMut(Option<&str>) -> bool) {
    if ca.null_count() == 0 {
        for arr in ca.downcast_iter() {
            for s in arr.values_iter() {
                if !f(Some(s)) {
                    return;
                }
            }
        }
    } else {
        for v in ca.iter() {
            if !f(v) {
                return;
            }
        }
    }
}

/// Types a text column in one pass (integers parsed on the way), falling back to
/// [`type_column_general`] on anything outside the strict grammar of [`classify`].
fn fast_type(ca: &StringChunked) -> Fast {
    let mut values: Vec<i64> = Vec::with_capacity(ca.len());
    let has_nulls = ca.null_count() > 0;
    let mut stop = None;
    for_each_str(ca, |v| {
        let Some(s) = v else {
            values.push(0);
            return true;
        };
        match classify(s) {
            Value::Int(x) => {
                values.push(x);
                true
            }
            other => {
                stop = Some(other);
                false
            }
        }
    });
    match stop {
        Some(Value::NotNumeric) => return Fast::Text,
        Some(Value::Unsure) => return Fast::Unsure,
        Some(_) => return fast_float(ca),
        None => {}
    }
    let name = ca.name().clone();
    let col = if has_nulls {
        let opts = values.into_iter().zip(ca.iter()).map(|(x, v)| v.map(|_| x));
        Int64Chunked::from_iter_options(name, opts)
    } else {
        Int64Chunked::from_vec(name, values)
    };
    Fast::Typed(col.into_column())
}

/// `-?d+(.d+)?` whose digits m (without the point) are below 2^53 with at most 22
/// decimals: m and 10^k are exact doubles, so the one correctly rounded division m / 10^k
/// is the correctly rounded value of the decimal (Clinger's fast path, the first step of
/// every correct parser), the same bits as `str::parse` without its general machinery.
/// `None` otherwise (exponent, too many digits).
#[inline]
fn exact_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let b = s.as_bytes();
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let (mut m, mut decimals, mut seen_point) = (0u64, 0usize, false);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0'); // at most 19 digits: no overflow
                decimals += usize::from(seen_point);
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if m > 1 << 53 || decimals > 22 {
        return None;
    }
    let v = m as f64 / POW10[decimals];
    Some(if neg { -v } else { v })
}

/// The column holds a float-looking value: every value must be a number in the strict
/// grammar (integers included, as floats), else text or the reference rule.
fn fast_float(ca: &StringChunked) -> Fast {
    let mut values: Vec<f64> = Vec::with_capacity(ca.len());
    let mut stop = None;
    for_each_str(ca, |v| {
        let Some(s) = v else {
            values.push(0.0);
            return true;
        };
        let parsed = match classify(s) {
            Value::Int(_) | Value::Float => {
                exact_decimal(s).or_else(|| s.parse::<f64>().ok().filter(|x| x.is_finite()))
            }
            Value::NotNumeric => {
                stop = Some(Fast::Text);
                return false;
            }
            Value::Unsure => None,
        };
        match parsed {
            Some(x) => {
                values.push(x);
                true
            }
            None => {
                stop = Some(Fast::Unsure);
                false
            }
        }
    });
    if let Some(stop) = stop {
        return stop;
    }
    let name = ca.name().clone();
    let col = if ca.null_count() > 0 {
        let opts = values.into_iter().zip(ca.iter()).map(|(x, v)| v.map(|_| x));
        Float64Chunked::from_iter_options(name, opts)
    } else {
        Float64Chunked::from_vec(name, values)
    };
    Fast::Typed(col.into_column())
}

/// A number in plain decimal/scientific notation, without a leading zero before other
/// digits (`01` is a code, `0.5` and `0` are numbers) and without surrounding spaces.
fn looks_numeric(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if digits.is_empty() || !digits[0].is_ascii_digit() && digits[0] != b'.' {
        return false;
    }
    if digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit() {
        return false;
    }
    b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
}

/// polars fills a row with fewer fields than the header with nulls; a ragged file is an
/// error here, so count fields on the raw lines when the last column has nulls.
fn check_ragged(path: &Path, cols: &[Column]) -> Result<()> {
    let Some(last) = cols.last() else { return Ok(()) };
    if last.null_count() == 0 {
        return Ok(());
    }
    let sep = if FileFormat::of(path)? == FileFormat::Tsv { b'\t' } else { b',' };
    let expected = cols.len();
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    for (line_no, fields) in field_counts(&text, sep).into_iter().enumerate() {
        if fields != expected && fields > 0 {
            return Err(Error::io(
                path,
                format!(
                    "line {} has {fields} field(s) but the header has {expected} (ragged CSV); \
                     every row needs one field per column (empty = missing)",
                    line_no + 1
                ),
            ));
        }
    }
    Ok(())
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

/// Writes `df` (whose first `k` columns are the CSV/TSV file `source`, rows untouched) to
/// `out` of the same format: each line of the source as it is, then the separator and the
/// new columns rendered by polars. Returns false (nothing written) when this does not apply:
/// another format, quotes in the source (a field may then hold a line break), or a line
/// count that is not the table's.
///
/// # Errors
/// I/O errors reading the source or writing `out` (atomically).
pub(super) fn write_appended(source: &Path, df: &DataFrame, k: usize, out: &Path) -> Result<bool> {
    let (Ok(fin), Ok(fout)) = (FileFormat::of(source), FileFormat::of(out)) else {
        return Ok(false);
    };
    if fin != fout || fin == FileFormat::Parquet {
        return Ok(false);
    }
    let text = std::fs::read(source).map_err(|e| Error::io(source, e))?;
    if text.contains(&b'"') {
        return Ok(false);
    }
    let body = text.strip_suffix(b"\n").unwrap_or(&text);
    let lines: Vec<&[u8]> =
        body.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect();
    if lines.len() != df.height() + 1 || lines.iter().any(|l| l.is_empty()) {
        return Ok(false);
    }
    let sep = fin.separator();
    let names: Vec<PlSmallStr> = df.get_column_names_owned().into_iter().skip(k).collect();
    let mut added: Vec<u8> = Vec::new();
    if !names.is_empty() {
        let mut new = df
            .select(names)
            .map_err(|e| Error::Internal(format!("selecting the new columns: {e}")))?;
        CsvWriter::new(&mut added)
            .include_header(true)
            .with_separator(sep)
            .finish(&mut new)
            .map_err(|e| Error::io(out, e))?;
    }
    let added_lines: Vec<&[u8]> = if added.is_empty() {
        Vec::new()
    } else {
        added.strip_suffix(b"\n").unwrap_or(&added).split(|&b| b == b'\n').collect()
    };
    if !added.is_empty() && added_lines.len() != lines.len() {
        return Ok(false); // a new text value with a line break: let polars write everything
    }
    write_atomic(out, |f| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        for (i, line) in lines.iter().enumerate() {
            w.write_all(line)?;
            if let Some(a) = added_lines.get(i) {
                w.write_all(&[sep])?;
                w.write_all(a)?;
            }
            w.write_all(b"\n")?;
        }
        w.flush()
    })?;
    Ok(true)
}

pub(super) fn write_frame(df: &mut DataFrame, path: &Path) -> Result<()> {
    let format = FileFormat::of(path)?;
    write_atomic(path, |f| match format {
        FileFormat::Parquet => ParquetWriter::new(f).finish(df).map(|_| ()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass typing gives the reference rule's column, type and bits.
    fn same_as_reference(values: &[Option<&str>]) {
        let col = Column::new("c".into(), values.to_vec());
        let fast = type_column(&col).unwrap();
        let ca = col.str().unwrap();
        let reference = if ca.null_count() == ca.len() {
            col.clone() // an all-missing column stays as read, before either rule
        } else {
            type_column_general(&col, ca).unwrap()
        };
        assert_eq!(fast.dtype(), reference.dtype(), "{values:?}");
        match fast.dtype() {
            DataType::Float64 => {
                let (a, b) = (fast.f64().unwrap(), reference.f64().unwrap());
                let bits = |c: &Float64Chunked| -> Vec<Option<u64>> {
                    c.iter().map(|v| v.map(f64::to_bits)).collect()
                };
                assert_eq!(bits(a), bits(b), "{values:?}");
            }
            _ => assert!(
                fast.as_materialized_series().equals_missing(reference.as_materialized_series())
            ),
        }
    }

    #[test]
    fn fast_typing_matches_the_reference_rule() {
        let cases: &[&[Option<&str>]] = &[
            &[Some("1"), Some("22"), None, Some("-3"), Some("0"), Some("-0")],
            &[Some("9223372036854775807"), Some("-9223372036854775808")],
            &[Some("9223372036854775808"), Some("1")],
            &[Some("01"), Some("2")],
            &[Some("1"), Some("1-2")],
            &[Some("1.5"), Some("2"), None, Some("-0.0"), Some("1e5"), Some("2.5E-3")],
            &[Some("35.123456789"), Some("20.931898740"), Some("0.1"), Some("0.30000000000000004")],
            &[Some("123456789012345678.5"), Some("9007199254740993.0"), Some("1e400")],
            &[Some(".5"), Some("5."), Some("1.e3")],
            &[Some("1e-400"), Some("4.9e-324"), Some("1.7976931348623157e308")],
            &[Some("12"), Some("abc")],
            &[Some("1.5"), Some("x")],
            &[Some("+5"), Some("5")],
            &[Some(""), Some("5")],
            &[Some("00.5")],
            &[Some("0.0000000000000000000001"), Some("0.00000000000000000000001")],
            &[None, None],
        ];
        for values in cases {
            same_as_reference(values);
        }
    }

    #[test]
    fn exact_decimal_matches_str_parse() {
        for s in ["0", "-0", "35.123456789", "0.1", "9007199254740992", "123.4567890123456"] {
            let fast = exact_decimal(s).unwrap();
            assert_eq!(fast.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}");
        }
        assert_eq!(exact_decimal("9007199254740993"), None);
        assert_eq!(exact_decimal("1e5"), None);
    }
}
