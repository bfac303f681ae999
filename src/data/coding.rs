//! Coding a polars column into a [`Factor`]: levels by text form, sorted; fast paths for
//! small integer codes and short text labels.
//!
//! Integer columns without missing values (the common case of coded categories on millions
//! of rows) are coded by direct indexing: a parallel min/max pass, then a parallel pass
//! writing `v − min` and marking the values seen; when every value of `[min, max]` occurs
//! (a dense range, e.g. codes `1`…`k`) those offsets are the codes, otherwise one more
//! parallel pass renumbers them. Text columns without missing values are coded in parallel
//! blocks of rows, each with its own small table of first-appearance codes (keyed by the
//! 16-byte view of a short label, by a foldhash map for longer ones), then the blocks'
//! labels are merged, sorted and the codes renumbered in place. No allocation per row.

use super::factor::{Factor, float_label};
use polars::prelude::*;
use rayon::prelude::*;

/// Rows per parallel block when coding a column.
const BLOCK: usize = 1 << 16;

/// The factor of a typed column (see the module docs).
pub(super) fn from_column(col: &Column) -> Result<Factor, String> {
    match col.dtype() {
        DataType::String => {
            let ca = col.str().map_err(|e| e.to_string())?;
            Ok(from_strings(ca))
        }
        DataType::Boolean => {
            let ca = col.bool().map_err(|e| e.to_string())?;
            Ok(from_labels(ca.iter().map(|v| v.map(|b| if b { "true" } else { "false" }))))
        }
        DataType::Int64 => {
            let ca = col.i64().map_err(|e| e.to_string())?;
            Ok(from_integer_range(ca)
                .or_else(|| from_small_integers(ca))
                .unwrap_or_else(|| from_numbers(ca.iter().map(|v| v.map(|x| x as f64)))))
        }
        dt if dt.is_primitive_numeric() => {
            let cast = col.cast(&DataType::Float64).map_err(|e| e.to_string())?;
            let ca = cast.f64().map_err(|e| e.to_string())?;
            Ok(from_numbers(ca.iter()))
        }
        DataType::Null => Ok(Factor { codes: vec![Factor::MISSING; col.len()], levels: vec![] }),
        DataType::Categorical(_, _) | DataType::Enum(_, _) => {
            let cast = col.cast(&DataType::String).map_err(|e| e.to_string())?;
            from_column(&cast)
        }
        dt => Err(format!("type {dt} cannot be used as a category")),
    }
}

fn from_labels<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Factor {
    let mut interner = Interner::default();
    let raw: Vec<u32> = values.map(|v| v.map_or(Factor::MISSING, |s| interner.code(s))).collect();
    finish_labels(raw, interner.labels)
}

/// [`from_labels`] over a text column, reading each value's 16-byte view: a value of at
/// most 12 bytes is stored inside its view (length + bytes), so the view itself, with the
/// bytes past the length masked off, is a key equal exactly when the strings are equal.
///
/// Without missing values the rows are coded in parallel blocks of [`BLOCK`] rows, each
/// block with its own interner; the labels of all blocks are then merged and sorted, and
/// each block's codes renumbered in place.
fn from_strings(ca: &StringChunked) -> Factor {
    if ca.null_count() > 0 {
        let mut interner = Interner::default();
        let raw = ca.iter().map(|v| v.map_or(Factor::MISSING, |s| interner.code(s))).collect();
        return finish_labels(raw, interner.labels);
    }
    let mut codes = vec![0u32; ca.len()];
    // per block (in row order): its labels, first-appearance order
    let mut block_labels: Vec<Vec<&str>> = Vec::new();
    let mut rest = codes.as_mut_slice();
    for arr in ca.downcast_iter() {
        let (out, tail) = std::mem::take(&mut rest).split_at_mut(arr.len());
        rest = tail;
        let views = arr.views().as_slice();
        let labels: Vec<Vec<&str>> = out
            .par_chunks_mut(BLOCK)
            .zip(views.par_chunks(BLOCK))
            .enumerate()
            .map(|(b, (out, views))| {
                let mut interner = Interner::default();
                for (j, (o, view)) in out.iter_mut().zip(views).enumerate() {
                    let len = view.length as usize;
                    *o = if len <= 12 {
                        // low 32 bits: length; then the bytes, zero past the length
                        let mask = u128::MAX >> (128 - 32 - 8 * len);
                        let key = view.as_u128() & mask;
                        interner.code_by_key(key, || arr.value(b * BLOCK + j))
                    } else {
                        interner.code_long(arr.value(b * BLOCK + j))
                    };
                }
                interner.labels
            })
            .collect();
        block_labels.extend(labels);
    }
    let mut levels: Vec<&str> = block_labels.iter().flatten().copied().collect();
    levels.sort_unstable();
    levels.dedup();
    let maps: Vec<Vec<u32>> = block_labels
        .iter()
        .map(|labels| {
            labels.iter().map(|l| levels.binary_search(l).map_or(0, |i| i as u32)).collect()
        })
        .collect();
    let mut blocks = Vec::with_capacity(maps.len());
    let mut rest = codes.as_mut_slice();
    for arr in ca.downcast_iter() {
        let (out, tail) = std::mem::take(&mut rest).split_at_mut(arr.len());
        rest = tail;
        blocks.extend(out.chunks_mut(BLOCK));
    }
    blocks.into_par_iter().zip(&maps).for_each(|(out, map)| {
        for c in out {
            *c = map[*c as usize];
        }
    });
    Factor { codes, levels: levels.into_iter().map(str::to_string).collect() }
}

fn finish_labels(raw: Vec<u32>, labels: Vec<&str>) -> Factor {
    let mut order: Vec<u32> = (0..labels.len() as u32).collect();
    order.sort_by(|&a, &b| labels[a as usize].cmp(labels[b as usize]));
    finish(raw, order, |i| labels[i as usize].to_string())
}

/// First-appearance codes of labels. Short labels (category codes nearly always are) are
/// keyed by a `u128` (length + bytes) in a small open-addressing table: no per-row hashing
/// of the bytes, no allocation. Longer labels go through a `HashMap`.
#[derive(Default)]
pub(super) struct Interner<'a> {
    short: KeyTable,
    long: PlHashMap<&'a str, u32>,
    /// The labels, by code.
    pub(super) labels: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    /// Code of a label of any length (keys of labels up to 15 bytes: bytes + length in the
    /// last byte; a different key space from [`Interner::code_by_key`]'s view keys, so the
    /// two must not be mixed within one column).
    #[inline]
    pub(super) fn code(&mut self, s: &'a str) -> u32 {
        let b = s.as_bytes();
        if b.len() > 15 {
            return self.code_long(s);
        }
        let mut key = [0u8; 16];
        key[..b.len()].copy_from_slice(b);
        key[15] = b.len() as u8;
        self.code_by_key(u128::from_le_bytes(key), || s)
    }

    /// Code of a label through the `HashMap` (any length).
    fn code_long(&mut self, s: &'a str) -> u32 {
        let next = self.labels.len() as u32;
        *self.long.entry(s).or_insert_with(|| {
            self.labels.push(s);
            next
        })
    }

    /// Code of a short label by its key; `label` is called for a new key only.
    #[inline(always)]
    fn code_by_key(&mut self, key: u128, label: impl FnOnce() -> &'a str) -> u32 {
        let next = self.labels.len() as u32;
        let (code, new) = self.short.get_or_insert(key, next);
        if new {
            self.labels.push(label());
        }
        code
    }
}

/// Open-addressing hash table `u128 → u32` with linear probing (Fibonacci hashing on the
/// high bits of a multiply); kept at most half full.
#[derive(Default)]
struct KeyTable {
    keys: Vec<u128>,
    /// `u32::MAX` = empty slot.
    codes: Vec<u32>,
    len: usize,
    bits: u32,
}

impl KeyTable {
    #[inline(always)]
    fn slot(&self, key: u128) -> usize {
        let x = (key as u64) ^ ((key >> 64) as u64).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The code of `key`, inserting `code` when absent (then `true`).
    #[inline(always)]
    fn get_or_insert(&mut self, key: u128, code: u32) -> (u32, bool) {
        if 2 * (self.len + 1) > self.codes.len() {
            self.grow();
        }
        let mask = self.codes.len() - 1;
        let mut i = self.slot(key);
        loop {
            match self.codes[i] {
                u32::MAX => {
                    self.keys[i] = key;
                    self.codes[i] = code;
                    self.len += 1;
                    return (code, true);
                }
                c if self.keys[i] == key => return (c, false),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let old: Vec<(u128, u32)> = self
            .keys
            .iter()
            .zip(&self.codes)
            .filter(|(_, c)| **c != u32::MAX)
            .map(|(k, c)| (*k, *c))
            .collect();
        self.bits = (self.bits + 1).max(6);
        self.keys = vec![0; 1 << self.bits];
        self.codes = vec![u32::MAX; 1 << self.bits];
        self.len = 0;
        for (k, c) in old {
            self.get_or_insert(k, c);
        }
    }
}

fn from_numbers(values: impl Iterator<Item = Option<f64>>) -> Factor {
    let mut index: PlHashMap<u64, u32> = PlHashMap::default();
    let mut raw: Vec<u32> = Vec::new();
    let mut distinct: Vec<f64> = Vec::new();
    for v in values {
        match v.filter(|x| !x.is_nan()) {
            None => raw.push(Factor::MISSING),
            Some(x) => {
                let x = if x == 0.0 { 0.0 } else { x }; // -0 and 0 are one category
                let next = distinct.len() as u32;
                let code = *index.entry(x.to_bits()).or_insert_with(|| {
                    distinct.push(x);
                    next
                });
                raw.push(code);
            }
        }
    }
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_by(|&a, &b| distinct[a as usize].total_cmp(&distinct[b as usize]));
    finish(raw, order, |i| float_label(distinct[i as usize]))
}

/// Smallest and largest value of a slice (`(i64::MAX, i64::MIN)` when empty).
fn min_max(values: &[i64]) -> (i64, i64) {
    // independent lanes: the compiler vectorizes the loop
    let mut lo = [i64::MAX; 8];
    let mut hi = [i64::MIN; 8];
    let mut chunks = values.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            lo[k] = lo[k].min(c[k]);
            hi[k] = hi[k].max(c[k]);
        }
    }
    for &v in chunks.remainder() {
        lo[0] = lo[0].min(v);
        hi[0] = hi[0].max(v);
    }
    (lo.into_iter().min().unwrap_or(i64::MAX), hi.into_iter().max().unwrap_or(i64::MIN))
}

/// Integer codes without missing values within a range of at most 2^16 values, by direct
/// indexing in parallel blocks (see the module doc); levels in numeric order, as
/// [`from_small_integers`] gives them. `None` for missing values, an empty column or a
/// wider range.
fn from_integer_range(ca: &Int64Chunked) -> Option<Factor> {
    if ca.null_count() > 0 || ca.is_empty() {
        return None;
    }
    let chunks: Vec<&[i64]> = ca.downcast_iter().map(|a| a.values().as_slice()).collect();
    let (lo, hi) = chunks
        .iter()
        .flat_map(|c| c.chunks(BLOCK))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(min_max)
        .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let span = usize::try_from(hi.checked_sub(lo)?).ok()?.checked_add(1)?;
    if span > 1 << 16 {
        return None;
    }
    let mut codes = vec![0u32; ca.len()];
    let mut blocks: Vec<(&mut [u32], &[i64])> = Vec::new();
    let mut rest = codes.as_mut_slice();
    for c in &chunks {
        let (out, tail) = std::mem::take(&mut rest).split_at_mut(c.len());
        rest = tail;
        blocks.extend(out.chunks_mut(BLOCK).zip(c.chunks(BLOCK)));
    }
    let seen = blocks
        .par_iter_mut()
        .fold(
            || vec![false; span],
            |mut seen, (out, values)| {
                for (o, &v) in out.iter_mut().zip(values.iter()) {
                    let k = (v - lo) as usize;
                    *o = k as u32;
                    seen[k] = true;
                }
                seen
            },
        )
        .reduce(
            || vec![false; span],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            },
        );
    let (code, levels) = rank_present(&seen, lo);
    if levels.len() < span {
        // gaps in the range: offsets → ranks among the values present
        blocks.into_par_iter().for_each(|(out, _)| {
            for c in out.iter_mut() {
                *c = code[*c as usize];
            }
        });
    }
    Some(Factor { codes, levels })
}

/// The values `lo + i` present (`seen[i]`) in increasing order: each offset's rank among
/// them (`Factor::MISSING` for an absent value) and their text.
fn rank_present(seen: &[bool], lo: i64) -> (Vec<u32>, Vec<String>) {
    let mut code = vec![Factor::MISSING; seen.len()];
    let mut levels = Vec::new();
    for (i, s) in seen.iter().enumerate() {
        if *s {
            code[i] = levels.len() as u32;
            levels.push((lo + i as i64).to_string());
        }
    }
    (code, levels)
}

/// Integer codes within a range of at most 2^20 values: a lookup table instead of hashing
/// (the common case of coded categories on millions of rows). `None` for wider ranges.
fn from_small_integers(ca: &Int64Chunked) -> Option<Factor> {
    let (lo, hi) = (ca.min()?, ca.max()?);
    let span = usize::try_from(hi.checked_sub(lo)?).ok()?.checked_add(1)?;
    if span > 1 << 20 {
        return None;
    }
    let mut seen = vec![false; span];
    for_each_value(ca, |v| seen[(v - lo) as usize] = true);
    let (code, levels) = rank_present(&seen, lo);
    let codes = if ca.null_count() == 0 {
        // the common case: straight over the value buffers, no Option per row
        let mut out = Vec::with_capacity(ca.len());
        for arr in ca.downcast_iter() {
            out.extend(arr.values().iter().map(|&x| code[(x - lo) as usize]));
        }
        out
    } else {
        ca.iter().map(|v| v.map_or(Factor::MISSING, |x| code[(x - lo) as usize])).collect()
    };
    Some(Factor { codes, levels })
}

/// Calls `f` on every non-missing value, over the value buffers when there is no null.
fn for_each_value(ca: &Int64Chunked, mut f: impl FnMut(i64)) {
    if ca.null_count() == 0 {
        for arr in ca.downcast_iter() {
            arr.values().iter().for_each(|&x| f(x));
        }
    } else {
        ca.iter().flatten().for_each(f);
    }
}

/// Renumbers first-appearance codes into sorted-level codes.
fn finish(raw: Vec<u32>, order: Vec<u32>, label: impl Fn(u32) -> String) -> Factor {
    let mut rank = vec![0u32; order.len()];
    for (r, &o) in order.iter().enumerate() {
        rank[o as usize] = r as u32;
    }
    let codes =
        raw.into_iter().map(|c| if c == Factor::MISSING { c } else { rank[c as usize] }).collect();
    let levels = order.into_iter().map(label).collect();
    Factor { codes, levels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_keys_give_the_same_factor_as_the_labels() {
        let long = "a label longer than twelve bytes";
        let values: Vec<&str> = (0..500)
            .map(|i| match i % 9 {
                0 => "",
                1 => "b",
                2 => "abcdefghijkl",  // 12 bytes: the longest inline view
                3 => "abcdefghijklm", // 13 bytes: stored outside the view
                4 => long,
                5 => "é",
                6 => "ab",
                7 => "abcdefghijk\u{d}",
                _ => "abcdefghijklm\u{d}",
            })
            .collect();
        let ca = StringChunked::from_slice("c".into(), &values);
        let fast = from_strings(&ca);
        assert_eq!(fast, from_labels(values.iter().map(|s| Some(*s))));
        assert_eq!(fast.levels.len(), 9);
        for (i, v) in values.iter().enumerate() {
            assert_eq!(fast.levels[fast.codes[i] as usize], *v);
        }
        // many distinct levels: the table grows
        let many: Vec<String> = (0..5000).map(|i| format!("L{i}")).collect();
        let ca = StringChunked::from_iter_values("c".into(), many.iter().map(String::as_str));
        let f = from_strings(&ca);
        assert_eq!(f.levels.len(), 5000);
        assert_eq!(f, from_labels(many.iter().map(|s| Some(s.as_str()))));
        // several blocks and chunks, labels first seen in different blocks
        let rows: Vec<String> = (0..3 * BLOCK + 17)
            .map(|i| match i % 7 {
                0 => format!("long label number {}", i % 11),
                k => format!("s{}", (i / BLOCK) * 10 + k),
            })
            .collect();
        let mut ca = StringChunked::from_iter_values(
            "c".into(),
            rows[..BLOCK + 5].iter().map(String::as_str),
        );
        ca.append(&StringChunked::from_iter_values(
            "c".into(),
            rows[BLOCK + 5..].iter().map(String::as_str),
        ))
        .unwrap();
        assert_eq!(ca.chunks().len(), 2);
        assert_eq!(from_strings(&ca), from_labels(rows.iter().map(|s| Some(s.as_str()))));
    }

    #[test]
    fn integer_ranges_are_coded_like_the_lookup_table() {
        let cases: Vec<Vec<i64>> = vec![
            (0..3 * BLOCK as i64 + 5).map(|i| i % 6 + 1).collect(), // dense 1..6
            (0..2 * BLOCK as i64 + 3).map(|i| (i * 7919) % 13 * 3 - 5).collect(), // gaps, negative
            vec![42; 10],
            vec![i64::MIN, i64::MIN + 5, i64::MIN],
            vec![i64::MAX - 1, i64::MAX],
        ];
        for v in cases {
            let half = v.len() / 2;
            let mut ca = Int64Chunked::from_slice("c".into(), &v[..half]);
            ca.append(&Int64Chunked::from_slice("c".into(), &v[half..])).unwrap();
            let fast = from_integer_range(&ca).expect("a small range");
            assert_eq!(fast, from_small_integers(&ca).unwrap());
            for (i, x) in v.iter().enumerate() {
                assert_eq!(fast.levels[fast.codes[i] as usize], x.to_string());
            }
        }
        // wide ranges, missing values, empty columns: left to the other paths
        assert!(from_integer_range(&Int64Chunked::from_slice("c".into(), &[0, 1 << 17])).is_none());
        assert!(
            from_integer_range(&Int64Chunked::from_slice("c".into(), &[0, i64::MAX])).is_none()
        );
        let with_null: Int64Chunked = [Some(1), None].into_iter().collect();
        assert!(from_integer_range(&with_null).is_none());
        assert!(from_integer_range(&Int64Chunked::from_slice("c".into(), &[])).is_none());
    }
}
