//! The categorical column type of the whole crate: codes plus levels, one missing code.
//!
//! Polars-free: design, sampling, nonresponse, calibration and estimation take a
//! [`Factor`]; building one from a data column is [`super::coding`]'s job.
use rayon::prelude::*;
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
    ///
    /// Each row's combination is a mixed-radix number (the first factor most significant,
    /// so numeric order is the order of the component codes), computed in parallel; the
    /// combinations present are found by direct indexing when there are at most 2^22
    /// possible ones, by sorting the row keys otherwise. No allocation per row.
    pub fn cross(factors: &[&Factor]) -> Factor {
        let n = factors.first().map_or(0, |f| f.len());
        let radix: Vec<u64> = factors.iter().map(|f| f.levels.len().max(1) as u64).collect();
        let Some(combinations) = radix.iter().try_fold(1u64, |a, &r| a.checked_mul(r)) else {
            return Self::cross_general(factors);
        };
        const NONE: u64 = u64::MAX;
        let mut keys = vec![0u64; n];
        keys.par_chunks_mut(1 << 16).enumerate().for_each(|(b, out)| {
            let start = b << 16;
            for (i, k) in out.iter_mut().enumerate() {
                let mut key = 0u64;
                for (f, &r) in factors.iter().zip(&radix) {
                    let c = f.codes[start + i];
                    if c == Self::MISSING {
                        key = NONE;
                        break;
                    }
                    key = key * r + u64::from(c);
                }
                *k = key;
            }
        });
        let distinct: Vec<u64> = if combinations <= 1 << 22 {
            let mut seen = vec![false; combinations as usize];
            for &k in &keys {
                if k != NONE {
                    seen[k as usize] = true;
                }
            }
            (0..combinations).filter(|&k| seen[k as usize]).collect()
        } else {
            let mut d: Vec<u64> = keys.iter().copied().filter(|&k| k != NONE).collect();
            d.par_sort_unstable();
            d.dedup();
            d
        };
        let codes: Vec<u32> = if combinations <= 1 << 22 {
            let mut index = vec![Self::MISSING; combinations as usize];
            for (i, &k) in distinct.iter().enumerate() {
                index[k as usize] = i as u32;
            }
            keys.par_iter()
                .map(|&k| if k == NONE { Self::MISSING } else { index[k as usize] })
                .collect()
        } else {
            keys.par_iter()
                .map(|&k| {
                    if k == NONE {
                        Self::MISSING
                    } else {
                        distinct.binary_search(&k).map_or(Self::MISSING, |i| i as u32)
                    }
                })
                .collect()
        };
        let levels = distinct
            .iter()
            .map(|&key| {
                let mut parts = vec![""; factors.len()];
                let mut k = key;
                for j in (0..factors.len()).rev() {
                    parts[j] = factors[j].levels[(k % radix[j]) as usize].as_str();
                    k /= radix[j];
                }
                parts.join(",")
            })
            .collect();
        Factor { codes, levels }
    }

    /// [`Factor::cross`] with one key vector per row: for more than 2^64 possible
    /// combinations.
    fn cross_general(factors: &[&Factor]) -> Factor {
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
    fn cross_keys_give_the_general_cross() {
        let a = f(&["1", "2", "3"], &[0, 2, 1, 2, Factor::MISSING, 0, 2, 1]);
        let b = f(&["x", "y"], &[1, 0, 1, 0, 0, Factor::MISSING, 1, 1]);
        let c = f(&["p"], &[0, 0, 0, 0, 0, 0, 0, 0]);
        for fs in [vec![&a, &b], vec![&b, &a], vec![&a, &b, &c], vec![&a]] {
            let fast = Factor::cross(&fs);
            assert_eq!(fast, Factor::cross_general(&fs));
        }
        let x = Factor::cross(&[&a, &b]);
        assert_eq!(x.levels, ["1,y", "2,y", "3,x", "3,y"].map(String::from).to_vec());
        assert_eq!(x.codes[4], Factor::MISSING);
        assert_eq!(x.codes[5], Factor::MISSING);
        // more than 2^22 possible combinations: the sorted-keys path
        let wide = Factor {
            codes: (0..5000u32).map(|i| (i * 37) % 4999).collect(),
            levels: (0..4999).map(|i| format!("{i:05}")).collect(),
        };
        let fs = [&wide, &wide];
        assert_eq!(Factor::cross(&fs), Factor::cross_general(&fs));
    }

    #[test]
    fn refuses_a_group_named_like_another_category() {
        let g = vec![("3".to_string(), vec!["1".to_string(), "2".to_string()])];
        let e = f(&["1", "2", "3"], &[0, 1, 2]).regroup(&g).unwrap_err();
        assert!(e.contains("`3`"), "{e}");
    }
}
