//! Configuration files: YAML → raw serde structs (unknown keys rejected) → validated
//! domain types.
//!
//! Each step has its own file with its raw structs and its validation. Validation collects
//! every problem before failing ([`Problems`]), each with the YAML key, its line and a hint
//! (did-you-mean for keys, columns and categories).

pub mod calibrate;
pub mod codebook;
pub mod estimate;
pub mod export;
pub mod model;
pub mod nonresponse;
pub mod pipeline;
pub mod sample;

use crate::error::{ConfigProblem, Error, Result};
pub use crate::hint::suggest;
use serde::de::DeserializeOwned;
use std::path::Path;

/// A parsed YAML file: the raw structure plus its text (to locate keys for messages).
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The raw deserialized structure.
    pub raw: T,
    /// The file's text.
    pub text: String,
    /// The file's path, for messages.
    pub file: String,
}

impl<T> Loaded<T> {
    /// The file's path and text, for a spec to keep (line numbers without re-reading).
    pub fn source(&self) -> Source {
        Source { file: self.file.clone(), text: self.text.as_str().into() }
    }
}

/// A configuration file as read: its path (for messages) and its text, kept by a spec so
/// that problems found later — when the spec is bound to the data — name the key's line
/// without reading the file again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// The file's path, as given.
    pub file: String,
    /// The file's text.
    pub text: std::sync::Arc<str>,
}

impl Source {
    /// The 1-based line of a dotted key path (`margins[2].totals`), when found.
    pub fn line(&self, key: &str) -> Option<usize> {
        find_line(&self.text, key)
    }

    /// An empty collection of problems for this file.
    pub fn problems(&self) -> Problems<'_> {
        Problems { file: &self.file, text: &self.text, list: Vec::new() }
    }

    /// [`Error::Config`] with the single problem `message` at `key` (its line found in the
    /// text) and an optional hint.
    pub fn error(&self, key: &str, message: impl Into<String>, hint: Option<String>) -> Error {
        let mut p = self.problems();
        p.push(key, message, hint);
        Error::Config { file: self.file.clone(), problems: p.list }
    }
}

/// Reads and parses a YAML file into `T` (with `deny_unknown_fields` on `T`, unknown keys are
/// errors with their line).
///
/// # Errors
/// A missing or unreadable file; a YAML syntax error or a type mismatch, with its line.
pub fn load_yaml<T: DeserializeOwned>(path: &Path) -> Result<Loaded<T>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(path, format!("cannot read the configuration file: {e}")))?;
    if text.trim().is_empty() {
        return Err(Error::Config {
            file,
            problems: vec![ConfigProblem::new("(file)", "the configuration file is empty")],
        });
    }
    let raw: T = serde_yaml::from_str(&text).map_err(|e| yaml_error(&file, &e))?;
    Ok(Loaded { raw, text, file })
}

fn yaml_error(file: &str, e: &serde_yaml::Error) -> Error {
    let msg = e.to_string();
    let (key, message) = match msg.split_once(": ") {
        Some((k, m)) if !k.contains(' ') => (k.to_string(), m.to_string()),
        _ => ("(file)".to_string(), msg.clone()),
    };
    let mut p = ConfigProblem::new(key, plain_words(&strip_location(&message)));
    p.line = e.location().map(|l| l.line());
    if let Some(h) = unknown_field_hint(&message) {
        p = p.hint(h);
    } else if let Some(field) =
        message.strip_prefix("missing field `").and_then(|r| r.split('`').next())
    {
        p = p.hint(format!("add `{field}:`"));
    } else if message.contains("expected struct") {
        p = p.hint("write `key: value` lines here (see `ponder <command> --help`)");
    }
    Error::Config { file: file.to_string(), problems: vec![p] }
}

/// serde's wording for a type mismatch names Rust types (`expected struct RawConfig`,
/// `expected u64`); a user reads YAML: say what to write instead.
pub fn plain_words(message: &str) -> String {
    let mut m = message.to_string();
    if let Some(i) = m.find("expected struct ") {
        m.truncate(i);
        m.push_str("expected a mapping of `key: value` entries");
    }
    if let Some(i) = m.find("did not match any variant of untagged enum") {
        m.truncate(i);
        m.push_str("is not of a form this key accepts");
    }
    for (rust, plain) in [
        (" as u128", ""),
        (" as i128", ""),
        ("expected u64", "expected a whole number >= 0"),
        ("expected u32", "expected a whole number >= 0"),
        ("expected usize", "expected a whole number >= 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a YAML mapping", "expected a mapping of `key: value` entries"),
        ("invalid type: unit value", "invalid type: empty value"),
        ("missing field", "missing required key"),
        ("unknown field", "unknown key"),
        ("duplicate field", "duplicate key"),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

/// A YAML value as the user wrote it (`-50`, `fifty`, `[1, 2]`), for messages; never
/// Rust's debug form (`Number(-50)`).
pub fn show(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::Null => "an empty value".to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Sequence(items) => {
            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", "))
        }
        serde_yaml::Value::Mapping(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        serde_yaml::Value::Tagged(t) => format!("{} {}", t.tag, show(&t.value)),
    }
}

fn strip_location(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

/// For "unknown field `x`, expected one of `a`, `b`": a did-you-mean on the expected keys.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (bad, expected) = rest.split_once('`')?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    suggest(bad, names.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}

/// Collects validation problems; fails once with all of them.
#[derive(Debug)]
pub struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<ConfigProblem>,
}

impl<'a> Problems<'a> {
    /// An empty collection for the file `file` with text `text`.
    pub fn new<T>(loaded: &'a Loaded<T>) -> Self {
        Problems { file: &loaded.file, text: &loaded.text, list: Vec::new() }
    }

    /// Records a problem at `key` (dotted path like `margins[1].totals`); its line is found
    /// in the file's text.
    pub fn push(&mut self, key: &str, message: impl Into<String>, hint: Option<String>) {
        let mut p = ConfigProblem::new(key, message);
        p.line = find_line(self.text, key);
        p.hint = hint;
        self.list.push(p);
    }

    /// Number of problems recorded so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Ok when no problem was recorded, else the error listing all of them.
    ///
    /// # Errors
    /// [`Error::Config`] with every recorded problem.
    pub fn finish(self) -> Result<()> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::Config { file: self.file.to_string(), problems: self.list })
        }
    }
}

/// Finds the 1-based line of a dotted key path (`margins[2].totals`) in YAML text: each
/// segment is searched below the previous one, list items counted by their `- ` markers.
pub fn find_line(text: &str, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0usize;
    let mut indent: isize = -1;
    let mut found = None;
    for seg in key.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let (line, ind) = find_key(&lines, start, indent, name)?;
        found = Some(line);
        start = line + 1;
        indent = ind as isize;
        if let Some(k) = index {
            let item = find_item(&lines, start, indent, k)?;
            found = Some(item);
            start = item;
            indent = lines[item].len() as isize - lines[item].trim_start().len() as isize;
            indent -= 1; // keys of the item are at the dash's indentation + 2
        }
    }
    found.map(|l| l + 1)
}

fn find_key(lines: &[&str], start: usize, parent: isize, name: &str) -> Option<(usize, usize)> {
    for (i, l) in lines.iter().enumerate().skip(start) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = l.len() - t.len();
        let body = t.trim_start_matches("- ");
        let ind = ind + (t.len() - body.len());
        if (ind as isize) <= parent && i > start {
            return None;
        }
        let bare = body.trim_start_matches(['"', '\'']);
        if let Some(rest) = bare.strip_prefix(name) {
            let rest = rest.trim_start_matches(['"', '\'']);
            if rest.trim_start().starts_with(':') {
                return Some((i, ind));
            }
        }
    }
    None
}

fn find_item(lines: &[&str], start: usize, parent: isize, k: usize) -> Option<usize> {
    let mut count = 0;
    for (i, l) in lines.iter().enumerate().skip(start) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = (l.len() - t.len()) as isize;
        if ind < parent {
            return None;
        }
        if t.starts_with("- ") || t == "-" {
            if count == k {
                return Some(i);
            }
            count += 1;
        }
    }
    None
}

/// A column glob (`replicates: "rep_*"`) that does not parse is a problem at `key`.
pub fn check_glob(key: &str, pattern: Option<&str>, problems: &mut Problems) {
    if let Some(p) = pattern
        && (glob::Pattern::new(p).is_err() || p.trim().is_empty())
    {
        problems.push(
            key,
            format!("`{p}` is not a valid column pattern"),
            Some("a glob such as \"rep_*\" (`*` any text, `?` one character)".into()),
        );
    }
}

/// Column names that must not be empty (`weight: ""`) nor listed twice (`[a, a]`).
pub fn check_names<'a>(
    key: &str,
    names: impl IntoIterator<Item = &'a str>,
    problems: &mut Problems,
) {
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if n.trim().is_empty() {
            problems.push(key, "a column name is empty", Some("name a column of the data".into()));
        } else if seen.contains(&n) {
            problems.push(
                key,
                format!("column `{n}` is listed twice"),
                Some("list each column once".into()),
            );
        } else {
            seen.push(n);
        }
    }
}

/// A column entry of a list: `name` or `{column: name, type: categorical | numeric}`;
/// returns the column and the type as written. Anything else (another key, a number, a
/// nested list) is a problem at `key`.
pub fn typed_column(
    key: &str,
    v: &serde_yaml::Value,
    problems: &mut Problems,
) -> Option<(String, Option<String>)> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Typed {
        column: String,
        r#type: String,
    }
    let hint = || Some("write `name` or `{column: name, type: categorical}`".to_string());
    match v {
        serde_yaml::Value::String(s) => Some((s.clone(), None)),
        serde_yaml::Value::Mapping(_) => match serde_yaml::from_value::<Typed>(v.clone()) {
            Ok(t) => Some((t.column, Some(t.r#type))),
            Err(e) => {
                problems.push(key, plain_words(&e.to_string()), hint());
                None
            }
        },
        other => {
            problems.push(key, format!("`{}` is not a column name", show(other)), hint());
            None
        }
    }
}

/// The text forms of a YAML list of scalars (category labels, status codes); an entry
/// that is not a plain value (a list, a map, null) is a problem at `key`, never dropped.
pub fn scalar_labels(
    key: &str,
    values: &[serde_yaml::Value],
    problems: &mut Problems,
) -> Vec<String> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match scalar_label(v) {
            Some(l) => out.push(l),
            None => problems.push(
                key,
                format!("`{}` is not a plain value (text or number)", show(v)),
                Some("write one value per list entry, e.g. [a, b]".into()),
            ),
        }
    }
    out
}

/// The text form of a YAML scalar used as a category (`1`, `"1"`, `yes`): numbers as
/// written, strings as is.
pub fn scalar_label(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.trim().to_string()),
        serde_yaml::Value::Number(n) => {
            n.as_f64().map(crate::data::factor_label).or_else(|| Some(n.to_string()))
        }
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys() {
        let text = "weight: d\nmargins:\n  - variable: sex\n    totals: {1: 3}\n  - variable: age\n    percentages:\n      a: 1\n";
        assert_eq!(find_line(text, "weight"), Some(1));
        assert_eq!(find_line(text, "margins"), Some(2));
        assert_eq!(find_line(text, "margins[0]"), Some(3));
        assert_eq!(find_line(text, "margins[1].percentages"), Some(6));
        assert_eq!(find_line(text, "margins[0].totals"), Some(4));
        assert_eq!(find_line(text, "margins[1].variable"), Some(5));
    }
}
