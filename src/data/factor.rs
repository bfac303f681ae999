//! Categorical columns: codes plus levels, built from any polars column by text form.

use polars::prelude::*;
use std::collections::HashMap;

/// A categorical column: one code per row indexing `levels`, [`Factor::MISSING`] for a
/// missing value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Factor {
    /// Per-row level index, or [`Factor::MISSING`].
    pub codes: Vec<u32>,
    /// Level labels (text form of the values), sorted.
    pub levels: Vec<String>,
}

impl Factor {
    /// Code of a missing value.
    pub const MISSING: u32 = u32::MAX;

    /// Merges levels: each `(label, members)` replaces the levels `members` by one level
    /// `label` (members absent from the data are allowed). Levels stay sorted.
    ///
    /// # Errors
    /// A group label that is also a level outside the group (the merge would be ambiguous).
    pub fn regroup(self, groups: &[(String, Vec<String>)]) -> Result<Factor, String> {
        if groups.is_empty() {
            return Ok(self);
        }
        let target =
            |l: &str| groups.iter().find(|(_, m)| m.iter().any(|x| x == l)).map(|g| g.0.as_str());
        for (label, _) in groups {
            if self.levels.iter().any(|l| l == label) && target(label) != Some(label.as_str()) {
                return Err(format!(
                    "group name `{label}` is also a category of the data outside the group: choose another name"
                ));
            }
        }
        let renamed: Vec<&str> = self.levels.iter().map(|l| target(l).unwrap_or(l)).collect();
        let mut levels: Vec<String> = renamed.iter().map(|s| (*s).to_string()).collect();
        levels.sort();
        levels.dedup();
        let map: Vec<u32> = renamed
            .iter()
            .map(|r| {
                levels.binary_search_by(|l| l.as_str().cmp(r)).map_or(Factor::MISSING, |i| i as u32)
            })
            .collect();
        let codes = self
            .codes
            .iter()
            .map(|&c| if c == Factor::MISSING { c } else { map[c as usize] })
            .collect();
        Ok(Factor { codes, levels })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Index of a level by its text form.
    pub fn level_index(&self, label: &str) -> Option<u32> {
        self.levels.iter().position(|l| l == label).map(|i| i as u32)
    }

    /// Rows (0-based) holding a missing value.
    pub fn missing_rows(&self) -> Vec<usize> {
        self.codes
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == Self::MISSING)
            .map(|(i, _)| i)
            .collect()
    }

    /// The cross-classification of several factors: levels are the labels joined by `,`
    /// (`"1,18-29"`), only combinations present in the data, sorted by the component codes.
    /// A row missing in any factor is missing.
    pub fn cross(factors: &[&Factor]) -> Factor {
        let n = factors.first().map_or(0, |f| f.len());
        let mut keys: Vec<Option<Vec<u32>>> = Vec::with_capacity(n);
        for i in 0..n {
            let key: Option<Vec<u32>> =
                factors.iter().map(|f| Some(f.codes[i]).filter(|&c| c != Self::MISSING)).collect();
            keys.push(key);
        }
        let mut distinct: Vec<Vec<u32>> = keys.iter().flatten().cloned().collect();
        distinct.sort();
        distinct.dedup();
        let index: HashMap<&Vec<u32>, u32> =
            distinct.iter().enumerate().map(|(i, k)| (k, i as u32)).collect();
        let codes = keys.iter().map(|k| k.as_ref().map_or(Self::MISSING, |k| index[k])).collect();
        let levels = distinct
            .iter()
            .map(|k| {
                k.iter()
                    .zip(factors)
                    .map(|(&c, f)| f.levels[c as usize].as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        Factor { codes, levels }
    }
}

/// Text form of a float: integral values without a decimal part (`1.0` → `"1"`), others in
/// the shortest form that parses back to the same double.
pub fn float_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

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
            Ok(from_small_integers(ca)
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
fn from_strings(ca: &StringChunked) -> Factor {
    let mut interner = Interner::default();
    let mut raw: Vec<u32> = Vec::with_capacity(ca.len());
    if ca.null_count() > 0 {
        raw.extend(ca.iter().map(|v| v.map_or(Factor::MISSING, |s| interner.code(s))));
        return finish_labels(raw, interner.labels);
    }
    for arr in ca.downcast_iter() {
        for (i, view) in arr.views().iter().enumerate() {
            let len = view.length as usize;
            raw.push(if len <= 12 {
                // low 32 bits: length; then the bytes, zero past the length
                let mask = u128::MAX >> (128 - 32 - 8 * len);
                let key = view.as_u128() & mask;
                interner.code_by_key(key, || arr.value(i))
            } else {
                interner.code_long(arr.value(i))
            });
        }
    }
    finish_labels(raw, interner.labels)
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
struct Interner<'a> {
    short: KeyTable,
    long: HashMap<&'a str, u32>,
    labels: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    /// Code of a label of any length (keys of labels up to 15 bytes: bytes + length in the
    /// last byte; a different key space from [`Interner::code_by_key`]'s view keys, so the
    /// two must not be mixed within one column).
    #[inline]
    fn code(&mut self, s: &'a str) -> u32 {
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
    #[inline]
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
    #[inline]
    fn slot(&self, key: u128) -> usize {
        let x = (key as u64) ^ ((key >> 64) as u64).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The code of `key`, inserting `code` when absent (then `true`).
    #[inline]
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
    let mut index: HashMap<u64, u32> = HashMap::new();
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
    let mut code = vec![Factor::MISSING; span];
    let mut levels = Vec::new();
    for (i, s) in seen.iter().enumerate() {
        if *s {
            code[i] = levels.len() as u32;
            levels.push((lo + i as i64).to_string());
        }
    }
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
    }
}

#[cfg(test)]
mod regroup_tests {
    use super::Factor;

    fn f(levels: &[&str], codes: &[u32]) -> Factor {
        Factor { codes: codes.to_vec(), levels: levels.iter().map(|s| (*s).to_string()).collect() }
    }

    #[test]
    fn merges_levels_and_keeps_missing() {
        let g = vec![("1-2".to_string(), vec!["1".to_string(), "2".to_string()])];
        let r = f(&["1", "2", "3"], &[0, 1, 2, Factor::MISSING]).regroup(&g).unwrap();
        assert_eq!(r.levels, ["1-2", "3"]);
        assert_eq!(r.codes, [0, 0, 1, Factor::MISSING]);
        // members absent from the data are fine; no group = unchanged
        let g = vec![("x".to_string(), vec!["9".to_string(), "3".to_string()])];
        assert_eq!(f(&["1", "3"], &[1, 0]).regroup(&g).unwrap().levels, ["1", "x"]);
        assert_eq!(f(&["a"], &[0]).regroup(&[]).unwrap(), f(&["a"], &[0]));
    }

    #[test]
    fn refuses_a_group_named_like_another_category() {
        let g = vec![("3".to_string(), vec!["1".to_string(), "2".to_string()])];
        let e = f(&["1", "2", "3"], &[0, 1, 2]).regroup(&g).unwrap_err();
        assert!(e.contains("`3`"), "{e}");
    }
}
