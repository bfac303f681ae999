//! Strata of a frame: one `u32` code per row, the labels, and the in-scope size of each
//! stratum.
//!
//! Rows outside the survey scope (filtered out) keep their place in the frame and carry the
//! code [`OUT_OF_SCOPE`], so that every selection method returns row indices into the frame
//! the user gave, and no column has to be copied to apply a filter on a 68-million-row
//! register.

use std::collections::BTreeMap;

use crate::data::Factor;
use crate::error::{Error, Result};

/// Stratum code of a row that is not part of the sampling frame (outside the survey scope).
pub const OUT_OF_SCOPE: u32 = u32::MAX;

/// Separator of the labels of crossed strata (`region_sex` style, as calibration interactions).
pub const CROSS_SEPARATOR: &str = "_";

/// Stratification of a frame.
///
/// Invariants: `codes.len()` is the number of frame rows; every code is either
/// [`OUT_OF_SCOPE`] or `< labels.len()`; `sizes[h]` counts the in-scope rows with code `h`.
#[derive(Debug, Clone, PartialEq)]
pub struct Strata {
    column: String,
    codes: Vec<u32>,
    labels: Vec<String>,
    sizes: Vec<u64>,
}

impl Strata {
    /// A frame of `n_rows` rows with no stratification: one stratum labelled `all`.
    pub fn single(n_rows: usize) -> Strata {
        Strata {
            column: "(none)".into(),
            codes: vec![0; n_rows],
            labels: vec!["all".into()],
            sizes: vec![n_rows as u64],
        }
    }

    /// Strata from factor codes (`codes[i]` indexes `labels`), as `ponder::data::Factor` holds
    /// them. `column` names the frame column(s) in messages.
    ///
    /// # Errors
    /// A missing value ([`Factor::MISSING`]) or a code without label: the message lists the rows.
    pub fn from_codes(column: &str, codes: Vec<u32>, labels: Vec<String>) -> Result<Strata> {
        let k = labels.len() as u32;
        let bad: Vec<usize> = (0..codes.len()).filter(|&i| codes[i] >= k).collect();
        if !bad.is_empty() {
            return Err(Error::method(
                "sampling",
                format!(
                    "stratification column `{column}` has no value at {}: give these rows a \
                     stratum or filter them out of the scope",
                    rows_phrase(&bad)
                ),
            ));
        }
        let mut sizes = vec![0u64; labels.len()];
        for &c in &codes {
            sizes[c as usize] += 1;
        }
        Ok(Strata { column: column.into(), codes, labels, sizes })
    }

    /// Strata from text values (labels sorted, as the data layer sorts factor levels).
    /// An empty string counts as missing.
    ///
    /// # Errors
    /// Missing values, naming the rows.
    pub fn from_values<S: AsRef<str>>(column: &str, values: &[S]) -> Result<Strata> {
        let mut labels: Vec<String> = values
            .iter()
            .map(|v| v.as_ref())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        labels.sort();
        labels.dedup();
        let index: BTreeMap<&str, u32> =
            labels.iter().enumerate().map(|(i, l)| (l.as_str(), i as u32)).collect();
        let codes = values
            .iter()
            .map(|v| index.get(v.as_ref()).copied().unwrap_or(Factor::MISSING))
            .collect();
        Strata::from_codes(column, codes, labels)
    }

    /// Crosses several stratifications (row by row). Only the combinations that occur among
    /// in-scope rows become strata, ordered by the component codes; labels are joined with
    /// [`CROSS_SEPARATOR`]. A row out of scope in any part is out of scope.
    ///
    /// # Errors
    /// Parts of different lengths.
    pub fn cross(parts: &[&Strata]) -> Result<Strata> {
        let Some(first) = parts.first() else {
            return Err(Error::Internal("Strata::cross needs at least one part".into()));
        };
        let n = first.n_rows();
        if let Some(p) = parts.iter().find(|p| p.n_rows() != n) {
            return Err(Error::method(
                "sampling",
                format!(
                    "cannot cross strata `{}` ({} rows) and `{}` ({} rows): columns of one \
                     frame must have the same length",
                    first.column,
                    n,
                    p.column,
                    p.n_rows()
                ),
            ));
        }
        let mut keys: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
        let mut row_key = Vec::with_capacity(parts.len());
        for i in 0..n {
            if key_of(parts, i, &mut row_key) {
                keys.entry(row_key.clone()).or_insert(0);
            }
        }
        let mut labels = Vec::with_capacity(keys.len());
        for (h, (key, code)) in keys.iter_mut().enumerate() {
            *code = h as u32;
            let parts_labels: Vec<&str> =
                key.iter().zip(parts).map(|(&c, p)| p.labels[c as usize].as_str()).collect();
            labels.push(parts_labels.join(CROSS_SEPARATOR));
        }
        let mut codes = vec![OUT_OF_SCOPE; n];
        let mut sizes = vec![0u64; labels.len()];
        for (i, code) in codes.iter_mut().enumerate() {
            if key_of(parts, i, &mut row_key) {
                let h = keys[&row_key];
                *code = h;
                sizes[h as usize] += 1;
            }
        }
        let column = parts.iter().map(|p| p.column.as_str()).collect::<Vec<_>>().join(" x ");
        Ok(Strata { column, codes, labels, sizes })
    }

    /// Puts the rows where `in_scope[i]` is false out of scope (code [`OUT_OF_SCOPE`]).
    ///
    /// # Errors
    /// `in_scope` does not have one entry per frame row.
    pub fn restrict(&mut self, in_scope: &[bool]) -> Result<()> {
        if in_scope.len() != self.codes.len() {
            return Err(Error::Internal(format!(
                "scope mask has {} rows, frame has {}",
                in_scope.len(),
                self.codes.len()
            )));
        }
        for (code, &keep) in self.codes.iter_mut().zip(in_scope) {
            if !keep && *code != OUT_OF_SCOPE {
                self.sizes[*code as usize] -= 1;
                *code = OUT_OF_SCOPE;
            }
        }
        Ok(())
    }

    /// Removes the strata with no in-scope row (e.g. `976` once Mayotte is filtered out) and
    /// returns their labels so that the caller can report them.
    pub fn drop_empty(self) -> (Strata, Vec<String>) {
        let mut remap = vec![OUT_OF_SCOPE; self.labels.len()];
        let (mut labels, mut sizes, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
        for (h, (label, &size)) in self.labels.into_iter().zip(&self.sizes).enumerate() {
            if size == 0 {
                dropped.push(label);
            } else {
                remap[h] = labels.len() as u32;
                labels.push(label);
                sizes.push(size);
            }
        }
        let codes = self
            .codes
            .into_iter()
            .map(|c| if c == OUT_OF_SCOPE { c } else { remap[c as usize] })
            .collect();
        (Strata { column: self.column, codes, labels, sizes }, dropped)
    }

    /// Values given per stratum label (e.g. YAML `response_rate: {"11": 0.55}`), aligned on
    /// the strata; strata absent from `map` get `default`.
    ///
    /// # Errors
    /// A key that is not a stratum label; the message suggests the closest label.
    pub fn per_stratum<T: Clone>(
        &self,
        key: &str,
        map: &BTreeMap<String, T>,
        default: T,
    ) -> Result<Vec<T>> {
        let mut out = vec![default; self.labels.len()];
        for (label, value) in map {
            match self.index_of(label) {
                Some(h) => out[h] = value.clone(),
                None => {
                    return Err(Error::method(
                        "sampling",
                        format!(
                            "`{key}` names stratum `{label}`, which is not a stratum of `{}` in \
                             scope{}",
                            self.column,
                            suggestion(label, &self.labels)
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Index of the stratum labelled `label`.
    pub fn index_of(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// Name of the stratification column(s), for messages.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// One code per frame row ([`OUT_OF_SCOPE`] for rows outside the scope).
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// Stratum labels, indexed by code.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// In-scope size N_h of every stratum.
    pub fn sizes(&self) -> &[u64] {
        &self.sizes
    }

    /// Number of strata H.
    pub fn n_strata(&self) -> usize {
        self.labels.len()
    }

    /// Number of frame rows (in scope or not).
    pub fn n_rows(&self) -> usize {
        self.codes.len()
    }

    /// Number of in-scope rows N = Σ N_h.
    pub fn n_in_scope(&self) -> u64 {
        self.sizes.iter().sum()
    }
}

/// Fills `key` with the codes of row `i` in every part; false when the row is out of scope.
fn key_of(parts: &[&Strata], i: usize, key: &mut Vec<u32>) -> bool {
    key.clear();
    for p in parts {
        let c = p.codes[i];
        if c == OUT_OF_SCOPE {
            return false;
        }
        key.push(c);
    }
    true
}

/// " (did you mean `x`?)" when a label is close to `wanted`.
pub(crate) fn suggestion(wanted: &str, labels: &[String]) -> String {
    let best = labels
        .iter()
        .map(|l| (strsim::jaro_winkler(wanted, l), l))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, l)) if score > 0.7 => format!(" (did you mean `{l}`?)"),
        _ => {
            let shown: Vec<&str> = labels.iter().take(20).map(String::as_str).collect();
            format!(" (strata: {})", shown.join(", "))
        }
    }
}

/// "row 3" / "rows 3, 8, 12 and 40 more" with 1-based row numbers.
pub(crate) fn rows_phrase(rows: &[usize]) -> String {
    const SHOWN: usize = 5;
    let list: Vec<String> = rows.iter().take(SHOWN).map(|r| (r + 1).to_string()).collect();
    let more = rows.len().saturating_sub(SHOWN);
    let head = if rows.len() == 1 { "row" } else { "rows" };
    if more > 0 {
        format!("{head} {} and {more} more", list.join(", "))
    } else {
        format!("{head} {}", list.join(", "))
    }
}
