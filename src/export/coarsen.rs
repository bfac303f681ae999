//! Coarsening: exact values replaced by groups (exact age → age groups, department →
//! region). A value no group takes is an error naming it and its row — never a silent
//! missing value; a missing value stays missing.

use crate::data::{Factor, Table};
use crate::error::{Error, Result};

/// How values are grouped.
#[derive(Debug, Clone, PartialEq)]
pub enum Grouping {
    /// Breaks b0 < … < bk: value x goes to group i when b_i ≤ x < b_{i+1} (the last group
    /// is [bk, ∞)); one label per group.
    Breaks {
        /// The breaks, increasing.
        breaks: Vec<f64>,
        /// One label per group.
        labels: Vec<String>,
    },
    /// Code (text form) → group.
    Map(Vec<(String, String)>),
}

/// Default labels of the groups of `breaks`: `18-29`, `30-44`, …, `75+` when every break
/// is a whole number (for whole-number data), else `[18.5,30)`, …, `>=75`.
///
/// # Examples
/// ```
/// assert_eq!(ponder::export::group_labels(&[18.0, 30.0, 75.0]), ["18-29", "30-74", "75+"]);
/// assert_eq!(ponder::export::group_labels(&[0.5, 2.0]), ["[0.5,2)", ">=2"]);
/// ```
pub fn group_labels(breaks: &[f64]) -> Vec<String> {
    let whole = breaks.iter().all(|b| b.fract() == 0.0 && b.abs() < 1e15);
    let show = crate::data::factor_label;
    breaks
        .iter()
        .enumerate()
        .map(|(i, &b)| match (breaks.get(i + 1), whole) {
            (Some(&next), true) => format!("{}-{}", show(b), show(next - 1.0)),
            (Some(&next), false) => format!("[{},{})", show(b), show(next)),
            (None, true) => format!("{}+", show(b)),
            (None, false) => format!(">={}", show(b)),
        })
        .collect()
}

/// The grouped column of `variable` (rows in table order): codes into the group labels.
///
/// # Errors
/// A value below the first break or absent from the map ([`Error::Cell`] with its row); a
/// non-numeric column under breaks.
pub(super) fn apply(table: &Table, variable: &str, grouping: &Grouping) -> Result<Factor> {
    match grouping {
        Grouping::Breaks { breaks, labels } => by_breaks(table, variable, breaks, labels),
        Grouping::Map(map) => by_map(table, variable, map),
    }
}

fn by_breaks(table: &Table, variable: &str, breaks: &[f64], labels: &[String]) -> Result<Factor> {
    let values = table.numeric_opt(variable)?;
    let mut codes = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        let Some(x) = v else {
            codes.push(Factor::MISSING);
            continue;
        };
        // number of breaks ≤ x, minus one: the group index
        let above = breaks.partition_point(|b| *b <= *x);
        if above == 0 {
            return Err(Error::Cell {
                file: table.source(),
                column: variable.to_string(),
                row: Some(row + 1),
                message: format!(
                    "column `{variable}` row {}: {x} is below the first break {}; add a lower \
                     break (groups start at the first break)",
                    row + 1,
                    breaks[0]
                ),
            });
        }
        codes.push((above - 1) as u32);
    }
    Ok(Factor { codes, levels: labels.to_vec() })
}

fn by_map(table: &Table, variable: &str, map: &[(String, String)]) -> Result<Factor> {
    let f = table.factor(variable)?;
    let mut levels: Vec<String> = map.iter().map(|(_, g)| g.clone()).collect();
    levels.sort();
    levels.dedup();
    let mut target: Vec<u32> = Vec::with_capacity(f.levels.len());
    for l in &f.levels {
        match map.iter().find(|(c, _)| c == l) {
            Some((_, g)) => {
                target.push(levels.binary_search(g).map_or(Factor::MISSING, |i| i as u32))
            }
            None => {
                let row = f.codes.iter().position(|&c| f.levels.get(c as usize) == Some(l));
                return Err(Error::Cell {
                    file: table.source(),
                    column: variable.to_string(),
                    row: row.map(|r| r + 1),
                    message: format!(
                        "column `{variable}`: value `{l}` (row {}) has no group in the map; \
                         add `\"{l}\": <group>` to it",
                        row.map_or(0, |r| r + 1)
                    ),
                });
            }
        }
    }
    let codes = f
        .codes
        .iter()
        .map(|&c| if c == Factor::MISSING { c } else { target[c as usize] })
        .collect();
    Ok(Factor { codes, levels })
}
