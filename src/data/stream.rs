//! Large CSV/TSV files read and written chunk by chunk: only the columns a step needs are
//! kept ([`Table::read_columns`](super::Table::read_columns)), the categories of a
//! categorical column as compact codes (`u8`, `u16` or `u32`, whichever its number of
//! distinct values needs), and the file is read a second time, chunk by chunk, to write
//! each input line back verbatim with the new columns appended.
//!
//! One grammar, one set of rules: a chunk is a run of whole lines read under the rules of
//! [`PlainText::parse`] (each line one record of one field per column, quotes around whole
//! values only, no carriage return, no blank line, no byte-order mark, UTF-8 text), with the
//! same typing ([`Typer`], run by run, merged as the whole file's runs are). A file outside
//! those rules is not read here ([`read`] returns `None`): the caller reads it whole, which
//! gives the same table or the error message with its line. So the table and the errors do
//! not depend on the path, nor on the chunk size.
//!
//! A categorical column is coded chunk by chunk into first-appearance codes of its raw
//! values; at the end its distinct values are typed as a column of their own (a column's
//! type depends only on the set of its values: integer, float or text, see
//! [`super::typing`]) and coded into the factor's sorted levels ([`super::coding`]), each
//! distinct value mapping to its level: the factor of the whole column, without its text.

use super::coding::{Interner, from_column};
use super::factor::Factor;
use super::io::{FileFormat, check_header, write_atomic};
use super::plain::{Added, MIN_PARSE_RUN, PARSE_RUN, Pick, PlainText, WRITE_RUN};
use super::typing::{Typed, Typer, type_column};
use crate::error::{Error, Result};
use polars::prelude::*;
use rayon::prelude::*;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::time::SystemTime;

/// Bytes read per chunk.
pub(super) const CHUNK_BYTES: usize = 16 << 20;

/// How a step uses a column of a file read with
/// [`Table::read_columns`](super::Table::read_columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUse {
    /// Read as a typed column, like [`Table::read`](super::Table::read) reads every column
    /// (numeric values, e.g. weights).
    Values,
    /// Read as categories only ([`Table::factor`](super::Table::factor)): codes and levels,
    /// not the values.
    Categories,
}

/// What is known of a file read by chunks besides the columns kept as values.
#[derive(Debug)]
pub(super) struct Partial {
    /// The header's column names, in file order.
    pub names: Vec<String>,
    /// Number of data rows.
    pub rows: usize,
    /// Number of leading columns of the table that are the file's (the new ones follow).
    pub k: usize,
    /// The columns read as categories.
    pub coded: Vec<(String, Coded)>,
    /// The file's format.
    pub format: FileFormat,
    /// Chunk size, for writing the file back.
    chunk: usize,
    /// The file's length and modification time when it was read.
    stamp: (u64, Option<SystemTime>),
}

/// A categorical column as compact codes of its distinct raw values, and the level of each.
#[derive(Debug)]
pub(super) struct Coded {
    codes: Codes,
    /// Level (index in `levels`) of each distinct raw value.
    map: Vec<u32>,
    levels: Vec<String>,
}

/// Codes of the distinct values of a column, in the narrowest type that holds them; the
/// type's largest value is the missing code.
#[derive(Debug)]
enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

/// An unsigned code type of [`Codes`].
trait Code: Copy + Send + Sync {
    /// The missing code (the type's largest value).
    const MISSING: Self;
    fn from_u32(c: u32) -> Self;
    fn to_u32(self) -> u32;
}

macro_rules! code {
    ($t:ty) => {
        impl Code for $t {
            const MISSING: $t = <$t>::MAX;
            #[inline(always)]
            fn from_u32(c: u32) -> $t {
                if c == Factor::MISSING { Self::MISSING } else { c as $t }
            }
            #[inline(always)]
            fn to_u32(self) -> u32 {
                if self == Self::MISSING { Factor::MISSING } else { self as u32 }
            }
        }
    };
}
code!(u8);
code!(u16);
code!(u32);

impl Codes {
    /// Widens the codes so that `distinct` values (codes `0..distinct`) and the missing code
    /// fit.
    fn fit(&mut self, distinct: usize) {
        let widen = |v: &[u8]| v.par_iter().map(|&c| u16::from_u32(c.to_u32())).collect();
        *self = match std::mem::replace(self, Codes::U32(Vec::new())) {
            Codes::U8(v) if distinct > u8::MAX as usize => {
                if distinct > u16::MAX as usize {
                    Codes::U32(v.par_iter().map(|&c| c.to_u32()).collect())
                } else {
                    Codes::U16(widen(&v))
                }
            }
            Codes::U16(v) if distinct > u16::MAX as usize => {
                Codes::U32(v.par_iter().map(|&c| c.to_u32()).collect())
            }
            same => same,
        };
    }

    fn len(&self) -> usize {
        match self {
            Codes::U8(v) => v.len(),
            Codes::U16(v) => v.len(),
            Codes::U32(v) => v.len(),
        }
    }

    /// Appends the codes of a chunk: run `r` covers `runs[r].0` (rows of the chunk, in
    /// order) and its first-appearance codes `local` translate through `runs[r].1`.
    fn append(&mut self, local: &[u32], runs: &[(Range<usize>, Vec<u32>)]) {
        fn go<T: Code>(out: &mut Vec<T>, local: &[u32], runs: &[(Range<usize>, Vec<u32>)]) {
            let base = out.len();
            out.resize(base + local.len(), T::MISSING);
            let mut rest = &mut out[base..];
            let mut pieces = Vec::with_capacity(runs.len());
            for (rows, map) in runs {
                let (piece, tail) = std::mem::take(&mut rest).split_at_mut(rows.len());
                rest = tail;
                pieces.push((piece, &local[rows.clone()], map));
            }
            pieces.into_par_iter().for_each(|(out, local, map)| {
                for (o, &c) in out.iter_mut().zip(local) {
                    *o = T::from_u32(if c == Factor::MISSING { c } else { map[c as usize] });
                }
            });
        }
        match self {
            Codes::U8(v) => go(v, local, runs),
            Codes::U16(v) => go(v, local, runs),
            Codes::U32(v) => go(v, local, runs),
        }
    }
}

impl Coded {
    /// The factor of the column.
    pub(super) fn factor(&self) -> Factor {
        fn go<T: Code>(v: &[T], map: &[u32]) -> Vec<u32> {
            let mut out = vec![0u32; v.len()];
            out.par_chunks_mut(1 << 16).zip(v.par_chunks(1 << 16)).for_each(|(o, v)| {
                for (o, &c) in o.iter_mut().zip(v) {
                    let c = c.to_u32();
                    *o = if c == Factor::MISSING { c } else { map[c as usize] };
                }
            });
            out
        }
        let codes = match &self.codes {
            Codes::U8(v) => go(v, &self.map),
            Codes::U16(v) => go(v, &self.map),
            Codes::U32(v) => go(v, &self.map),
        };
        Factor { codes, levels: self.levels.clone() }
    }
}

/// A categorical column being read: codes of its distinct raw values so far.
struct CodedColumn {
    name: String,
    codes: Codes,
    labels: Vec<String>,
    index: PlHashMap<String, u32>,
    /// The chunk's first-appearance codes, one per row (reused from chunk to chunk).
    local: Vec<u32>,
}

impl CodedColumn {
    /// The distinct values typed as a column, then coded: the level of each.
    fn finish(self) -> Option<(String, Coded)> {
        let distinct =
            StringChunked::from_iter_values(self.name.as_str().into(), self.labels.iter());
        let typed = type_column(&distinct.into_column()).ok()?;
        let factor = from_column(&typed).ok()?;
        Some((self.name, Coded { codes: self.codes, map: factor.codes, levels: factor.levels }))
    }
}

/// A column being read as values: its typers run by run and the values' bits.
struct ValueColumn {
    name: String,
    values: Vec<u64>,
    runs: Vec<(Typer, Range<usize>)>,
}

impl ValueColumn {
    /// The typed column; `None` when the typing rule needs its text (a value outside the
    /// strict grammar, or a text value).
    fn finish(self) -> Option<Column> {
        let mut values = self.values;
        let rows = values.len();
        let typer = Typer::merge_ranges(self.runs, &mut values);
        let name = PlSmallStr::from(self.name.as_str());
        if typer.nulls.len() == rows {
            return Some(Column::full_null(name, rows, &DataType::String));
        }
        match typer.finish(name, values) {
            Typed::Column(c) => Some(c),
            Typed::Strings { .. } => None,
        }
    }
}

/// The end of the file's content: blank lines after the last line with content are not
/// rows (as `io::read_delimited` trims them), the line break of that line is kept.
fn content_end(file: &mut File, len: u64) -> std::io::Result<u64> {
    let mut end = len;
    let mut block = [0u8; 4096];
    while end > 0 {
        let n = end.min(block.len() as u64) as usize;
        file.seek(SeekFrom::Start(end - n as u64))?;
        file.read_exact(&mut block[..n])?;
        let breaks = block[..n].iter().rev().take_while(|&&b| b == b'\n' || b == b'\r').count();
        end -= breaks as u64;
        if breaks < n {
            break;
        }
    }
    let mut next = [0u8; 2];
    file.seek(SeekFrom::Start(end))?;
    let got = file.take(2).read(&mut next)?;
    let terminator = if got == 2 && next == *b"\r\n" { 2 } else { 1 };
    file.seek(SeekFrom::Start(0))?;
    Ok((end + terminator).min(len))
}

/// A file's content read in chunks of whole lines.
struct Chunks {
    file: File,
    /// Bytes of content not read yet.
    left: u64,
    size: usize,
    /// The start of a line cut by the previous chunk.
    tail: Vec<u8>,
}

impl Chunks {
    fn open(path: &Path, size: usize) -> std::io::Result<(Chunks, (u64, Option<SystemTime>))> {
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        let left = content_end(&mut file, meta.len())?;
        let stamp = (meta.len(), meta.modified().ok());
        Ok((Chunks { file, left, size: size.max(1), tail: Vec::new() }, stamp))
    }

    /// Calls `f` on each chunk in turn, split into lines, while the next one is read (on
    /// another thread of the pool); `f` gives the text back (its buffer is reused), or
    /// `None` to stop. False when `f` stopped.
    fn for_each(
        &mut self,
        mut f: impl FnMut(PlainText) -> Option<PlainText> + Send,
    ) -> std::io::Result<bool> {
        let (mut current, mut next) = (Vec::new(), Vec::new());
        let mut more = self.next(&mut current)?;
        while more {
            let text = PlainText::split(std::mem::take(&mut current));
            let (read, done) = rayon::join(|| self.next(&mut next), || f(text));
            let Some(text) = done else { return Ok(false) };
            more = read?;
            current = text.into_text();
            std::mem::swap(&mut current, &mut next);
        }
        Ok(true)
    }

    /// Fills `buf` with the next chunk: whole lines of about `size` bytes (more when a line
    /// is longer), the rest of the content for the last one. False at the end.
    fn next(&mut self, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        buf.clear();
        buf.append(&mut self.tail);
        loop {
            let want = (self.size.max(2 * buf.len()) - buf.len()) as u64;
            let want = want.min(self.left);
            if want > 0 {
                // read in place: growing the buffer while reading would copy it
                buf.reserve(want as usize);
                let got = (&mut self.file).take(want).read_to_end(buf)?;
                if got as u64 != want {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file became shorter while being read",
                    ));
                }
                self.left -= want;
            }
            if self.left == 0 {
                return Ok(!buf.is_empty());
            }
            if let Some(p) = memchr::memrchr(b'\n', buf) {
                self.tail.extend_from_slice(&buf[p + 1..]);
                buf.truncate(p + 1);
                return Ok(true);
            }
        }
    }
}

/// Reads the columns `pick` asks for from a CSV/TSV file, chunk by chunk (see the module
/// docs): the typed columns asked as [`ColumnUse::Values`] (in file order) and what is
/// known of the rest. `None` when the file is outside the plain grammar (or needs the text
/// of a value column): read it whole.
///
/// # Errors
/// The header's errors ([`check_header`]), an unreadable file.
pub(super) fn read(
    path: &Path,
    format: FileFormat,
    pick: &(dyn Fn(&str) -> Option<ColumnUse> + Sync),
    chunk: usize,
) -> Result<Option<(DataFrame, Partial)>> {
    let sep = format.separator();
    check_header(path, format)?;
    let io = |e: std::io::Error| Error::io(path, e);
    let (mut chunks, stamp) = Chunks::open(path, chunk).map_err(io)?;
    let mut picks: Vec<Pick> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<ValueColumn> = Vec::new();
    let mut coded: Vec<CodedColumn> = Vec::new();
    let mut rows = 0usize;
    let whole = chunks.for_each(|text| {
        let header = names.is_empty();
        if !text.lines_are_records(header) {
            return None;
        }
        if header {
            let header_names = text.header_names(sep)?;
            names = header_names.iter().map(|s| s.to_string()).collect();
            for name in &names {
                picks.push(match pick(name) {
                    Some(ColumnUse::Values) => {
                        let c =
                            ValueColumn { name: name.clone(), values: Vec::new(), runs: vec![] };
                        values.push(c);
                        Pick::Number(values.len() - 1)
                    }
                    Some(ColumnUse::Categories) => {
                        coded.push(CodedColumn {
                            name: name.clone(),
                            codes: Codes::U8(Vec::new()),
                            labels: Vec::new(),
                            index: PlHashMap::default(),
                            local: Vec::new(),
                        });
                        Pick::Category(coded.len() - 1)
                    }
                    None => Pick::Skip,
                });
            }
        }
        let lines = usize::from(header)..text.n_lines();
        if !read_chunk(&text, lines, sep, &picks, rows, &mut values, &mut coded) {
            return None;
        }
        rows += text.n_lines() - usize::from(header);
        Some(text)
    });
    if !whole.map_err(io)? || rows == 0 {
        return Ok(None);
    }
    let columns: Option<Vec<Column>> = values.into_par_iter().map(ValueColumn::finish).collect();
    let Some(columns) = columns else { return Ok(None) };
    let coded: Option<Vec<(String, Coded)>> =
        coded.into_par_iter().map(CodedColumn::finish).collect();
    let Some(coded) = coded else { return Ok(None) };
    let df = DataFrame::new_infer_height(columns).map_err(|e| Error::io(path, e))?;
    let k = df.width();
    Ok(Some((df, Partial { names, rows, k, coded, format, chunk, stamp })))
}

/// A run's slices of the value columns and of the categorical columns' chunk codes.
type RunSlices<'a> = (Vec<&'a mut [u64]>, Vec<&'a mut [u32]>);

/// Reads lines `lines` of a chunk (data rows from `first_row` on) into the columns, in
/// parallel runs; false when a line is outside the grammar.
fn read_chunk(
    text: &PlainText,
    lines: Range<usize>,
    sep: u8,
    picks: &[Pick],
    first_row: usize,
    values: &mut [ValueColumn],
    coded: &mut [CodedColumn],
) -> bool {
    let n = lines.len();
    let per_thread = n.div_ceil(4 * rayon::current_num_threads());
    let run = per_thread.clamp(MIN_PARSE_RUN, PARSE_RUN);
    let runs: Vec<Range<usize>> = (0..n).step_by(run).map(|a| a..(a + run).min(n)).collect();
    for c in values.iter_mut() {
        c.values.resize(first_row + n, 0);
    }
    for c in coded.iter_mut() {
        c.local.clear();
        c.local.resize(n, Factor::MISSING);
    }
    // each run's slices of every column
    let mut slices: Vec<RunSlices> = runs.iter().map(|_| (Vec::new(), Vec::new())).collect();
    for c in values.iter_mut() {
        for (s, piece) in slices.iter_mut().zip(c.values[first_row..].chunks_mut(run)) {
            s.0.push(piece);
        }
    }
    for c in coded.iter_mut() {
        for (s, piece) in slices.iter_mut().zip(c.local.chunks_mut(run)) {
            s.1.push(piece);
        }
    }
    let results: Option<Vec<(Vec<Typer>, Vec<Interner>)>> = slices
        .into_par_iter()
        .zip(&runs)
        .map(|((mut numbers, mut codes), rows)| {
            let lines = lines.start + rows.start..lines.start + rows.end;
            text.pick_run(lines, sep, picks, first_row + rows.start, &mut numbers, &mut codes)
        })
        .collect();
    let Some(results) = results else { return false };
    // per categorical column, each run's codes → codes of the column's distinct values
    let mut maps: Vec<Vec<(Range<usize>, Vec<u32>)>> = coded.iter().map(|_| Vec::new()).collect();
    for ((typers, interners), rows) in results.into_iter().zip(&runs) {
        for (c, t) in values.iter_mut().zip(typers) {
            c.runs.push((t, first_row + rows.start..first_row + rows.end));
        }
        for ((c, interner), maps) in coded.iter_mut().zip(interners).zip(&mut maps) {
            let map = interner
                .labels
                .iter()
                .map(|&l| match c.index.get(l) {
                    Some(&code) => code,
                    None => {
                        let code = c.labels.len() as u32;
                        c.labels.push(l.to_string());
                        c.index.insert(l.to_string(), code);
                        code
                    }
                })
                .collect();
            maps.push((rows.clone(), map));
        }
    }
    for (c, maps) in coded.iter_mut().zip(&maps) {
        c.codes.fit(c.labels.len());
        c.codes.append(&c.local, maps);
        debug_assert_eq!(c.codes.len(), first_row + n);
    }
    true
}

/// Writes the file read into `partial` to `out` (same format): each input line verbatim,
/// then the separator and the columns of `df` after the file's, rendered as
/// [`PlainText::write_appended`] renders them. False (nothing written) when polars'
/// rendering of the new columns is not one line per row.
///
/// # Errors
/// The input changed since it was read (length, modification time or lines); rendering or
/// writing `out` (atomically) failed.
pub(super) fn write_appended(
    partial: &Partial,
    input: &Path,
    df: &DataFrame,
    out: &Path,
) -> Result<bool> {
    let sep = partial.format.separator();
    let Some(added) = Added::of(df, partial.k, sep, out)? else { return Ok(false) };
    let changed = || {
        Error::io(
            input,
            "the file changed since it was read: run the step again on a file that is not \
             being written to",
        )
    };
    let (mut chunks, stamp) =
        Chunks::open(input, partial.chunk).map_err(|e| Error::io(input, e))?;
    if stamp != partial.stamp {
        return Err(changed());
    }
    let mut bufs = Vec::new();
    write_atomic(out, |f| -> Result<()> {
        let mut line = 0;
        let mut failed = None;
        let whole = chunks.for_each(|text| {
            let written = if line + text.n_lines() > partial.rows + 1 {
                Err(changed())
            } else {
                text.write_lines(&added, sep, line, WRITE_RUN, &mut bufs, f)
                    .map_err(|e| Error::io(out, e))
            };
            line += text.n_lines();
            failed = written.err();
            failed.is_none().then_some(text)
        });
        if let Some(e) = failed {
            return Err(e);
        }
        if !whole.map_err(|e| Error::io(input, e))? || line != partial.rows + 1 {
            return Err(changed());
        }
        Ok(())
    })?;
    Ok(true)
}
