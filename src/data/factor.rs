//! Categorical columns: codes plus levels, built from any polars column by text form.

use polars::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
            Ok(from_labels(ca.iter()))
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
    let raw: Vec<u32> =
        values.map(|v| v.map_or(Factor::MISSING, |s| interner.code(s))).collect();
    let labels = interner.labels;
    let mut order: Vec<u32> = (0..labels.len() as u32).collect();
    order.sort_by(|&a, &b| labels[a as usize].cmp(labels[b as usize]));
    finish(raw, order, |i| labels[i as usize].to_string())
}

/// First-appearance codes of labels. Labels of at most 15 bytes (category codes nearly
/// always are) are packed with their length into one `u128` key and hashed with a
/// multiplicative hash: no per-row hashing of the bytes through SipHash, no allocation.
#[derive(Default)]
struct Interner<'a> {
    short: HashMap<u128, u32, BuildHasherDefault<MulHasher>>,
    long: HashMap<&'a str, u32>,
    labels: Vec<&'a str>,
    /// The last (key, code) seen: runs of the same category cost one comparison.
    last: Option<(u128, u32)>,
}

impl<'a> Interner<'a> {
    #[inline]
    fn code(&mut self, s: &'a str) -> u32 {
        let b = s.as_bytes();
        if b.len() > 15 {
            let next = self.labels.len() as u32;
            return *self.long.entry(s).or_insert_with(|| {
                self.labels.push(s);
                next
            });
        }
        let mut key = [0u8; 16];
        key[..b.len()].copy_from_slice(b);
        key[15] = b.len() as u8;
        let key = u128::from_le_bytes(key);
        if let Some((k, c)) = self.last
            && k == key
        {
            return c;
        }
        let next = self.labels.len() as u32;
        let code = *self.short.entry(key).or_insert_with(|| {
            self.labels.push(s);
            next
        });
        self.last = Some((key, code));
        code
    }
}

/// Hasher for the packed `u128` keys: the two halves folded, then the 64-bit finaliser of
/// MurmurHash3 (every output bit depends on every input bit; a few cycles).
#[derive(Default)]
struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u128(&mut self, v: u128) {
        let mut h = (v as u64) ^ ((v >> 64) as u64).rotate_left(29);
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        self.0 = h ^ (h >> 33);
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
