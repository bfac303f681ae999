//! The model configuration (`ponder model --config M.yaml`): the `design:` block of an
//! estimation config (parsed by [`super::estimate`]), a `models:` list of GLMs and a
//! `tests:` list (Rao–Scott tests of independence, differences of domain estimates). See
//! `interface.md`, section `ponder model`.
//!
//! [`ModelConfig::load`] checks the file on its own (keys, family, missing policy, test
//! types, names) and reports every problem at once; columns and levels are checked against
//! the data by `bind::model`.

use super::codebook::{Codebook, heading_text};
use super::estimate::{
    EstimateConfig, RawDesign, RawMissingCodes, RawUnits, check_design_names, codebook_path,
    design_config, validate_codes, validate_design, validate_units,
};
use super::{Loaded, Problems, Source, load_yaml, scalar_label, show};
use crate::error::Result;
use crate::estimate::Text;
use crate::hint::suggest;
use crate::model::{ChisqStatistic, Family, Missing};
use serde::Deserialize;
use serde_yaml::Value;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    design: RawDesign,
    #[serde(default)]
    models: Vec<RawModel>,
    #[serde(default)]
    tests: Vec<RawTest>,
    codebook: Option<std::path::PathBuf>,
    units: Option<RawUnits>,
    missing_codes: Option<RawMissingCodes>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    name: String,
    family: String,
    response: String,
    category: Option<Value>,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    interactions: Vec<Vec<String>>,
    #[serde(default)]
    reference: serde_yaml::Mapping,
    #[serde(default)]
    domain: serde_yaml::Mapping,
    #[serde(default)]
    tests: Vec<String>,
    #[serde(default)]
    categorical: Vec<String>,
    missing: Option<String>,
    level: Option<f64>,
    #[serde(default)]
    margins: serde_yaml::Mapping,
    title: Option<Value>,
    theme: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    variables: Option<Vec<String>>,
    statistic: Option<String>,
    stat: Option<String>,
    variable: Option<String>,
    category: Option<Value>,
    by: Option<String>,
    levels: Option<Vec<Value>>,
    missing: Option<String>,
    level: Option<f64>,
    title: Option<Value>,
    theme: Option<Value>,
}

/// One GLM to fit.
#[derive(Debug, Clone)]
pub struct ModelRequest {
    /// Its key in the file (`models[0]`), for messages.
    pub key: String,
    /// Name given to its output rows.
    pub name: String,
    /// Family (canonical link).
    pub family: Family,
    /// Response column.
    pub response: String,
    /// For a text response: the value counted as 1.
    pub category: Option<String>,
    /// Main terms (columns): text → dummies, numeric → slope.
    pub terms: Vec<String>,
    /// Terms read as categories even when their values are numbers (codes such as a
    /// region `11`…`94`): dummies, not a slope.
    pub categorical: Vec<String>,
    /// Two-way interactions of main terms.
    pub interactions: Vec<(String, String)>,
    /// Reference levels `(term, level)`.
    pub reference: Vec<(String, String)>,
    /// Domain: rows where every `(column, value)` holds (empty = every row).
    pub domain: Vec<(String, String)>,
    /// Terms (or `a:b` interactions) to Wald-test.
    pub tests: Vec<String>,
    /// Predictive margins `(term, level)`: the mean predicted response had every row been
    /// at that level of the text term (`margins: {mode: web}` or `{mode: [web, phone]}`).
    pub margins: Vec<(String, String)>,
    /// Missing-value policy.
    pub missing: Missing,
    /// Confidence level of the intervals (default 0.95).
    pub level: f64,
    /// Title (`title: {fr, en}`), for readers.
    pub title: Option<Text>,
    /// Theme (`theme: {fr, en}` or a plain text for both).
    pub theme: Option<Text>,
}

/// What a test computes.
#[derive(Debug, Clone, PartialEq)]
pub enum TestKind {
    /// Rao–Scott test of independence of two categorical columns.
    Chisq {
        /// The two columns.
        variables: [String; 2],
        /// F (second order) or χ² (first order) statistic.
        statistic: ChisqStatistic,
    },
    /// `θ̂(by = levels[0]) − θ̂(by = levels[1])` of a mean, or of a proportion of `category`.
    Difference {
        /// The column estimated.
        variable: String,
        /// `Some(category)` for a proportion, `None` for a mean.
        category: Option<String>,
        /// The column defining the two domains.
        by: String,
        /// The two levels of `by`.
        levels: [String; 2],
        /// Missing-value policy for `variable`.
        missing: Missing,
    },
}

/// One test.
#[derive(Debug, Clone)]
pub struct TestRequest {
    /// Its key in the file (`tests[0]`).
    pub key: String,
    /// Name given to its output row.
    pub name: String,
    /// What it computes.
    pub kind: TestKind,
    /// Confidence level of a difference's interval (default 0.95).
    pub level: f64,
    /// Title (`title: {fr, en}`), for readers.
    pub title: Option<Text>,
    /// Theme (`theme: {fr, en}` or a plain text for both).
    pub theme: Option<Text>,
}

/// A validated model configuration.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The file, for messages.
    pub file: String,
    /// The YAML kept for key lines in bind-time messages.
    pub source: Source,
    /// The `design:` block (an estimation config without requests).
    pub design: EstimateConfig,
    /// The models, in file order.
    pub models: Vec<ModelRequest>,
    /// The tests, in file order.
    pub tests: Vec<TestRequest>,
    /// The codebook (`codebook:`, read and validated with the file).
    pub codebook: Option<Codebook>,
}

impl ModelConfig {
    /// Reads and validates a model YAML file, reporting every problem at once.
    ///
    /// # Errors
    /// [`crate::Error::Config`] listing each problem with key, line and hint; I/O errors.
    pub fn load(path: &Path) -> Result<ModelConfig> {
        let loaded: Loaded<RawConfig> = load_yaml(path)?;
        let mut p = Problems::new(&loaded);
        let raw = &loaded.raw;
        let block = validate_design(&raw.design, &mut p);
        let models: Vec<ModelRequest> =
            raw.models.iter().enumerate().filter_map(|(i, m)| model(i, m, &mut p)).collect();
        let tests: Vec<TestRequest> =
            raw.tests.iter().enumerate().filter_map(|(i, t)| test(i, t, &mut p)).collect();
        if raw.models.is_empty() && raw.tests.is_empty() {
            p.push("models", "no model and no test", Some("add an entry under `models:`".into()));
        }
        check_design_names(&raw.design, &mut p);
        let names = raw.models.iter().map(|m| ("models", &m.name));
        check_unique_names(names.chain(raw.tests.iter().map(|t| ("tests", &t.name))), &mut p);
        let codebook = codebook_path(path, raw.codebook.as_deref(), &mut p);
        let units = validate_units(path, raw.units.as_ref(), &mut p);
        let missing_codes = validate_codes(raw.missing_codes.as_ref(), &mut p);
        p.finish()?;
        let mut design = design_config(&loaded, path, &raw.design, block);
        design.units = units;
        // codes of missing answers: a model's response with a code is a missing value,
        // handled by the model's `missing:` policy (never a level of the response)
        design.missing_codes = missing_codes;
        Ok(ModelConfig {
            file: loaded.file.clone(),
            source: loaded.source(),
            design,
            models,
            tests,
            codebook: codebook.as_deref().map(Codebook::load).transpose()?,
        })
    }
}

/// Names: non-empty and distinct among models and tests (they label the output rows).
fn check_unique_names<'a>(names: impl Iterator<Item = (&'a str, &'a String)>, p: &mut Problems) {
    let mut seen: Vec<&str> = Vec::new();
    let mut index = [0usize; 2];
    for (list, name) in names {
        let i = &mut index[usize::from(list == "tests")];
        let key = format!("{list}[{i}].name");
        *i += 1;
        if name.trim().is_empty() {
            p.push(&key, "the name is empty", Some("it labels the output rows".into()));
        } else if seen.contains(&name.as_str()) {
            p.push(
                &key,
                format!("name `{name}` is used twice"),
                Some("give each its own name".into()),
            );
        }
        seen.push(name);
    }
}

fn missing_policy(key: &str, v: Option<&str>, p: &mut Problems) -> Missing {
    match v {
        None | Some("fail") => Missing::Fail,
        Some("drop") => Missing::Drop,
        Some(s) => {
            p.push(
                key,
                format!("unknown missing-value policy `{s}`"),
                Some("`fail` or `drop`".into()),
            );
            Missing::Fail
        }
    }
}

/// A confidence level in (0, 1) (default 0.95).
fn level(key: &str, v: Option<f64>, p: &mut Problems) -> f64 {
    let level = v.unwrap_or(0.95);
    if !(level > 0.0 && level < 1.0) {
        p.push(key, format!("must be in (0, 1), got {level}"), Some("e.g. `level: 0.95`".into()));
    }
    level
}

fn family(key: &str, s: &str, p: &mut Problems) -> Option<Family> {
    let f = Family::parse(s);
    if f.is_none() {
        let names = Family::NAMES.split(", ");
        let hint = suggest(s, names).map_or_else(
            || format!("one of {}", Family::NAMES),
            |n| format!("did you mean `{n}`? (one of {})", Family::NAMES),
        );
        p.push(key, format!("unknown family `{s}`"), Some(hint));
    }
    f
}

/// A `{key: value}` map of plain values as pairs (`reference:`, `domain:`).
fn pairs(key: &str, m: &serde_yaml::Mapping, p: &mut Problems) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in m {
        match (scalar_label(k), scalar_label(v)) {
            (Some(k), Some(v)) => out.push((k, v)),
            _ => p.push(
                key,
                format!("`{}: {}` is not `column: value`", show(k), show(v)),
                Some("write e.g. `{sex: F}`".into()),
            ),
        }
    }
    out
}

/// `margins:` — `{term: level}` or `{term: [level, …]}` — as `(term, level)` pairs.
fn margins(key: &str, m: &serde_yaml::Mapping, p: &mut Problems) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in m {
        let levels: Vec<&Value> = match v {
            Value::Sequence(s) => s.iter().collect(),
            v => vec![v],
        };
        for l in levels {
            match (scalar_label(k), scalar_label(l)) {
                (Some(k), Some(l)) => out.push((k, l)),
                _ => p.push(
                    key,
                    format!("`{}: {}` is not `term: level`", show(k), show(l)),
                    Some("write e.g. `{mode: web}` or `{mode: [web, phone]}`".into()),
                ),
            }
        }
    }
    out
}

fn model(i: usize, m: &RawModel, p: &mut Problems) -> Option<ModelRequest> {
    let key = format!("models[{i}]");
    let family = family(&format!("{key}.family"), &m.family, p);
    let missing = missing_policy(&format!("{key}.missing"), m.missing.as_deref(), p);
    let category = m.category.as_ref().map(|c| category(&format!("{key}.category"), c, p));
    let level = level(&format!("{key}.level"), m.level, p);
    super::check_names(&format!("{key}.terms"), m.terms.iter().map(String::as_str), p);
    let interactions = interactions(&key, m, p);
    let reference = pairs(&format!("{key}.reference"), &m.reference, p);
    for (t, _) in &reference {
        known_term(&format!("{key}.reference"), t, &m.terms, p);
    }
    for t in &m.tests {
        let named = interactions.iter().any(|(a, b)| *t == format!("{a}:{b}"));
        if !named {
            known_term(&format!("{key}.tests"), t, &m.terms, p);
        }
    }
    for t in &m.categorical {
        known_term(&format!("{key}.categorical"), t, &m.terms, p);
    }
    let margins = margins(&format!("{key}.margins"), &m.margins, p);
    for (t, _) in &margins {
        known_term(&format!("{key}.margins"), t, &m.terms, p);
    }
    Some(ModelRequest {
        name: m.name.clone(),
        family: family?,
        response: m.response.clone(),
        category: category.flatten(),
        terms: m.terms.clone(),
        categorical: m.categorical.clone(),
        interactions,
        reference,
        domain: pairs(&format!("models[{i}].domain"), &m.domain, p),
        tests: m.tests.clone(),
        margins,
        missing,
        level,
        title: heading_text(&format!("{key}.title"), m.title.as_ref(), false, p),
        theme: heading_text(&format!("{key}.theme"), m.theme.as_ref(), true, p),
        key,
    })
}

fn category(key: &str, v: &Value, p: &mut Problems) -> Option<String> {
    let c = scalar_label(v);
    if c.is_none() {
        p.push(
            key,
            format!("`{}` is not a plain value", show(v)),
            Some("e.g. `category: yes`".into()),
        );
    }
    c
}

/// `t` is one of the model's terms (did-you-mean otherwise).
fn known_term(key: &str, t: &str, terms: &[String], p: &mut Problems) {
    if !terms.iter().any(|x| x == t) {
        let hint = suggest(t, terms.iter().map(String::as_str)).map_or_else(
            || format!("the terms are: {}", terms.join(", ")),
            |s| format!("did you mean `{s}`?"),
        );
        p.push(key, format!("`{t}` is not a term of the model"), Some(hint));
    }
}

fn interactions(key: &str, m: &RawModel, p: &mut Problems) -> Vec<(String, String)> {
    let k = format!("{key}.interactions");
    let mut out = Vec::new();
    for pair in &m.interactions {
        let [a, b] = pair.as_slice() else {
            p.push(
                &k,
                format!("{pair:?} is not a pair of terms"),
                Some("write `[[sex, age]]`".into()),
            );
            continue;
        };
        known_term(&k, a, &m.terms, p);
        known_term(&k, b, &m.terms, p);
        out.push((a.clone(), b.clone()));
    }
    out
}

const TEST_TYPES: [&str; 2] = ["chisq", "difference"];

fn test(i: usize, t: &RawTest, p: &mut Problems) -> Option<TestRequest> {
    let key = format!("tests[{i}]");
    let kind = match t.kind.as_str() {
        "chisq" => chisq(&key, t, p),
        "difference" => difference(&key, t, p),
        other => {
            let hint = suggest(other, TEST_TYPES.into_iter()).map_or_else(
                || "`chisq` or `difference`".to_string(),
                |s| format!("did you mean `{s}`?"),
            );
            p.push(&format!("{key}.type"), format!("unknown test type `{other}`"), Some(hint));
            None
        }
    }?;
    let level = level(&format!("{key}.level"), t.level, p);
    let title = heading_text(&format!("{key}.title"), t.title.as_ref(), false, p);
    let theme = heading_text(&format!("{key}.theme"), t.theme.as_ref(), true, p);
    Some(TestRequest { key, name: t.name.clone(), kind, level, title, theme })
}

/// A key given to a test type that does not use it.
fn unused(key: &str, given: bool, field: &str, kind: &str, p: &mut Problems) {
    if given {
        p.push(
            &format!("{key}.{field}"),
            format!("`{field}` does not apply to `type: {kind}`"),
            None,
        );
    }
}

fn chisq(key: &str, t: &RawTest, p: &mut Problems) -> Option<TestKind> {
    for (f, g) in [("stat", t.stat.is_some()), ("variable", t.variable.is_some())] {
        unused(key, g, f, "chisq", p);
    }
    for (f, g) in [("category", t.category.is_some()), ("by", t.by.is_some())] {
        unused(key, g, f, "chisq", p);
    }
    unused(key, t.levels.is_some(), "levels", "chisq", p);
    unused(key, t.missing.is_some(), "missing", "chisq", p);
    unused(key, t.level.is_some(), "level", "chisq", p);
    let statistic = match t.statistic.as_deref() {
        None | Some("F") => Some(ChisqStatistic::F),
        Some(s) if s.eq_ignore_ascii_case("chisq") => Some(ChisqStatistic::Chisq),
        Some(s) => {
            p.push(
                &format!("{key}.statistic"),
                format!("unknown statistic `{s}`"),
                Some("`F` or `chisq`".into()),
            );
            None
        }
    };
    let vars = match t.variables.as_deref() {
        Some([a, b]) if a == b => {
            p.push(
                &format!("{key}.variables"),
                format!("`{a}` is given twice: a test of independence crosses two columns"),
                Some("e.g. `variables: [trusts, region]`".into()),
            );
            None
        }
        Some([a, b]) => Some([a.clone(), b.clone()]),
        _ => {
            p.push(
                &format!("{key}.variables"),
                "a chisq test needs two columns",
                Some("e.g. `variables: [trusts, region]`".into()),
            );
            None
        }
    };
    Some(TestKind::Chisq { variables: vars?, statistic: statistic? })
}

fn difference(key: &str, t: &RawTest, p: &mut Problems) -> Option<TestKind> {
    unused(key, t.variables.is_some(), "variables", "difference", p);
    unused(key, t.statistic.is_some(), "statistic", "difference", p);
    let category = t.category.as_ref().and_then(|c| category(&format!("{key}.category"), c, p));
    let proportion = match t.stat.as_deref() {
        Some("mean") => Some(false),
        Some("proportion") => Some(true),
        other => {
            let what = other.map_or("no `stat`".to_string(), |s| format!("unknown stat `{s}`"));
            p.push(&format!("{key}.stat"), what, Some("`mean` or `proportion`".into()));
            None
        }
    };
    if proportion == Some(true) && category.is_none() {
        p.push(
            &format!("{key}.category"),
            "a proportion needs `category:`",
            Some("the value counted, e.g. `category: yes`".into()),
        );
    }
    unused(
        key,
        proportion == Some(false) && category.is_some(),
        "category",
        "difference, stat: mean",
        p,
    );
    let levels = t.levels.as_deref().map(|l| super::scalar_labels(&format!("{key}.levels"), l, p));
    let levels = match levels.as_deref() {
        Some([a, b]) => Some([a.clone(), b.clone()]),
        _ => {
            p.push(
                &format!("{key}.levels"),
                "a difference needs two levels of `by`",
                Some("e.g. `levels: [F, M]`".into()),
            );
            None
        }
    };
    let missing = missing_policy(&format!("{key}.missing"), t.missing.as_deref(), p);
    let (Some(variable), Some(by)) = (t.variable.clone(), t.by.clone()) else {
        p.push(key, "a difference needs `variable:` and `by:`", None);
        return None;
    };
    let category = if proportion? { category } else { None };
    Some(TestKind::Difference { variable, category, by, levels: levels?, missing })
}
