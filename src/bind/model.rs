//! Binding a model config to the data: columns checked (all unknown ones at once, with
//! did-you-mean), each column read as numeric or [`Factor`], domains and levels checked,
//! then every model and test computed on the variance source of the `design:` block
//! ([`crate::bind::design`]): replicates, else linearization (with calibration residuals).

use crate::bind::design::{linearization, replicate_design, two_phase};
use crate::bind::units::joined;
use crate::config::estimate::UnitsSpec;
use crate::config::model::{ModelConfig, ModelRequest, TestKind, TestRequest};
use crate::data::{Factor, Table};
use crate::error::{Error, Result};
use crate::hint::suggest;
use crate::model::margin::Estimate;
use crate::model::{
    Column, GlmOptions, ModelRow, ModelSpec, Variable, Variance, domain_difference, fit_glm,
    indicator, predictive_margin, rao_scott,
};
use crate::model::{CovarianceEngine, LinkedEngine, linked_replicates};

/// The columns named by the models and tests, with their key.
pub(crate) fn named_columns(cfg: &ModelConfig) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for m in &cfg.models {
        out.push((format!("{}.response", m.key), m.response.as_str()));
        out.extend(m.terms.iter().map(|t| (format!("{}.terms", m.key), t.as_str())));
        out.extend(m.domain.iter().map(|(c, _)| (format!("{}.domain", m.key), c.as_str())));
    }
    for t in &cfg.tests {
        match &t.kind {
            TestKind::Chisq { variables, .. } => {
                out.extend(variables.iter().map(|v| (format!("{}.variables", t.key), v.as_str())));
            }
            TestKind::Difference { variable, by, .. } => {
                out.push((format!("{}.variable", t.key), variable.as_str()));
                out.push((format!("{}.by", t.key), by.as_str()));
            }
        }
    }
    out
}

/// Checks that every column a model or test names exists, reporting all unknown columns
/// at once with their key, line and did-you-mean.
///
/// # Errors
/// [`Error::Config`] listing each unknown column.
pub fn check_columns(cfg: &ModelConfig, table: &Table) -> Result<()> {
    let mut names = table.column_names();
    let mut source = table.source();
    if let Some(u) = &cfg.design.units {
        names.extend(crate::bind::units::unit_columns(u)?);
        source = format!("{source} or the unit file {}", u.file.display());
    }
    check_column_names(cfg, &names, &source)
}

/// As [`check_columns`], on the column names a file will have (`source` names it).
///
/// # Errors
/// [`Error::Config`] listing each unknown column.
pub fn check_column_names(cfg: &ModelConfig, names: &[String], source: &str) -> Result<()> {
    let mut p = cfg.source.problems();
    for (key, c) in named_columns(cfg) {
        if !names.iter().any(|n| n == c) {
            let hint = suggest(c, names.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"));
            p.push(&key, format!("no column `{c}` in {source}"), hint);
        }
    }
    p.finish()
}

/// Fits every model and computes every test of a configuration on a table.
///
/// # Errors
/// Design errors; unknown columns, levels and categories (named with their key); the
/// model's own errors (non-convergence, separation, aliased terms, bad response values,
/// missing values), prefixed with the model or test name.
pub fn compute(cfg: &ModelConfig, table: &Table) -> Result<Vec<ModelRow>> {
    if let Some(u) = &cfg.design.units {
        return compute_linked(cfg, u, table);
    }
    if let Some(r) = replicate_design(&cfg.design, table)? {
        return run_all(cfg, table, Variance::Replicates(&r));
    }
    if let Some(t) = two_phase(&cfg.design, table)? {
        return run_all(cfg, table, Variance::Linearization(&t));
    }
    let lin = linearization(&cfg.design, table)?;
    run_all(cfg, table, Variance::Linearization(&lin))
}

/// [`compute`] on a linked unit file (`units: {file, key}`): the models and tests are about
/// the unit rows (one per dispute), each with its person's weight and replicate weights;
/// the person is the unit of the design ([`LinkedEngine`], [`linked_replicates`]).
fn compute_linked(cfg: &ModelConfig, spec: &UnitsSpec, persons: &Table) -> Result<Vec<ModelRow>> {
    if let Some(mut r) = replicate_design(&cfg.design, persons)? {
        if let Some(a) = &spec.answered {
            let codes = cfg.design.missing_codes.as_ref();
            crate::bind::units::reweight_answerers(a, persons, codes, &mut r, &cfg.design.source)?;
        }
        let (units, link) = joined(spec, persons, Some(r.full_weights()))
            .map_err(|e| crate::bind::units::explain_zero_weight(e, spec.answered.as_ref()))?;
        let lr = linked_replicates(&r, &link)?;
        return run_all(cfg, &units, Variance::Replicates(&lr));
    }
    if spec.answered.is_some() {
        return Err(crate::bind::units::needs_replicates(&cfg.design.source));
    }
    let engine: Box<dyn CovarianceEngine> = match two_phase(&cfg.design, persons)? {
        Some(t) => Box::new(t),
        None => Box::new(linearization(&cfg.design, persons)?),
    };
    let (units, link) = joined(spec, persons, Some(engine.weights()))?;
    run_all(cfg, &units, Variance::Linearization(&LinkedEngine::new(&*engine, &link)))
}

fn run_all(cfg: &ModelConfig, table: &Table, var: Variance) -> Result<Vec<ModelRow>> {
    let mut rows = Vec::new();
    for m in &cfg.models {
        let prefix = format!("`{}` ({} of {}): ", m.name, m.key, cfg.file);
        rows.extend(fit_model(cfg, m, table, var).map_err(|e| located(e, table, &prefix))?);
    }
    for t in &cfg.tests {
        let prefix = format!("`{}` ({} of {}): ", t.name, t.key, cfg.file);
        rows.push(run_test(cfg, t, table, var).map_err(|e| located(e, table, &prefix))?);
    }
    Ok(rows)
}

/// A compute error with the data file in [`Error::Cell`] and the model or test named.
fn located(e: Error, table: &Table, prefix: &str) -> Error {
    match e {
        Error::Cell { column, row, message, .. } => {
            Error::Cell { file: table.source(), column, row, message: format!("{prefix}{message}") }
        }
        Error::Config { .. } => e,
        other => other.prefixed(prefix),
    }
}

/// A column as the model reads it: numeric when its values are numbers, else a factor.
enum Col {
    Num(Vec<f64>),
    Fac(Factor),
}

impl Col {
    fn read(table: &Table, name: &str) -> Result<Col> {
        match table.numeric_or_nan(name) {
            Ok(v) => Ok(Col::Num(v)),
            Err(_) => table.factor(name).map(Col::Fac),
        }
    }

    fn variable<'a>(&'a self, name: &'a str) -> Variable<'a> {
        let column = match self {
            Col::Num(v) => Column::Numeric(v),
            Col::Fac(f) => Column::Factor(f),
        };
        Variable { name, column }
    }
}

/// The declared codes of missing answers (`missing_codes:`) of a response as missing
/// values: the model's `missing:` policy handles them (a `dont_know` is never a level).
fn codes_as_missing(cfg: &ModelConfig, col: Col) -> Col {
    let Some(codes) = &cfg.design.missing_codes else { return col };
    match col {
        Col::Fac(mut f) => {
            let coded: Vec<bool> = f.levels.iter().map(|l| codes.role(l).is_some()).collect();
            for c in f.codes.iter_mut() {
                if *c != Factor::MISSING && coded[*c as usize] {
                    *c = Factor::MISSING;
                }
            }
            Col::Fac(f)
        }
        Col::Num(v) => Col::Num(
            v.into_iter()
                .map(|x| if codes.role_of_number(x).is_some() { f64::NAN } else { x })
                .collect(),
        ),
    }
}

/// `value` is a level of `column` (did-you-mean at `key` otherwise); its code.
fn level_code(cfg: &ModelConfig, key: &str, column: &str, f: &Factor, value: &str) -> Result<u32> {
    f.level_index(value).ok_or_else(|| {
        let hint = suggest(value, f.levels.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("the column has: {}", f.levels.join(", ")));
        cfg.source.error(key, format!("`{value}` does not occur in column `{column}`"), Some(hint))
    })
}

/// The model's domain indicator (`None` = every row).
fn domain(cfg: &ModelConfig, m: &ModelRequest, table: &Table) -> Result<Option<Vec<bool>>> {
    if m.domain.is_empty() {
        return Ok(None);
    }
    let mut keep = vec![true; table.n_rows()];
    for (column, value) in &m.domain {
        let f = table.factor(column)?;
        let code = level_code(cfg, &format!("{}.domain", m.key), column, &f, value)?;
        keep.iter_mut().zip(&f.codes).for_each(|(k, &c)| *k &= c == code);
    }
    Ok(Some(keep))
}

fn fit_model(
    cfg: &ModelConfig,
    m: &ModelRequest,
    table: &Table,
    var: Variance,
) -> Result<Vec<ModelRow>> {
    let response = match &m.category {
        Some(_) => Col::Fac(table.factor(&m.response)?),
        None => Col::read(table, &m.response)?,
    };
    let response = codes_as_missing(cfg, response);
    let terms = m
        .terms
        .iter()
        .map(|t| match m.categorical.contains(t) {
            true => table.factor(t).map(Col::Fac),
            false => Col::read(table, t),
        })
        .collect::<Result<Vec<_>>>()?;
    let domain = domain(cfg, m, table)?;
    let spec = ModelSpec {
        family: m.family,
        response: response.variable(&m.response),
        category: m.category.as_deref(),
        terms: terms.iter().zip(&m.terms).map(|(c, n)| c.variable(n)).collect(),
        interactions: m.interactions.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect(),
        reference: m.reference.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect(),
        domain: domain.as_deref(),
        missing: m.missing,
    };
    let fit = fit_glm(&spec, var, &GlmOptions::default())?;
    let mut rows: Vec<ModelRow> = fit
        .summary(m.level)
        .into_iter()
        .map(|c| ModelRow {
            estimate: c.estimate,
            se: c.se,
            statistic: c.statistic,
            df: c.df,
            p_value: c.p_value,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            exp: c.exp,
            n: Some(fit.n),
            ..ModelRow::new(&m.name, "coefficient", c.term)
        })
        .collect();
    rows.extend(margin_rows(cfg, m, (&spec, &terms), var)?);
    for t in &m.tests {
        let tt = fit.term_test(t)?;
        rows.push(ModelRow {
            statistic: tt.statistic,
            df: tt.df1,
            df2: tt.df2,
            p_value: tt.p_value,
            n: Some(fit.n),
            ..ModelRow::new(&m.name, "term_test", tt.term)
        });
    }
    Ok(rows)
}

/// Rows of the model's predictive margins: the observed mean of the fit rows (`observed`),
/// then per `(term, level)` the margin (`margin`, term `term=level`) and its difference
/// from the observed mean (`margin_difference`).
fn margin_rows(
    cfg: &ModelConfig,
    m: &ModelRequest,
    (spec, terms): (&ModelSpec, &[Col]),
    var: Variance,
) -> Result<Vec<ModelRow>> {
    let mut rows = Vec::new();
    for (term, level) in &m.margins {
        let key = format!("{}.margins", m.key);
        if let Some(Col::Fac(f)) = m.terms.iter().position(|t| t == term).map(|i| &terms[i]) {
            level_code(cfg, &key, term, f, level)?;
        } else {
            let msg =
                format!("`{term}` is numeric: a margin sets a text term to one of its levels");
            let hint = format!("list `{term}` under `categorical:` if its values are codes");
            return Err(cfg.source.error(&key, msg, Some(hint)));
        }
        let pm = predictive_margin(spec, var, &GlmOptions::default(), (term, level), m.level)?;
        let row = |kind, term: String, e: &Estimate, test: bool| ModelRow {
            estimate: e.estimate,
            se: e.se,
            statistic: if test { e.estimate / e.se } else { f64::NAN },
            df: pm.df,
            p_value: if test { e.p_value } else { f64::NAN },
            ci_low: e.ci_low,
            ci_high: e.ci_high,
            n: Some(pm.n),
            ..ModelRow::new(&m.name, kind, term)
        };
        if rows.is_empty() {
            rows.push(row("observed", m.response.clone(), &pm.observed, false));
        }
        rows.push(row("margin", format!("{term}={level}"), &pm.margin, false));
        let diff = format!("{term}={level} − observed");
        rows.push(row("margin_difference", diff, &pm.difference, true));
    }
    Ok(rows)
}

fn run_test(cfg: &ModelConfig, t: &TestRequest, table: &Table, var: Variance) -> Result<ModelRow> {
    match &t.kind {
        TestKind::Chisq { variables: [a, b], statistic } => {
            let (fa, fb) = (table.factor(a)?, table.factor(b)?);
            let r = rao_scott(var, (a, &fa), (b, &fb), *statistic)?;
            let w = var.weights();
            let n = (0..w.len()).filter(|&k| {
                w[k] > 0.0 && fa.codes[k] != Factor::MISSING && fb.codes[k] != Factor::MISSING
            });
            Ok(ModelRow {
                statistic: r.statistic,
                df: r.df1,
                df2: r.df2.unwrap_or(f64::NAN),
                p_value: r.p_value,
                n: Some(n.count()),
                ..ModelRow::new(&t.name, "chisq", format!("{a}:{b}"))
            })
        }
        TestKind::Difference { variable, category, by, levels, missing } => {
            let f = table.factor(by)?;
            for l in levels {
                level_code(cfg, &format!("{}.levels", t.key), by, &f, l)?;
            }
            let y = match category {
                Some(c) => {
                    let v = table.factor(variable)?;
                    level_code(cfg, &format!("{}.category", t.key), variable, &v, c)?;
                    indicator(variable, &v, c)?
                }
                None => table.numeric_or_nan(variable)?,
            };
            let ls = [levels[0].as_str(), levels[1].as_str()];
            let d = domain_difference(var, (variable, &y), (by, &f), ls, *missing, t.level)?;
            let term = format!("{by}={} - {by}={}", ls[0], ls[1]);
            let (w, codes) = (var.weights(), [f.level_index(ls[0]), f.level_index(ls[1])]);
            let n = (0..w.len())
                .filter(|&k| w[k] > 0.0 && y[k].is_finite() && codes.contains(&Some(f.codes[k])));
            Ok(ModelRow {
                estimate: d.estimate,
                se: d.se,
                statistic: d.statistic,
                p_value: d.p_value,
                ci_low: d.ci_low,
                ci_high: d.ci_high,
                n: Some(n.count()),
                ..ModelRow::new(&t.name, "difference", term)
            })
        }
    }
}
