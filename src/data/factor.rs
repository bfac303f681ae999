//! The categorical column type of the whole crate: codes plus levels, one missing code.
//!
//! Polars-free: design, sampling, nonresponse, calibration and estimation take a
//! [`Factor`]; building one from a data column is [`super::coding`]'s job.
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
