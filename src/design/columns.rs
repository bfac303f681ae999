//! Column types the design and the estimators read: a named [`Factor`] (the crate's one
//! categorical type) and numeric values with `NaN` as the missing marker.

use crate::data::Factor;

/// A named categorical column: the data layer's [`Factor`] (codes into `levels`,
/// [`Factor::MISSING`] for a missing value) with the column name used in messages and
/// output tables. Derefs to the factor (`c.codes`, `c.levels`).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    /// Column name, used in error messages and output tables.
    pub name: String,
    /// Codes and levels.
    pub factor: Factor,
}

impl std::ops::Deref for Categorical {
    type Target = Factor;

    fn deref(&self) -> &Factor {
        &self.factor
    }
}

impl Categorical {
    /// A named factor.
    pub fn new(name: &str, factor: Factor) -> Self {
        Categorical { name: name.to_string(), factor }
    }

    /// Builds a column from text values (`None` = missing); levels are sorted (as the
    /// data layer does) so codes are deterministic.
    pub fn from_strings<S: AsRef<str>>(name: &str, values: &[Option<S>]) -> Self {
        let mut levels: Vec<String> =
            values.iter().flatten().map(|s| s.as_ref().to_string()).collect();
        levels.sort();
        levels.dedup();
        let codes = values
            .iter()
            .map(|v| match v {
                Some(s) => levels
                    .binary_search_by(|l| l.as_str().cmp(s.as_ref()))
                    .map_or(Factor::MISSING, |i| i as u32),
                None => Factor::MISSING,
            })
            .collect();
        Categorical::new(name, Factor { codes, levels })
    }

    /// Level of row `k` (`None` when missing or out of range).
    pub fn label(&self, k: usize) -> Option<&str> {
        self.codes.get(k).and_then(|&c| self.levels.get(c as usize)).map(String::as_str)
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
