//! The nested stage structure the variance engine walks: units of each stage, their strata,
//! sample sizes n_h and sampling fractions n_h / N_h.

/// One sampling stage after validation.
///
/// Units are numbered densely (0..n_units) in order of first appearance in the data. At stage
/// 1 the strata are the user's strata (plus one self-representing pseudo-stratum per certainty
/// PSU); at later stages the stratum of a unit is its parent unit (R `survey` forces sub-strata
/// nested in the previous stage's clusters).
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// Row → unit index at this stage.
    pub unit_of_row: Vec<u32>,
    /// Number of units at this stage.
    pub n_units: usize,
    /// Unit → stratum index at this stage.
    pub stratum_of_unit: Vec<u32>,
    /// Unit → parent unit at the previous stage (stage 1: equals the stratum).
    pub parent_of_unit: Vec<u32>,
    /// Number of sampled units per stratum (R's `sampsize`, on the full sample).
    pub stratum_n: Vec<u32>,
    /// Sampling fraction n_h / N_h per stratum; `None` when this stage has no fpc.
    pub stratum_fraction: Option<Vec<f64>>,
    /// Stratum labels for messages.
    pub stratum_labels: Vec<String>,
    /// Unit labels for messages.
    pub unit_labels: Vec<String>,
}

impl Stage {
    /// Number of strata at this stage.
    pub fn n_strata(&self) -> usize {
        self.stratum_n.len()
    }

    /// R's finite population factor `f = (N − n) / N` of stratum `h` (1 without fpc).
    pub fn fpc_factor(&self, h: usize) -> f64 {
        match &self.stratum_fraction {
            Some(fr) => 1.0 - fr[h],
            None => 1.0,
        }
    }
}
