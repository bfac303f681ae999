//! Binding a linked unit file (`units: {file: disputes.csv, key: person_id}` of an
//! estimation config) to the weighted file: the key joins every unit row (a dispute) to its
//! person's row, whose weight, replicate weights and place in the design it inherits
//! ([`crate::estimate::estimate_linked`]).
//!
//! Rules:
//! - the key column must exist in both files; keys are matched by their text form (`12`
//!   and `"12"` match, as categories do everywhere);
//! - every key of the weighted file is unique and present; every unit's key is present and
//!   found in the weighted file; a unit's person has a positive analysis weight (a
//!   non-respondent or out-of-scope person holding disputes is an error, never a silent
//!   drop). Each problem is an [`Error::Link`] naming the file, the key value and the row.
//! - A column a request names is read from the unit file when it has it, else from the
//!   weighted file through the key (person variables: sex, age group, region…). The key
//!   column itself is in both: the unit file's is used.

use std::collections::HashMap;

mod answered;
pub use answered::{explain_zero_weight, needs_replicates, reweight_answerers};

use crate::bind::design::{categorical, numeric};
use crate::config::estimate::UnitsSpec;
use crate::data::{Factor, Table};
use crate::design::{Categorical, Numeric};
use crate::error::{Error, LinkProblem, Result};
use crate::estimate::UnitLink;

/// A unit file joined to the weighted file.
#[derive(Debug)]
pub struct Linked<'a> {
    /// The unit file (one row per unit).
    pub units: Table,
    /// The weighted file (one row per person: the design's rows).
    pub persons: &'a Table,
    /// The person row of every unit.
    pub link: UnitLink,
}

/// Column names of the unit file, without reading its rows (`ponder run` and the column
/// checks before any computation).
///
/// # Errors
/// An unreadable or unknown-format file.
pub fn unit_columns(spec: &UnitsSpec) -> Result<Vec<String>> {
    crate::data::column_names_of(&spec.file)
}

/// Reads the unit file and links it to `persons` whose analysis weights are `weights`.
///
/// # Errors
/// [`Error::Link`]: the key column absent from either file, a missing key, a key duplicated
/// in the weighted file, a unit key absent from it, a unit whose person has weight 0;
/// reading errors.
pub fn link<'a>(spec: &UnitsSpec, persons: &'a Table, weights: &[f64]) -> Result<Linked<'a>> {
    let units = Table::read(&spec.file)?;
    let link = link_tables(&spec.key, persons, &units, weights)?;
    Ok(Linked { units, persons, link })
}

/// The unit file with its persons' columns (those it lacks, joined through the key), and
/// the link. `weights`: the persons' analysis weights (a unit of a person of weight 0 is
/// an error); `None` to check the keys only (labels).
///
/// # Errors
/// As [`link`].
pub fn joined(
    spec: &UnitsSpec,
    persons: &Table,
    weights: Option<&[f64]>,
) -> Result<(Table, UnitLink)> {
    let mut units = Table::read(&spec.file)?;
    let ones;
    let weights = match weights {
        Some(w) => w,
        None => {
            ones = vec![1.0; persons.n_rows()];
            &ones
        }
    };
    let link = link_tables(&spec.key, persons, &units, weights)?;
    let rows: Vec<usize> = link.persons().iter().map(|&i| i as usize).collect();
    units.adopt_columns(&persons.take_rows(&rows)?)?;
    Ok((units, link))
}

/// The person row of every unit row (see [`link`]).
///
/// # Errors
/// As [`link`].
pub fn link_tables(key: &str, persons: &Table, units: &Table, weights: &[f64]) -> Result<UnitLink> {
    let person_keys = key_column(key, persons, "weighted file")?;
    let unit_keys = key_column(key, units, "unit file")?;
    let index = person_index(key, persons, &person_keys)?;
    let mut person = Vec::with_capacity(unit_keys.len());
    for (u, &c) in unit_keys.codes.iter().enumerate() {
        let value = &unit_keys.levels[c as usize];
        let Some(&i) = index.get(value.as_str()) else {
            let n = unit_keys
                .codes
                .iter()
                .filter(|&&c2| !index.contains_key(unit_keys.levels[c2 as usize].as_str()))
                .count();
            return Err(link_error(
                units,
                LinkProblem::UnknownKey,
                Some(value),
                Some(u + 1),
                format!(
                    "row {}: key `{key}` = `{value}` is not in the weighted file {} ({n} unit \
                     row(s) with an unknown key); every unit must belong to a sampled person: \
                     check the key column and that both files come from the same survey",
                    u + 1,
                    persons.source()
                ),
            ));
        };
        if weights[i as usize] <= 0.0 {
            return Err(link_error(
                units,
                LinkProblem::ZeroWeight,
                Some(value),
                Some(u + 1),
                format!(
                    "row {}: the person with key `{key}` = `{value}` (row {} of {}) has weight \
                     {} but holds units: a non-respondent or out-of-scope person has no \
                     answers; remove its units or check the weight column",
                    u + 1,
                    i + 1,
                    persons.source(),
                    weights[i as usize]
                ),
            ));
        }
        person.push(i);
    }
    UnitLink::new(person, persons.n_rows())
}

/// The key column of a file, with no missing value.
fn key_column(key: &str, table: &Table, what: &str) -> Result<Factor> {
    if !table.has_column(key) {
        return Err(link_error(
            table,
            LinkProblem::MissingKeyColumn,
            None,
            None,
            format!(
                "no key column `{key}` in the {what} ({}); `units.key` names the column that \
                 both the weighted file and the unit file hold",
                table.unknown_column(key).detail()
            ),
        ));
    }
    let f = table.factor(key)?;
    if let Some(&r) = f.missing_rows().first() {
        let n = f.missing_rows().len();
        return Err(link_error(
            table,
            LinkProblem::MissingKey,
            None,
            Some(r + 1),
            format!(
                "row {}: key `{key}` is missing ({n} row(s) of the {what} without key); every \
                 row needs its person's key",
                r + 1
            ),
        ));
    }
    Ok(f)
}

/// Key text → person row; a duplicated key is an error naming both rows.
fn person_index<'f>(key: &str, persons: &Table, f: &'f Factor) -> Result<HashMap<&'f str, u32>> {
    let mut first: Vec<Option<usize>> = vec![None; f.levels.len()];
    for (k, &c) in f.codes.iter().enumerate() {
        if let Some(j) = first[c as usize] {
            let value = &f.levels[c as usize];
            return Err(link_error(
                persons,
                LinkProblem::DuplicateKey,
                Some(value),
                Some(k + 1),
                format!(
                    "rows {} and {}: key `{key}` = `{value}` occurs twice in the weighted file; \
                     the key must identify one person (deduplicate the file, or choose the \
                     person identifier as `units.key`)",
                    j + 1,
                    k + 1
                ),
            ));
        }
        first[c as usize] = Some(k);
    }
    Ok(first
        .iter()
        .enumerate()
        .filter_map(|(c, k)| k.map(|k| (f.levels[c].as_str(), k as u32)))
        .collect())
}

fn link_error(
    table: &Table,
    problem: LinkProblem,
    key: Option<&str>,
    row: Option<usize>,
    message: String,
) -> Error {
    Error::Link { file: table.source(), problem, key: key.map(str::to_string), row, message }
}

impl Linked<'_> {
    /// A numeric column on the unit rows: the unit file's, else the person's value.
    ///
    /// # Errors
    /// Unknown or non-numeric column.
    pub fn numeric(&self, name: &str) -> Result<Numeric> {
        if self.units.has_column(name) || !self.persons.has_column(name) {
            return numeric(&self.units, name);
        }
        let p = numeric(self.persons, name)?;
        Ok(Numeric::new(name, self.link.expand(&p.values)))
    }

    /// A categorical column on the unit rows: the unit file's, else the person's category
    /// (levels that no unit's person holds are dropped; order kept).
    ///
    /// # Errors
    /// Unknown column.
    pub fn categorical(&self, name: &str) -> Result<Categorical> {
        if self.units.has_column(name) || !self.persons.has_column(name) {
            return categorical(&self.units, name);
        }
        let p = self.persons.factor(name)?;
        let codes: Vec<u32> = self.link.persons().iter().map(|&i| p.codes[i as usize]).collect();
        Ok(Categorical::new(name, present_levels(codes, p.levels)))
    }

    /// Where the unit file came from, for messages.
    pub fn source(&self) -> String {
        self.units.source()
    }
}

/// A factor keeping only the levels its codes use (in their order).
fn present_levels(codes: Vec<u32>, levels: Vec<String>) -> Factor {
    let mut used = vec![false; levels.len()];
    codes.iter().filter(|&&c| c != Factor::MISSING).for_each(|&c| used[c as usize] = true);
    let mut new_code = vec![Factor::MISSING; levels.len()];
    let mut kept = Vec::new();
    for (c, l) in levels.into_iter().enumerate() {
        if used[c] {
            new_code[c] = kept.len() as u32;
            kept.push(l);
        }
    }
    let codes = codes
        .iter()
        .map(|&c| if c == Factor::MISSING { c } else { new_code[c as usize] })
        .collect();
    Factor { codes, levels: kept }
}
