//! Binding a sample design to its frame: scope, strata, allocation and the columns of the
//! selection method.
//!
//! [`bind`] is the one entry point: `ponder sample`, `ponder run` and `ponder simulate`
//! call it the same way, then draw with [`BoundSample::plan`]. Problems name the frame file
//! and the design file.

use crate::config::sample::{Cost, Filter, SampleConfig, StratumValues, filter_text};
use crate::data::{Factor, Table, rows_list};
use crate::error::{Error, Result};
use crate::hint::suggest;
use crate::sampling::{
    AllocationMethod, AllocationSpec, BalanceVar, CubeOptions, CubeOrder, SamplingPlan,
    SelectionMethod, SizeColumn, SortKey, Strata, stratum_constant, stratum_sd,
};

/// A scope filter (as text) and the number of frame rows it removed.
pub type FilterCount = (String, usize);

/// A sample design met with its frame: everything the draw needs.
#[derive(Debug)]
pub struct BoundSample {
    /// Each scope filter and the rows it removed.
    pub filters: Vec<FilterCount>,
    /// The strata of the in-scope rows (strata left empty by the scope dropped).
    pub strata: Strata,
    /// Labels of the strata the scope emptied.
    pub dropped_strata: Vec<String>,
    /// The allocation aligned on `strata`.
    pub allocation: AllocationSpec,
    /// The columns the selection method reads.
    pub columns: SelectionColumns,
}

impl BoundSample {
    /// The sampling plan, borrowing the bound columns.
    pub fn plan(&self) -> SamplingPlan<'_> {
        SamplingPlan {
            strata: &self.strata,
            allocation: self.allocation.clone(),
            method: self.columns.method(),
        }
    }
}

/// Scope, strata, allocation and selection columns of `cfg` on `frame`.
///
/// # Errors
/// Unknown columns, missing values in filter or stratification columns, stratum labels or
/// filter values absent from the frame, impossible allocations.
pub fn bind(cfg: &SampleConfig, frame: &Table) -> Result<BoundSample> {
    let (scope, filters) = scope(cfg, frame)?;
    let mut strata = strata(cfg, frame)?;
    strata.restrict(&scope)?;
    let (strata, dropped_strata) = strata.drop_empty();
    let allocation = allocation(cfg, &strata, frame)?;
    let columns = SelectionColumns::read(cfg, frame)?;
    Ok(BoundSample { filters, strata, dropped_strata, allocation, columns })
}

fn data_err(cfg: &SampleConfig, frame: &Table, msg: &str) -> Error {
    Error::data(frame.source(), format!("{msg} (design {})", cfg.file))
}

/// The in-scope mask of the frame rows, with the count each filter removed.
///
/// # Errors
/// Unknown columns; missing values in a filter column; listed values absent from the
/// frame (a likely typo, with did-you-mean); no unit left in scope.
pub fn scope(cfg: &SampleConfig, frame: &Table) -> Result<(Vec<bool>, Vec<FilterCount>)> {
    let mut keep = vec![true; frame.n_rows()];
    let mut removed = Vec::new();
    for f in &cfg.filters {
        let before = keep.iter().filter(|k| **k).count();
        match f {
            Filter::Range { column, min, max } => {
                let v = frame.numeric(column).map_err(|e| {
                    data_err(cfg, frame, &format!("filter on `{column}`: {}", e.detail()))
                })?;
                for (k, x) in keep.iter_mut().zip(&v) {
                    *k &= min.is_none_or(|m| *x >= m) && max.is_none_or(|m| *x <= m);
                }
            }
            Filter::Values { column, labels, keep: keep_listed } => {
                let listed = listed_levels(cfg, frame, column, labels)?;
                let codes = frame.factor(column)?.codes;
                for (k, c) in keep.iter_mut().zip(&codes) {
                    *k &= listed[*c as usize] == *keep_listed;
                }
            }
        }
        let after = keep.iter().filter(|k| **k).count();
        removed.push((filter_text(f), before - after));
    }
    if frame.n_rows() > 0 && !keep.iter().any(|k| *k) {
        let each: Vec<String> = removed.iter().map(|(f, n)| format!("`{f}` removes {n}")).collect();
        let msg = format!(
            "no unit of the frame ({} rows) is in scope after the filters ({}): loosen `filters:`",
            frame.n_rows(),
            each.join(", ")
        );
        return Err(data_err(cfg, frame, &msg));
    }
    Ok((keep, removed))
}

/// Which levels of `column` a value filter lists (one flag per level).
fn listed_levels(
    cfg: &SampleConfig,
    frame: &Table,
    column: &str,
    labels: &[String],
) -> Result<Vec<bool>> {
    let fac = frame.factor(column)?;
    let missing = fac.missing_rows();
    if !missing.is_empty() {
        let msg = format!(
            "filter on `{column}`: {} missing value(s) ({}); the scope cannot be decided for them",
            missing.len(),
            rows_list(&missing)
        );
        return Err(data_err(cfg, frame, &msg));
    }
    let mut listed = vec![false; fac.levels.len()];
    for l in labels {
        let Some(i) = fac.level_index(l) else {
            let hint = suggest(l, fac.levels.iter().map(String::as_str)).map_or_else(
                || format!("the frame has: {}", fac.levels.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            let msg =
                format!("filter on `{column}`: value `{l}` does not occur in the frame ({hint})");
            return Err(data_err(cfg, frame, &msg));
        };
        listed[i as usize] = true;
    }
    Ok(listed)
}

/// The strata of the frame (one stratum when none is declared).
///
/// # Errors
/// Unknown columns; missing values in a stratification column.
pub fn strata(cfg: &SampleConfig, frame: &Table) -> Result<Strata> {
    let parts: Vec<Strata> = cfg
        .strata
        .iter()
        .map(|c| {
            let f = frame.factor(c)?;
            let missing = f.missing_rows();
            if !missing.is_empty() {
                let msg = format!(
                    "stratification column `{c}` has {} missing value(s) ({})",
                    missing.len(),
                    rows_list(&missing)
                );
                return Err(data_err(cfg, frame, &msg));
            }
            Strata::from_codes(c, f.codes, f.levels)
        })
        .collect::<Result<_>>()?;
    match parts.len() {
        0 => Ok(Strata::single(frame.n_rows())),
        1 => Ok(parts.into_iter().next().unwrap_or_else(|| Strata::single(frame.n_rows()))),
        _ => Strata::cross(&parts.iter().collect::<Vec<_>>()),
    }
}

/// The allocation specification aligned on `strata`.
///
/// # Errors
/// Unknown stratum labels in maps, unknown columns for Neyman / optimal, missing inputs of
/// the method.
pub fn allocation(cfg: &SampleConfig, strata: &Strata, frame: &Table) -> Result<AllocationSpec> {
    let Some(a) = &cfg.allocation else {
        if strata.n_strata() > 1 {
            return Err(data_err(cfg, frame, "stratified designs need an `allocation:` block"));
        }
        return Ok(AllocationSpec::new(cfg.n, AllocationMethod::Proportional));
    };
    let map = |key: &str, m: &Option<StratumValues>, default: f64| -> Result<Vec<f64>> {
        match m {
            None => Ok(vec![default; strata.n_strata()]),
            Some(m) => strata.per_stratum(key, m, default),
        }
    };
    let method = match a.method.as_str() {
        "given" => {
            let sizes = map("sizes", &a.sizes, f64::NAN)?;
            if sizes.iter().any(|s| !s.is_finite() || *s < 0.0 || s.fract() != 0.0) {
                return Err(data_err(
                    cfg,
                    frame,
                    "allocation `given` needs a whole size for every stratum in `sizes:`",
                ));
            }
            AllocationMethod::Given(sizes.iter().map(|s| *s as u64).collect())
        }
        "equal" => AllocationMethod::Equal,
        "proportional" => AllocationMethod::Proportional,
        "neyman" => AllocationMethod::Neyman { sd: stratum_sds(cfg, strata, frame)? },
        _ => AllocationMethod::Optimal {
            sd: stratum_sds(cfg, strata, frame)?,
            cost: stratum_costs(cfg, strata, frame)?,
        },
    };
    let mut spec = AllocationSpec::new(cfg.n, method);
    spec.basis = a.basis;
    spec.response_rate = map("response_rate", &a.response_rate, 1.0)?;
    spec.oversample = map("oversample", &a.oversample, 1.0)?;
    spec.min = vec![a.min.unwrap_or(1); strata.n_strata()];
    spec.max = vec![a.max; strata.n_strata()];
    Ok(spec)
}

/// S_h for Neyman / optimal allocation: from the frame's `variable`, or given per stratum.
fn stratum_sds(cfg: &SampleConfig, strata: &Strata, frame: &Table) -> Result<Vec<f64>> {
    let a = cfg.allocation.as_ref();
    match (a.and_then(|a| a.variable.as_ref()), a.and_then(|a| a.sd.as_ref())) {
        (Some(v), _) => stratum_sd(&frame.numeric(v)?, strata, v),
        (None, Some(m)) => strata.per_stratum("sd", m, f64::NAN),
        (None, None) => Err(data_err(
            cfg,
            frame,
            "neyman/optimal allocation needs `variable:` (a frame column) or `sd:` per stratum",
        )),
    }
}

/// Unit costs for optimal allocation: a frame column (constant within strata) or per stratum.
fn stratum_costs(cfg: &SampleConfig, strata: &Strata, frame: &Table) -> Result<Vec<f64>> {
    match cfg.allocation.as_ref().and_then(|a| a.cost.as_ref()) {
        Some(Cost::Column(c)) => stratum_constant(&frame.numeric(c)?, strata, c),
        Some(Cost::PerStratum(m)) => strata.per_stratum("cost", m, f64::NAN),
        None => Err(data_err(
            cfg,
            frame,
            "optimal allocation needs `cost:` (a frame column or a value per stratum)",
        )),
    }
}

/// Columns of the frame the selection method reads, owned so the method can borrow them.
#[derive(Debug, Default)]
pub struct SelectionColumns {
    method: String,
    order: CubeOrder,
    size: Option<(String, Vec<f64>)>,
    sort: Vec<(String, Vec<u32>)>,
    balance: Vec<(String, BalanceData)>,
}

#[derive(Debug)]
enum BalanceData {
    Numeric(Vec<f64>),
    Categorical(Factor),
}

impl SelectionColumns {
    /// Reads the size, sort and balancing columns of the frame.
    ///
    /// # Errors
    /// Unknown columns, non-numeric size measures.
    pub fn read(cfg: &SampleConfig, frame: &Table) -> Result<SelectionColumns> {
        let size = match &cfg.size {
            None => None,
            Some(c) => Some((
                c.clone(),
                frame.numeric_opt(c)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
            )),
        };
        let sort = cfg
            .sort
            .iter()
            .map(|c| Ok((c.clone(), frame.factor(c)?.codes)))
            .collect::<Result<_>>()?;
        let balance = cfg
            .balance
            .iter()
            .map(|b| {
                let numeric_type = frame.numeric_opt(&b.column).is_ok();
                let data = match b.categorical.unwrap_or(!numeric_type) {
                    true => BalanceData::Categorical(frame.factor(&b.column)?),
                    false => BalanceData::Numeric(frame.numeric(&b.column)?),
                };
                Ok((b.column.clone(), data))
            })
            .collect::<Result<_>>()?;
        Ok(SelectionColumns { method: cfg.method.clone(), order: cfg.order, size, sort, balance })
    }

    /// The selection method over these columns.
    pub fn method(&self) -> SelectionMethod<'_> {
        let size = self.size.as_ref().map(|(name, values)| SizeColumn { name, values });
        match self.method.as_str() {
            "srswor" => SelectionMethod::Srswor,
            "systematic" => SelectionMethod::Systematic {
                size,
                sort: self
                    .sort
                    .iter()
                    .map(|(name, codes)| SortKey::Codes { name, codes })
                    .collect(),
            },
            "poisson" => SelectionMethod::Poisson { size },
            _ => SelectionMethod::Cube {
                size,
                balance: self
                    .balance
                    .iter()
                    .map(|(name, d)| match d {
                        BalanceData::Numeric(v) => {
                            BalanceVar::Numeric { name: name.clone(), values: v }
                        }
                        BalanceData::Categorical(f) => {
                            BalanceVar::Categorical { name: name.clone(), factor: f }
                        }
                    })
                    .collect(),
                options: CubeOptions { order: self.order },
            },
        }
    }
}
