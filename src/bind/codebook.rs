//! Binding a codebook to the data, for the variables a configuration uses, and building the
//! [`Labels`] the writers take.
//!
//! Rules (issue 13):
//! - every variable of the codebook must be a column of the data (error, did-you-mean),
//!   but for a variable marked `units: true` (a column of a linked unit file), which is
//!   skipped when the data lack it; with `units:` in the configuration, the data are the
//!   unit file joined to the weighted file ([`crate::bind::units::joined`]);
//! - for each variable a configuration uses (`variable:` and `by:` of estimates; response,
//!   terms, domain and test columns of models) and the codebook lists with `values:`,
//!   every value occurring in the data needs a label: **error** naming the variable, the
//!   value, the configuration key that uses it and the codebook's key and line (a table
//!   would otherwise show a bare code to readers);
//! - a label for a value that never occurs in the data is a **warning** (printed on
//!   standard error): a codebook may serve several surveys or years, and a category may be
//!   empty in one sample;
//! - in an estimation configuration, a published variable (a `by:` variable, the variable
//!   of a proportion) that the codebook does not list, or lists without `values:`, is an
//!   **error** on the configuration naming the estimate, the variable and the codebook file
//!   (its codes would be shown to readers as labels); in a model configuration such a
//!   variable keeps its codes (terms may be numeric).
//!
//! Missing values are not values: they need no label; nor do the declared codes of missing
//! answers (`missing_codes:` of an estimation configuration), which are no published
//! category.

use crate::config::Source;
use crate::config::codebook::{Codebook, CodebookVariable};
use crate::config::estimate::{EstimateConfig, StatKind};
use crate::config::model::{ModelConfig, TestKind};
use crate::data::Table;
use crate::error::Result;
use crate::estimate::{Heading, Labels, MissingCodes};
use crate::hint::suggest;

/// Labels checked against the data, and the warnings to print.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Variable labels (when the configuration has a codebook), titles and themes.
    pub labels: Labels,
    /// Labels of values that never occur in the data (one line each).
    pub warnings: Vec<String>,
}

/// The labels of an estimation configuration (its codebook, checked against `table`, and
/// the requests' titles and themes).
///
/// # Errors
/// [`crate::Error::Config`] on the codebook file: a codebook variable that is not a column,
/// a value of a used variable without label; unreadable columns.
pub fn estimate_labels(cfg: &EstimateConfig, table: &Table) -> Result<Checked> {
    let mut used: Vec<(String, String)> = Vec::new();
    for r in &cfg.requests {
        if matches!(r.stat, StatKind::Proportion(_)) {
            used.push((format!("{}.variable", r.key), r.variable.clone()));
        }
        used.extend(r.by.iter().map(|b| (format!("{}.by", r.key), b.clone())));
    }
    let mut checked = match &cfg.codebook {
        Some(cb) => {
            let codes = cfg.missing_codes.as_ref();
            let checked = match &cfg.units {
                Some(u) => {
                    let joined = crate::bind::units::joined(u, table, None)?.0;
                    check(cb, &cfg.source, &used, &joined, codes)?
                }
                None => check(cb, &cfg.source, &used, table, codes)?,
            };
            unlisted(cfg, cb)?;
            checked
        }
        None => Checked::default(),
    };
    checked.labels.estimates = cfg
        .requests
        .iter()
        .map(|r| (r.name.clone(), Heading { title: r.title.clone(), theme: r.theme.clone() }))
        .collect();
    Ok(checked)
}

/// Published variables of the estimates that the codebook lacks (or lists without value
/// labels): every one at once, at its key in the estimation configuration.
fn unlisted(cfg: &EstimateConfig, cb: &Codebook) -> Result<()> {
    let mut p = cfg.source.problems();
    for r in &cfg.requests {
        let mut published: Vec<(&str, &str)> = r.by.iter().map(|b| ("by", b.as_str())).collect();
        if matches!(r.stat, StatKind::Proportion(_)) {
            published.push(("variable", &r.variable));
        }
        for (field, v) in published {
            let (what, fix) = match cb.variable(v) {
                None => (
                    "is not in the codebook",
                    format!(
                        "add `{v}: {{label: {{fr: …, en: …}}, values: {{code: {{fr: …, en: …}}}}}}` under `variables:` in {}",
                        cb.file
                    ),
                ),
                Some(var) if var.values.is_empty() => (
                    "has no `values:` in the codebook",
                    format!(
                        "add `values: {{code: {{fr: …, en: …}}}}` under `{}` in {}",
                        var.key, cb.file
                    ),
                ),
                Some(_) => continue,
            };
            p.push(
                &format!("{}.{field}", r.key),
                format!(
                    "`{v}` ({field} of estimate `{}`) {what} {}: its values would be published as bare codes",
                    r.name, cb.file
                ),
                Some(fix),
            );
        }
    }
    p.finish()
}

/// The labels of a model configuration (its codebook, checked against `table`, and the
/// titles and themes of its models and tests).
///
/// # Errors
/// As [`estimate_labels`].
pub fn model_labels(cfg: &ModelConfig, table: &Table) -> Result<Checked> {
    // the columns of the models and tests, but for the variable of a difference of means
    // (numeric: no value labels)
    let means: Vec<String> = cfg
        .tests
        .iter()
        .filter(|t| matches!(&t.kind, TestKind::Difference { category: None, .. }))
        .map(|t| format!("{}.variable", t.key))
        .collect();
    let used: Vec<(String, String)> = crate::bind::model::named_columns(cfg)
        .into_iter()
        .filter(|(key, _)| !means.contains(key))
        .map(|(key, c)| (key, c.to_string()))
        .collect();
    let mut checked = match &cfg.codebook {
        Some(cb) => {
            let codes = cfg.design.missing_codes.as_ref();
            match &cfg.design.units {
                Some(u) => {
                    let joined = crate::bind::units::joined(u, table, None)?.0;
                    check(cb, &cfg.source, &used, &joined, codes)?
                }
                None => check(cb, &cfg.source, &used, table, codes)?,
            }
        }
        None => Checked::default(),
    };
    let models = cfg.models.iter().map(|m| (&m.name, &m.title, &m.theme));
    checked.labels.models = models
        .chain(cfg.tests.iter().map(|t| (&t.name, &t.title, &t.theme)))
        .map(|(n, title, theme)| {
            (n.clone(), Heading { title: title.clone(), theme: theme.clone() })
        })
        .collect();
    Ok(checked)
}

/// Checks a codebook against the data for the `(config key, column)` pairs a
/// configuration uses; every problem at once. Declared codes of missing answers
/// (`missing_codes:` of an estimation configuration) need no label: they are no published
/// category (a label is still welcome, for the export and the models).
///
/// # Errors
/// [`crate::Error::Config`] on the codebook file listing each problem.
pub fn check(
    cb: &Codebook,
    config: &Source,
    used: &[(String, String)],
    table: &Table,
    codes: Option<&MissingCodes>,
) -> Result<Checked> {
    let names = table.column_names();
    let mut p = cb.source.problems();
    let mut checked = Checked::default();
    checked.labels.codebook = Some(cb.file.clone());
    for var in &cb.variables {
        if !names.contains(&var.name) {
            if var.units {
                continue; // a column of the linked unit file, which these data are not
            }
            p.push(
                &var.key,
                format!("no column `{}` in {}", var.name, table.source()),
                suggest(&var.name, names.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some("remove the variable or correct its name".into())),
            );
            continue;
        }
        checked.labels.add_variable(&var.name, var.label.clone(), var.values.clone());
        let Some((use_key, _)) = used.iter().find(|(_, c)| *c == var.name) else { continue };
        if var.values.is_empty() {
            continue;
        }
        let levels = table.factor(&var.name)?.levels;
        let used_by = format!("{use_key} in {}", config.file);
        let unlabelled = |l: &&String| {
            !var.values.iter().any(|(c, _)| c == *l) && codes.is_none_or(|m| m.role(l).is_none())
        };
        for code in levels.iter().filter(unlabelled) {
            p.push(
                &format!("{}.values", var.key),
                format!(
                    "value `{code}` of `{}` (used by {used_by}) occurs in {} but has no label",
                    var.name,
                    table.source()
                ),
                Some(format!("add `\"{code}\": {{fr: …, en: …}}` under `{}.values`", var.key)),
            );
        }
        checked.warnings.extend(absent_values(cb, var, &levels, table, codes));
    }
    p.finish()?;
    Ok(checked)
}

/// Warnings for labelled codes that never occur in the data (but for declared missing-answer
/// codes: a question need not have every kind of missing answer).
fn absent_values(
    cb: &Codebook,
    var: &CodebookVariable,
    levels: &[String],
    table: &Table,
    codes: Option<&MissingCodes>,
) -> Vec<String> {
    var.values
        .iter()
        .filter(|(c, _)| !levels.contains(c) && codes.is_none_or(|m| m.role(c).is_none()))
        .map(|(c, _)| {
            let key = format!("{}.values.{c}", var.key);
            let line = cb.source.line(&key).map_or_else(String::new, |l| format!("line {l}, "));
            format!(
                "warning: {}: {line}key `{key}`: value `{c}` of `{}` is labelled but never \
                 occurs in {} (kept for readers; remove it if it is a typo)",
                cb.file,
                var.name,
                table.source()
            )
        })
        .collect()
}
