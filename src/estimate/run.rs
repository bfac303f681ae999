//! Running one estimate request into output rows.

use super::ci::{CiMethod, critical_value, interval};
use super::domain::{Domains, NO_DOMAIN};
use super::engine::{dfs, domain_counts, run, srs_variances};
use super::estimators::{Estimator, Mean, Ratio, Total};
use super::item::{Classes, ItemHandling, ItemRates, Reweighted};
use super::quantile::{QuantileRule, SortedSample};
use super::spec::{EstimateRow, EstimateSpec, Flags, MissingPolicy, Publication, Statistic};
use super::units::UnitLink;
use crate::data::Factor;
use crate::design::{Categorical, Numeric, row_list};
use crate::error::{Error, Result};
use crate::variance::VarianceSource;
use std::borrow::Cow;

/// The rows an estimate is about: the design's rows, or units linked to them (each with its
/// person's weight).
struct At<'a> {
    source: &'a VarianceSource<'a>,
    link: Option<&'a UnitLink>,
    /// Analysis weights of the rows (the persons' weights carried to linked units).
    w: Cow<'a, [f64]>,
    /// Missing answers of the question: rates per domain, and the reweighting classes.
    item: Option<(Vec<ItemRates>, Option<Classes>)>,
}

impl<'a> At<'a> {
    fn new(source: &'a VarianceSource<'a>, link: Option<&'a UnitLink>) -> Self {
        let w = match link {
            None => Cow::Borrowed(source.weights()),
            Some(l) => Cow::Owned(l.expand(source.weights())),
        };
        At { source, link, w, item: None }
    }

    fn classes(&self) -> Option<&Classes> {
        self.item.as_ref().and_then(|(_, c)| c.as_ref())
    }

    /// Runs the estimator, on the reweighted weights when the request reweights the
    /// respondents ([`Reweighted`]: recomputed on every replicate).
    fn run(&self, est: &dyn Estimator, dom: &Domains) -> Result<crate::variance::GroupedEstimates> {
        match self.classes() {
            None => run(self.source, self.link, est, dom),
            Some(classes) => {
                let groups = classes.groups(dom);
                run(self.source, self.link, &Reweighted { inner: est, classes, dom }, &groups)
            }
        }
    }

    /// The weights the estimator uses: w, or w* under a reweighting.
    fn analysis_weights(&self) -> Cow<'_, [f64]> {
        match self.classes() {
            None => Cow::Borrowed(&self.w),
            Some(c) => Cow::Owned(c.adjusted(&self.w)),
        }
    }

    fn dfs(&self, spec: &EstimateSpec, dom: &Domains) -> Vec<Option<f64>> {
        dfs(self.source, self.link, spec.df, dom)
    }
}

fn err(spec: &EstimateSpec, msg: String) -> Error {
    Error::method("estimate", format!("estimate `{}`: {msg}", spec.name))
}

/// Computes one estimate request: one row per (category,) domain.
///
/// Domains are crossed `by` variables on the full design; rows with a missing analysis
/// value are an error (`missing: fail`, rows with zero weight excepted) or out of the domain
/// (`missing: drop`). A domain without sampled rows gives a row with NaN values and
/// `flags.empty`.
///
/// # Errors
/// Missing analysis values under `fail` (names the column and how many); a category not
/// found; a proportion-only interval on another statistic; a level outside (0, 1); column
/// lengths that do not match; variance errors (lonely PSU under `fail`).
pub fn estimate(
    source: &VarianceSource,
    spec: &EstimateSpec,
    publication: &Publication,
) -> Result<Vec<EstimateRow>> {
    estimate_at(At::new(source, None), spec, publication)
}

/// As [`estimate`], for an estimate about units linked to the design's rows (one row per
/// dispute, say, each with its person's row in `link`): the spec's columns and domains are
/// on the unit rows, each unit carries its person's weight and replicate weights, and the
/// person is the unit of the design (unit influence values summed per person; see
/// [`UnitLink`]). Counts `n` and `n_weighted` are of units.
///
/// # Errors
/// As [`estimate`]; a link that does not fit the source's rows.
pub fn estimate_linked(
    source: &VarianceSource,
    link: &UnitLink,
    spec: &EstimateSpec,
    publication: &Publication,
) -> Result<Vec<EstimateRow>> {
    if link.n_persons() != source.n_rows() {
        return Err(Error::Internal(format!(
            "unit link for {} persons on a design of {} rows",
            link.n_persons(),
            source.n_rows()
        )));
    }
    estimate_at(At::new(source, Some(link)), spec, publication)
}

fn estimate_at(
    mut at: At,
    spec: &EstimateSpec,
    publication: &Publication,
) -> Result<Vec<EstimateRow>> {
    check_spec(spec)?;
    let mut base = base_domains(&at, spec)?;
    item_answers(&mut at, spec, &mut base)?;
    let at = &at;
    let w = &at.w;
    let run = |est: &dyn Estimator, dom: &Domains, deff_y: Option<(&[f64], bool)>| {
        rows(at, spec, publication, est, dom, deff_y, None)
    };
    match spec.statistic {
        Statistic::Total(v) => {
            run(&Total { y: &v.values }, &missing(spec, &[v], w, base)?, Some((&v.values, true)))
        }
        Statistic::Mean(v) => {
            run(&Mean { y: &v.values }, &missing(spec, &[v], w, base)?, Some((&v.values, false)))
        }
        Statistic::Ratio { numerator, denominator } => {
            let dom = missing(spec, &[numerator, denominator], w, base)?;
            run(&Ratio { y: &numerator.values, x: &denominator.values }, &dom, None)
        }
        Statistic::Proportion { variable, category } => {
            let mut out = Vec::new();
            for c in categories(spec, variable, category)? {
                out.extend(proportion_rows(at, spec, publication, variable, c, &base)?);
            }
            Ok(out)
        }
        Statistic::Quantile { variable, p, rule } => {
            if !(0.0..=1.0).contains(&p) {
                return Err(err(spec, format!("quantile order must be in [0, 1], got {p}")));
            }
            let dom = missing(spec, &[variable], w, base)?;
            quantile_rows(at, spec, publication, variable, p, rule, &dom)
        }
    }
}

/// The missing answers of the question ([`super::item`]): their rates in every domain, the
/// reweighting classes, then the domains restricted to the respondents (the codes leave
/// every domain; blank values follow the missing-value policy).
fn item_answers(at: &mut At, spec: &EstimateSpec, base: &mut Domains) -> Result<()> {
    let Some(item) = &spec.item else { return Ok(()) };
    if item.status.len() != at.w.len() {
        return Err(err(
            spec,
            format!("answer statuses for {} rows, expected {}", item.status.len(), at.w.len()),
        ));
    }
    let classes = match &item.handling {
        ItemHandling::Exclude => None,
        ItemHandling::Reweight(by) => {
            if at.link.is_some() {
                return Err(err(
                    spec,
                    "`item_nonresponse: {reweight: …}` is not available for estimates about                      linked units (`units:`); use `item_nonresponse: exclude`"
                        .into(),
                ));
            }
            if matches!(spec.statistic, Statistic::Quantile { .. }) {
                return Err(err(
                    spec,
                    "`item_nonresponse: {reweight: …}` is not available for quantiles; use                      `item_nonresponse: exclude`"
                        .into(),
                ));
            }
            let c = Classes::new(&item.status, base, by)?;
            c.check(&at.w, &spec.name)?;
            Some(c)
        }
    };
    at.item = Some((item.rates(&at.w, base), classes));
    base.restrict(|k| !item.status[k].coded());
    Ok(())
}

/// A level in (0, 1); a proportion-only interval on a proportion.
fn check_spec(spec: &EstimateSpec) -> Result<()> {
    if !(spec.level > 0.0 && spec.level < 1.0) {
        return Err(err(spec, format!("level must be in (0, 1), got {}", spec.level)));
    }
    let is_prop = matches!(spec.statistic, Statistic::Proportion { .. });
    if spec.ci.proportion_only() && !is_prop {
        return Err(err(
            spec,
            format!("ci `{:?}` applies to proportions only; use `wald`", spec.ci).to_lowercase(),
        ));
    }
    Ok(())
}

/// The crossed `by` domains, restricted by the filter.
fn base_domains(at: &At, spec: &EstimateSpec) -> Result<Domains> {
    let n = at.w.len();
    let mut base = Domains::cross(&spec.by, n, spec.keep_empty_domains)?;
    if let Some(f) = spec.filter {
        if f.len() != n {
            return Err(err(spec, format!("domain filter has {} rows, expected {n}", f.len())));
        }
        base.restrict(|k| f[k]);
    }
    Ok(base)
}

/// The level indices a proportion request is about: its category, or every level.
fn categories(
    spec: &EstimateSpec,
    variable: &Categorical,
    category: Option<&str>,
) -> Result<Vec<usize>> {
    let coded = |l: &str| spec.item.as_ref().is_some_and(|i| i.codes.role(l).is_some());
    let Some(c) = category else {
        // declared codes of missing answers are no published category
        return Ok((0..variable.levels.len()).filter(|&i| !coded(&variable.levels[i])).collect());
    };
    if coded(c) {
        return Err(err(
            spec,
            format!(
                "category `{c}` of `{}` is a declared code of missing answers (`missing_codes:`), \
                 not a published category; its rate is in the `item_nonresponse_rate` / \
                 `break_off_rate` columns",
                variable.name
            ),
        ));
    }
    let i = variable.levels.iter().position(|l| l == c).ok_or_else(|| {
        err(
            spec,
            format!(
                "category `{c}` not found in `{}` (categories: {})",
                variable.name,
                variable.levels.join(", ")
            ),
        )
    })?;
    Ok(vec![i])
}

/// The rows of the proportion of level `c`: the mean of its indicator.
fn proportion_rows(
    at: &At,
    spec: &EstimateSpec,
    publication: &Publication,
    variable: &Categorical,
    c: usize,
    base: &Domains,
) -> Result<Vec<EstimateRow>> {
    let ind: Vec<f64> = variable
        .codes
        .iter()
        .map(|&v| {
            if v == Factor::MISSING {
                f64::NAN
            } else if v as usize == c {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let col = Numeric::new(&variable.name, ind);
    let dom = missing(spec, &[&col], &at.w, base.clone())?;
    let label = Some(variable.levels[c].clone());
    let est = Mean { y: &col.values };
    rows(at, spec, publication, &est, &dom, Some((&col.values, false)), label)
}

/// Applies the missing-value policy: returns the domains without rows whose analysis value is
/// missing (rows with zero weight are always removed silently: they enter no estimate).
fn missing(spec: &EstimateSpec, cols: &[&Numeric], w: &[f64], mut dom: Domains) -> Result<Domains> {
    for c in cols {
        if c.values.len() != w.len() {
            return Err(err(
                spec,
                format!("column `{}` has {} rows, expected {}", c.name, c.values.len(), w.len()),
            ));
        }
        let bad: Vec<usize> = (0..w.len())
            .filter(|&k| dom.codes[k] != NO_DOMAIN && w[k] != 0.0 && !c.values[k].is_finite())
            .collect();
        if !bad.is_empty() && spec.missing == MissingPolicy::Fail {
            return Err(err(
                spec,
                format!(
                    "column `{}` has {} missing value(s) among rows with positive weight (rows {}); set \
                 `missing: drop` to leave them out of the domain, or impute them",
                    c.name,
                    bad.len(),
                    row_list(&bad)
                ),
            ));
        }
    }
    dom.restrict(|k| cols.iter().all(|c| c.values[k].is_finite()));
    Ok(dom)
}

#[allow(clippy::too_many_arguments)]
fn rows(
    at: &At,
    spec: &EstimateSpec,
    publication: &Publication,
    est: &dyn Estimator,
    dom: &Domains,
    deff_y: Option<(&[f64], bool)>,
    category: Option<String>,
) -> Result<Vec<EstimateRow>> {
    let res = at.run(est, dom)?;
    let w = &at.w;
    let (n, _) = domain_counts(w, dom);
    let (_, nw) = domain_counts(&at.analysis_weights(), dom);
    // under a reweighting the SRS comparison is not defined: no design effect
    let srs =
        deff_y.filter(|_| at.classes().is_none()).map(|(y, total)| srs_variances(w, y, dom, total));
    let dfs = at.dfs(spec, dom);
    let mut out = Vec::with_capacity(dom.n);
    for (d, &df) in dfs.iter().enumerate() {
        let (estimate, se) = (res.estimates[d], res.variances[d].sqrt());
        let (lo, hi) = interval(spec.ci, estimate, se, spec.level, df, n[d]);
        let deff = srs.as_ref().map(|s| res.variances[d] / s[d]);
        let mut row =
            base_row(spec, spec.statistic.name(), category.clone(), dom, d, n[d], nw[d], df);
        row.flags.dropped_replicates = res.dropped[d];
        row.item = at.item.as_ref().map(|(r, _)| r[d].clone());
        fill(&mut row, estimate, se, lo, hi, deff, publication);
        out.push(row);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn base_row(
    spec: &EstimateSpec,
    stat: &'static str,
    category: Option<String>,
    dom: &Domains,
    d: usize,
    n: usize,
    nw: f64,
    df: Option<f64>,
) -> EstimateRow {
    EstimateRow {
        name: spec.name.clone(),
        stat,
        variable: spec.statistic.variable_name().to_string(),
        category,
        domain: dom.by_names.iter().cloned().zip(dom.labels[d].iter().cloned()).collect(),
        estimate: f64::NAN,
        se: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        cv: f64::NAN,
        deff: None,
        n,
        n_weighted: nw,
        df,
        flags: Flags::default(),
        item: None,
    }
}

/// Fills values, the empty flag and the publication flags.
fn fill(
    row: &mut EstimateRow,
    est: f64,
    se: f64,
    lo: f64,
    hi: f64,
    deff: Option<f64>,
    publication: &Publication,
) {
    if row.n == 0 {
        row.flags.empty = true;
        row.flags.low_n = publication.min_n.is_some();
        return;
    }
    row.estimate = est;
    // an undefined estimate (a ratio whose denominator totals 0) has no precision either
    let defined = !est.is_nan();
    row.se = if defined { se } else { f64::NAN };
    row.ci_low = if defined { lo } else { f64::NAN };
    row.ci_high = if defined { hi } else { f64::NAN };
    row.cv = row.se / est.abs();
    row.deff = deff.filter(|_| defined);
    row.flags.undefined = !defined;
    row.flags.low_n = publication.min_n.is_some_and(|m| row.n < m);
    row.flags.high_cv = publication.max_cv.is_some_and(|m| row.cv.is_nan() || row.cv > m);
    if publication.suppress && (row.flags.low_n || row.flags.high_cv) {
        row.flags.suppressed = true;
        row.estimate = f64::NAN;
        row.se = f64::NAN;
        row.ci_low = f64::NAN;
        row.ci_high = f64::NAN;
        row.cv = f64::NAN;
        row.deff = None;
    }
}

/// Quantile rows with the Woodruff interval (R `svyquantile`, `interval.type = "mean"`).
fn quantile_rows(
    at: &At,
    spec: &EstimateSpec,
    publication: &Publication,
    variable: &Numeric,
    p: f64,
    rule: QuantileRule,
    dom: &Domains,
) -> Result<Vec<EstimateRow>> {
    let w = &at.w;
    let x = &variable.values;
    let mut pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN {
            pairs[c as usize].push((x[k], w[k]));
        }
    }
    let sorted: Vec<SortedSample> = pairs.into_iter().map(SortedSample::new).collect();
    let qhat: Vec<f64> = sorted.iter().map(|s| s.quantile(p, rule)).collect();
    // indicator 1{x ≤ q̂_d} within each domain: its mean is the estimated CDF at q̂
    let ind: Vec<f64> = dom
        .codes
        .iter()
        .enumerate()
        .map(|(k, &c)| if c != NO_DOMAIN && x[k] <= qhat[c as usize] { 1.0 } else { 0.0 })
        .collect();
    let res = at.run(&Mean { y: &ind }, dom)?;
    let (n, nw) = domain_counts(w, dom);
    let dfs = at.dfs(spec, dom);
    let mut out = Vec::with_capacity(dom.n);
    for (d, &df) in dfs.iter().enumerate() {
        let t = critical_value(spec.level, df);
        let (pl, pu) = interval(
            CiMethod::Wald,
            res.estimates[d],
            res.variances[d].sqrt(),
            spec.level,
            df,
            n[d],
        );
        let lo = if pl.is_nan() || pl < 0.0 { f64::NAN } else { sorted[d].quantile(pl, rule) };
        let hi = if pu.is_nan() || pu > 1.0 { f64::NAN } else { sorted[d].quantile(pu, rule) };
        let se = (hi - lo) / (2.0 * t);
        let mut row = base_row(spec, "quantile", Some(format!("{p}")), dom, d, n[d], nw[d], df);
        row.flags.dropped_replicates = res.dropped[d];
        row.item = at.item.as_ref().map(|(r, _)| r[d].clone());
        fill(&mut row, qhat[d], se, lo, hi, None, publication);
        out.push(row);
    }
    Ok(out)
}
