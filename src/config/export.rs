//! The researcher-package configuration (`ponder export --config X.yaml`, or `export:` in a
//! pipeline file): what leaves the survey team for the secure access centre.
//!
//! ```yaml
//! estimates: fej2024_estimates.yaml   # a `ponder estimate` file: its `design:` (final weight,
//!                                     # replicate columns, type, scale, rscales, mse) is the
//!                                     # package's; its totals, means and proportions are what
//!                                     # the loader scripts reproduce (in a pipeline: default
//!                                     # the estimates step's file)
//! codebook: fej2024_codebook.yaml     # optional (default: the estimates file's codebook)
//! folder: researcher                  # pipeline only: sub-folder of the run's output folder
//! title: "Les Français et la justice 2024"   # README title (pipeline: the report's)
//! formats: [csv, parquet]             # the data file(s) of the package
//! seed: 2024                          # optional: the random key's seed (else --seed, else
//!                                     # the pipeline's)
//! id: {column: person_id, key: research_id}   # the person id, replaced by a random key
//! drop: [pi, design_weight, "w_nr*"]  # columns (or globs) left out
//! coarsen:
//!   - {variable: age, breaks: [18, 30, 45, 60, 75]}          # exact age → age groups
//!   - {variable: department, map: {"75": "11", "92": "11"}, into: region}
//!   - {variable: department, table: {file: dep.csv, from: dep, to: zone}, into: zone}
//! ```
//!
//! This module reads and validates the YAML only; the names are checked against the data
//! when the package is assembled (`pipeline::export`).

use super::codebook::Codebook;
use super::estimate::EstimateConfig;
use super::{Loaded, Problems, Source, load_yaml, scalar_label, show};
use crate::error::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    estimates: Option<PathBuf>,
    codebook: Option<PathBuf>,
    folder: Option<String>,
    title: Option<String>,
    formats: Option<Vec<String>>,
    seed: Option<u64>,
    id: Option<RawId>,
    #[serde(default)]
    drop: Vec<String>,
    #[serde(default)]
    coarsen: Vec<RawCoarsen>,
}

/// `id: person_id` or `id: {column: person_id, key: research_id}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawId {
    Name(String),
    Full(RawIdFull),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdFull {
    column: String,
    key: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoarsen {
    variable: String,
    into: Option<String>,
    breaks: Option<Vec<f64>>,
    labels: Option<Vec<String>>,
    map: Option<serde_yaml::Mapping>,
    table: Option<RawMapFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapFile {
    file: PathBuf,
    from: String,
    to: String,
}

/// The person identifier and the name of the random key replacing it.
#[derive(Debug, Clone, PartialEq)]
pub struct IdSpec {
    /// Identifier column of the weighted file.
    pub column: String,
    /// Name of the random key column (default `research_id`).
    pub key: String,
}

/// How a coarsened variable's values are grouped.
#[derive(Debug, Clone, PartialEq)]
pub enum CoarsenRule {
    /// Numeric breaks b0 < b1 < … < bk: groups [b_i, b_{i+1}) and [bk, ∞), with labels.
    Breaks {
        /// The breaks, increasing.
        breaks: Vec<f64>,
        /// One label per group (`None`: `18-29`, …, `75+` for whole breaks).
        labels: Option<Vec<String>>,
    },
    /// A code mapping written in the YAML (text form of the value → group).
    Map(Vec<(String, String)>),
    /// A code mapping read from a data file (columns `from`, `to`), when the package is made.
    File {
        /// The file (resolved against the config's folder).
        file: PathBuf,
        /// Column of the codes.
        from: String,
        /// Column of the groups.
        to: String,
    },
}

/// One coarsening: the variable, the column it becomes, the rule.
#[derive(Debug, Clone, PartialEq)]
pub struct CoarsenSpec {
    /// YAML key (`coarsen[1]`), for messages.
    pub key: String,
    /// The exact variable (never written to the package).
    pub variable: String,
    /// The coarsened column's name (default: the variable's own name).
    pub into: String,
    /// The grouping.
    pub rule: CoarsenRule,
}

/// A validated researcher-package configuration.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// The file and its text (lines of problems found against the data).
    pub source: Source,
    /// The estimates configuration (design and reproduced estimates), when named.
    pub estimates: Option<EstimateConfig>,
    /// The codebook, when named.
    pub codebook: Option<Codebook>,
    /// Sub-folder of a pipeline run's output folder (default `researcher`).
    pub folder: String,
    /// Title of the package's README and scripts (default: the pipeline report's title).
    pub title: Option<String>,
    /// Data formats (`csv`, `parquet`), in order.
    pub formats: Vec<String>,
    /// Seed of the random key.
    pub seed: Option<u64>,
    /// The identifier replaced by a random key.
    pub id: Option<IdSpec>,
    /// Columns or globs left out, with their key (`drop[2]`).
    pub drop: Vec<(String, String)>,
    /// Coarsenings, in file order.
    pub coarsen: Vec<CoarsenSpec>,
}

impl ExportConfig {
    /// Reads and validates an export YAML file, reporting every problem at once; the
    /// estimates and codebook files it names are loaded too.
    ///
    /// # Errors
    /// [`crate::Error::Config`] listing each problem with key, line and hint; the first
    /// error of a named file.
    pub fn load(path: &Path) -> Result<ExportConfig> {
        let loaded: Loaded<RawConfig> = load_yaml(path)?;
        let mut p = Problems::new(&loaded);
        let raw = &loaded.raw;
        let formats = raw.formats.clone().unwrap_or_else(|| vec!["csv".into(), "parquet".into()]);
        check_formats(&formats, &mut p);
        let id = raw.id.as_ref().and_then(|i| validate_id(i, &mut p));
        let drop = validate_drop(&raw.drop, &mut p);
        let coarsen: Vec<CoarsenSpec> = raw
            .coarsen
            .iter()
            .enumerate()
            .filter_map(|(i, c)| validate_coarsen(&format!("coarsen[{i}]"), c, path, &mut p))
            .collect();
        check_overlaps(id.as_ref(), &drop, &coarsen, &mut p);
        let folder = raw.folder.clone().unwrap_or_else(|| "researcher".into());
        if folder.trim().is_empty() || folder.contains(['/', '\\']) || folder == ".." {
            p.push(
                "folder",
                format!("`{folder}` is not a folder name"),
                Some("e.g. `folder: researcher`".into()),
            );
        }
        let existing = |key: &str, rel: &Path, p: &mut Problems| -> Option<PathBuf> {
            let f = resolve(path, rel);
            if f.is_file() {
                return Some(f);
            }
            p.push(
                key,
                format!("file `{}` does not exist", f.display()),
                Some("paths are relative to this file's folder".into()),
            );
            None
        };
        let estimates = raw.estimates.as_deref().and_then(|e| existing("estimates", e, &mut p));
        let codebook = raw.codebook.as_deref().and_then(|c| existing("codebook", c, &mut p));
        p.finish()?;
        let estimates = estimates.as_deref().map(EstimateConfig::load_design).transpose()?;
        let codebook = codebook.as_deref().map(Codebook::load).transpose()?;
        Ok(ExportConfig {
            source: loaded.source(),
            estimates,
            codebook,
            folder,
            title: raw.title.clone(),
            formats,
            seed: raw.seed,
            id,
            drop,
            coarsen,
        })
    }

    /// The configuration file, for messages.
    pub fn file(&self) -> &str {
        &self.source.file
    }
}

fn resolve(config: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        config.parent().unwrap_or(Path::new(".")).join(p)
    }
}

fn check_formats(formats: &[String], p: &mut Problems) {
    if formats.is_empty() {
        p.push("formats", "no format given", Some("[csv, parquet]".into()));
    }
    for f in formats {
        if f != "csv" && f != "parquet" {
            p.push(
                "formats",
                format!("unknown format `{f}`"),
                Some("`csv` and/or `parquet`".into()),
            );
        }
    }
    super::check_names("formats", formats.iter().map(String::as_str), p);
}

fn validate_id(raw: &RawId, p: &mut Problems) -> Option<IdSpec> {
    let (column, key) = match raw {
        RawId::Name(c) => (c.clone(), None),
        RawId::Full(f) => (f.column.clone(), f.key.clone()),
    };
    let key = key.unwrap_or_else(|| "research_id".into());
    if column.trim().is_empty() || key.trim().is_empty() {
        p.push(
            "id",
            "the identifier column and its key need names",
            Some("e.g. `id: {column: person_id, key: research_id}`".into()),
        );
        return None;
    }
    Some(IdSpec { column, key })
}

fn validate_drop(raw: &[String], p: &mut Problems) -> Vec<(String, String)> {
    super::check_names("drop", raw.iter().map(String::as_str), p);
    let mut out = Vec::new();
    for (i, d) in raw.iter().enumerate() {
        let key = format!("drop[{i}]");
        if glob::Pattern::new(d).is_err() {
            p.push(
                &key,
                format!("`{d}` is not a column name or pattern"),
                Some("a name, or a glob such as \"w_nr*\"".into()),
            );
            continue;
        }
        out.push((key, d.clone()));
    }
    out
}

fn validate_coarsen(
    key: &str,
    c: &RawCoarsen,
    path: &Path,
    p: &mut Problems,
) -> Option<CoarsenSpec> {
    let given = [c.breaks.is_some(), c.map.is_some(), c.table.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        p.push(
            key,
            "a coarsening needs exactly one of `breaks`, `map` or `table`",
            Some("e.g. `{variable: age, breaks: [18, 30, 45, 60, 75]}`".into()),
        );
        return None;
    }
    if c.labels.is_some() && c.breaks.is_none() {
        p.push(&format!("{key}.labels"), "`labels` go with `breaks`", None);
        return None;
    }
    let rule = if let Some(b) = &c.breaks {
        validate_breaks(key, b, c.labels.as_ref(), p)?
    } else if let Some(m) = &c.map {
        CoarsenRule::Map(validate_map(&format!("{key}.map"), m, p)?)
    } else {
        let t = c.table.as_ref()?;
        CoarsenRule::File { file: resolve(path, &t.file), from: t.from.clone(), to: t.to.clone() }
    };
    let into = c.into.clone().unwrap_or_else(|| c.variable.clone());
    if c.variable.trim().is_empty() || into.trim().is_empty() {
        p.push(key, "a coarsened variable needs a name", None);
        return None;
    }
    Some(CoarsenSpec { key: key.to_string(), variable: c.variable.clone(), into, rule })
}

/// Breaks must be finite and strictly increasing; labels, when given, one per group.
fn validate_breaks(
    key: &str,
    b: &[f64],
    labels: Option<&Vec<String>>,
    p: &mut Problems,
) -> Option<CoarsenRule> {
    let bkey = format!("{key}.breaks");
    if b.is_empty() {
        p.push(
            &bkey,
            "no break given",
            Some("e.g. breaks: [18, 30, 45, 60, 75] (groups 18-29, …, 75+)".into()),
        );
        return None;
    }
    if let Some(x) = b.iter().find(|x| !x.is_finite()) {
        p.push(&bkey, format!("break {x} is not a finite number"), None);
        return None;
    }
    if let Some(w) = b.windows(2).find(|w| w[1] <= w[0]) {
        p.push(
            &bkey,
            format!("breaks must increase strictly: {} then {}", w[0], w[1]),
            Some("sort the breaks and remove duplicates".into()),
        );
        return None;
    }
    if let Some(l) = labels
        && l.len() != b.len()
    {
        p.push(
            &format!("{key}.labels"),
            format!(
                "{} labels for {} groups ({} breaks: the last group is open)",
                l.len(),
                b.len(),
                b.len()
            ),
            Some("give one label per break".into()),
        );
        return None;
    }
    Some(CoarsenRule::Breaks { breaks: b.to_vec(), labels: labels.cloned() })
}

fn validate_map(
    key: &str,
    m: &serde_yaml::Mapping,
    p: &mut Problems,
) -> Option<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let before = p.len();
    for (k, v) in m {
        match (scalar_label(k), scalar_label(v)) {
            (Some(a), Some(b)) if out.iter().any(|(x, _)| *x == a) => {
                p.push(key, format!("code `{a}` is mapped twice (the second time to `{b}`)"), None);
            }
            (Some(a), Some(b)) => out.push((a, b)),
            _ => p.push(
                key,
                format!("`{}: {}` is not a `code: group` entry", show(k), show(v)),
                Some("e.g. map: {\"75\": \"11\", \"2A\": \"94\"}".into()),
            ),
        }
    }
    if out.is_empty() && p.len() == before {
        p.push(key, "the map is empty", None);
    }
    (p.len() == before).then_some(out)
}

/// A column both dropped and coarsened (or the identifier), two coarsenings of one variable
/// or into one name: each an ambiguity the user must settle.
fn check_overlaps(
    id: Option<&IdSpec>,
    drop: &[(String, String)],
    coarsen: &[CoarsenSpec],
    p: &mut Problems,
) {
    let dropped = |name: &str| {
        drop.iter().find(|(_, d)| glob::Pattern::new(d).is_ok_and(|g| g.matches(name)))
    };
    for (i, c) in coarsen.iter().enumerate() {
        if let Some((k, d)) = dropped(&c.variable) {
            p.push(
                &c.key,
                format!("`{}` is both coarsened and dropped (`{d}`, {k})", c.variable),
                Some("keep one of the two".into()),
            );
        }
        if id.is_some_and(|i| i.column == c.variable) {
            p.push(
                &c.key,
                format!("`{}` is the identifier: it is replaced by a random key", c.variable),
                None,
            );
        }
        if let Some(o) = coarsen[..i].iter().find(|o| o.variable == c.variable || o.into == c.into)
        {
            p.push(
                &c.key,
                format!(
                    "`{}` → `{}` clashes with {} (`{}` → `{}`)",
                    c.variable, c.into, o.key, o.variable, o.into
                ),
                Some("coarsen each variable once, into distinct names".into()),
            );
        }
    }
    if let Some(i) = id
        && let Some((k, d)) = dropped(&i.column)
    {
        p.push(
            "id",
            format!("the identifier `{}` is also dropped (`{d}`, {k})", i.column),
            Some("the identifier is replaced by the key: do not list it under `drop`".into()),
        );
    }
}
