//! The researcher package of `ponder export` and of `ponder run` (a pipeline's `export:`):
//! the export configuration checked against the weighted table (every name, with a
//! did-you-mean, all problems at once), turned into a [`Plan`], and written by
//! [`crate::export::write_package`].

use crate::config::codebook::Codebook;
use crate::config::estimate::{EstimateConfig, StatKind};
use crate::config::export::{CoarsenRule, CoarsenSpec, ExportConfig};
use crate::config::{Problems, Source};
use crate::data::{Factor, Table};
use crate::error::{Error, Result};
use crate::export::{Coarsening, Convention, Grouping, Plan, ScriptEstimate, Stat, Summary};
use crate::hint::suggest;
use std::path::Path;

/// What the package is made from besides its own configuration.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The estimates configuration when the export names none (a pipeline's).
    pub estimates: Option<&'a EstimateConfig>,
    /// Seed of the random key when the export gives none.
    pub seed: Option<u64>,
    /// README title.
    pub title: &'a str,
    /// How the package's data files are written (the Parquet codec).
    pub written: crate::data::WriteOptions,
}

/// Checks `cfg` against `table` and writes the package as folder `out`.
///
/// # Errors
/// [`Error::Config`] listing every name that does not fit the data; the errors of
/// [`crate::export::write_package`].
pub fn write(
    cfg: &ExportConfig,
    ctx: Context,
    table: &Table,
    out: &Path,
    inputs: &[&Path],
) -> Result<Summary> {
    crate::export::check_destination(out, inputs)?;
    let plan = plan(cfg, ctx, table)?;
    crate::export::write_package(table, &plan, out, inputs)
}

/// The plan of the package: names checked, replicate convention read from the estimates
/// configuration's design, groupings and estimates resolved.
///
/// # Errors
/// As [`write()`].
pub fn plan(cfg: &ExportConfig, ctx: Context, table: &Table) -> Result<Plan> {
    let src = &cfg.source;
    let est = cfg.estimates.as_ref().or(ctx.estimates).ok_or_else(|| {
        src.error("estimates", "no estimates configuration: the package's weights and variance convention come from its `design:`", Some("add `estimates: estimates.yaml` (a `ponder estimate` file with `design: replicates:`)".into()))
    })?;
    let (weight, replicates, convention) = weights(est, table, src)?;
    let columns = table.column_names();
    let mut p = src.problems();
    let drop = resolve_drop(cfg, &columns, &weight, &replicates, &mut p);
    check_id(cfg, &columns, &drop, &mut p);
    check_coarsen(cfg, &columns, &drop, &weight, &replicates, &mut p);
    p.finish()?;
    let coarsen = cfg.coarsen.iter().map(|c| coarsening(c, src)).collect::<Result<Vec<_>>>()?;
    let changed: Vec<&str> = cfg
        .coarsen
        .iter()
        .flat_map(|c| [c.variable.as_str(), c.into.as_str()])
        .chain(cfg.id.iter().flat_map(|i| [i.column.as_str(), i.key.as_str()]))
        .chain(drop.iter().map(String::as_str))
        .collect();
    let (estimates, skipped) = script_estimates(est, &columns, &changed);
    let missing_codes = script_missing_codes(est, &estimates);
    let codebook = cfg.codebook.as_ref().or(est.codebook.as_ref()).map(codebook_variables);
    Ok(Plan {
        id: cfg.id.as_ref().map(|i| (i.column.clone(), i.key.clone())),
        drop,
        coarsen,
        weight,
        replicates,
        convention,
        estimates,
        skipped,
        missing_codes,
        codebook,
        formats: cfg.formats.clone(),
        seed: cfg.seed.or(ctx.seed).ok_or_else(|| {
            src.error(
                "seed",
                "no seed for the random key",
                Some("give `seed:` here or `--seed N`".into()),
            )
        })?,
        title: cfg.title.clone().unwrap_or_else(|| ctx.title.to_string()),
        written: ctx.written,
    })
}

/// Final weight, replicate columns and convention, as `ponder estimate` reads them.
fn weights(
    est: &EstimateConfig,
    table: &Table,
    src: &Source,
) -> Result<(String, Vec<String>, Convention)> {
    let (Some(r), Some(w)) = (&est.replicates, est.design.weight.as_ref()) else {
        return Err(src.error(
            "estimates",
            format!("{}: the researcher package needs replicate weights (`design: weight:` and `design: replicates:`)", est.file),
            Some("researchers get no design variable: replicate weights carry the variance".into()),
        ));
    };
    let rep = crate::bind::design::replicate_design(est, table)?
        .ok_or_else(|| Error::Internal("replicate design expected".into()))?;
    let names: Vec<String> =
        table.columns_matching(&r.columns)?.into_iter().filter(|n| n != w).collect();
    let convention = Convention {
        kind: rep.kind().r_type().to_string(),
        scale: rep.scale(),
        rscales: rep.rscales().to_vec(),
        mse: rep.mse(),
        df: rep.degrees_of_freedom(),
    };
    Ok((w.clone(), names, convention))
}

fn unknown(p: &mut Problems, key: &str, what: &str, name: &str, columns: &[String]) {
    let hint = suggest(name, columns.iter().map(String::as_str)).map_or_else(
        || "check the weighted file's column names".to_string(),
        |s| format!("did you mean `{s}`?"),
    );
    p.push(key, format!("no column `{name}` to {what} in the weighted file"), Some(hint));
}

fn resolve_drop(
    cfg: &ExportConfig,
    columns: &[String],
    weight: &str,
    reps: &[String],
    p: &mut Problems,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (key, pattern) in &cfg.drop {
        let matched: Vec<&String> = match glob::Pattern::new(pattern) {
            Ok(g) => columns.iter().filter(|c| g.matches(c)).collect(),
            Err(_) => Vec::new(),
        };
        if matched.is_empty() {
            unknown(p, key, "drop", pattern, columns);
        }
        for c in matched {
            if c == weight || reps.contains(c) {
                p.push(
                    key,
                    format!("`{pattern}` drops `{c}`, a weight the package needs"),
                    Some("the final weight and its replicates are kept".into()),
                );
            } else if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

fn check_id(cfg: &ExportConfig, columns: &[String], drop: &[String], p: &mut Problems) {
    let Some(id) = &cfg.id else { return };
    if !columns.contains(&id.column) {
        unknown(p, "id", "replace by a key", &id.column, columns);
    }
    if id.key != id.column && columns.contains(&id.key) && !drop.contains(&id.key) {
        p.push(
            "id",
            format!("the key `{}` is already a column", id.key),
            Some("choose another `key:` name".into()),
        );
    }
}

fn check_coarsen(
    cfg: &ExportConfig,
    columns: &[String],
    drop: &[String],
    w: &str,
    reps: &[String],
    p: &mut Problems,
) {
    for c in &cfg.coarsen {
        if !columns.contains(&c.variable) {
            unknown(p, &format!("{}.variable", c.key), "coarsen", &c.variable, columns);
        }
        if c.variable == w || reps.contains(&c.variable) {
            p.push(&c.key, format!("`{}` is a weight: it cannot be coarsened", c.variable), None);
        }
        let taken = columns.contains(&c.into)
            && c.into != c.variable
            && !drop.contains(&c.into)
            && !cfg.coarsen.iter().any(|o| o.variable == c.into);
        if cfg.id.as_ref().is_some_and(|i| i.key == c.into) {
            p.push(
                &format!("{}.into", c.key),
                format!("`{}` is the name of the random key", c.into),
                Some("choose another name".into()),
            );
        }
        if taken {
            p.push(
                &format!("{}.into", c.key),
                format!("`{}` is already a column of the file", c.into),
                Some("choose another name, or drop that column".into()),
            );
        }
    }
}

fn coarsening(c: &CoarsenSpec, src: &Source) -> Result<Coarsening> {
    let grouping = match &c.rule {
        CoarsenRule::Breaks { breaks, labels } => Grouping::Breaks {
            breaks: breaks.clone(),
            labels: labels.clone().unwrap_or_else(|| crate::export::group_labels(breaks)),
        },
        CoarsenRule::Map(m) => Grouping::Map(m.clone()),
        CoarsenRule::File { file, from, to } => {
            Grouping::Map(map_file(&c.key, file, from, to, src)?)
        }
    };
    Ok(Coarsening { variable: c.variable.clone(), into: c.into.clone(), grouping })
}

/// A code table (columns `from`, `to`): each code once, with one group.
fn map_file(
    key: &str,
    file: &Path,
    from: &str,
    to: &str,
    src: &Source,
) -> Result<Vec<(String, String)>> {
    let t = Table::read(file)?;
    let (a, b) = (t.factor(from)?, t.factor(to)?);
    let mut out: Vec<(String, String)> = Vec::new();
    for (row, (&ca, &cb)) in a.codes.iter().zip(&b.codes).enumerate() {
        if ca == Factor::MISSING || cb == Factor::MISSING {
            return Err(src.error(
                &format!("{key}.table"),
                format!("{} row {}: an empty code or group", file.display(), row + 1),
                None,
            ));
        }
        let (code, group) = (a.levels[ca as usize].clone(), b.levels[cb as usize].clone());
        match out.iter().find(|(c, _)| *c == code) {
            Some((_, g)) if *g != group => {
                return Err(src.error(
                    &format!("{key}.table"),
                    format!(
                        "{} row {}: code `{code}` is mapped to `{g}` and `{group}`",
                        file.display(),
                        row + 1
                    ),
                    None,
                ));
            }
            Some(_) => {}
            None => out.push((code, group)),
        }
    }
    Ok(out)
}

/// Totals, means and proportions on columns the package keeps unchanged; the others are
/// listed with a reason that names no column (a dropped name must not reach the README).
fn script_estimates(
    est: &EstimateConfig,
    columns: &[String],
    changed: &[&str],
) -> (Vec<ScriptEstimate>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for r in &est.requests {
        let (stat, category) = match &r.stat {
            StatKind::Total => (Stat::Total, None),
            StatKind::Mean => (Stat::Mean, None),
            StatKind::Proportion(c) => (Stat::Proportion, c.clone()),
            _ => {
                skipped.push((
                    r.name.clone(),
                    "ratios and quantiles are not written in the scripts".to_string(),
                ));
                continue;
            }
        };
        if matches!(r.item, Some(crate::config::estimate::ItemChoice::Reweight(_))) {
            skipped.push((
                r.name.clone(),
                "item-level reweighting (`item_nonresponse: reweight`) is not written in the scripts"
                    .to_string(),
            ));
            continue;
        }
        let usable = std::iter::once(&r.variable)
            .chain(&r.by)
            .all(|v| columns.contains(v) && !changed.contains(&v.as_str()));
        if !usable {
            skipped.push((
                r.name.clone(),
                "uses a variable the package leaves out or groups".to_string(),
            ));
            continue;
        }
        out.push(ScriptEstimate {
            name: r.name.clone(),
            stat,
            variable: r.variable.clone(),
            category,
            by: r.by.clone(),
        });
    }
    (out, skipped)
}

/// Each analysis variable of the scripts' estimates with the declared missing-answer codes
/// (every role: they all leave the domain under `exclude`, the only choice the scripts
/// reproduce); empty without `missing_codes:`.
fn script_missing_codes(
    est: &EstimateConfig,
    estimates: &[ScriptEstimate],
) -> Vec<(String, Vec<String>)> {
    let Some(codes) = &est.missing_codes else { return Vec::new() };
    let codes: Vec<String> = codes.pairs().map(|(_, c)| c.to_string()).collect();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in estimates {
        if !out.iter().any(|(v, _)| v == &e.variable) {
            out.push((e.variable.clone(), codes.clone()));
        }
    }
    out
}

/// The `variables:` mapping of a codebook file, from the text kept by the codebook.
fn codebook_variables(c: &Codebook) -> serde_yaml::Mapping {
    serde_yaml::from_str::<serde_yaml::Value>(&c.source.text)
        .ok()
        .and_then(|v| v.get("variables").and_then(|m| m.as_mapping()).cloned())
        .unwrap_or_default()
}

/// `ponder run`: the package's folder, checked before any work (`None` without `export:`).
///
/// # Errors
/// As [`crate::export::check_destination`].
pub fn check_run(cfg: &crate::config::pipeline::PipelineConfig, out: &Path) -> Result<()> {
    let Some(x) = &cfg.export else { return Ok(()) };
    let inputs = run_inputs(cfg);
    let refs: Vec<&Path> = inputs.iter().map(std::path::PathBuf::as_path).collect();
    crate::export::check_destination(&out.join(&x.folder), &refs)
}

/// `ponder run`: writes the package of the weighted table into `<out>/<folder>/` (after
/// every other output), the pipeline's estimates and seed standing in for the export's.
///
/// # Errors
/// As [`write()`].
pub fn after_run(
    cfg: &crate::config::pipeline::PipelineConfig,
    out: &Path,
    table: &Table,
    seed: u64,
    written: crate::data::WriteOptions,
) -> Result<Option<std::path::PathBuf>> {
    let Some(x) = &cfg.export else { return Ok(None) };
    let inputs = run_inputs(cfg);
    let refs: Vec<&Path> = inputs.iter().map(std::path::PathBuf::as_path).collect();
    // `--replicates R` changes the count the estimates files declare
    let any_count = |e: &mut EstimateConfig| {
        if let Some(r) = e.replicates.as_mut() {
            r.options.expected_count = None;
        }
    };
    let (mut x, mut estimates) = (x.clone(), cfg.estimates.clone());
    x.estimates.iter_mut().chain(estimates.iter_mut()).for_each(any_count);
    let ctx = Context {
        estimates: estimates.as_ref(),
        seed: Some(seed),
        title: &cfg.report.title,
        written,
    };
    let folder = out.join(&x.folder);
    write(&x, ctx, table, &folder, &refs)?;
    Ok(Some(folder))
}

fn run_inputs(cfg: &crate::config::pipeline::PipelineConfig) -> Vec<std::path::PathBuf> {
    let mut v = vec![std::path::PathBuf::from(&cfg.file)];
    if let crate::config::pipeline::Start::Input(p) = &cfg.start {
        v.push(p.clone());
    }
    v
}
