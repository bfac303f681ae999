//! Labels for readers: variable and value labels of a codebook, titles and themes of the
//! estimates and models, in French and English.
//!
//! Built by the bind layer (`bind::codebook`) from a codebook file and the `title:` /
//! `theme:` keys of an estimate or model configuration, checked against the data, and
//! handed to the writers alongside the rows: the rows keep the codes, [`Labels`] says how
//! to show them.
//!
//! ```
//! use ponder::estimate::{Labels, Text};
//! let mut l = Labels::default();
//! l.add_variable("region", Text::new("Région", "Region"), vec![
//!     ("11".into(), Text::new("Île-de-France", "Île-de-France")),
//!     ("94".into(), Text::new("Corse", "Corsica")),
//! ]);
//! assert_eq!(l.value("region", "94").map(|t| t.en.as_str()), Some("Corsica"));
//! assert_eq!(l.value_or_code("region", "99", false), "99");
//! assert_eq!(l.rank("region", "94"), Some(1));
//! ```

use std::collections::BTreeMap;

/// A text in French and in English.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its French and English forms.
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Text {
        Text { fr: fr.into(), en: en.into() }
    }

    /// The English form when `english`, else the French one.
    pub fn get(&self, english: bool) -> &str {
        if english { &self.en } else { &self.fr }
    }
}

/// The labels of one variable: its own label and its values' labels, in codebook order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariableLabels {
    /// The variable's label (a question, a group).
    pub label: Text,
    /// `(code, label)` in the codebook's order (the order of categories for readers).
    pub values: Vec<(String, Text)>,
}

/// The title and theme of one estimate or model (both optional).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Heading {
    /// Title of its table or chart.
    pub title: Option<Text>,
    /// Theme grouping it with others (trust, perceptions, …).
    pub theme: Option<Text>,
}

/// Everything needed to show rows to readers: variable and value labels, titles and themes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Labels {
    /// The codebook file the variable labels come from (`None`: no codebook, the tables
    /// keep their columns as without labels).
    pub codebook: Option<String>,
    /// Labels by variable name.
    pub variables: BTreeMap<String, VariableLabels>,
    /// Title and theme by estimate name (the `name` of estimate rows), in file order.
    pub estimates: Vec<(String, Heading)>,
    /// Title and theme by model or test name (the `name` of model rows), in file order.
    pub models: Vec<(String, Heading)>,
}

impl Labels {
    /// Adds (or replaces) the labels of a variable.
    pub fn add_variable(&mut self, name: &str, label: Text, values: Vec<(String, Text)>) {
        self.variables.insert(name.to_string(), VariableLabels { label, values });
    }

    /// True when the labels come from a codebook (the tables then gain label columns).
    pub fn has_codebook(&self) -> bool {
        self.codebook.is_some()
    }

    /// The label of a variable, when the codebook has it.
    pub fn variable(&self, name: &str) -> Option<&Text> {
        self.variables.get(name).map(|v| &v.label)
    }

    /// The label of value `code` of `variable`, when the codebook has it.
    pub fn value(&self, variable: &str, code: &str) -> Option<&Text> {
        let v = self.variables.get(variable)?;
        v.values.iter().find(|(c, _)| c == code).map(|(_, t)| t)
    }

    /// The label of a value in one language, else the code itself.
    pub fn value_or_code<'a>(&'a self, variable: &str, code: &'a str, english: bool) -> &'a str {
        self.value(variable, code).map_or(code, |t| t.get(english))
    }

    /// The label of a variable in one language, else its name.
    pub fn variable_or_name<'a>(&'a self, name: &'a str, english: bool) -> &'a str {
        self.variable(name).map_or(name, |t| t.get(english))
    }

    /// The position of `code` among the labelled values of `variable` (codebook order, to
    /// sort categories and domains for readers); `None` for an unlabelled value.
    pub fn rank(&self, variable: &str, code: &str) -> Option<usize> {
        self.variables.get(variable)?.values.iter().position(|(c, _)| c == code)
    }

    /// Title and theme of an estimate, by name.
    pub fn estimate(&self, name: &str) -> Option<&Heading> {
        self.estimates.iter().find(|(n, _)| n == name).map(|(_, h)| h)
    }

    /// Title and theme of a model or test, by name.
    pub fn model(&self, name: &str) -> Option<&Heading> {
        self.models.iter().find(|(n, _)| n == name).map(|(_, h)| h)
    }

    /// The labels of both: variables of `other` replace those of `self` with the same
    /// name; headings are appended; the codebook is `self`'s, else `other`'s (`ponder run`
    /// joins the estimates' and the models' labels this way).
    pub fn merge(mut self, other: Labels) -> Labels {
        self.codebook = self.codebook.or(other.codebook);
        self.variables.extend(other.variables);
        self.estimates.extend(other.estimates);
        self.models.extend(other.models);
        self
    }
}
