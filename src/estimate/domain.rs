//! Domains: which rows each estimate row is about, as one code per row.
//!
//! Domains are estimated on the full design: rows outside a domain keep their place in the
//! design with influence value 0 (R `svyby`), never a subset.

use crate::data::Factor;
use crate::design::Categorical;
use crate::error::{Error, Result};
use crate::variance::NO_GROUP;

/// Code of a row that belongs to no domain (the variance engine's [`NO_GROUP`]).
pub const NO_DOMAIN: u32 = NO_GROUP;

/// A key of the lookup table not seen in the data (yet).
const UNSEEN: u32 = u32::MAX;

/// Domain membership of every row (`NO_DOMAIN` = none) and the labels of each domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Domains {
    /// Domain code per row.
    pub codes: Vec<u32>,
    /// Number of domains.
    pub n: usize,
    /// Names of the `by` variables.
    pub by_names: Vec<String>,
    /// For each domain, the label of each `by` variable.
    pub labels: Vec<Vec<String>>,
}

impl Domains {
    /// The whole sample as one domain.
    pub fn whole(n_rows: usize) -> Domains {
        Domains { codes: vec![0; n_rows], n: 1, by_names: Vec::new(), labels: vec![Vec::new()] }
    }

    /// Crossed domains of the `by` variables. Domains are the combinations present in the
    /// data (or every combination of labels when `keep_empty`), ordered as R `svyby` orders
    /// them: the first variable varies fastest. Rows with a missing `by` value belong to no
    /// domain.
    ///
    /// # Errors
    /// A `by` column whose length differs from the sample.
    pub fn cross(by: &[&Categorical], n_rows: usize, keep_empty: bool) -> Result<Domains> {
        if by.is_empty() {
            return Ok(Domains::whole(n_rows));
        }
        for b in by {
            if b.codes.len() != n_rows {
                return Err(Error::method(
                    "estimate",
                    format!(
                        "`by` column `{}` has {} rows, expected {n_rows}",
                        b.name,
                        b.codes.len()
                    ),
                ));
            }
        }
        // mixed-radix key, last variable most significant so the first varies fastest
        let radix: Vec<u64> = by.iter().map(|b| b.levels.len() as u64).collect();
        let key_of = |k: usize| -> Option<u64> {
            let mut key = 0u64;
            for (j, b) in by.iter().enumerate().rev() {
                let c = b.codes[k];
                if c == Factor::MISSING {
                    return None;
                }
                key = key * radix[j] + c as u64;
            }
            Some(key)
        };
        let row_keys: Vec<Option<u64>> = (0..n_rows).map(key_of).collect();
        let n_keys = radix.iter().try_fold(1u64, |a, &r| a.checked_mul(r));
        let small = n_keys.filter(|&nk| nk <= (4 * n_rows as u64).max(1 << 16));
        let (keys, codes) = match small {
            // small key space: a lookup table, O(n) without sorting
            Some(nk) => table_codes(&row_keys, nk, keep_empty),
            None => sorted_codes(&row_keys, keep_empty)?,
        };
        let labels = keys.iter().map(|&key| key_labels(by, &radix, key)).collect();
        Ok(Domains {
            codes,
            n: keys.len(),
            by_names: by.iter().map(|b| b.name.clone()).collect(),
            labels,
        })
    }

    /// Removes rows from every domain where `keep(k)` is false (missing analysis value,
    /// domain filter).
    pub fn restrict(&mut self, keep: impl Fn(usize) -> bool) {
        for (k, c) in self.codes.iter_mut().enumerate() {
            if !keep(k) {
                *c = NO_DOMAIN;
            }
        }
    }
}

/// Domain keys and codes through a lookup table of the `nk` possible keys.
fn table_codes(row_keys: &[Option<u64>], nk: u64, keep_empty: bool) -> (Vec<u64>, Vec<u32>) {
    let mut index = vec![UNSEEN; nk as usize];
    if keep_empty {
        index.iter_mut().for_each(|v| *v = 0);
    } else {
        row_keys.iter().flatten().for_each(|&key| index[key as usize] = 0);
    }
    let mut keys = Vec::new();
    for (key, slot) in index.iter_mut().enumerate() {
        if *slot == 0 {
            *slot = keys.len() as u32;
            keys.push(key as u64);
        }
    }
    let codes = row_keys.iter().map(|k| k.map_or(NO_DOMAIN, |key| index[key as usize])).collect();
    (keys, codes)
}

/// Domain keys and codes by sorting the keys present (a key space too large for a table).
fn sorted_codes(row_keys: &[Option<u64>], keep_empty: bool) -> Result<(Vec<u64>, Vec<u32>)> {
    if keep_empty {
        return Err(Error::method(
            "estimate",
            "too many label combinations to keep empty domains: set \
             keep_empty_domains to false",
        ));
    }
    let mut keys: Vec<u64> = row_keys.iter().flatten().copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let codes = row_keys
        .iter()
        .map(|k| k.and_then(|key| keys.binary_search(&key).ok()).map_or(NO_DOMAIN, |i| i as u32))
        .collect();
    Ok((keys, codes))
}

/// The labels of the `by` variables of a mixed-radix key.
fn key_labels(by: &[&Categorical], radix: &[u64], key: u64) -> Vec<String> {
    let mut rest = key;
    by.iter()
        .enumerate()
        .map(|(j, b)| {
            let c = (rest % radix[j]) as usize;
            rest /= radix[j];
            b.levels[c].clone()
        })
        .collect()
}
