//! CSV/TSV files whose lines are records, read and written in parallel straight from their
//! bytes.
//!
//! Most survey files have no quotes, or quotes around whole values only (R's `write.csv`
//! quotes every text value and column name): every line is then one record, every
//! separator separates two fields. For those, splitting lines and fields needs no CSV state
//! machine, so ponder does it itself, in parallel runs of rows, typing each field on the way
//! ([`Typer`]), and keeps the file's bytes to write each input line back verbatim with the
//! new columns appended. Anything else (a quote inside a value — a quoted separator or line
//! break, an escaped quote —, a carriage return, a byte-order mark, a row with another number
//! of fields than the header, text that is not UTF-8) is left to polars' reader, which gives
//! the same table (property-tested) or the error message. (Blank lines are dealt with
//! before either reader: see `io::read_delimited`.)

use super::coding::Interner;
use super::typing::{Typed, Typer, type_column_general};
use crate::error::{Error, Result};
use polars::prelude::*;
use rayon::prelude::*;
use std::io::Write;
use std::ops::Range;
use std::path::Path;

/// Rows per parallel run when parsing, at most and at least.
pub(super) const PARSE_RUN: usize = 1 << 16;
pub(super) const MIN_PARSE_RUN: usize = 1 << 10;
/// Rows per parallel run when writing, and runs written per batch.
pub(super) const WRITE_RUN: usize = 1 << 15;
const WRITE_BATCH: usize = 4;
/// Bytes per parallel block when finding line starts.
const LINE_BLOCK: usize = 1 << 20;

/// What is read of a column of a file read by chunks ([`PlainText::pick_run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pick {
    /// Not read (its fields are still checked).
    Skip,
    /// Typed as the numeric column `c` of the chunk.
    Number(usize),
    /// Coded as the categorical column `c` of the chunk.
    Category(usize),
}

/// A delimited file held in memory, split into lines.
#[derive(Debug)]
pub(super) struct PlainText {
    text: Vec<u8>,
    /// Start of each line (the header first), then the end of the text: line `i` is
    /// `text[starts[i]..starts[i + 1]]` without its `\n` or `\r\n`.
    starts: Vec<usize>,
    /// The text holds a quote somewhere.
    quoted: bool,
}

impl PlainText {
    /// Splits `text` into lines (physical lines: with quotes, a record may span several).
    pub(super) fn split(text: Vec<u8>) -> PlainText {
        Self::split_in_blocks(text, LINE_BLOCK)
    }

    /// [`PlainText::split`], lines found in blocks of about `block` bytes.
    fn split_in_blocks(text: Vec<u8>, block: usize) -> PlainText {
        let quoted = memchr::memchr(b'"', &text).is_some();
        let starts = line_starts(&text, block);
        PlainText { text, starts, quoted }
    }

    /// True when the text holds a quote: lines may then not be records.
    pub(super) fn quoted(&self) -> bool {
        self.quoted
    }

    /// The value of a field: the field itself, or for a field written `"…"` with no other
    /// quote, the text between the quotes (then an empty value is an empty text, not a
    /// missing value). `None` for any other use of quotes: polars reads such files.
    #[inline]
    fn value<'a>(&self, field: &'a [u8]) -> Option<Option<&'a [u8]>> {
        if !self.quoted {
            return Some((!field.is_empty()).then_some(field));
        }
        let has_quote = |b: &[u8]| b.contains(&b'"');
        match field {
            [b'"', inner @ .., b'"'] if !has_quote(inner) => Some(Some(inner)),
            _ if has_quote(field) => None,
            _ => Some((!field.is_empty()).then_some(field)),
        }
    }

    /// The number (from 1) of the first blank line, if any.
    pub(super) fn first_blank_line(&self) -> Option<usize> {
        (0..self.n_lines())
            .into_par_iter()
            .position_first(|i| self.starts[i + 1] - self.starts[i] <= 2 && self.line(i).is_empty())
            .map(|i| i + 1)
    }

    /// The file's bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.text
    }

    /// Number of lines.
    pub(super) fn n_lines(&self) -> usize {
        self.starts.len() - 1
    }

    /// Line `i` without its terminator.
    #[inline]
    fn line(&self, i: usize) -> &[u8] {
        &self.text[self.line_range(i)]
    }

    /// Byte range of line `i` without its terminator.
    #[inline]
    fn line_range(&self, i: usize) -> Range<usize> {
        let (start, mut end) = (self.starts[i], self.starts[i + 1]);
        if end > start && self.text[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && self.text[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// The table, typed by ponder's rule; `None` when the file is outside the plain grammar
    /// (see the module docs) and polars must read it.
    pub(super) fn parse(&self, sep: u8) -> Option<DataFrame> {
        // a few runs per thread even for short files of many columns (the table does not
        // depend on the runs)
        let per_thread = self.n_lines().div_ceil(4 * rayon::current_num_threads());
        self.parse_in_runs(sep, per_thread.clamp(MIN_PARSE_RUN, PARSE_RUN))
    }

    /// [`PlainText::parse`] in parallel runs of `run` rows.
    fn parse_in_runs(&self, sep: u8, run: usize) -> Option<DataFrame> {
        if self.n_lines() < 2 || !self.lines_are_records(true) {
            return None;
        }
        let names = self.header_names(sep)?;
        let (width, n) = (names.len(), self.n_lines() - 1);
        let mut values: Vec<Vec<u64>> = (0..width).map(|_| vec![0u64; n]).collect();
        let mut runs: Vec<Vec<&mut [u64]>> = Vec::new();
        for column in &mut values {
            for (r, rows) in column.chunks_mut(run).enumerate() {
                if runs.len() == r {
                    runs.push(Vec::with_capacity(width));
                }
                runs[r].push(rows);
            }
        }
        let typers: Vec<Vec<Typer>> = runs
            .into_par_iter()
            .enumerate()
            .map(|(r, mut out)| self.type_run(r * run, sep, &mut out))
            .collect::<Option<_>>()?;
        let mut per_column: Vec<Vec<Typer>> = (0..width).map(|_| Vec::new()).collect();
        for typed in typers {
            for (j, t) in typed.into_iter().enumerate() {
                per_column[j].push(t);
            }
        }
        let typed: Vec<Typed> = per_column
            .into_par_iter()
            .zip(values)
            .enumerate()
            .map(|(j, (runs, mut v))| {
                Typer::merge(runs, &mut v, run).finish(PlSmallStr::from(names[j]), v)
            })
            .collect();
        let text_cols: Vec<usize> =
            (0..width).filter(|&j| matches!(typed[j], Typed::Strings { .. })).collect();
        let mut texts =
            if text_cols.is_empty() { Vec::new() } else { self.text_columns(&text_cols, sep)? }
                .into_iter();
        let columns: Vec<Column> = typed
            .into_iter()
            .enumerate()
            .map(|(j, t)| match t {
                Typed::Column(c) => Some(c),
                Typed::Strings { general } => {
                    let ca = texts.next()?.with_name(PlSmallStr::from(names[j]));
                    let col = ca.clone().into_column();
                    if general { type_column_general(&col, &ca).ok() } else { Some(col) }
                }
            })
            .collect::<Option<_>>()?;
        DataFrame::new_infer_height(columns).ok()
    }

    /// True when the lines fall under the plain grammar's line rules: no blank line, no
    /// carriage return, and (`header`: line 0 is the file's first) no byte-order mark.
    pub(super) fn lines_are_records(&self, header: bool) -> bool {
        self.first_blank_line().is_none()
            && memchr::memchr(b'\r', &self.text).is_none()
            && !(header && self.text.starts_with(b"\xEF\xBB\xBF"))
    }

    /// The column names on line 0 (the header); `None` when one is not UTF-8 or is quoted
    /// otherwise than whole.
    pub(super) fn header_names(&self, sep: u8) -> Option<Vec<&str>> {
        self.line(0)
            .split(|&b| b == sep)
            .map(|f| std::str::from_utf8(self.value(f)?.unwrap_or_default()).ok())
            .collect()
    }

    /// The text's bytes, given back (to be reused for the next chunk of a file).
    pub(super) fn into_text(self) -> Vec<u8> {
        self.text
    }

    /// [`PlainText::value`] of a field known to be text.
    #[inline]
    fn value_str<'a>(&self, field: &'a str) -> Option<Option<&'a str>> {
        let inner = self.value(field.as_bytes())?;
        // `value` returns the field or its inside `"…"` (ASCII quotes)
        Some(inner.map(|v| if v.len() == field.len() { field } else { &field[1..field.len() - 1] }))
    }

    /// Reads the picked fields of lines `lines` (data lines of a chunk of a file of `width`
    /// columns), under the grammar of [`PlainText::parse`]: the fields of a column marked
    /// `Pick::Number(c)` are typed into `numbers[c]` (one slot per line) by a typer whose
    /// rows start at `first_row`; those of a column marked `Pick::Category(c)` get a
    /// first-appearance code in `codes[c]` (labels in the returned interner `c`,
    /// [`Factor::MISSING`](super::Factor::MISSING) for a missing value). `None` when a line
    /// is outside the grammar (another number of fields, a quote inside a value, text that
    /// is not UTF-8): the whole file then goes to [`PlainText::parse`]'s readers.
    pub(super) fn pick_run<'a>(
        &'a self,
        lines: Range<usize>,
        sep: u8,
        picks: &[Pick],
        first_row: usize,
        numbers: &mut [&mut [u64]],
        codes: &mut [&mut [u32]],
    ) -> Option<(Vec<Typer>, Vec<Interner<'a>>)> {
        let (start, end) = (self.starts[lines.start], self.starts[lines.end]);
        let text = std::str::from_utf8(&self.text[start..end]).ok()?;
        let mut typers: Vec<Typer> = (0..numbers.len()).map(|_| Typer::new(first_row)).collect();
        let mut interners: Vec<Interner> = (0..codes.len()).map(|_| Interner::default()).collect();
        for (row, i) in lines.enumerate() {
            let r = self.line_range(i);
            let line = &text[r.start - start..r.end - start];
            let bytes = line.as_bytes();
            let mut picks = picks.iter();
            let mut from = 0;
            // fields cut at the ASCII separator: each a str (a byte loop: lines are short)
            for p in 0..=bytes.len() {
                if p < bytes.len() && bytes[p] != sep {
                    continue;
                }
                let field = &line[from..p];
                from = p + 1;
                match *picks.next()? {
                    Pick::Skip if self.quoted => {
                        self.value(field.as_bytes())?;
                    }
                    Pick::Skip => {}
                    Pick::Number(c) => {
                        let value = self.value(field.as_bytes())?;
                        typers[c].push(row, value, numbers[c]);
                    }
                    Pick::Category(c) => {
                        codes[c][row] = match self.value_str(field)? {
                            Some(v) => interners[c].code(v),
                            None => super::Factor::MISSING,
                        };
                    }
                }
            }
            if picks.next().is_some() {
                return None;
            }
        }
        Some((typers, interners))
    }

    /// Types the run of data rows starting at data row `first`, one buffer per column;
    /// `None` on a row with another number of fields than the header.
    fn type_run(&self, first: usize, sep: u8, out: &mut [&mut [u64]]) -> Option<Vec<Typer>> {
        let mut typers: Vec<Typer> = (0..out.len()).map(|_| Typer::new(first)).collect();
        let rows = out.first().map_or(0, |c| c.len());
        for row in 0..rows {
            let mut fields = self.line(first + row + 1).split(|&b| b == sep);
            for (typer, buf) in typers.iter_mut().zip(out.iter_mut()) {
                let field = fields.next()?;
                let value = if self.quoted {
                    self.value(field)?
                } else {
                    (!field.is_empty()).then_some(field)
                };
                typer.push(row, value, buf);
            }
            if fields.next().is_some() {
                return None;
            }
        }
        Some(typers)
    }

    /// The fields of columns `cols` (ascending) of every row as text columns (unnamed): the
    /// columns are shared out among the threads, each thread makes one pass over the rows
    /// for its columns; `None` when the file is not UTF-8.
    fn text_columns(&self, cols: &[usize], sep: u8) -> Option<Vec<StringChunked>> {
        let text = std::str::from_utf8(&self.text).ok()?;
        let per_thread = cols.len().div_ceil(rayon::current_num_threads()).max(1);
        let groups: Vec<Vec<StringChunked>> = cols
            .par_chunks(per_thread)
            .map(|group| self.text_group(text, group, sep))
            .collect::<Option<_>>()?;
        Some(groups.into_iter().flatten().collect())
    }

    /// Columns `group` (ascending) of `text` (this file's bytes as UTF-8), in one pass.
    fn text_group(&self, text: &str, group: &[usize], sep: u8) -> Option<Vec<StringChunked>> {
        let n = self.n_lines() - 1;
        let mut builders: Vec<StringChunkedBuilder> =
            group.iter().map(|_| StringChunkedBuilder::new(PlSmallStr::EMPTY, n)).collect();
        for i in 1..self.n_lines() {
            let line = self.line_range(i);
            let (mut j, mut start, mut next) = (0, line.start, 0);
            // fields found on bytes: a range cut at ASCII separators is a str
            for p in line.start..=line.end {
                if p < line.end && self.text[p] != sep {
                    continue;
                }
                if j == group[next] {
                    // a value lies between ASCII bytes (separators, quotes): a str; a field
                    // that `value` accepted and that starts with a quote is `"…"`
                    let value = self.value(&self.text[start..p])?.map(|_| {
                        let q = usize::from(p > start && self.text[start] == b'"');
                        &text[start + q..p - q]
                    });
                    builders[next].append_option(value);
                    next += 1;
                    if next == group.len() {
                        break;
                    }
                }
                (j, start) = (j + 1, p + 1);
            }
        }
        Some(builders.into_iter().map(StringChunkedBuilder::finish).collect())
    }

    /// Writes `df` (whose first `k` columns are this file's, rows untouched) to `out`: each
    /// line as it is, then the separator and the new columns, rendered as polars renders
    /// them. Returns false (nothing written) when the line count is not the table's.
    ///
    /// # Errors
    /// Rendering or writing `out` (atomically) failed.
    pub(super) fn write_appended(
        &self,
        df: &DataFrame,
        k: usize,
        sep: u8,
        out: &Path,
    ) -> Result<bool> {
        if self.n_lines() != df.height() + 1 {
            return Ok(false);
        }
        let Some(added) = Added::of(df, k, sep, out)? else { return Ok(false) };
        self.write_in_runs(&added, sep, out, WRITE_RUN)?;
        Ok(true)
    }

    /// Writes the lines with the `added` cells, rendered in parallel runs of `run` lines.
    fn write_in_runs(&self, added: &Added, sep: u8, out: &Path, run: usize) -> Result<()> {
        let mut bufs = Vec::new();
        super::io::write_atomic(out, |f| self.write_lines(added, sep, 0, run, &mut bufs, f))
    }

    /// Writes the lines to `f` with the `added` cells, rendered in parallel runs of `run`
    /// lines into `bufs` (reused from call to call: fresh buffers would cost a page fault
    /// per 4 kB); line `i` of this text is line `first + i` of the table (0 = header).
    pub(super) fn write_lines(
        &self,
        added: &Added,
        sep: u8,
        first: usize,
        run: usize,
        bufs: &mut Vec<Vec<u8>>,
        f: &mut impl Write,
    ) -> std::io::Result<()> {
        let runs: Vec<Range<usize>> = (0..self.n_lines())
            .step_by(run.max(1))
            .map(|a| a..(a + run.max(1)).min(self.n_lines()))
            .collect();
        bufs.resize_with(WRITE_BATCH, Vec::new);
        for batch in runs.chunks(WRITE_BATCH) {
            bufs.par_iter_mut()
                .zip(batch)
                .for_each(|(buf, rows)| self.render(rows.clone(), first, sep, added, buf));
            for buf in &bufs[..batch.len()] {
                f.write_all(buf)?;
            }
        }
        Ok(())
    }

    /// Lines `rows` (line `i` being line `first + i` of the table, 0 = header) with the new
    /// cells appended, into `buf` (emptied first).
    fn render(&self, rows: Range<usize>, first: usize, sep: u8, added: &Added, buf: &mut Vec<u8>) {
        buf.clear();
        buf.reserve(self.starts[rows.end] - self.starts[rows.start] + 32 * rows.len());
        let mut float = zmij::Buffer::new();
        let mut int = itoa::Buffer::new();
        for i in rows {
            buf.extend_from_slice(self.line(i));
            let line = first + i;
            match (added, line) {
                (Added::Rendered(lines), _) => {
                    buf.push(sep);
                    buf.extend_from_slice(lines.line(line));
                }
                (Added::Numbers { header, .. }, 0) => buf.extend_from_slice(header),
                (Added::Numbers { columns, .. }, _) => {
                    for c in columns {
                        buf.push(sep);
                        match c {
                            Numbers::F64(v) => {
                                buf.extend_from_slice(float.format(v[line - 1]).as_bytes())
                            }
                            Numbers::I64(v) => {
                                buf.extend_from_slice(int.format(v[line - 1]).as_bytes())
                            }
                        }
                    }
                }
            }
            buf.push(b'\n');
        }
    }
}

/// The bytes of a file, read in blocks by the threads together (on Unix; the kernel's copy
/// and the page faults of a large buffer then share the cores).
pub(super) fn read_parallel(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        const BLOCK: usize = 8 << 20;
        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        if len > BLOCK {
            let mut text = vec![0u8; len];
            text.par_chunks_mut(BLOCK)
                .enumerate()
                .try_for_each(|(i, block)| file.read_exact_at(block, (i * BLOCK) as u64))?;
            // a file that grew while being read: read it whole
            return if file.metadata()?.len() == len as u64 {
                Ok(text)
            } else {
                std::fs::read(path)
            };
        }
    }
    std::fs::read(path)
}

/// Start of each line of `text`, then its end (a final line without `\n` counts), scanned
/// in parallel blocks of about `block` bytes cut after a line break.
fn line_starts(text: &[u8], block: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    while let Some(&last) = cuts.last() {
        let target = last + block.max(1);
        if target >= text.len() {
            break;
        }
        match memchr::memchr(b'\n', &text[target..]) {
            Some(p) => cuts.push(target + p + 1),
            None => break,
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    let blocks: Vec<Vec<usize>> = cuts
        .par_windows(2)
        .map(|w| {
            let mut starts = vec![w[0]];
            starts.extend(memchr::memchr_iter(b'\n', &text[w[0]..w[1]]).map(|p| w[0] + p + 1));
            if starts.last() == Some(&w[1]) {
                starts.pop(); // the next block's first line, or the end of the text
            }
            starts
        })
        .collect();
    let mut starts: Vec<usize> = Vec::with_capacity(blocks.iter().map(Vec::len).sum::<usize>() + 1);
    blocks.iter().for_each(|b| starts.extend_from_slice(b));
    starts.push(text.len());
    starts
}

/// The new columns' cells, per data row.
pub(super) enum Added<'a> {
    /// Float and integer columns without missing values, formatted like polars' CSV
    /// writer (shortest round-trip float text, `zmij`; integers, `itoa`); `header` is the
    /// separator and name of each.
    Numbers { header: Vec<u8>, columns: Vec<Numbers<'a>> },
    /// Any other case: polars renders the new columns; line `i` of its output (0 = header)
    /// goes after line `i` of the file.
    Rendered(PlainText),
}

pub(super) enum Numbers<'a> {
    F64(&'a [f64]),
    I64(&'a [i64]),
}

impl<'a> Added<'a> {
    /// The cells of the columns of `df` after the first `k`; `None` when polars' rendering
    /// of them does not have one line per row (a text value with a line break).
    pub(super) fn of(
        df: &'a DataFrame,
        k: usize,
        sep: u8,
        out: &Path,
    ) -> Result<Option<Added<'a>>> {
        let mut header = Vec::new();
        let mut columns = Vec::new();
        for c in df.columns().iter().skip(k) {
            let name = c.name().as_bytes();
            let plain_name = !name.iter().any(|&b| b == sep || matches!(b, b'"' | b'\n' | b'\r'));
            let numbers = match c.dtype() {
                DataType::Float64 => c
                    .f64()
                    .ok()
                    .and_then(|ca| ca.cont_slice().ok())
                    .filter(|v| v.iter().all(|x| x.is_finite()))
                    .map(Numbers::F64),
                DataType::Int64 => {
                    c.i64().ok().and_then(|ca| ca.cont_slice().ok()).map(Numbers::I64)
                }
                _ => None,
            };
            match numbers {
                Some(v) if plain_name => {
                    header.push(sep);
                    header.extend_from_slice(name);
                    columns.push(v);
                }
                _ => return Self::rendered(df, k, sep, out),
            }
        }
        Ok(Some(Added::Numbers { header, columns }))
    }

    fn rendered(df: &DataFrame, k: usize, sep: u8, out: &Path) -> Result<Option<Added<'a>>> {
        let names: Vec<PlSmallStr> = df.get_column_names_owned().into_iter().skip(k).collect();
        let mut new = df
            .select(names)
            .map_err(|e| Error::Internal(format!("selecting the new columns: {e}")))?;
        let mut text: Vec<u8> = Vec::new();
        CsvWriter::new(&mut text)
            .include_header(true)
            .with_separator(sep)
            .finish(&mut new)
            .map_err(|e| Error::io(out, e))?;
        let lines = PlainText::split(text);
        Ok((lines.n_lines() == df.height() + 1).then_some(Added::Rendered(lines)))
    }
}

#[cfg(test)]
mod tests;
