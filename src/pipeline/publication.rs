//! What the publication tables take from an estimation configuration — rules, decimals,
//! footnote texts, weight, variance method, each request's interval — shared by
//! `ponder estimate --output tables.xlsx` and `ponder run` (`tables.xlsx`, `tables.md`,
//! `tables.html`).
//!
//! It lives here, not in `report`, because the report layer never reads configuration
//! types (`tests/it/architecture.rs`): the pipeline layer joins the two.

use crate::config::estimate::EstimateConfig;
use crate::report::publication::{RequestInfo, Setup, Variance};
use crate::report::run::Lang;

/// The publication setup of an estimation configuration in `lang`.
///
/// The significance marks need the differences of [`crate::bind::significance`], set in
/// [`Setup::differences`] by the caller.
pub fn setup(cfg: &EstimateConfig, lang: Lang) -> Setup {
    Setup {
        lang,
        rules: cfg.publication,
        decimals: cfg.notes.decimals,
        source: cfg.notes.source.clone(),
        population: cfg.notes.population.clone(),
        field: cfg.notes.field.clone(),
        weight: cfg.weight_column(),
        variance: cfg.replicates.as_ref().map_or(Variance::Linearization, |r| {
            Variance::Replicates(r.options.kind, r.options.expected_count)
        }),
        requests: cfg
            .requests
            .iter()
            .map(|r| RequestInfo { name: r.name.clone(), ci: r.ci, level: r.level })
            .collect(),
        significance: cfg.notes.significance,
        differences: Vec::new(),
    }
}
