//! `units.answered`: the unit file holds the units (disputes) of the persons who answered a
//! filter question (`dispute`) only. A respondent who broke off before it, or answered
//! « don't know », may hold units nobody knows of: estimating on the answerers with their
//! weights alone would bias every total of units down by their share. The answerers are
//! reweighted to all the persons of positive weight within classes — a response-homogeneity
//! reweighting of the module (Särndal & Lundström 2005, ch. 9):
//!
//! ```text
//! w*_i = w_i · f_c(i),   f_c = Σ_{k ∈ c, w_k > 0} w_k / Σ_{k ∈ c, answered, w_k > 0} w_k
//! ```
//!
//! and w*_i = 0 for the persons who did not answer. The same adjustment is redone on every
//! replicate weight column with that column's weights, so the replicate variance carries it
//! (only replicate designs are accepted: the caller refuses linearization).

use crate::config::Source;
use crate::config::estimate::Answered;
use crate::data::{Factor, Table};
use crate::error::{Error, LinkProblem, Result};
use crate::estimate::{MissingCodes, class_totals, ratio_adjusted};
use crate::variance::replicates::ReplicateDesign;

/// Why one weight column cannot be adjusted.
enum Problem {
    /// A person of positive weight has no class (a missing class value): its row.
    NoClass(usize),
    /// A class holds persons of positive weight but no answerer: the class code.
    NoAnswer(u32),
}

/// Reweights the answerers of `a.column` in the full-sample and every replicate weight of
/// `design` (see the module's formula). `codes`: the configuration's `missing_codes:`; a
/// value that is one of them, or blank, is not an answer.
///
/// # Errors
/// [`Error::Config`] at `units.answered` naming the class without an answerer (and the
/// replicate, when only a replicate lacks one) or the row without a class; column errors.
pub fn reweight_answerers(
    a: &Answered,
    table: &Table,
    codes: Option<&MissingCodes>,
    design: &mut ReplicateDesign,
    source: &Source,
) -> Result<()> {
    let answered = answered_rows(a, table, codes)?;
    let factors = a.classes.iter().map(|c| table.factor(c)).collect::<Result<Vec<_>>>()?;
    let class = Factor::cross(&factors.iter().collect::<Vec<_>>());
    let k = class.levels.len();
    let explain = |p: Problem, replicate: Option<usize>| -> Error {
        let within = replicate.map(|r| format!(" in replicate {}", r + 1)).unwrap_or_default();
        match p {
            Problem::NoClass(i) => source.error(
                "units.answered.classes",
                format!(
                    "row {} of {} has a positive weight{within} but no value of {}",
                    i + 1,
                    table.source(),
                    a.classes.join(" × ")
                ),
                Some("fill the class columns of every respondent, or choose other classes".into()),
            ),
            Problem::NoAnswer(c) => source.error(
                "units.answered",
                format!(
                    "class {} = {}{within}: persons of positive weight but none answered `{}`, \
                     so their units cannot be represented",
                    a.classes.join(" × "),
                    class.levels[c as usize],
                    a.column
                ),
                Some("merge classes (fewer or coarser class columns)".into()),
            ),
        }
    };
    adjust(&mut design.full, &answered, &class.codes, k).map_err(|p| explain(p, None))?;
    for (r, w) in design.reps.iter_mut().enumerate() {
        adjust(w, &answered, &class.codes, k).map_err(|p| explain(p, Some(r)))?;
    }
    Ok(())
}

/// A link error of a unit whose person got weight 0 from [`reweight_answerers`] (a person
/// who did not answer the filter but holds units) says so, instead of speaking of
/// non-respondents only.
pub fn explain_zero_weight(e: Error, answered: Option<&Answered>) -> Error {
    let Some(a) = answered else { return e };
    match e {
        Error::Link { file, problem: LinkProblem::ZeroWeight, key, row, message } => Error::Link {
            file,
            problem: LinkProblem::ZeroWeight,
            key,
            row,
            message: format!(
                "{message} — or, with `units.answered`, a person who did not answer `{}` (blank \
                 or a missing-answer code) holds units: code the filter answer, or remove the units",
                a.column
            ),
        },
        other => other,
    }
}

/// The error of `units.answered` on a design without replicate weights.
pub fn needs_replicates(source: &Source) -> Error {
    source.error(
        "units.answered",
        "the reweighting of the filter's answerers is carried into the variance by replicate \
         weights only, and the design has none",
        Some("give `design.replicates` (e.g. the pipeline's bootstrap replicates)".into()),
    )
}

/// The persons who answered: a value neither blank nor a declared missing-answer code.
fn answered_rows(a: &Answered, table: &Table, codes: Option<&MissingCodes>) -> Result<Vec<bool>> {
    let f = table.factor(&a.column)?;
    let answer: Vec<bool> =
        f.levels.iter().map(|l| codes.is_none_or(|c| c.role(l).is_none())).collect();
    Ok(f.codes.iter().map(|&c| c != Factor::MISSING && answer[c as usize]).collect())
}

/// One weight column: w ← w f_c on the answerers, 0 on the others (rows of weight 0 stay
/// 0), by the item-level reweighting's [`crate::estimate::ratio_adjusted`].
fn adjust(
    w: &mut [f64],
    answered: &[bool],
    class: &[u32],
    k: usize,
) -> std::result::Result<(), Problem> {
    if let Some(i) = w.iter().zip(class).position(|(&wi, &c)| wi > 0.0 && c == Factor::MISSING) {
        return Err(Problem::NoClass(i));
    }
    let (all, ans) = class_totals(w, class, answered, k);
    if let Some(c) = (0..k).find(|&c| all[c] > 0.0 && ans[c] == 0.0) {
        return Err(Problem::NoAnswer(c as u32));
    }
    let adjusted = ratio_adjusted(w, class, answered, (&all, &ans));
    w.copy_from_slice(&adjusted);
    Ok(())
}
