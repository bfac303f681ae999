//! What readers see in place of codes: the titles and themes of the estimates and models,
//! the labels of variables and values of the codebook ([`crate::estimate::Labels`]), in the
//! report's language; the name or code itself when the codebook has no label for it.

use super::Lang;
use crate::estimate::{Labels, Text};

/// Labels in one language.
#[derive(Debug, Clone, Copy)]
pub(super) struct Names<'a> {
    /// Titles, themes, variable and value labels.
    pub labels: &'a Labels,
    /// English (else French).
    pub en: bool,
}

impl<'a> Names<'a> {
    /// The labels of `labels` in `lang`.
    pub fn new(labels: &'a Labels, lang: Lang) -> Names<'a> {
        Names { labels, en: lang == Lang::En }
    }

    /// A text in the report's language.
    fn get(self, t: &'a Text) -> &'a str {
        t.get(self.en)
    }

    /// The title of an estimate, else its name.
    pub fn estimate_title(self, name: &'a str) -> &'a str {
        let t = self.labels.estimate(name).and_then(|h| h.title.as_ref());
        t.map_or(name, |t| self.get(t))
    }

    /// The theme of an estimate, if any.
    pub fn estimate_theme(self, name: &str) -> Option<&'a str> {
        let t = self.labels.estimate(name).and_then(|h| h.theme.as_ref());
        t.map(|t| self.get(t))
    }

    /// The title of a model or test, else its name.
    pub fn model_title(self, name: &'a str) -> &'a str {
        let t = self.labels.model(name).and_then(|h| h.title.as_ref());
        t.map_or(name, |t| self.get(t))
    }

    /// The label of a variable, else its name.
    pub fn variable(self, name: &'a str) -> &'a str {
        self.labels.variable_or_name(name, self.en)
    }

    /// The label of a value of a variable, else the code.
    pub fn value(self, variable: &str, code: &'a str) -> &'a str {
        self.labels.value_or_code(variable, code, self.en)
    }

    /// The codebook rank of a value (unlabelled values after every labelled one).
    pub fn rank(self, variable: &str, code: &str) -> usize {
        self.labels.rank(variable, code).unwrap_or(usize::MAX)
    }

    /// "Sexe : Hommes" / "Sex: Men".
    pub fn pair(self, variable: &'a str, code: &'a str) -> String {
        let colon = if self.en { ": " } else { " : " };
        format!("{}{colon}{}", self.variable(variable), self.value(variable, code))
    }

    /// A model term or coefficient label for readers: `sex=M:age_group=18-29` → "Sexe :
    /// Hommes × Âge : 18 à 29 ans"; `age` (numeric) → "Âge"; `(Intercept)` → "Constante".
    pub fn term(self, term: &'a str) -> String {
        if term == "(Intercept)" {
            return if self.en { "Intercept" } else { "Constante" }.to_string();
        }
        term.split(':')
            .map(|p| match p.split_once('=') {
                Some((v, l)) => self.pair(v, l),
                None => self.variable(p).to_string(),
            })
            .collect::<Vec<_>>()
            .join(" × ")
    }

    /// The variables of a term (`sex:age_group` → "Sexe × Âge").
    pub fn term_variables(self, term: &'a str) -> String {
        term.split(':').map(|v| self.variable(v)).collect::<Vec<_>>().join(" × ")
    }

    /// The domain of an estimate row: "Sexe : Hommes, Âge : 18 à 29 ans".
    pub fn domain(self, domain: &'a [(String, String)]) -> String {
        domain.iter().map(|(v, c)| self.pair(v, c)).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_read_with_labels_and_fall_back_to_codes() {
        let mut l = Labels::default();
        l.add_variable(
            "sex",
            Text::new("Sexe", "Sex"),
            vec![("M".into(), Text::new("Hommes", "Men"))],
        );
        let fr = Names::new(&l, Lang::Fr);
        let en = Names::new(&l, Lang::En);
        assert_eq!(fr.term("sex=M:age=30"), "Sexe : Hommes × age : 30");
        assert_eq!(en.term("sex=M"), "Sex: Men");
        assert_eq!(en.term("(Intercept)"), "Intercept");
        assert_eq!(fr.term_variables("sex:age"), "Sexe × age");
        assert_eq!(fr.rank("sex", "M"), 0);
        assert_eq!(fr.rank("sex", "F"), usize::MAX);
    }
}
