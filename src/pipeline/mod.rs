//! `ponder run` and `ponder simulate`: the whole weighting chain from one pipeline file
//! ([`crate::config::pipeline`]).
//!
//! - [`schema`]: the columns every step will find, checked before any work;
//! - [`steps`]: each step as a function on in-memory tables (shared with the step commands);
//! - [`chain`]: the chain once ([`chain::weigh`]) on a [`chain::World`] (frame + synthetic
//!   survey population);
//! - [`run`]: `ponder run` — the chain, the estimates and every output file;
//! - [`disputes`]: the respondents' dispute file and the checks of the dispute-level
//!   configurations (`disputes:` / `dispute_models:` of the estimates step);
//! - [`publication`]: the setup of the publication tables from an estimation config;
//! - [`simulation`]: `ponder simulate` — the chain K times, bias, RMSE and coverage per step.
//!
//! Randomness: one master seed; the sample uses it as `ponder sample --seed` does (ChaCha8
//! stream 0), the collection stream 1, the replicates stream 2 — so a run is reproducible
//! step by step with the step commands, and byte-identical whatever the thread count.

pub mod chain;
pub mod disputes;
pub mod export;
mod frame;
pub mod publication;
pub mod run;
pub mod schema;
pub mod simulation;
pub mod steps;

pub use frame::frame_table;

use crate::config::pipeline::{CollectionSpec, PipelineConfig, ReportLang};
use crate::error::Result;
use crate::report::run::Lang;
use crate::simulate::CollectionModel;
use std::path::Path;

/// Reads a pipeline file and every configuration it points to
/// ([`PipelineConfig::load`]), then checks the weight chain across the steps
/// ([`schema::check_chain`]).
///
/// # Errors
/// [`crate::Error::Config`] listing the problems of the pipeline file; the first invalid
/// step configuration.
pub fn load(path: &Path) -> Result<PipelineConfig> {
    let cfg = PipelineConfig::load(path)?;
    schema::check_chain(&cfg)?;
    Ok(cfg)
}

impl From<&CollectionSpec> for CollectionModel {
    fn from(s: &CollectionSpec) -> Self {
        CollectionModel {
            mode_effect: s.mode_effect,
            phone_relaunch: s.phone_relaunch,
            unknown_rate: s.unknown_rate,
        }
    }
}

impl From<ReportLang> for Lang {
    fn from(l: ReportLang) -> Self {
        match l {
            ReportLang::Fr => Lang::Fr,
            ReportLang::En => Lang::En,
        }
    }
}

/// Where the pipeline reports progress (the CLI's terminal, or nothing).
pub trait Progress: Sync {
    /// A line of summary.
    fn say(&self, msg: &str);
    /// A progress bar of `len` steps.
    fn bar(&self, len: u64, what: &str) -> indicatif::ProgressBar;
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn say(&self, _: &str) {}
    fn bar(&self, _: u64, _: &str) -> indicatif::ProgressBar {
        indicatif::ProgressBar::hidden()
    }
}
