//! The nonresponse configuration (`ponder nonresponse --config N.yaml`). See
//! `interface.md`; extensions: `phone_number` (usable number, for `phases: sequential`),
//! `phone_share` (`classes: [..]` | `model` | `observed`), `eligibility_classes`,
//! `profile`, `quantiles` (`unweighted` | `weighted`), `collinearity` (`drop` | `fail`),
//! `{column, type: categorical}` entries in `model` (class variables are categories
//! whatever their type), `break_off` (a yes/no column
//! of respondents who broke off: counts and rates by mode in the report).
//!
//! [`NonresponseConfig::load`] reads and validates the YAML into a plain spec that holds
//! no data; `bind::nonresponse` reads the columns it names and builds the
//! library's `NonresponseSpec`.

use super::{Loaded, Problems, load_yaml, scalar_labels, suggest};
use crate::error::Result;
use crate::nonresponse::{
    Collinearity, FitOptions, GroupFactor, ModelWeighting, QuantileWeighting, ScoreGroups,
    StatusCodes,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    weight: String,
    output: Option<String>,
    status: String,
    codes: RawCodes,
    method: String,
    #[serde(default)]
    classes: Vec<serde_yaml::Value>,
    #[serde(default)]
    model: Vec<serde_yaml::Value>,
    model_weights: Option<String>,
    phases: Option<String>,
    phone_number: Option<String>,
    phone_share: Option<serde_yaml::Value>,
    score_groups: Option<usize>,
    min_respondents: Option<usize>,
    min_response_rate: Option<f64>,
    factor: Option<String>,
    quantiles: Option<String>,
    collinearity: Option<String>,
    #[serde(default)]
    eligibility_classes: Vec<serde_yaml::Value>,
    #[serde(default)]
    profile: Vec<serde_yaml::Value>,
    replicates: Option<String>,
    break_off: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodes {
    #[serde(default)]
    web: Vec<serde_yaml::Value>,
    #[serde(default)]
    phone: Vec<serde_yaml::Value>,
    #[serde(default)]
    respondent: Vec<serde_yaml::Value>,
    #[serde(default)]
    nonrespondent: Vec<serde_yaml::Value>,
    #[serde(default)]
    ineligible: Vec<serde_yaml::Value>,
    #[serde(default)]
    unknown: Vec<serde_yaml::Value>,
}

/// A column and how it enters (categorical or numeric; `None` = by the data's type).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnUse {
    /// Column name.
    pub column: String,
    /// Forced type.
    pub categorical: Option<bool>,
}

/// How the propensity of a phone relaunch is combined.
#[derive(Debug, Clone, PartialEq)]
pub enum ShareSpec {
    /// Weighted share within classes.
    Classes(Vec<ColumnUse>),
    /// Logistic model.
    Model,
    /// The unit's own indicator.
    Observed,
}

/// A validated nonresponse configuration: a plain spec, no data.
#[derive(Debug, Clone)]
pub struct NonresponseConfig {
    /// The file, for messages.
    pub file: String,
    /// The file and its text, for messages on problems found against the data.
    pub source: super::Source,
    /// Design weight column.
    pub weight: String,
    /// Adjusted weight column.
    pub output: String,
    /// Status column.
    pub status: String,
    /// Declared codes.
    pub codes: StatusCodes,
    /// `classes`, `score` or `propensity`.
    pub method: String,
    /// Weighting class columns (`method: classes`).
    pub classes: Vec<ColumnUse>,
    /// Response model predictors (`score`, `propensity`).
    pub model: Vec<ColumnUse>,
    /// Weights of the model fit.
    pub weighting: ModelWeighting,
    /// `phases: sequential` (web model × phone model × share).
    pub sequential: bool,
    /// Usable phone number column (sequential phases).
    pub phone_number: Option<String>,
    /// How the share of phone relaunches is estimated (sequential phases).
    pub share: ShareSpec,
    /// Score groups (`method: score`).
    pub groups: ScoreGroups,
    /// Options of the logistic fit.
    pub fit: FitOptions,
    /// Classes sharing the weight of units of unknown eligibility.
    pub eligibility_classes: Vec<ColumnUse>,
    /// Variables profiled in the report.
    pub profile: Vec<ColumnUse>,
    /// Replicate columns to adjust too.
    pub replicates: Option<String>,
    /// Column flagging respondents who broke off (`yes`/`no`, also `1`/`0`, `true`/`false`;
    /// blank for non-respondents): break-off counts and rates by mode in the report.
    pub break_off: Option<String>,
}

const METHODS: [&str; 3] = ["classes", "score", "propensity"];

impl NonresponseConfig {
    /// Reads and validates a nonresponse YAML file, reporting every problem at once.
    ///
    /// # Errors
    /// [`crate::Error::Config`] with each problem's key, line and hint.
    pub fn load(path: &Path) -> Result<NonresponseConfig> {
        if let Some(step) = super::pipeline::step_file(path, "nonresponse")
            && step != path
        {
            return Self::load(&step);
        }
        let loaded: Loaded<RawConfig> = load_yaml(path)?;
        let mut p = Problems::new(&loaded);
        let r = &loaded.raw;
        validate_method(r, &mut p);
        let codes = codes(&r.codes, &mut p);
        let weighting = choice(
            &mut p,
            "model_weights",
            r.model_weights.as_deref(),
            &[("design", ModelWeighting::Design), ("none", ModelWeighting::Unweighted)],
            "`design` or `none`",
        );
        let sequential = phases(r, &codes, &mut p);
        let share = share(r.phone_share.as_ref(), &mut p);
        let groups = score_groups(r, &mut p);
        let collinearity = choice(
            &mut p,
            "collinearity",
            r.collinearity.as_deref(),
            &[("drop", Collinearity::Drop), ("fail", Collinearity::Fail)],
            "`drop` (reported) or `fail`",
        );
        let fit = FitOptions { collinearity, ..FitOptions::default() };
        let classes = class_list(&r.classes, "classes", &mut p);
        let model = column_list(&r.model, "model", &mut p);
        let eligibility_classes = class_list(&r.eligibility_classes, "eligibility_classes", &mut p);
        let profile = column_list(&r.profile, "profile", &mut p);
        unused_options(r, &codes, sequential, &mut p);
        check_column_names(r, &mut p);
        p.finish()?;
        Ok(NonresponseConfig {
            file: loaded.file.clone(),
            source: loaded.source(),
            weight: r.weight.clone(),
            output: r.output.clone().unwrap_or_else(|| "weight_nr".to_string()),
            status: r.status.clone(),
            codes,
            method: r.method.clone(),
            classes,
            model,
            weighting,
            sequential,
            phone_number: r.phone_number.clone(),
            share,
            groups,
            fit,
            eligibility_classes,
            profile,
            replicates: r.replicates.clone(),
            break_off: r.break_off.clone(),
        })
    }

    /// Every column the adjustment reads (weight, status, classes, model, eligibility
    /// classes, profile, phone share classes, phone number), for the up-front check.
    pub fn columns(&self) -> Vec<&str> {
        let mut v = vec![self.weight.as_str(), self.status.as_str()];
        v.extend(self.variables().into_iter().map(|c| c.column.as_str()));
        if let Some(c) = &self.phone_number {
            v.push(c);
        }
        if let Some(c) = &self.break_off {
            v.push(c);
        }
        v
    }

    /// Every class, model, eligibility, profile and phone share column, in that order
    /// (a column may appear more than once).
    pub fn variables(&self) -> Vec<&ColumnUse> {
        let mut v: Vec<&ColumnUse> = self
            .classes
            .iter()
            .chain(&self.model)
            .chain(&self.eligibility_classes)
            .chain(&self.profile)
            .collect();
        if let ShareSpec::Classes(cs) = &self.share {
            v.extend(cs);
        }
        v
    }
}

/// `method:` and the column lists it needs.
fn validate_method(r: &RawConfig, p: &mut Problems) {
    if !METHODS.contains(&r.method.as_str()) {
        let hint = suggest(&r.method, METHODS.iter().copied())
            .map_or_else(|| METHODS.join(", "), |s| format!("did you mean `{s}`?"));
        p.push("method", format!("unknown method `{}`", r.method), Some(hint));
    }
    if r.method == "classes" && r.classes.is_empty() {
        p.push("classes", "`method: classes` needs `classes:` (weighting class columns)", None);
    }
    if r.method != "classes" && METHODS.contains(&r.method.as_str()) && r.model.is_empty() {
        p.push("model", format!("`method: {}` needs `model:` (predictor columns)", r.method), None);
    }
}

/// One of a few words (`options`, the first is the default when `value` is absent); an
/// unknown word is a problem at `key` with `hint`.
fn choice<T: Copy>(
    p: &mut Problems,
    key: &str,
    value: Option<&str>,
    options: &[(&str, T)],
    hint: &str,
) -> T {
    let default = options[0].1;
    let Some(v) = value else { return default };
    match options.iter().find(|(name, _)| *name == v) {
        Some((_, t)) => *t,
        None => {
            p.push(key, format!("unknown `{v}`"), Some(hint.into()));
            default
        }
    }
}

/// `phases: global | sequential` (true = sequential) and what sequential phases need.
fn phases(r: &RawConfig, codes: &StatusCodes, p: &mut Problems) -> bool {
    let sequential = choice(
        p,
        "phases",
        r.phases.as_deref(),
        &[("global", false), ("sequential", true)],
        "`global` or `sequential`",
    );
    if sequential && r.phone_number.is_none() {
        p.push(
            "phone_number",
            "`phases: sequential` needs `phone_number:` (a column: 1/true when a usable number was found)",
            None,
        );
    }
    if sequential && (codes.web.is_empty() || codes.phone.is_empty()) {
        p.push("codes", "`phases: sequential` needs `web` and `phone` codes", None);
    }
    sequential
}

/// `score_groups`, `min_respondents`, `min_response_rate`, `factor`, `quantiles`.
fn score_groups(r: &RawConfig, p: &mut Problems) -> ScoreGroups {
    let mut groups = ScoreGroups::default();
    groups.groups = r.score_groups.unwrap_or(groups.groups);
    groups.min_respondents = r.min_respondents.unwrap_or(groups.min_respondents);
    groups.min_response_rate = r.min_response_rate.unwrap_or(groups.min_response_rate);
    if groups.groups == 0 {
        p.push("score_groups", "must be at least 1", None);
    }
    if !(0.0..1.0).contains(&groups.min_response_rate) {
        p.push("min_response_rate", "must be in [0, 1)", None);
    }
    groups.factor = choice(
        p,
        "factor",
        r.factor.as_deref(),
        &[
            ("weighted_rate", GroupFactor::WeightedRate),
            ("mean_propensity", GroupFactor::MeanPropensity),
        ],
        "`weighted_rate` or `mean_propensity`",
    );
    groups.quantiles = choice(
        p,
        "quantiles",
        r.quantiles.as_deref(),
        &[("unweighted", QuantileWeighting::Unweighted), ("weighted", QuantileWeighting::Weighted)],
        "`unweighted` or `weighted`",
    );
    groups
}

/// A list of column entries at `key`, each checked, names not empty nor repeated.
fn column_list(v: &[serde_yaml::Value], key: &str, p: &mut Problems) -> Vec<ColumnUse> {
    let out: Vec<ColumnUse> = v
        .iter()
        .enumerate()
        .filter_map(|(i, c)| column_use(c, &format!("{key}[{i}]"), p))
        .collect();
    super::check_names(key, out.iter().map(|c| c.column.as_str()), p);
    out
}

/// `weight`, `status`, `output`, `phone_number` not empty; `replicates` a valid glob.
fn check_column_names(r: &RawConfig, p: &mut Problems) {
    for (key, name) in [
        ("weight", Some(&r.weight)),
        ("status", Some(&r.status)),
        ("output", r.output.as_ref()),
        ("phone_number", r.phone_number.as_ref()),
    ] {
        if name.is_some_and(|n| n.trim().is_empty()) {
            p.push(key, "the column name is empty", Some(format!("write `{key}: <column name>`")));
        }
    }
    super::check_glob("replicates", r.replicates.as_deref(), p);
}

fn codes(raw: &RawCodes, p: &mut Problems) -> StatusCodes {
    let codes = StatusCodes {
        web: scalar_labels("codes.web", &raw.web, p),
        phone: scalar_labels("codes.phone", &raw.phone, p),
        respondent: scalar_labels("codes.respondent", &raw.respondent, p),
        nonrespondent: scalar_labels("codes.nonrespondent", &raw.nonrespondent, p),
        ineligible: scalar_labels("codes.ineligible", &raw.ineligible, p),
        unknown: scalar_labels("codes.unknown", &raw.unknown, p),
    };
    if codes.web.is_empty() && codes.phone.is_empty() && codes.respondent.is_empty() {
        p.push(
            "codes",
            "no respondent code declared",
            Some("declare `web`/`phone` or `respondent` codes".into()),
        );
    }
    let mut seen = BTreeMap::new();
    for (kind, list) in [
        ("web", &codes.web),
        ("phone", &codes.phone),
        ("respondent", &codes.respondent),
        ("nonrespondent", &codes.nonrespondent),
        ("ineligible", &codes.ineligible),
        ("unknown", &codes.unknown),
    ] {
        for c in list {
            if let Some(prev) = seen.insert(c.clone(), kind) {
                p.push(
                    "codes",
                    format!("code `{c}` is declared both as `{prev}` and `{kind}`"),
                    None,
                );
            }
        }
    }
    codes
}

fn share(raw: Option<&serde_yaml::Value>, p: &mut Problems) -> ShareSpec {
    match raw {
        None => ShareSpec::Classes(Vec::new()),
        Some(serde_yaml::Value::String(s)) if s == "model" => ShareSpec::Model,
        Some(serde_yaml::Value::String(s)) if s == "observed" => ShareSpec::Observed,
        Some(serde_yaml::Value::Mapping(m)) => {
            let classes = m.get("classes").and_then(|v| v.as_sequence());
            match classes.filter(|_| m.len() == 1) {
                Some(cs) => ShareSpec::Classes(
                    scalar_labels("phone_share.classes", cs, p)
                        .into_iter()
                        .map(|column| ColumnUse { column, categorical: Some(true) })
                        .collect(),
                ),
                None => {
                    p.push(
                        "phone_share",
                        "expected `{classes: [columns]}` (and no other key), `model` or `observed`",
                        None,
                    );
                    ShareSpec::Model
                }
            }
        }
        Some(_) => {
            p.push("phone_share", "expected `{classes: [columns]}`, `model` or `observed`", None);
            ShareSpec::Model
        }
    }
}

/// Options of one method (or of sequential phases) given with another: refused, since they
/// would be silently ignored.
fn unused_options(r: &RawConfig, codes: &StatusCodes, sequential: bool, p: &mut Problems) {
    let m = r.method.as_str();
    if !METHODS.contains(&m) {
        return;
    }
    let score = m == "score";
    let modelled = m != "classes";
    for (key, given, applies, which) in [
        ("classes", !r.classes.is_empty(), m == "classes", "`method: classes`"),
        ("model", !r.model.is_empty(), modelled, "`method: score` or `propensity`"),
        ("model_weights", r.model_weights.is_some(), modelled, "`method: score` or `propensity`"),
        ("collinearity", r.collinearity.is_some(), modelled, "`method: score` or `propensity`"),
        ("phases", sequential, modelled, "`method: score` or `propensity`"),
        ("score_groups", r.score_groups.is_some(), score, "`method: score`"),
        ("min_respondents", r.min_respondents.is_some(), score, "`method: score`"),
        ("min_response_rate", r.min_response_rate.is_some(), score, "`method: score`"),
        ("factor", r.factor.is_some(), score, "`method: score`"),
        ("quantiles", r.quantiles.is_some(), score, "`method: score`"),
        ("phone_number", r.phone_number.is_some(), sequential, "`phases: sequential`"),
        ("phone_share", r.phone_share.is_some(), sequential, "`phases: sequential`"),
        (
            "eligibility_classes",
            !r.eligibility_classes.is_empty(),
            !codes.unknown.is_empty(),
            "`codes.unknown` (units of unknown eligibility)",
        ),
    ] {
        if given && !applies {
            p.push(
                key,
                format!("`{key}` applies with {which} only: here it would be ignored"),
                Some(format!("remove `{key}`, or use {which}")),
            );
        }
    }
}

/// A list of class variables at `key`: categories whatever the column's type (integer codes
/// such as `sex: 1/2` or a region code are classes as they are); `type: numeric` is refused.
fn class_list(v: &[serde_yaml::Value], key: &str, p: &mut Problems) -> Vec<ColumnUse> {
    let mut out = column_list(v, key, p);
    for (i, c) in out.iter_mut().enumerate() {
        match c.categorical {
            None => c.categorical = Some(true),
            Some(true) => {}
            Some(false) => p.push(
                &format!("{key}[{i}]"),
                format!("`{}` is a class variable: classes are categories, not numbers", c.column),
                Some(
                    "remove `type: numeric` (its values are then the classes), or cut the \
                     variable into groups in the data"
                        .into(),
                ),
            ),
        }
    }
    out
}

fn column_use(c: &serde_yaml::Value, key: &str, p: &mut Problems) -> Option<ColumnUse> {
    let (column, kind) = super::typed_column(key, c, p)?;
    match kind.as_deref() {
        None => Some(ColumnUse { column, categorical: None }),
        Some(t) => match t {
            "categorical" => Some(ColumnUse { column, categorical: Some(true) }),
            "numeric" => Some(ColumnUse { column, categorical: Some(false) }),
            t => {
                p.push(
                    key,
                    format!("unknown type `{t}` for `{column}`"),
                    Some("`categorical` or `numeric`".into()),
                );
                None
            }
        },
    }
}
