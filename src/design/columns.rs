//! Column types the design and the estimators read: categorical codes with labels, and
//! numeric values with `NaN` as the missing marker.
//!
//! They mirror the data layer's `Factor { codes, levels }` (same missing code), so a
//! validated configuration maps onto them without copying logic.

/// Code of a missing value in a [`Categorical`] column (same as the data layer's
/// `Factor::MISSING`).
pub const MISSING: u32 = u32::MAX;

/// A categorical column: per-row codes into `labels`; [`MISSING`] marks a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    /// Column name, used in error messages and output tables.
    pub name: String,
    /// Per-row code (index into `labels`) or [`MISSING`].
    pub codes: Vec<u32>,
    /// Text form of each category.
    pub labels: Vec<String>,
}

impl Categorical {
    /// Builds a column from text values (`None` = missing); labels are sorted (as the
    /// data layer does) so codes are deterministic.
    pub fn from_strings<S: AsRef<str>>(name: &str, values: &[Option<S>]) -> Self {
        let mut labels: Vec<String> =
            values.iter().flatten().map(|s| s.as_ref().to_string()).collect();
        labels.sort();
        labels.dedup();
        let codes = values
            .iter()
            .map(|v| match v {
                Some(s) => labels
                    .binary_search_by(|l| l.as_str().cmp(s.as_ref()))
                    .map_or(MISSING, |i| i as u32),
                None => MISSING,
            })
            .collect();
        Categorical { name: name.to_string(), codes, labels }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when the column has no row.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Label of row `k` (`None` when missing or out of range).
    pub fn label(&self, k: usize) -> Option<&str> {
        self.codes.get(k).and_then(|&c| self.labels.get(c as usize)).map(String::as_str)
    }
}

/// A numeric column; `NaN` marks a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct Numeric {
    /// Column name, used in error messages.
    pub name: String,
    /// Per-row values (`NaN` = missing).
    pub values: Vec<f64>,
}

impl Numeric {
    /// A named numeric column.
    pub fn new(name: &str, values: Vec<f64>) -> Self {
        Numeric { name: name.to_string(), values }
    }
}

pub(crate) use crate::data::row_list;
