//! The columns each step of a pipeline will find, known before any work: the frame's
//! (the synthetic register's fixed columns, or a file's header), the sample step's, the
//! synthetic collection's, and the weights each step writes. [`check`] refuses a step
//! configuration naming a column that nothing provides — before the frame is built or the
//! sample drawn; [`check_chain`] checks the weights across the steps (each step reads a
//! weight an earlier one wrote), [`check_report_map`] the estimate the map shows.

use crate::config::Problems;
use crate::config::calibrate::MarginSpec;
use crate::config::pipeline::{PipelineConfig, Start, TotalSource};
use crate::config::sample::FrameSource;
use crate::data::column_names_of;
use crate::error::{ConfigProblem, Error, Result};
use crate::hint::suggest;
use crate::variance::replicates::ReplicateKind;
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
pub const SURVEY_COLUMNS: [&str; 13] = [
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
    "break_off",
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
    for m in cfg.models.iter().chain(&cfg.modes) {
        crate::bind::model::check_column_names(m, &cols, "the pipeline's weighted file")?;
    }
    super::disputes::check_columns(cfg, &cols)
}

/// The weight chain of a pipeline: every step reads a weight an earlier step wrote, the
/// estimates use the final weight and the replicate columns the pipeline writes; a synthetic
/// collection and `population_total: frame` need a drawn sample.
///
/// # Errors
/// [`Error::Config`] on the pipeline file listing every problem, each at its step's key.
pub fn check_chain(cfg: &PipelineConfig) -> Result<()> {
    let mut p = cfg.source.problems();
    collection_problems(cfg, &mut p);
    weight_problems(cfg, &mut p);
    let models = cfg.models.iter().chain(&cfg.modes).chain(&cfg.dispute_models);
    for e in cfg.estimates.iter().chain(&cfg.disputes).chain(models.map(|m| &m.design)) {
        estimate_weight_problems(cfg, e, &mut p);
        estimate_replicate_problems(cfg, e, &mut p);
    }
    p.finish()
}

/// A synthetic collection needs a drawn sample; a drawn sample needs it before nonresponse.
fn collection_problems(cfg: &PipelineConfig, p: &mut Problems) {
    if cfg.collection.is_some() && !matches!(cfg.start, Start::Sample(_)) {
        p.push(
            &cfg.step_key("collection"),
            "a synthetic collection needs a drawn sample (`sample` step), not an `input` file",
            None,
        );
    }
    if let Start::Sample(s) = &cfg.start
        && cfg.nonresponse.is_some()
        && cfg.collection.is_none()
    {
        p.push(
            &cfg.step_key("nonresponse"),
            format!("nothing produces the collection outcome: {} draws a sample without outcomes", s.file),
            Some("add `- collection: {synthetic: {}}` before `nonresponse`, or start from `- input: collected.csv`".into()),
        );
    }
}

/// Nonresponse and calibration read a weight written by an earlier step.
fn weight_problems(cfg: &PipelineConfig, p: &mut Problems) {
    let mut available: Vec<String> = vec![cfg.design_weight().to_string()];
    if let Some(n) = &cfg.nonresponse {
        need_weight(p, &cfg.step_key("nonresponse"), &n.file, &n.weight, &available);
        available.push(n.output.clone());
    }
    if let Some(c) = &cfg.calibration {
        let key = cfg.step_key("calibration");
        need_weight(p, &key, &c.config.file, &c.config.weight, &available);
        if c.population_total == TotalSource::Frame && !matches!(cfg.start, Start::Sample(_)) {
            p.push(&key, "`population_total: frame` needs a drawn sample (`sample` step)", None);
        }
    }
}

fn need_weight(p: &mut Problems, key: &str, file: &str, column: &str, available: &[String]) {
    if !available.iter().any(|a| a == column) {
        p.push(
            key,
            format!("{file} reads weight `{column}`, which no earlier step produces"),
            Some(format!("earlier steps produce: {}", available.join(", "))),
        );
    }
}

/// The estimates use the pipeline's final weight.
fn estimate_weight_problems(
    cfg: &PipelineConfig,
    e: &crate::config::estimate::EstimateConfig,
    p: &mut Problems,
) {
    let last = cfg.final_weight();
    let w = e.weight_column();
    if w.as_deref() != Some(last) {
        p.push(
            &cfg.step_key("estimates"),
            format!(
                "{} estimates with weight `{}` but the pipeline's final weight is `{last}`",
                e.file,
                w.as_deref().unwrap_or("(none)")
            ),
            Some(format!("set `design: weight: {last}` in {}", e.file)),
        );
    }
}

/// Replicate weights in the estimates are the pipeline's: its columns, count and type.
fn estimate_replicate_problems(
    cfg: &PipelineConfig,
    e: &crate::config::estimate::EstimateConfig,
    p: &mut Problems,
) {
    let key = cfg.step_key("estimates");
    let last = cfg.final_weight();
    let (r, step) = match (&e.replicates, &cfg.replicates) {
        (Some(r), Some(step)) => (r, step),
        (Some(_), None) => {
            return p.push(
                &key,
                format!(
                    "{} uses replicate weights but the pipeline has no `replicates` step",
                    e.file
                ),
                Some("add `- replicates: {type: bootstrap, count: 500}` before `estimates`".into()),
            );
        }
        _ => return,
    };
    let first = format!("{last}_rep_1");
    if !glob::Pattern::new(&r.columns).is_ok_and(|g| g.matches(&first)) {
        p.push(
            &key,
            format!("{}: replicate columns `{}` do not match the pipeline's `{last}_rep_1` … `{last}_rep_{}`", e.file, r.columns, step.count),
            Some(format!("set `design: replicates: columns: \"{last}_rep_*\"`")),
        );
    }
    if let Some(n) = r.options.expected_count
        && n != step.count
    {
        p.push(
            &key,
            format!(
                "{} declares {n} replicates but the `replicates` step makes {}",
                e.file, step.count
            ),
            Some("make `count:` agree (or drop it from the estimates file)".into()),
        );
    }
    if r.options.kind != ReplicateKind::Bootstrap {
        p.push(
            &key,
            format!(
                "{}: replicate type is `{}` but the pipeline makes bootstrap replicates",
                e.file,
                r.options.kind.r_type()
            ),
            Some("`type: bootstrap`".into()),
        );
    }
}

/// `report: map:` names an estimate of the `estimates` step: checked by `ponder run`
/// before any work (after the columns, so that those problems are reported first).
///
/// # Errors
/// [`Error::Config`] on `report.map`, with a did-you-mean.
pub fn check_report_map(cfg: &PipelineConfig) -> Result<()> {
    let mut p = cfg.source.problems();
    let Some(map) = &cfg.report.map else { return Ok(()) };
    match &cfg.estimates {
        None => p.push(
            "report.map",
            format!("the map shows estimate `{map}`, but the pipeline has no `estimates` step"),
            Some("add an `estimates` step or remove `map`".into()),
        ),
        Some(e) if !e.requests.iter().any(|r| &r.name == map) => {
            let names: Vec<&str> = e.requests.iter().map(|r| r.name.as_str()).collect();
            let hint = suggest(map, names.iter().copied()).map_or_else(
                || format!("estimates of {}: {}", e.file, names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            p.push("report.map", format!("no estimate named `{map}` in {}", e.file), Some(hint));
        }
        Some(_) => {}
    }
    p.finish()
}
