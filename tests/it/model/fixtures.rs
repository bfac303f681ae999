//! Fixture reading for the model tests (cases P14–P15): a small CSV reader and designs.
//! Design construction sits in one place ([`design`]) so that API changes of the design
//! layer touch one function.

use std::path::PathBuf;

use ponder::data::Factor;
use ponder::design::{
    Categorical, Design, DesignSpec, LonelyPsu, Numeric, PpsVariance, WeightSource,
};
use ponder::variance::Linearization;

pub use crate::common::{expected, f64s};

pub fn case_dir(case: &str) -> PathBuf {
    PathBuf::from(crate::common::fixture(case, ""))
}

/// A CSV file as text cells (no quoted commas in these fixtures).
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn data(case: &str) -> Csv {
        let text = std::fs::read_to_string(case_dir(case).join("data.csv")).expect("data.csv");
        let mut lines = text.lines();
        let split = |l: &str| l.split(',').map(|s| s.trim_matches('"').to_string()).collect();
        let header = split(lines.next().expect("header"));
        let rows = lines.filter(|l| !l.is_empty()).map(split).collect();
        Csv { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    pub fn num(&self, name: &str) -> Vec<f64> {
        let j = self.col(name);
        self.rows
            .iter()
            .map(|r| if r[j].is_empty() { f64::NAN } else { r[j].parse().expect("number") })
            .collect()
    }

    pub fn text(&self, name: &str) -> Vec<Option<String>> {
        let j = self.col(name);
        self.rows.iter().map(|r| (!r[j].is_empty()).then(|| r[j].clone())).collect()
    }

    pub fn factor(&self, name: &str) -> Factor {
        factor_of(&self.text(name))
    }

    fn cat(&self, name: &str) -> Categorical {
        Categorical::from_strings(name, &self.text(name))
    }

    pub fn replicate_columns(&self) -> Vec<Vec<f64>> {
        self.header.iter().filter(|h| h.starts_with("rep_")).map(|h| self.num(h)).collect()
    }
}

/// A factor with sorted levels from text values.
pub fn factor_of(values: &[Option<String>]) -> Factor {
    let mut levels: Vec<String> = values.iter().flatten().cloned().collect();
    levels.sort();
    levels.dedup();
    let codes = values
        .iter()
        .map(|v| v.as_ref().map_or(Factor::MISSING, |s| levels.binary_search(s).unwrap() as u32))
        .collect();
    Factor { codes, levels }
}

/// A design from fixture columns.
pub fn design(
    csv: &Csv,
    strata: Option<&str>,
    ids: &[&str],
    fpc: &[&str],
    weights: &str,
) -> Linearization {
    let spec = DesignSpec {
        weights: WeightSource::Weights(Numeric::new(weights, csv.num(weights))),
        strata: strata.map(|s| csv.cat(s)),
        clusters: ids.iter().map(|c| csv.cat(c)).collect(),
        fpc: fpc.iter().map(|f| Numeric::new(f, csv.num(f))).collect(),
        nest: false,
        lonely_psu: LonelyPsu::Fail,
        pps_variance: PpsVariance::WithReplacement,
        certainty: None,
    };
    Linearization::new(Design::new(spec).expect("valid design"))
}

/// An element design with weights only (every row its own PSU).
pub fn srs_design(weights: Vec<f64>) -> Linearization {
    Linearization::new(Design::new(DesignSpec::with_weights("w", weights)).expect("valid design"))
}

/// R's coefficient label (`stypeH`) → ponder's (`stype=H`).
pub fn r_label(ponder: &str) -> String {
    ponder.replace('=', "")
}
