//! The data layer: the only module that touches polars.
//!
//! - [`Table::read`] reads a `.csv`, `.tsv` or `.parquet` file into a table whose columns
//!   are extracted on demand as typed vectors: [`Table::numeric`] (`Vec<f64>`, refusing
//!   missing values), [`Table::numeric_opt`] (explicit `Option<f64>`), [`Table::factor`]
//!   (codes + levels, categories matched by their text form).
//! - [`Table::read_columns`] reads only the columns a step names (`ponder calibrate`): a
//!   large CSV/TSV file chunk by chunk, categorical columns as compact codes, written back
//!   by copying its lines chunk by chunk (files outside the chunk grammar are read whole).
//! - New columns are appended with [`Table::add_column`]; a name that already exists is
//!   refused, never overwritten.
//! - [`Table::write`] writes every input column, in order, plus the new ones, to CSV/TSV or
//!   Parquet through a temporary file in the destination folder and a rename, so a failed
//!   run never leaves a partial file; [`Table::write_with`] chooses the Parquet codec
//!   ([`ParquetCodec`], LZ4 by default).
//!
//! Rows are numbered from 1 in messages ("row 3" is the third data row, line 4 of a CSV).
//! Blank lines after the last row of a CSV/TSV file are not rows; a blank line between
//! rows is refused.

mod coding;
mod factor;
mod io;
mod parquet;
mod plain;
mod projection;
mod stream;
mod typing;
pub mod weights;
mod write;

pub use factor::{Factor, float_label as factor_label};
pub use io::{FileFormat, check_output_path, check_writable_path, column_names_of, write_atomic};
pub use parquet::{ParquetCodec, WriteOptions, parquet_codecs_of};
pub use stream::ColumnUse;
pub use weights::{BadWeights, check_weights, row_list};

use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Text that other tools write for a missing value: ponder reads only an empty field as
/// missing, so say how to export such a file.
fn missing_marker_hint(value: &str) -> &'static str {
    const MARKERS: [&str; 8] = ["NA", "N/A", "NaN", "nan", "null", "NULL", ".", "-"];
    if MARKERS.contains(&value) {
        " (a missing value is an empty field in ponder's files: export with empty missing \
         values, e.g. R `write.csv(x, na = \"\")`, or replace the marker by nothing)"
    } else {
        ""
    }
}

/// A column of values to append to a table or to build an output table.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Floating-point values; `None` is written as a missing value.
    F64(Vec<Option<f64>>),
    /// Integers.
    I64(Vec<Option<i64>>),
    /// Text.
    Str(Vec<Option<String>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Text given as codes into `levels` (`u32::MAX` = missing): written as text, without
    /// one string allocation per row (large synthetic registers).
    Coded {
        /// Code per row.
        codes: Vec<u32>,
        /// Text of each code.
        levels: Vec<String>,
    },
}

impl ColumnData {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::F64(v) => v.len(),
            ColumnData::I64(v) => v.len(),
            ColumnData::Str(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
            ColumnData::Coded { codes, .. } => codes.len(),
        }
    }

    /// True when the column has no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A float column without missing values.
    pub fn from_f64(values: &[f64]) -> Self {
        ColumnData::F64(values.iter().map(|&v| if v.is_nan() { None } else { Some(v) }).collect())
    }

    fn into_column(self, name: &str) -> Column {
        let name = PlSmallStr::from(name);
        match self {
            ColumnData::F64(v) => Column::new(name, v),
            ColumnData::I64(v) => Column::new(name, v),
            ColumnData::Str(v) => Column::new(name, v),
            ColumnData::Bool(v) => Column::new(name, v),
            ColumnData::Coded { codes, levels } => {
                let text: StringChunked =
                    codes.iter().map(|&c| levels.get(c as usize).map(String::as_str)).collect();
                text.with_name(name).into_column()
            }
        }
    }
}

/// A data file held in memory: the input columns untouched, plus appended columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where the table came from (used in messages); empty for built tables.
    path: PathBuf,
    df: DataFrame,
    /// For a quote-free CSV/TSV file read as is (rows untouched): how many leading columns
    /// are the file's, and its lines. Writing such a table to the same format copies those
    /// lines verbatim and appends the new columns ([`plain::PlainText::write_appended`]).
    file_lines: Option<(usize, Arc<plain::PlainText>)>,
    /// For a table read by chunks ([`Table::read_columns`]): the header, the row count,
    /// the columns read as categories; `df` holds the columns read as values, then the new
    /// ones.
    partial: Option<Arc<stream::Partial>>,
    /// For a Parquet file read in part ([`Table::read_projected`]): every column name of
    /// the file, in order; `df` holds the columns read.
    projected: Option<Arc<[String]>>,
}

impl Table {
    /// Reads a CSV (`.csv`), tab-separated (`.tsv`) or Parquet (`.parquet`) file.
    ///
    /// # Errors
    /// A missing or unreadable file, an unknown extension, an empty or header-only file, a
    /// ragged CSV row, a duplicated column name: each an error naming the file and the fix.
    pub fn read(path: &Path) -> Result<Table> {
        let (df, plain) = io::read_frame(path)?;
        let file_lines = plain.map(|p| (df.width(), Arc::new(p)));
        Ok(Table { path: path.to_path_buf(), df, file_lines, partial: None, projected: None })
    }

    /// Reads the columns a step needs from a data file: for a CSV/TSV file, chunk by chunk,
    /// keeping only the columns `pick` asks for (by header name), those used as categories
    /// as compact codes; writing the table back to the same format reads the file again,
    /// chunk by chunk, and copies its lines with the new columns appended. Memory then
    /// grows with the picked columns only (a categorical margin: 1 to 4 bytes a row).
    ///
    /// The table answers like [`Table::read`]'s on the picked columns ([`Table::numeric`],
    /// [`Table::factor`] …), knows every column name (messages, [`Table::has_column`],
    /// [`Table::columns_matching`]) and writes every input column; a column not picked
    /// cannot be read from it (an internal error). A file the chunked reader does not take
    /// (quotes inside values, carriage returns, blank lines, ragged rows, text that is not
    /// UTF-8, a value column whose typing needs its text), and a Parquet file, are read whole
    /// by [`Table::read`]: the same table, the same errors, whatever the path.
    ///
    /// A file of less than 256 MB (sixteen chunks of 16 MB) is read whole: there, reading
    /// it twice costs more time than its memory is worth (a 100 MB file of 2.5 M rows
    /// takes ≈ 430 MB whole).
    ///
    /// # Errors
    /// As [`Table::read`].
    pub fn read_columns(
        path: &Path,
        pick: &(dyn Fn(&str) -> Option<ColumnUse> + Sync),
    ) -> Result<Table> {
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
        if len < 16 * stream::CHUNK_BYTES as u64 {
            return Table::read(path);
        }
        Self::read_columns_in_chunks(path, pick, stream::CHUNK_BYTES)
    }

    /// [`Table::read_columns`] with chunks of about `chunk_bytes` bytes, whatever the size
    /// of the file (tests use small chunks so that a small file crosses many).
    ///
    /// # Errors
    /// As [`Table::read`].
    pub fn read_columns_in_chunks(
        path: &Path,
        pick: &(dyn Fn(&str) -> Option<ColumnUse> + Sync),
        chunk_bytes: usize,
    ) -> Result<Table> {
        let format = io::data_file(path)?;
        if format == FileFormat::Parquet {
            return Table::read(path);
        }
        match stream::read(path, format, pick, chunk_bytes)? {
            Some((df, partial)) => Ok(Table {
                path: path.to_path_buf(),
                df,
                file_lines: None,
                partial: Some(Arc::new(partial)),
                projected: None,
            }),
            None => Table::read(path),
        }
    }

    /// Builds a table from named columns (all of the same length).
    pub fn from_columns(columns: Vec<(String, ColumnData)>) -> Result<Table> {
        let cols: Vec<Column> = columns.into_iter().map(|(n, c)| c.into_column(&n)).collect();
        let df = DataFrame::new_infer_height(cols)
            .map_err(|e| Error::Internal(format!("building an output table: {e}")))?;
        Ok(Table { path: PathBuf::new(), df, file_lines: None, partial: None, projected: None })
    }

    /// The file this table was read from, for messages.
    pub fn source(&self) -> String {
        self.path.display().to_string()
    }

    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.partial.as_ref().map_or(self.df.height(), |p| p.rows)
    }

    /// Column names, in file order (then the appended ones).
    pub fn column_names(&self) -> Vec<String> {
        let names = self.df.get_column_names().into_iter();
        if let Some(all) = &self.projected {
            let added = names.filter(|n| !all.iter().any(|a| a == n.as_str()));
            return all.iter().cloned().chain(added.map(|s| s.to_string())).collect();
        }
        match &self.partial {
            None => names.map(|s| s.to_string()).collect(),
            Some(p) => {
                p.names.iter().cloned().chain(names.skip(p.k).map(|s| s.to_string())).collect()
            }
        }
    }

    /// True when the table has this column.
    pub fn has_column(&self, name: &str) -> bool {
        self.df.column(name).is_ok()
            || self.partial.as_ref().is_some_and(|p| p.names.iter().any(|n| n == name))
            || self.projected.as_ref().is_some_and(|all| all.iter().any(|n| n == name))
    }

    /// Names of the columns matching a glob pattern (`rep_*`), in file order.
    ///
    /// # Errors
    /// An invalid pattern.
    pub fn columns_matching(&self, pattern: &str) -> Result<Vec<String>> {
        let pat = glob::Pattern::new(pattern).map_err(|e| {
            Error::data(self.source(), format!("invalid column pattern `{pattern}`: {e}"))
        })?;
        Ok(self.column_names().into_iter().filter(|n| pat.matches(n)).collect())
    }

    fn column(&self, name: &str) -> Result<&Column> {
        self.df.column(name).map_err(|_| {
            if self.has_column(name) {
                Error::Internal(format!("column `{name}` was not read from {}", self.source()))
            } else {
                self.unknown_column(name)
            }
        })
    }

    /// The error for a column that does not exist, with a did-you-mean suggestion.
    pub fn unknown_column(&self, name: &str) -> Error {
        let names = self.column_names();
        // names shown escaped: a stray control character (`d\0`) must be visible
        let shown = |s: &str| s.escape_debug().to_string();
        let hint = match crate::hint::suggest(name, names.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{}`?", shown(&s)),
            None => {
                let all: Vec<String> = names.iter().map(|n| shown(n)).collect();
                format!("the columns are: {}", all.join(", "))
            }
        };
        Error::data(self.source(), format!("no column `{}` ({hint})", shown(name)))
    }

    /// A numeric column as `f64`, refusing missing values.
    ///
    /// # Errors
    /// Unknown column, non-numeric values, or missing values (the message gives their count
    /// and first rows).
    pub fn numeric(&self, name: &str) -> Result<Vec<f64>> {
        let fast = self.numeric_or_nan(name)?;
        if !fast.iter().any(|v| v.is_nan()) {
            return Ok(fast);
        }
        let values = self.numeric_opt(name)?;
        let missing: Vec<usize> =
            values.iter().enumerate().filter(|(_, v)| v.is_none()).map(|(i, _)| i).collect();
        if !missing.is_empty() {
            return Err(Error::data(
                self.source(),
                format!(
                    "column `{name}` has {} missing value(s) ({}); fill them or drop those rows",
                    missing.len(),
                    rows_list(&missing)
                ),
            ));
        }
        Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// A numeric column as `f64`, missing values as NaN: the values of
    /// [`Table::numeric_opt`] with `None` → NaN, straight from the value buffers for integer
    /// and float columns (no `Option` per row).
    ///
    /// # Errors
    /// As [`Table::numeric_opt`].
    pub fn numeric_or_nan(&self, name: &str) -> Result<Vec<f64>> {
        let col = self.column(name)?;
        let internal = |e: PolarsError| Error::Internal(e.to_string());
        match col.dtype() {
            DataType::Float64 => {
                let ca = col.f64().map_err(internal)?;
                Ok(values_or_nan(ca, |x| if x.is_nan() { f64::NAN } else { x }))
            }
            DataType::Int64 => {
                let ca = col.i64().map_err(internal)?;
                Ok(values_or_nan(ca, |x| x as f64))
            }
            _ => Ok(self.numeric_opt(name)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect()),
        }
    }

    /// A numeric column as `f64` with missing values explicit.
    ///
    /// # Errors
    /// Unknown column, or a text column whose values are not numbers.
    pub fn numeric_opt(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let col = self.column(name)?;
        match col.dtype() {
            DataType::String => self.parse_text_numbers(name, col),
            dt if dt.is_primitive_numeric() || dt.is_bool() => {
                let cast = col.cast(&DataType::Float64).map_err(|e| {
                    Error::data(self.source(), format!("column `{name}` is not numeric: {e}"))
                })?;
                let ca = cast.f64().map_err(|e| Error::Internal(e.to_string()))?;
                Ok(ca.iter().map(|v| v.filter(|x| !x.is_nan())).collect())
            }
            DataType::Null => Ok(vec![None; self.n_rows()]),
            dt => Err(Error::data(
                self.source(),
                format!("column `{name}` has type {dt}, a numeric column is needed"),
            )),
        }
    }

    fn parse_text_numbers(&self, name: &str, col: &Column) -> Result<Vec<Option<f64>>> {
        let ca = col.str().map_err(|e| Error::Internal(e.to_string()))?;
        let mut out = Vec::with_capacity(ca.len());
        for (i, v) in ca.iter().enumerate() {
            match v.map(str::trim) {
                None | Some("") => out.push(None),
                Some(s) => match s.parse::<f64>() {
                    Ok(x) if x.is_finite() => out.push(Some(x)),
                    _ => {
                        return Err(Error::data(
                            self.source(),
                            format!(
                                "column `{name}` must be numeric but row {} holds `{}`; \
                                 fix the value or choose a numeric column{}",
                                i + 1,
                                s.escape_debug(),
                                missing_marker_hint(s)
                            ),
                        ));
                    }
                },
            }
        }
        Ok(out)
    }

    /// A categorical view of any column: values are matched by their text form
    /// (integer 1 and float 1.0 are both `"1"`); levels are sorted (numerically for numeric
    /// columns); missing values get [`Factor::MISSING`].
    ///
    /// # Errors
    /// Unknown column, or an unsupported column type.
    pub fn factor(&self, name: &str) -> Result<Factor> {
        if let Some(p) = &self.partial
            && let Some((_, coded)) = p.coded.iter().find(|(n, _)| n == name)
        {
            return Ok(coded.factor());
        }
        let col = self.column(name)?;
        coding::from_column(col)
            .map_err(|m| Error::data(self.source(), format!("column `{name}`: {m}")))
    }

    /// Appends a column.
    ///
    /// # Errors
    /// A column of that name already exists (never overwritten), or the length differs from
    /// the table's.
    pub fn add_column(&mut self, name: &str, data: ColumnData) -> Result<()> {
        if self.has_column(name) {
            return Err(Error::data(
                self.source(),
                format!(
                    "the output column `{name}` already exists in the input; \
                     choose another name (columns are never overwritten)"
                ),
            ));
        }
        if data.len() != self.n_rows() {
            return Err(Error::Internal(format!(
                "column `{name}` has {} values for {} rows",
                data.len(),
                self.n_rows()
            )));
        }
        self.df
            .with_column(data.into_column(name))
            .map_err(|e| Error::Internal(format!("adding column `{name}`: {e}")))?;
        Ok(())
    }

    /// Appends a float column (NaN written as a missing value), like
    /// `add_column(name, ColumnData::from_f64(values))` without the `Option` per row.
    ///
    /// # Errors
    /// As [`Table::add_column`].
    pub fn add_f64(&mut self, name: &str, values: &[f64]) -> Result<()> {
        self.add_f64_vec(name, values.to_vec())
    }

    /// Appends every column of `other` (same number of rows) that this table lacks: a unit
    /// file joined to its persons' columns (`other` = the person rows taken per unit).
    ///
    /// # Errors
    /// Tables of different heights.
    pub fn adopt_columns(&mut self, other: &Table) -> Result<()> {
        if other.partial.is_some() || other.projected.is_some() {
            return Err(Error::Internal("joining the columns of a partly read table".into()));
        }
        if other.n_rows() != self.n_rows() {
            return Err(Error::Internal(format!(
                "joining {} rows to {} rows",
                other.n_rows(),
                self.n_rows()
            )));
        }
        for col in other.df.columns() {
            if !self.has_column(col.name()) {
                self.df
                    .with_column(col.clone())
                    .map_err(|e| Error::Internal(format!("joining `{}`: {e}", col.name())))?;
            }
        }
        Ok(())
    }

    /// Keeps the rows whose index is listed (in that order).
    pub fn take_rows(&self, rows: &[usize]) -> Result<Table> {
        if self.partial.is_some() || self.projected.is_some() {
            return Err(Error::Internal("selecting rows of a partly read table".into()));
        }
        let idx: Vec<IdxSize> = rows.iter().map(|&r| r as IdxSize).collect();
        let idx = IdxCa::from_vec(PlSmallStr::from("idx"), idx);
        let df = self.df.take(&idx).map_err(|e| Error::Internal(format!("selecting rows: {e}")))?;
        Ok(Table { path: self.path.clone(), df, file_lines: None, partial: None, projected: None })
    }

    /// Renders the table as a GitHub-flavoured Markdown table (for estimate tables; not
    /// for a table read with [`Table::read_columns`], which lacks the columns not read).
    pub fn to_markdown(&self) -> String {
        io::to_markdown(&self.df)
    }
}

/// The values of a numeric column through `f`, missing values as NaN.
fn values_or_nan<T>(ca: &ChunkedArray<T>, f: impl Fn(T::Native) -> f64) -> Vec<f64>
where
    T: PolarsNumericType,
{
    if ca.null_count() > 0 {
        return ca.iter().map(|v| v.map_or(f64::NAN, &f)).collect();
    }
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        out.extend(arr.values().iter().map(|&x| f(x)));
    }
    out
}

/// "rows 3, 7, 12 and 5 more" — at most five row numbers (1-based).
pub fn rows_list(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(5).map(|r| (r + 1).to_string()).collect();
    let word = if rows.len() == 1 { "row" } else { "rows" };
    if rows.len() > 5 {
        format!("{word} {} and {} more", shown.join(", "), rows.len() - 5)
    } else {
        format!("{word} {}", shown.join(", "))
    }
}

impl Table {
    /// A 0/1 flag column: `1`, `true`, `yes` → true; `0`, `false`, `no` → false (any case);
    /// a missing value → `missing`, or an error when `missing` is `None`.
    ///
    /// # Errors
    /// Unknown column; another value, or a missing one when not allowed, naming the row.
    pub fn flags(&self, name: &str, missing: Option<bool>) -> Result<Vec<bool>> {
        let f = self.factor(name)?;
        let mut out = Vec::with_capacity(f.len());
        for (i, &c) in f.codes.iter().enumerate() {
            if c == Factor::MISSING {
                match missing {
                    Some(m) => out.push(m),
                    None => {
                        return Err(Error::data(
                            self.source(),
                            format!("column `{name}` row {} is empty: a 1/0 flag is needed", i + 1),
                        ));
                    }
                }
                continue;
            }
            match f.levels[c as usize].to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => out.push(true),
                "0" | "false" | "no" => out.push(false),
                other => {
                    return Err(Error::data(
                        self.source(),
                        format!(
                            "column `{name}` row {}: `{other}` is not 1/0 or true/false",
                            i + 1
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The rows as JSON objects (column name → value; missing values as null); not for a
    /// table read with [`Table::read_columns`] (see [`Table::to_markdown`]).
    pub fn to_records(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        io::to_records(&self.df)
    }
}
