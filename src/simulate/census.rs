//! Census calibration margins of the « Français et la justice » (FEJ) survey population:
//! adults aged 18+ living in ordinary dwellings, France excluding Mayotte.
//!
//! # Derivation
//! The margins are the EXPECTED shares of the in-scope persons of the synthetic register
//! ([`super::generate_frame`]), computed analytically from the generator's own tables
//! (`frame::Tables`, the published figures of [`super::margins`]), not by simulation:
//! - every in-scope person has a weight w(sex, age) = P(sex, 5-year group) × P(single year
//!   within the group) × (1 − P(collective dwelling | age)), ages 18–104, from the census
//!   RP2018 sex × 5-year age structure and the RP2022 household population (collective
//!   dwellings 2.0 %, age profile ASSUMED in `frame.rs`);
//! - **sex × age group** = Σ w over the ages of the group / Σ w;
//! - **diploma** = Σ w × P(diploma | sex, age band): Enquête Emploi 2023 for 25–64 and the
//!   generator's ASSUMPTIONS for 18–24 and 65+;
//! - **pcs** = Σ w × P(PCS | age band): census RP2022 (POP6);
//! - **household_size** = Σ_type P(type | adult) × P(size | type): census RP2022 (FAM T1)
//!   household types with the generator's ASSUMED size distribution within type (the
//!   generator draws the household of an adult independently of age and sex);
//! - **region** = legal populations 2021 of the 17 regions in scope (the generator gives
//!   every region the same age structure, so the in-scope share is the same everywhere).
//!
//! Tables of different years (RP2018 ages, RP2022 households and occupations, EEC 2023
//! diplomas, legal populations 2021) are combined as SHARES and applied to one population
//! total: the in-scope adult count = Σ regional legal populations 2021 (Mayotte excluded) ×
//! in-scope share Σ w (adult share × ordinary-dwelling share of the generator). The margins
//! are therefore mutually consistent (they describe the same synthetic population), which is
//! what calibration needs; they are not a substitute for Insee's own survey margins.
//!
//! The shares are exact up to the generator's 2^-32 quantization of its probabilities,
//! which is taken into account (`Cdf::probabilities`).

use std::io::{self, Write};

use super::frame::{DIPLOMA_LEVELS, Tables, age_group, diploma_band, pcs_band};
use super::margins::REGIONS;
use super::{AGE_GROUP_LEVELS, SEX_LEVELS};
use crate::error::{Error, Result};
use crate::sampling::round_largest_remainder;

/// Margins of a survey population.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusMargins {
    /// Number of persons in the survey population.
    pub population_total: f64,
    /// One entry per calibration margin.
    pub margins: Vec<CensusMargin>,
}

/// One categorical margin: shares in percent, summing to 100.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusMargin {
    /// The variable, or the crossed variables.
    pub variables: Vec<String>,
    /// (category label as in the data — `"M,18-29"` for crossed margins — share in percent).
    pub categories: Vec<(String, f64)>,
}

/// The FEJ calibration margins: sex × age group, region, diploma, pcs, household size
/// (module docs for the derivation and sources).
pub fn fej_margins() -> CensusMargins {
    let t = Tables::new();
    let cells = t.sex_age5.probabilities();
    // w[sex][age]: probability that a generated person is of this sex and age and in an
    // ordinary dwelling (adults only).
    let mut w = [[0.0f64; 105]; 2];
    for (sex, ws) in w.iter_mut().enumerate() {
        for (age, wa) in ws.iter_mut().enumerate().skip(18) {
            *wa = cells[sex * 21 + age / 5]
                * Tables::age_offset_probability(age % 5)
                * (1.0 - t.collective_probability(age));
        }
    }
    let in_scope: f64 = w.iter().flatten().sum();
    let regions: Vec<&(&str, &str, u64)> = REGIONS.iter().filter(|r| r.0 != "976").collect();
    let legal: u64 = regions.iter().map(|r| r.2).sum();

    let mut sex_age = vec![0.0; 2 * 5];
    let mut diploma = [0.0; 5];
    let mut pcs = [0.0; 8];
    let diploma_p: Vec<Vec<f64>> = t.diploma.iter().map(|c| c.probabilities()).collect();
    let pcs_p: Vec<Vec<f64>> = t.pcs.iter().map(|c| c.probabilities()).collect();
    for (sex, ws) in w.iter().enumerate() {
        for (age, &wa) in ws.iter().enumerate().skip(18) {
            let a = age as u8;
            sex_age[sex * 5 + age_group(a) as usize - 1] += wa;
            let d = &diploma_p[sex * 8 + diploma_band(a)];
            for (k, acc) in diploma.iter_mut().enumerate() {
                *acc += wa * d[k + 1];
            }
            for (k, acc) in pcs.iter_mut().enumerate() {
                *acc += wa * pcs_p[pcs_band(a)][k];
            }
        }
    }
    let mut household = [0.0; 6];
    let sizes: Vec<Vec<f64>> = t.size_in_type.iter().map(|c| c.probabilities()).collect();
    for (ty, p_type) in t.adult_type.probabilities().iter().enumerate() {
        for (s, acc) in household.iter_mut().enumerate() {
            *acc += p_type * sizes[ty][s];
        }
    }

    let sex_age_labels = SEX_LEVELS
        .iter()
        .flat_map(|s| AGE_GROUP_LEVELS[1..].iter().map(move |a| format!("{s},{a}")));
    let numbered = |k: usize| (1..=k).map(|v| v.to_string());
    CensusMargins {
        population_total: legal as f64 * in_scope,
        margins: vec![
            margin(&["sex", "age_group"], sex_age_labels.zip(sex_age)),
            margin(&["region"], regions.iter().map(|r| (r.0.to_string(), r.2 as f64))),
            margin(&["diploma"], DIPLOMA_LEVELS[1..].iter().map(|d| d.to_string()).zip(diploma)),
            margin(&["pcs"], numbered(8).zip(pcs)),
            margin(&["household_size"], numbered(6).zip(household)),
        ],
    }
}

/// A margin from unnormalized weights, as percentages.
fn margin(variables: &[&str], weights: impl Iterator<Item = (String, f64)>) -> CensusMargin {
    let categories: Vec<(String, f64)> = weights.collect();
    let total: f64 = categories.iter().map(|c| c.1).sum();
    CensusMargin {
        variables: variables.iter().map(|v| v.to_string()).collect(),
        categories: categories.into_iter().map(|(l, v)| (l, 100.0 * v / total)).collect(),
    }
}

impl CensusMargin {
    /// The variables joined by commas (`sex,age_group`), as in the calibration labels.
    pub fn name(&self) -> String {
        self.variables.join(",")
    }

    /// The percentages rounded to `decimals` decimals as text, summing to exactly 100 at that
    /// precision: floors, then one unit (10^−decimals) to the largest remainders (ties: the
    /// earlier category).
    ///
    /// # Errors
    /// `decimals` above 9, or non-finite shares ([`Error::Internal`]).
    pub fn rounded(&self, decimals: u32) -> Result<Vec<(String, String)>> {
        if decimals > 9 {
            return Err(Error::Internal(format!("{decimals} decimals is more than 9")));
        }
        let unit = 10u64.pow(decimals);
        let x: Vec<f64> = self.categories.iter().map(|c| c.1 * unit as f64).collect();
        let total = 100 * unit;
        let units = round_largest_remainder(&x, total, &vec![total; x.len()])?;
        Ok(self
            .categories
            .iter()
            .zip(units)
            .map(|((label, _), u)| {
                let text = if decimals == 0 {
                    u.to_string()
                } else {
                    format!("{}.{:0w$}", u / unit, u % unit, w = decimals as usize)
                };
                (label.clone(), text)
            })
            .collect())
    }
}

/// Quotes a CSV field when it holds a comma or a quote.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

impl CensusMargins {
    /// Writes the long CSV `variable,category,percent`: first the row
    /// `population_total,all,<count rounded to an integer>`, then one row per category with
    /// the percentage rounded to `decimals` ([`CensusMargin::rounded`]). Crossed variables
    /// and their categories are joined by commas (quoted fields).
    ///
    /// # Errors
    /// I/O errors of `w`; rounding errors as [`CensusMargin::rounded`].
    pub fn write_csv<W: Write>(&self, w: W, decimals: u32) -> Result<()> {
        let mut w = io::BufWriter::new(w);
        let io_err = |e: io::Error| Error::Internal(format!("writing census margins: {e}"));
        writeln!(w, "variable,category,percent").map_err(io_err)?;
        writeln!(w, "population_total,all,{}", self.population_total.round()).map_err(io_err)?;
        for m in &self.margins {
            let name = csv_field(&m.name());
            for (label, text) in m.rounded(decimals)? {
                writeln!(w, "{name},{},{text}", csv_field(&label)).map_err(io_err)?;
            }
        }
        w.flush().map_err(io_err)
    }

    /// The `population_total:` and `margins:` entries of a `ponder calibrate` YAML file
    /// (percentages rounded as [`CensusMargin::rounded`]), without comments.
    ///
    /// # Errors
    /// As [`CensusMargin::rounded`].
    pub fn to_yaml(&self, decimals: u32) -> Result<String> {
        let mut s = format!("population_total: {}\nmargins:\n", self.population_total.round());
        for m in &self.margins {
            if m.variables.len() == 1 {
                s += &format!("  - variable: {}\n", m.variables[0]);
            } else {
                s += &format!("  - variables: [{}]\n", m.variables.join(", "));
            }
            s += "    percentages:\n";
            for (label, text) in m.rounded(decimals)? {
                s += &format!("      \"{label}\": {text}\n");
            }
        }
        Ok(s)
    }
}
