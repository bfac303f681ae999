//! The footnote of a publication table on its question's missing answers
//! (`missing_codes:`, issue 15): never silent.

use super::{Setup, number};
use crate::estimate::{EstimateRow, Labels};
use crate::report::run::Lang;

/// The footnote on the question's missing answers (`missing_codes:`): the weighted shares
/// of item nonresponse and break-off among the persons asked or broken off before the
/// question (over the table's domain cells; a break-off's filter answers are unknown, so it
/// counts for every question of its module), and how they entered the estimates — never
/// silent.
pub(super) fn item_note(rows: &[&EstimateRow], labels: &Labels, setup: &Setup) -> Option<String> {
    let en = setup.lang == Lang::En;
    let first = rows.iter().find_map(|r| r.item.as_ref())?;
    let (mut asked, mut inr, mut bo) = (0.0, 0.0, 0.0);
    let mut seen: Vec<&Vec<(String, String)>> = Vec::new();
    for r in rows {
        let Some(i) = &r.item else { continue };
        if seen.contains(&&r.domain) || i.asked_weight <= 0.0 || i.asked_weight.is_nan() {
            continue;
        }
        seen.push(&r.domain);
        asked += i.asked_weight;
        inr += i.asked_weight * i.item_nonresponse_rate;
        bo += i.asked_weight * i.break_off_rate;
    }
    let pct =
        |x: f64| number(if asked > 0.0 { 100.0 * x / asked } else { f64::NAN }, 1, setup.lang);
    let (inr, bo) = (pct(inr), pct(bo));
    let classes: Vec<&str> = first.classes.iter().map(|c| labels.variable_or_name(c, en)).collect();
    let classes = classes.join(" × ");
    Some(match (en, first.handling) {
        (false, "reweight") => format!(
            "Non-réponse partielle : parmi les personnes interrogées ou ayant abandonné le questionnaire avant la question, {inr} % n'ont pas répondu (ne sait pas, refus) et {bo} % avaient abandonné ; les répondants sont repondérés pour les représenter toutes, par classe ({classes})."
        ),
        (true, "reweight") => format!(
            "Item nonresponse: of the persons asked or who broke off the questionnaire before the question, {inr}% did not answer (don't know, refused) and {bo}% had broken off; the respondents are reweighted to represent them all, within classes ({classes})."
        ),
        (false, _) => format!(
            "Non-réponse partielle : parmi les personnes interrogées ou ayant abandonné le questionnaire avant la question, {inr} % n'ont pas répondu (ne sait pas, refus) et {bo} % avaient abandonné ; elles sont exclues du dénominateur."
        ),
        (true, _) => format!(
            "Item nonresponse: of the persons asked or who broke off the questionnaire before the question, {inr}% did not answer (don't know, refused) and {bo}% had broken off; they are excluded from the denominator."
        ),
    })
}
