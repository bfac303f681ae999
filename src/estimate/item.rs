//! Missing answers of a question: *not asked* (a filter), *item nonresponse* (don't know,
//! refused) and *break-off* (the respondent left the questionnaire before the question),
//! declared as codes of the answer column (`missing_codes:`), and the two ways of
//! estimating with them (`item_nonresponse: exclude | {reweight: [classes]}`).
//!
//! # Definitions
//! In a domain cell d, the persons *asked* A_d are the rows with an answer or a code of
//! item nonresponse or break-off (not the `not_asked` rows, nor blank rows — the unit
//! nonrespondents of weight 0); R_d ⊂ A_d are those who *answered*. With the design weights
//! w,
//!
//! ```text
//! item_nonresponse_rate_d = Σ_{A_d, don't know/refused} w / Σ_{A_d} w
//! break_off_rate_d        = Σ_{A_d, break-off} w / Σ_{A_d} w
//! ```
//!
//! A break-off before a module is coded in every question of the module, so it counts as
//! asked even for a question behind a filter (its filter answer is unknown).
//!
//! # Exclude
//! Item nonrespondents and break-offs leave the domain: the estimate is about R_d (the
//! former `missing: drop`, now stated in the row's `item_nonresponse` column and in the
//! table's footnote). It assumes the answers are missing completely at random within the
//! domain.
//!
//! # Reweight within classes
//! The respondents to the question are reweighted to the total of the persons asked,
//! within classes c (the crossing of the domain cell and the class variables): for a
//! respondent i of class c,
//!
//! ```text
//! w*_i = w_i · N_c / R_c,   N_c = Σ_{A ∩ c} w,   R_c = Σ_{R ∩ c} w,
//! ```
//!
//! (0 for the other rows); the estimator is then computed with w* on the respondents. It
//! assumes the answers are missing at random given the class. An asked class without any
//! respondent is an error (the class's persons would silently vanish).
//!
//! *Variance.* With replicate weights, the adjustment is recomputed with every replicate
//! weight (N_c^{(r)}, R_c^{(r)}), then the estimator: the replicates carry the adjustment.
//! By linearization: for a total Σ_c (N_c/R_c) Σ_{R ∩ c} w y, the influence of row i is
//!
//! ```text
//! z'_i = 1(i ∈ A ∩ c) · ȳ_c + 1(i ∈ R ∩ c) · (N_c / R_c) (y_i − ȳ_c),   ȳ_c = Σ_{R ∩ c} w y / R_c;
//! ```
//!
//! for any other estimator θ̂(w*), y is replaced by its influence values z_i at w*
//! (the chain rule), and z' goes through the design's variance engine (strata, PSUs,
//! calibration residuals). Reference: Särndal & Lundström (2005), *Estimation in Surveys
//! with Nonresponse*, ch. 7–8 (weighting-class adjustment); Kim & Kim (2007) for its
//! linearization.

use super::domain::{Domains, NO_DOMAIN};
use super::estimators::{Estimator, Linearized};
use crate::design::Categorical;
use crate::error::{Error, Result};

/// The codes of an answer column that are not answers, by role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MissingCodes {
    /// Outside the question's domain (a filter): the row leaves the estimate.
    pub not_asked: Vec<String>,
    /// Asked but not answered (don't know, refused).
    pub item_nonresponse: Vec<String>,
    /// The respondent broke off before the question.
    pub break_off: Vec<String>,
}

/// What a code of a [`MissingCodes`] means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `not_asked`.
    NotAsked,
    /// `item_nonresponse`.
    ItemNonresponse,
    /// `break_off`.
    BreakOff,
}

impl Role {
    /// The role's key in `missing_codes:`.
    pub fn key(self) -> &'static str {
        match self {
            Role::NotAsked => "not_asked",
            Role::ItemNonresponse => "item_nonresponse",
            Role::BreakOff => "break_off",
        }
    }
}

/// Two codes are the same when their texts are equal, or both are numbers of equal value
/// (`8`, `8.0` and `"8"` are one code).
pub fn same_code(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

impl MissingCodes {
    /// Every `(role, code)` pair, in role order.
    pub fn pairs(&self) -> impl Iterator<Item = (Role, &str)> {
        [
            (Role::NotAsked, &self.not_asked),
            (Role::ItemNonresponse, &self.item_nonresponse),
            (Role::BreakOff, &self.break_off),
        ]
        .into_iter()
        .flat_map(|(r, v)| v.iter().map(move |c| (r, c.as_str())))
    }

    /// The role of a value's text, if it is a declared code.
    pub fn role(&self, value: &str) -> Option<Role> {
        self.pairs().find(|(_, c)| same_code(c, value)).map(|(r, _)| r)
    }

    /// The role of a numeric value (numeric codes such as 8 or 9 of a numeric column).
    pub fn role_of_number(&self, x: f64) -> Option<Role> {
        self.pairs().find(|(_, c)| c.trim().parse::<f64>().is_ok_and(|v| v == x)).map(|(r, _)| r)
    }

    /// The statuses of a categorical answer column.
    pub fn statuses(&self, c: &Categorical) -> Vec<Answer> {
        let roles: Vec<Option<Role>> = c.levels.iter().map(|l| self.role(l)).collect();
        c.codes
            .iter()
            .map(|&k| match roles.get(k as usize) {
                None => Answer::Blank,
                Some(r) => Answer::of(*r),
            })
            .collect()
    }

    /// The statuses of a numeric answer column (blank = NaN).
    pub fn numeric_statuses(&self, values: &[f64]) -> Vec<Answer> {
        values
            .iter()
            .map(|&x| if x.is_nan() { Answer::Blank } else { Answer::of(self.role_of_number(x)) })
            .collect()
    }
}

/// Status of one row for a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// No value at all (unit nonrespondents, weight 0): the missing-value policy applies.
    Blank,
    /// A declared `not_asked` code.
    NotAsked,
    /// An answer.
    Answered,
    /// A declared `item_nonresponse` code.
    ItemNonresponse,
    /// A declared `break_off` code.
    BreakOff,
}

impl Answer {
    fn of(role: Option<Role>) -> Answer {
        match role {
            None => Answer::Answered,
            Some(Role::NotAsked) => Answer::NotAsked,
            Some(Role::ItemNonresponse) => Answer::ItemNonresponse,
            Some(Role::BreakOff) => Answer::BreakOff,
        }
    }

    /// Asked: answered, item nonresponse or break-off.
    pub fn asked(self) -> bool {
        matches!(self, Answer::Answered | Answer::ItemNonresponse | Answer::BreakOff)
    }

    /// A declared code (not an answer, not blank).
    pub fn coded(self) -> bool {
        matches!(self, Answer::NotAsked | Answer::ItemNonresponse | Answer::BreakOff)
    }
}

/// How item nonrespondents and break-offs enter an estimate.
#[derive(Debug, Clone)]
pub enum ItemHandling<'a> {
    /// They leave the domain (stated in the rows and the footnote).
    Exclude,
    /// The respondents are reweighted to the persons asked within these classes (crossed
    /// with the domain cell).
    Reweight(Vec<&'a Categorical>),
}

/// The missing answers of an estimate's question: the status of every row and the handling.
#[derive(Debug, Clone)]
pub struct ItemSpec<'a> {
    /// The declared codes (a category of a proportion that is a code is refused).
    pub codes: &'a MissingCodes,
    /// Status of every row of the analysis variable.
    pub status: Vec<Answer>,
    /// Exclude or reweight.
    pub handling: ItemHandling<'a>,
}

/// What an estimate row says about the missing answers of its question in its domain cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRates {
    /// `exclude` or `reweight`.
    pub handling: &'static str,
    /// The class variables of a reweighting.
    pub classes: Vec<String>,
    /// Persons asked in the domain cell (rows with positive weight).
    pub n_asked: usize,
    /// Their weight Σ_A w.
    pub asked_weight: f64,
    /// Weighted share of don't know / refused among the persons asked.
    pub item_nonresponse_rate: f64,
    /// Weighted share of break-offs among the persons asked.
    pub break_off_rate: f64,
}

impl ItemSpec<'_> {
    /// The `handling` name written in the rows.
    pub fn handling_name(&self) -> &'static str {
        match self.handling {
            ItemHandling::Exclude => "exclude",
            ItemHandling::Reweight(_) => "reweight",
        }
    }

    /// The rates of every domain of `dom` (rows of `dom` must not yet be restricted to the
    /// respondents), with the design weights `w`.
    pub fn rates(&self, w: &[f64], dom: &Domains) -> Vec<ItemRates> {
        let mut n = vec![0usize; dom.n];
        let mut sums = vec![[0.0f64; 3]; dom.n];
        for (k, &c) in dom.codes.iter().enumerate() {
            if c == NO_DOMAIN || w[k] == 0.0 || !self.status[k].asked() {
                continue;
            }
            let s = &mut sums[c as usize];
            n[c as usize] += 1;
            s[0] += w[k];
            match self.status[k] {
                Answer::ItemNonresponse => s[1] += w[k],
                Answer::BreakOff => s[2] += w[k],
                _ => {}
            }
        }
        let classes = match &self.handling {
            ItemHandling::Exclude => Vec::new(),
            ItemHandling::Reweight(c) => c.iter().map(|v| v.name.clone()).collect(),
        };
        (0..dom.n)
            .map(|d| {
                let s = sums[d];
                let share = |x: f64| if s[0] > 0.0 { x / s[0] } else { f64::NAN };
                ItemRates {
                    handling: self.handling_name(),
                    classes: classes.clone(),
                    n_asked: n[d],
                    asked_weight: s[0],
                    item_nonresponse_rate: share(s[1]),
                    break_off_rate: share(s[2]),
                }
            })
            .collect()
    }
}

/// The adjustment classes of a reweighting: per row its class (domain cell × class
/// variables) among the persons asked in a domain, `NO_DOMAIN` elsewhere.
#[derive(Debug, Clone)]
pub struct Classes {
    class: Vec<u32>,
    /// The domain of each class.
    domain_of: Vec<u32>,
    /// Row answered the question.
    answered: Vec<bool>,
    /// Labels of each class (domain labels, then class labels), for messages.
    labels: Vec<String>,
}

impl Classes {
    /// The classes of the rows asked in `dom` (not yet restricted to the respondents).
    ///
    /// # Errors
    /// A class variable missing for a person asked (named, with the count).
    pub fn new(status: &[Answer], dom: &Domains, by: &[&Categorical]) -> Result<Classes> {
        let n_rows = status.len();
        let cls = Domains::cross(by, n_rows, false)?;
        let asked = |k: usize| dom.codes[k] != NO_DOMAIN && status[k].asked();
        for b in by {
            let bad =
                (0..n_rows).filter(|&k| asked(k) && b.codes[k] == crate::data::Factor::MISSING);
            let count = bad.count();
            if count > 0 {
                return Err(Error::method(
                    "estimate",
                    format!(
                        "reweighting class variable `{}` is missing for {count} person(s) asked \
                         the question: fill it in or choose other classes",
                        b.name
                    ),
                ));
            }
        }
        let mut index = std::collections::HashMap::new();
        let mut domain_of = Vec::new();
        let mut labels = Vec::new();
        let mut class = vec![NO_DOMAIN; n_rows];
        for k in (0..n_rows).filter(|&k| asked(k)) {
            let key = (dom.codes[k], cls.codes[k]);
            let next = index.len() as u32;
            let c = *index.entry(key).or_insert_with(|| {
                domain_of.push(key.0);
                let mut l: Vec<String> = dom
                    .by_names
                    .iter()
                    .zip(&dom.labels[key.0 as usize])
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect();
                l.extend(
                    cls.by_names
                        .iter()
                        .zip(&cls.labels[key.1 as usize])
                        .map(|(n, v)| format!("{n}={v}")),
                );
                labels.push(if l.is_empty() { "whole sample".into() } else { l.join(", ") });
                next
            });
            class[k] = c;
        }
        let answered = status.iter().map(|s| *s == Answer::Answered).collect();
        Ok(Classes { class, domain_of, answered, labels })
    }

    fn n(&self) -> usize {
        self.domain_of.len()
    }

    /// N_c and R_c with weights `w`.
    fn totals(&self, w: &[f64]) -> (Vec<f64>, Vec<f64>) {
        class_totals(w, &self.class, &self.answered, self.n())
    }

    /// The classes asked (N_c > 0) without any respondent (R_c = 0) in the full sample: an
    /// error naming them.
    ///
    /// # Errors
    /// As said, with the class labels.
    pub fn check(&self, w: &[f64], estimate: &str) -> Result<()> {
        let (asked, resp) = self.totals(w);
        let empty: Vec<&str> = (0..self.n())
            .filter(|&c| asked[c] > 0.0 && resp[c] <= 0.0)
            .map(|c| self.labels[c].as_str())
            .collect();
        if empty.is_empty() {
            return Ok(());
        }
        Err(Error::method(
            "estimate",
            format!(
                "estimate `{estimate}`: item_nonresponse reweighting class(es) with persons asked but \
                 no answer: {}; merge classes (fewer or coarser class variables) or use \
                 `item_nonresponse: exclude`",
                empty.join("; ")
            ),
        ))
    }

    /// The adjusted weights w* of [`Classes::adjust`].
    pub(crate) fn adjusted(&self, w: &[f64]) -> Vec<f64> {
        self.adjust(w).0
    }

    /// The adjusted weights w* (respondents w · N_c/R_c, every other row of a class 0, rows
    /// out of the classes unchanged), and the classes' N_c, R_c.
    fn adjust(&self, w: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (asked, resp) = self.totals(w);
        let ws = ratio_adjusted(w, &self.class, &self.answered, (&asked, &resp));
        (ws, asked, resp)
    }
}

/// N_c = Σ_{k ∈ c} w_k and R_c = Σ_{k ∈ c, answered} w_k over `n` classes (`class[k]` =
/// [`NO_DOMAIN`]: the row is in none). Shared by the item-level reweighting and the
/// reweighting of a filter's answerers (`units.answered`, `bind::units`).
pub(crate) fn class_totals(
    w: &[f64],
    class: &[u32],
    answered: &[bool],
    n: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut asked = vec![0.0; n];
    let mut resp = vec![0.0; n];
    for (k, &c) in class.iter().enumerate() {
        if c != NO_DOMAIN {
            asked[c as usize] += w[k];
            if answered[k] {
                resp[c as usize] += w[k];
            }
        }
    }
    (asked, resp)
}

/// The ratio adjustment within classes: w*_k = w_k N_c / R_c on the answerers of class c
/// (of nonzero weight), 0 on its other rows, w_k unchanged outside the classes; (N, R) from
/// [`class_totals`].
pub(crate) fn ratio_adjusted(
    w: &[f64],
    class: &[u32],
    answered: &[bool],
    (asked, resp): (&[f64], &[f64]),
) -> Vec<f64> {
    w.iter()
        .enumerate()
        .map(|(k, &wk)| match class[k] {
            NO_DOMAIN => wk,
            c if answered[k] && wk != 0.0 => wk * asked[c as usize] / resp[c as usize],
            _ => 0.0,
        })
        .collect()
}

impl Classes {
    /// The variance groups of a reweighted estimate: the respondents' domains `dom` plus
    /// every person asked in them (their influence values z̄_c are not 0).
    pub(crate) fn groups(&self, dom: &Domains) -> Domains {
        let mut g = dom.clone();
        for (k, &c) in self.class.iter().enumerate() {
            if c != NO_DOMAIN {
                g.codes[k] = self.domain_of[c as usize];
            }
        }
        g
    }
}

/// An estimator computed with the reweighted weights w* of [`Classes`] (recomputed for
/// every weight vector it is handed: the replicates carry the adjustment), with the
/// linearization of the module docs. It is run on the groups of [`Classes::groups`] and
/// computes the inner estimator on its own respondents' domains `dom`.
pub struct Reweighted<'a> {
    /// The estimator on the respondents' domains.
    pub inner: &'a dyn Estimator,
    /// The adjustment classes.
    pub classes: &'a Classes,
    /// The respondents' domains.
    pub dom: &'a Domains,
}

impl Reweighted<'_> {
    /// Domains with a class asked but without respondent under these weights: undefined
    /// (a replicate that drops every respondent of a class).
    fn undefined(&self, asked: &[f64], resp: &[f64], n_domains: usize) -> Vec<bool> {
        let mut bad = vec![false; n_domains];
        for c in 0..self.classes.n() {
            if asked[c] > 0.0 && resp[c] <= 0.0 {
                bad[self.classes.domain_of[c] as usize] = true;
            }
        }
        bad
    }
}

impl Estimator for Reweighted<'_> {
    fn stat(&self) -> &'static str {
        self.inner.stat()
    }

    fn point(&self, w: &[f64], _groups: &Domains) -> Vec<f64> {
        let dom = self.dom;
        let (ws, asked, resp) = self.classes.adjust(w);
        let mut est = self.inner.point(&ws, dom);
        for (e, bad) in est.iter_mut().zip(self.undefined(&asked, &resp, dom.n)) {
            if bad {
                *e = f64::NAN;
            }
        }
        est
    }

    fn linearize(&self, w: &[f64], _groups: &Domains) -> Linearized {
        let (c, dom) = (self.classes, self.dom);
        let (ws, asked, resp) = c.adjust(w);
        let lin = self.inner.linearize(&ws, dom);
        // z̄_c = Σ_{R∩c} w z / R_c
        let mut zbar = vec![0.0; c.n()];
        for (k, &cl) in c.class.iter().enumerate() {
            if cl != NO_DOMAIN && c.answered[k] {
                zbar[cl as usize] += w[k] * lin.z[k];
            }
        }
        for (z, r) in zbar.iter_mut().zip(&resp) {
            *z = if *r > 0.0 { *z / r } else { 0.0 };
        }
        let z = lin
            .z
            .iter()
            .enumerate()
            .map(|(k, &zk)| match c.class[k] {
                NO_DOMAIN => zk,
                cl => {
                    let cl = cl as usize;
                    let mut v = zbar[cl];
                    if c.answered[k] && resp[cl] > 0.0 {
                        v += asked[cl] / resp[cl] * (zk - zbar[cl]);
                    }
                    v
                }
            })
            .collect();
        Linearized { estimates: lin.estimates, z }
    }
}
