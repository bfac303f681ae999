//! Binding an estimation config's requests to the data: columns checked (all unknown
//! columns at once, with did-you-mean), categories checked, then every request computed on
//! the variance source built by [`crate::bind::design`].

use crate::bind::design::{categorical, linearization, numeric, replicate_design, two_phase};
use crate::bind::units::{Linked, explain_zero_weight, link, reweight_answerers, unit_columns};
use crate::config::estimate::{EstimateConfig, ItemChoice, Request, StatKind};
use crate::data::Table;
use crate::design::{Categorical, Numeric};
use crate::error::{ConfigProblem, Error, Result};
use crate::estimate::{
    EstimateRow, EstimateSpec, ItemHandling, ItemSpec, MissingCodes, Statistic, estimate,
    estimate_linked,
};
use crate::hint::suggest;
use crate::variance::VarianceSource;

/// Checks that every column a request names exists, reporting all unknown columns at
/// once with did-you-mean hints.
///
/// # Errors
/// [`Error::Config`] naming each request key and column.
///
/// With `units:` the requests' columns are looked up in the unit file and the weighted file
/// (person variables are joined through the key).
pub fn check_columns(cfg: &EstimateConfig, table: &Table) -> Result<()> {
    check_column_names(cfg, &table.column_names(), &table.source())
}

/// As [`check_columns`] against a list of column names (`ponder run` checks a pipeline
/// before any data exist); `source` names where they come from.
///
/// # Errors
/// [`Error::Config`] listing every unknown column with its key, line and did-you-mean.
pub fn check_column_names(cfg: &EstimateConfig, names: &[String], source: &str) -> Result<()> {
    let (names, source) = match &cfg.units {
        None => (names.to_vec(), source.to_string()),
        Some(u) => {
            let mut all = unit_columns(u)?;
            all.extend(names.iter().cloned());
            (all, format!("{} or {source}", u.file.display()))
        }
    };
    let (names, source) = (&names, source.as_str());
    let mut p = cfg.source.problems();
    for r in &cfg.requests {
        for (field, c) in request_columns(r) {
            if !names.iter().any(|n| n == c) {
                p.push(
                    &format!("{}.{field}", r.key),
                    format!("no column `{c}` in {source}"),
                    suggest(c, names.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?")),
                );
            }
        }
    }
    p.finish()
}

/// The columns a request names, with their key (every column its estimate reads: `ponder
/// estimate` reads only these and the design's from a Parquet file).
pub fn request_columns(r: &Request) -> Vec<(&'static str, &str)> {
    let mut cols: Vec<(&str, &str)> = vec![("variable", r.variable.as_str())];
    if let StatKind::Ratio(den) = &r.stat {
        cols.push(("denominator", den));
    }
    cols.extend(r.by.iter().map(|b| ("by", b.as_str())));
    if let Some(ItemChoice::Reweight(classes)) = &r.item {
        cols.extend(classes.iter().map(|c| ("item_nonresponse.reweight", c.as_str())));
    }
    cols
}

/// Computes every request of a configuration on a table: the variance source (replicates,
/// else a nonresponse phase, else linearization with the calibration residuals) from the
/// `design:` block, then each request.
///
/// # Errors
/// Design errors, unknown columns and categories, estimation errors.
///
/// With `units:` the unit file is linked to `table` ([`crate::bind::units::link`]) and every
/// request is about its rows, the person being the unit of the design.
pub fn compute(cfg: &EstimateConfig, table: &Table) -> Result<Vec<EstimateRow>> {
    let rows = |source: VarianceSource| -> Result<Vec<EstimateRow>> {
        let linked = match &cfg.units {
            Some(u) => Some(
                link(u, table, source.weights())
                    .map_err(|e| explain_zero_weight(e, u.answered.as_ref()))?,
            ),
            None => None,
        };
        let data = match &linked {
            Some(l) => Data::Units(l),
            None => Data::Design(table),
        };
        let mut rows = Vec::new();
        for req in &cfg.requests {
            rows.extend(run_request(&source, req, &data, cfg)?);
        }
        Ok(rows)
    };
    if let Some(mut r) = replicate_design(cfg, table)? {
        if let Some(a) = cfg.units.as_ref().and_then(|u| u.answered.as_ref()) {
            reweight_answerers(a, table, cfg.missing_codes.as_ref(), &mut r, &cfg.source)?;
        }
        return rows(VarianceSource::Replicates(&r));
    }
    if cfg.units.as_ref().is_some_and(|u| u.answered.is_some()) {
        return Err(crate::bind::units::needs_replicates(&cfg.source));
    }
    if let Some(t) = two_phase(cfg, table)? {
        return rows(VarianceSource::TwoPhase(&t));
    }
    rows(VarianceSource::Linearization(&linearization(cfg, table)?))
}

/// Where a request's columns come from: the design's rows, or the rows of a linked unit
/// file.
enum Data<'a> {
    Design(&'a Table),
    Units(&'a Linked<'a>),
}

impl Data<'_> {
    fn numeric(&self, name: &str) -> Result<Numeric> {
        match self {
            Data::Design(t) => numeric(t, name),
            Data::Units(l) => l.numeric(name),
        }
    }

    fn categorical(&self, name: &str) -> Result<Categorical> {
        match self {
            Data::Design(t) => categorical(t, name),
            Data::Units(l) => l.categorical(name),
        }
    }
}

/// The columns of a request, read from the table.
enum Columns {
    Num(Numeric),
    Cat(Categorical),
    Ratio(Numeric, Numeric),
}

fn read_columns(req: &Request, table: &Data, cfg: &EstimateConfig) -> Result<Columns> {
    Ok(match &req.stat {
        StatKind::Total | StatKind::Mean | StatKind::Quantile(..) => {
            Columns::Num(table.numeric(&req.variable)?)
        }
        StatKind::Proportion(category) => {
            let cat = table.categorical(&req.variable)?;
            if let Some(c) = category {
                check_category(cfg, req, &cat, c)?;
            }
            Columns::Cat(cat)
        }
        StatKind::Ratio(d) => Columns::Ratio(table.numeric(&req.variable)?, table.numeric(d)?),
    })
}

/// A `category:` that occurs in the column (did-you-mean otherwise).
fn check_category(cfg: &EstimateConfig, req: &Request, cat: &Categorical, c: &str) -> Result<()> {
    if cat.levels.iter().any(|l| l == c) {
        return Ok(());
    }
    let hint = suggest(c, cat.levels.iter().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| format!("the column has: {}", cat.levels.join(", ")));
    Err(Error::Config {
        file: cfg.file.clone(),
        problems: vec![
            ConfigProblem::new(
                format!("{}.category", req.key),
                format!("category `{c}` does not occur in column `{}`", req.variable),
            )
            .hint(hint),
        ],
    })
}

/// The missing answers of a request's question: the status of every row under the declared
/// codes; `None` when no code occurs in the column and the request makes no choice (an
/// estimate on a question without codes is unchanged). The default choice is `exclude`.
fn item_spec<'a>(
    codes: &'a MissingCodes,
    req: &Request,
    cols: &Columns,
    classes: &'a [Categorical],
) -> Option<ItemSpec<'a>> {
    let status = match cols {
        Columns::Cat(c) => codes.statuses(c),
        Columns::Num(v) => codes.numeric_statuses(&v.values),
        Columns::Ratio(n, d) => {
            let (n, d) = (codes.numeric_statuses(&n.values), codes.numeric_statuses(&d.values));
            // a row coded in either column is coded (the numerator's code first)
            n.into_iter().zip(d).map(|(a, b)| if a.coded() || !b.coded() { a } else { b }).collect()
        }
    };
    if req.item.is_none() && !status.iter().any(|s| s.coded()) {
        return None;
    }
    let handling = match &req.item {
        Some(ItemChoice::Reweight(_)) => ItemHandling::Reweight(classes.iter().collect()),
        _ => ItemHandling::Exclude,
    };
    Some(ItemSpec { codes, status, handling })
}

fn run_request(
    source: &VarianceSource,
    req: &Request,
    table: &Data,
    cfg: &EstimateConfig,
) -> Result<Vec<EstimateRow>> {
    let by: Vec<Categorical> =
        req.by.iter().map(|b| table.categorical(b)).collect::<Result<_>>()?;
    let cols = read_columns(req, table, cfg)?;
    let statistic = match (&req.stat, &cols) {
        (StatKind::Total, Columns::Num(v)) => Statistic::Total(v),
        (StatKind::Mean, Columns::Num(v)) => Statistic::Mean(v),
        (StatKind::Quantile(p, rule), Columns::Num(v)) => {
            Statistic::Quantile { variable: v, p: *p, rule: *rule }
        }
        (StatKind::Proportion(category), Columns::Cat(c)) => {
            Statistic::Proportion { variable: c, category: category.as_deref() }
        }
        (StatKind::Ratio(_), Columns::Ratio(n, d)) => {
            Statistic::Ratio { numerator: n, denominator: d }
        }
        _ => return Err(Error::Internal("request columns of another statistic".into())),
    };
    let classes: Vec<Categorical> = match &req.item {
        Some(ItemChoice::Reweight(c)) => {
            c.iter().map(|b| table.categorical(b)).collect::<Result<_>>()?
        }
        _ => Vec::new(),
    };
    let item = cfg.missing_codes.as_ref().and_then(|codes| item_spec(codes, req, &cols, &classes));
    let spec = EstimateSpec {
        item,
        name: req.name.clone(),
        statistic,
        by: by.iter().collect(),
        ci: req.ci,
        level: req.level,
        df: req.df,
        missing: req.missing,
        filter: None,
        keep_empty_domains: req.keep_empty_domains,
    };
    match table {
        Data::Design(_) => estimate(source, &spec, &cfg.publication),
        Data::Units(l) => estimate_linked(source, &l.link, &spec, &cfg.publication),
    }
}
