//! A codebook file (`codebook:` of estimate and model configurations): per variable a
//! label and value labels in French and English.
//!
//! ```yaml
//! variables:
//!   region:
//!     label: {fr: Région, en: Region}
//!     values:
//!       "11": {fr: Île-de-France, en: Île-de-France}
//!       "94": {fr: Corse, en: Corsica}
//!   age_group:
//!     label: {fr: Âge, en: Age}
//!     values: {18-29: {fr: 18-29 ans, en: 18-29 years}}
//! ```
//!
//! `units: true` marks a variable of the linked unit file (`units:` of estimate and model
//! configurations, e.g. the dispute type of `disputes.csv`): configurations without that
//! file skip it.
//!
//! `label:` is required, `values:` optional (a numeric variable has none); every text needs
//! a non-empty `fr` and `en`. Codes are written as they appear in the data's text form
//! (`11` and `"11"` are the same code); the order of `values:` is the order shown to
//! readers. [`Codebook::load`] reports every problem at once (unknown keys with
//! did-you-mean, a missing language, an empty label, a code given twice), each with its key
//! and line; checking the codes against the data is `bind::codebook`'s job.

use super::{Loaded, Problems, Source, load_yaml, scalar_label, show, suggest};
use crate::error::Result;
use crate::estimate::Text;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// One variable of a codebook.
#[derive(Debug, Clone, PartialEq)]
pub struct CodebookVariable {
    /// Its key in the file (`variables.region`), for messages.
    pub key: String,
    /// The variable (data column) name.
    pub name: String,
    /// Its label.
    pub label: Text,
    /// `(code, label)` in file order.
    pub values: Vec<(String, Text)>,
    /// `units: true`: a column of the linked unit files (`units:` of estimate and model
    /// configurations: one row per dispute, say), not of the weighted file; checked against
    /// the unit file joined to the weighted file, skipped where the data lack it.
    pub units: bool,
}

/// A validated codebook (no data seen yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Codebook {
    /// The file, for messages.
    pub file: String,
    /// The file's path and text (lines of problems found against the data).
    pub source: Source,
    /// The variables, in file order.
    pub variables: Vec<CodebookVariable>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodebook {
    variables: Mapping,
}

const VARIABLE_KEYS: [&str; 3] = ["label", "values", "units"];
const LANGS: [&str; 2] = ["fr", "en"];

impl Codebook {
    /// Reads and validates a codebook file, reporting every problem at once.
    ///
    /// # Errors
    /// [`crate::Error::Config`] listing each problem with key, line and hint; I/O errors.
    pub fn load(path: &Path) -> Result<Codebook> {
        let loaded: Loaded<RawCodebook> = load_yaml(path)?;
        let mut p = Problems::new(&loaded);
        let mut variables = Vec::new();
        if loaded.raw.variables.is_empty() {
            p.push(
                "variables",
                "the codebook lists no variable",
                Some("add e.g. `region: {label: {fr: Région, en: Region}}`".into()),
            );
        }
        for (k, v) in &loaded.raw.variables {
            let Some(name) = scalar_label(k).filter(|n| !n.is_empty()) else {
                p.push("variables", format!("`{}` is not a variable name", show(k)), None);
                continue;
            };
            if let Some(var) = variable(&name, v, &mut p) {
                variables.push(var);
            }
        }
        p.finish()?;
        Ok(Codebook { file: loaded.file.clone(), source: loaded.source(), variables })
    }

    /// The variable named `name`, if listed.
    pub fn variable(&self, name: &str) -> Option<&CodebookVariable> {
        self.variables.iter().find(|v| v.name == name)
    }
}

fn variable(name: &str, v: &Value, p: &mut Problems) -> Option<CodebookVariable> {
    let key = format!("variables.{name}");
    let Value::Mapping(m) = v else {
        p.push(
            &key,
            format!("`{}` is not a variable's entry", show(v)),
            Some(
                "write `label: {fr: …, en: …}` and optionally `values: {code: {fr: …, en: …}}`"
                    .into(),
            ),
        );
        return None;
    };
    unknown_keys(&key, m, &VARIABLE_KEYS, false, p);
    let label = match m.get("label") {
        Some(l) => text(&format!("{key}.label"), l, p),
        None => {
            p.push(
                &key,
                "the variable has no `label:`",
                Some("add `label: {fr: …, en: …}`".into()),
            );
            None
        }
    };
    let values = match m.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Mapping(vals)) => values(&key, vals, p),
        Some(other) => {
            p.push(
                &format!("{key}.values"),
                format!("`{}` is not a mapping of codes to labels", show(other)),
                Some("write `values: {code: {fr: …, en: …}}`".into()),
            );
            Vec::new()
        }
    };
    let units = match m.get("units") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => {
            p.push(
                &format!("{key}.units"),
                format!("`{}` is not `true` or `false`", show(other)),
                Some("`units: true` marks a column of the linked unit file (disputes)".into()),
            );
            false
        }
    };
    Some(CodebookVariable { key, name: name.to_string(), label: label?, values, units })
}

fn values(key: &str, m: &Mapping, p: &mut Problems) -> Vec<(String, Text)> {
    let mut out: Vec<(String, Text)> = Vec::new();
    for (c, t) in m {
        let Some(code) = scalar_label(c).filter(|c| !c.is_empty()) else {
            p.push(
                &format!("{key}.values"),
                format!("`{}` is not a code", show(c)),
                Some("codes are plain values as in the data (`11`, `yes`)".into()),
            );
            continue;
        };
        let k = format!("{key}.values.{code}");
        if out.iter().any(|(o, _)| *o == code) {
            p.push(
                &k,
                format!("code `{code}` is labelled twice"),
                Some("give each code one label (`11` and \"11\" are the same code)".into()),
            );
            continue;
        }
        if let Some(t) = text(&k, t, p) {
            out.push((code, t));
        }
    }
    out
}

/// A `{fr: …, en: …}` text at `key`: both languages, non-empty, no other key.
pub(super) fn text(key: &str, v: &Value, p: &mut Problems) -> Option<Text> {
    let Value::Mapping(m) = v else {
        p.push(
            key,
            format!("`{}` is not a text in both languages", show(v)),
            Some("write `{fr: …, en: …}`".into()),
        );
        return None;
    };
    // Texts are mostly written inline (`{fr: …, en: …}`): their problems are at `key`.
    unknown_keys(key, m, &LANGS, true, p);
    let mut out = [None, None];
    for (slot, lang) in out.iter_mut().zip(LANGS) {
        match m.get(lang).map(|x| (x, scalar_label(x))) {
            None | Some((Value::Null, _)) => p.push(
                key,
                format!("no `{lang}` text"),
                Some(format!("add `{lang}: …` (French and English are both required)")),
            ),
            Some((_, Some(s))) if !s.is_empty() => *slot = Some(s),
            Some((x, s)) => p.push(
                key,
                match s {
                    Some(_) => format!("the `{lang}` text is empty"),
                    None => format!("the `{lang}` text `{}` is not a plain text", show(x)),
                },
                Some("write the label as text".into()),
            ),
        }
    }
    let [Some(fr), Some(en)] = out else { return None };
    Some(Text { fr, en })
}

/// A `title:`/`theme:` text: `{fr, en}`, or a plain string (the same in both languages)
/// when `plain` is allowed.
pub(super) fn heading_text(
    key: &str,
    v: Option<&Value>,
    plain: bool,
    p: &mut Problems,
) -> Option<Text> {
    match v? {
        Value::String(s) if plain && !s.trim().is_empty() => {
            Some(Text { fr: s.trim().to_string(), en: s.trim().to_string() })
        }
        other => text(key, other, p),
    }
}

/// Keys of `m` not among `known`, with did-you-mean; the problem is at `key.<name>`, or at
/// `key` itself when `at_key` (inline mappings, whose keys have no line of their own).
fn unknown_keys(key: &str, m: &Mapping, known: &[&str], at_key: bool, p: &mut Problems) {
    for k in m.keys() {
        let name = scalar_label(k).unwrap_or_else(|| show(k));
        if !known.contains(&name.as_str()) {
            let hint = suggest(&name, known.iter().copied()).map_or_else(
                || format!("the keys here are: {}", known.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            let at = if at_key { key.to_string() } else { format!("{key}.{name}") };
            p.push(&at, format!("unknown key `{name}`"), Some(hint));
        }
    }
}
