//! The result of a selection: selected rows and their design columns, as contiguous columns.

use crate::sampling::{OUT_OF_SCOPE, Strata};

/// A selected sample, one entry per selected unit, in frame order.
///
/// `ponder sample` writes the frame's columns for `rows` and adds `pi`, `design_weight`,
/// `stratum` (label `strata.labels()[stratum[i]]`) and `certainty`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sample {
    /// Frame row indices (0-based), ascending.
    pub rows: Vec<usize>,
    /// First-order inclusion probability π_k.
    pub pi: Vec<f64>,
    /// Design weight d_k = 1 / π_k.
    pub design_weight: Vec<f64>,
    /// Stratum code (index into the strata labels).
    pub stratum: Vec<u32>,
    /// True for certainty units (π_k = 1).
    pub certainty: Vec<bool>,
}

impl Sample {
    /// Builds the sample from ascending selected rows and π of every frame row.
    pub(crate) fn from_rows(
        rows: Vec<usize>,
        strata: &Strata,
        pi_of: impl Fn(usize) -> f64,
    ) -> Sample {
        let codes = strata.codes();
        let mut s = Sample {
            pi: Vec::with_capacity(rows.len()),
            design_weight: Vec::with_capacity(rows.len()),
            stratum: Vec::with_capacity(rows.len()),
            certainty: Vec::with_capacity(rows.len()),
            rows: Vec::new(),
        };
        for &r in &rows {
            let p = pi_of(r);
            s.pi.push(p);
            s.design_weight.push(1.0 / p);
            s.stratum.push(codes[r]);
            s.certainty.push(p >= 1.0);
        }
        s.rows = rows;
        s
    }

    /// Number of selected units.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when nothing was selected.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Selected units per stratum (length `n_strata`).
    pub fn counts(&self, n_strata: usize) -> Vec<u64> {
        let mut n = vec![0u64; n_strata];
        for &h in &self.stratum {
            if h != OUT_OF_SCOPE {
                n[h as usize] += 1;
            }
        }
        n
    }
}
