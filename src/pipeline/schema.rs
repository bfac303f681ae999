//! The columns each step of a pipeline will find, known before any work: the frame's
//! (the synthetic register's fixed columns, or a file's header), the sample step's, the
//! synthetic collection's, and the weights each step writes. [`check`] refuses a step
//! configuration naming a column that nothing provides — before the frame is built or the
//! sample drawn.

use crate::config::calibrate::MarginSpec;
use crate::config::pipeline::{PipelineConfig, Start};
use crate::config::sample::FrameSource;
use crate::data::column_names_of;
use crate::error::{ConfigProblem, Error, Result};
use crate::hint::suggest;
use std::path::Path;

/// Columns of the synthetic register ([`crate::simulate::PersonFrame::write_csv`],
/// [`super::frame_table`]).
pub const FRAME_COLUMNS: [&str; 12] = [
    "person_id",
    "sex",
    "age",
    "age_group",
    "sex_age",
    "region",
    "region_name",
    "department",
    "household_size",
    "diploma",
    "pcs",
    "dwelling",
];

/// Columns the sample step adds.
pub const SAMPLE_COLUMNS: [&str; 4] = ["pi", "design_weight", "stratum", "certainty"];

/// Columns the synthetic collection adds ([`crate::simulate::collection::survey_columns`]).
pub const SURVEY_COLUMNS: [&str; 12] = [
    "outcome",
    "has_phone",
    "trust",
    "trusts",
    "slow",
    "costly",
    "complex",
    "fair",
    "court_experience",
    "dispute",
    "recourse",
    "nonrecourse_reason",
];

fn unknown(file: &str, what: &str, missing: &[&str], available: &[String]) -> Error {
    let problems = missing
        .iter()
        .map(|c| {
            let hint = suggest(c, available.iter().map(String::as_str))
                .map_or_else(|| format!("available: {}", available.join(", ")), |s| format!("did you mean `{s}`?"));
            ConfigProblem::new(what, format!("column `{c}` is neither in the frame nor written by an earlier step of the pipeline")).hint(hint)
        })
        .collect();
    Error::Config { file: file.to_string(), problems }
}

fn need<'a>(
    file: &str,
    what: &str,
    wanted: impl IntoIterator<Item = &'a str>,
    available: &[String],
) -> Result<()> {
    let missing: Vec<&str> =
        wanted.into_iter().filter(|c| !available.iter().any(|a| a == c)).collect();
    if missing.is_empty() { Ok(()) } else { Err(unknown(file, what, &missing, available)) }
}

/// Checks that every column a step reads is provided by the frame or an earlier step.
/// `frame` replaces the sample design's frame (`--frame`); a frame or input file is known
/// by its header (CSV/TSV) or schema (Parquet), without reading its rows.
///
/// # Errors
/// [`Error::Config`] on the step's file, naming each missing column with a did-you-mean; an
/// unreadable frame or input file.
pub fn check(cfg: &PipelineConfig, frame: Option<&Path>) -> Result<()> {
    let mut cols: Vec<String> = match (&cfg.start, frame) {
        (Start::Input(f), _) => column_names_of(f)?,
        (Start::Sample(_), Some(f)) => column_names_of(f)?,
        (Start::Sample(s), None) => match &s.frame {
            Some(FrameSource::Synthetic { .. }) => {
                FRAME_COLUMNS.iter().map(|c| (*c).to_string()).collect()
            }
            Some(FrameSource::File(f)) => column_names_of(f)?,
            None => return Ok(()),
        },
    };
    if let Start::Sample(s) = &cfg.start {
        need(&s.file, "strata", s.strata.iter().map(String::as_str), &cols)?;
        cols.extend(SAMPLE_COLUMNS.iter().map(|c| (*c).to_string()));
    }
    if cfg.collection.is_some() {
        cols.extend(SURVEY_COLUMNS.iter().map(|c| (*c).to_string()));
    }
    if let Some(n) = &cfg.nonresponse {
        need(&n.file, "(columns)", n.columns(), &cols)?;
        for suffix in ["", "_propensity", "_group", "_phase"] {
            cols.push(format!("{}{suffix}", n.output));
        }
    }
    if let Some(c) = &cfg.calibration {
        for m in &c.config.margins {
            let (key, vars): (&str, Vec<&str>) = match m {
                MarginSpec::Categorical { key, variables, .. } => {
                    (key, variables.iter().map(String::as_str).collect())
                }
                MarginSpec::Numeric { key, variable, .. } => (key, vec![variable.as_str()]),
            };
            need(&c.config.file, key, vars, &cols)?;
        }
        cols.push(c.config.output.clone());
    }
    if let Some(e) = &cfg.estimates {
        crate::bind::estimate::check_column_names(e, &cols, "the pipeline's weighted file")?;
    }
    Ok(())
}
