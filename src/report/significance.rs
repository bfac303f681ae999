//! Significance marks of the publication tables: which domains of a table differ from the
//! value over all its domains, after the correction for the multiple comparisons of the
//! table, and the footnote saying so.
//!
//! The differences come with the rows (`bind::significance`): `θ̂_d − θ̂`, its SE from the
//! design covariance of the two estimates, a two-sided z test (normal). All the comparisons
//! of one table (every domain × column) form one family: their p-values are adjusted by
//! Holm's step-down method (default) or Bonferroni ([`Correction`]), and a cell is marked
//! `*` when its adjusted p-value is below the level (0.05).

use super::publication::{PubTable, number};
use super::run::Lang;
use crate::model::{Correction, Significance, VersusOverall};

/// A cell of a table: its category (`None`: a mean) and domain.
pub type CellKey = (Option<String>, Vec<(String, String)>);

/// The comparisons of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// `(category, domain)` of each comparison and its adjusted p-value.
    pub adjusted: Vec<(CellKey, f64)>,
    /// The overall value of each category (the value over all domains).
    pub overall: Vec<(Option<String>, f64)>,
    /// The rule.
    pub rule: Significance,
}

impl Family {
    /// The family of the table `name` (`None` when it has no comparison).
    pub fn of(name: &str, all: &[VersusOverall], rule: Significance) -> Option<Family> {
        let mine: Vec<&VersusOverall> = all.iter().filter(|v| v.name == name).collect();
        if mine.is_empty() {
            return None;
        }
        let p: Vec<f64> = mine.iter().map(|v| v.difference.p_value).collect();
        let adjusted = mine
            .iter()
            .zip(rule.correction.adjust(&p))
            .map(|(v, p)| ((v.category.clone(), v.domain.clone()), p))
            .collect();
        let mut overall: Vec<(Option<String>, f64)> = Vec::new();
        for v in &mine {
            if !overall.iter().any(|(c, _)| *c == v.category) {
                overall.push((v.category.clone(), v.difference.estimates[1]));
            }
        }
        Some(Family { adjusted, overall, rule })
    }

    /// True when the cell `(category, domain)` differs significantly from the overall value.
    pub fn differs(&self, category: &Option<String>, domain: &[(String, String)]) -> bool {
        self.adjusted.iter().any(|((c, d), p)| c == category && d == domain && *p < self.rule.level)
    }
}

/// The footnote of the `*` marks of a table (its overall value when it has one column).
pub fn footnote(t: &PubTable, f: &Family, lang: Lang) -> String {
    let en = lang == Lang::En;
    let level = number(f.rule.level * 100.0, 1, lang);
    let level = level.trim_end_matches('0').trim_end_matches(['.', ',']);
    let m = f.adjusted.len();
    let overall = match (f.overall.as_slice(), t.percent) {
        ([(_, v)], true) => format!(" ({}{})", number(v * 100.0, t.decimals, lang), pct(en)),
        ([(_, v)], false) => format!(" ({})", number(*v, t.decimals, lang)),
        _ => String::new(),
    };
    let correction = match (f.rule.correction, en) {
        (Correction::Holm, false) => {
            format!(", avec la correction de Holm sur les {m} comparaisons du tableau")
        }
        (Correction::Holm, true) => {
            format!(", with Holm's correction over the {m} comparisons of the table")
        }
        (Correction::Bonferroni, false) => {
            format!(", avec la correction de Bonferroni sur les {m} comparaisons du tableau")
        }
        (Correction::Bonferroni, true) => {
            format!(", with Bonferroni's correction over the {m} comparisons of the table")
        }
        (Correction::None, false) => {
            ", sans correction pour les comparaisons multiples".to_string()
        }
        (Correction::None, true) => ", without correction for multiple comparisons".to_string(),
    };
    match en {
        false => format!(
            "* : différence significative avec l'ensemble{overall} au seuil de {level} % (test z, \
             covariance des deux estimations selon le plan de sondage){correction}."
        ),
        true => format!(
            "*: significantly different from the whole{overall} at the {level}% level (z test, \
             design-based covariance of the two estimates){correction}."
        ),
    }
}

fn pct(en: bool) -> &'static str {
    if en { "%" } else { "\u{a0}%" }
}
