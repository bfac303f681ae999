//! Validation of a [`DesignSpec`] into a [`Design`].

use std::collections::HashMap;

use super::columns::{Categorical, Numeric, row_list};
use super::spec::{DesignSpec, LonelyPsu, PpsVariance, WeightSource};
use super::stages::Stage;
use crate::data::Factor;
use crate::error::{Error, Result};

/// A validated survey design: weights, strata, nested stages with fpc, lonely-PSU policy and
/// πps variance choice.
///
/// Built once by [`Design::new`]; a step that changes the weights returns a new value
/// ([`Design::with_weights`]). The calibration of the weights, which the linearization
/// needs, is recorded by the variance engine (`variance::Linearization`), not here.
#[derive(Debug, Clone)]
pub struct Design {
    n: usize,
    weights: Vec<f64>,
    stages: Vec<Stage>,
    lonely_psu: LonelyPsu,
    pps: PpsVariance,
    /// Inclusion probabilities (Poisson variance only).
    pi: Option<Vec<f64>>,
}

fn err(msg: String) -> Error {
    Error::method("design", msg)
}

/// Rows where a categorical column is missing.
fn check_categorical(c: &Categorical, n: usize, role: &str) -> Result<()> {
    if c.codes.len() != n {
        return Err(err(format!(
            "{role} column `{}` has {} rows but the weights have {n}",
            c.name,
            c.codes.len()
        )));
    }
    let bad: Vec<usize> = c
        .codes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v == Factor::MISSING || **v as usize >= c.levels.len())
        .map(|(k, _)| k)
        .collect();
    if !bad.is_empty() {
        return Err(err(format!(
            "{role} column `{}` is missing in {} row(s): {}; design columns must be complete: \
             fill them in or drop these rows before estimation",
            c.name,
            bad.len(),
            row_list(&bad)
        )));
    }
    Ok(())
}

fn check_numeric(c: &Numeric, n: usize, role: &str) -> Result<()> {
    if c.values.len() != n {
        return Err(err(format!(
            "{role} column `{}` has {} rows, expected {n}",
            c.name,
            c.values.len()
        )));
    }
    let bad: Vec<usize> =
        c.values.iter().enumerate().filter(|(_, v)| !v.is_finite()).map(|(k, _)| k).collect();
    if !bad.is_empty() {
        return Err(err(format!(
            "{role} column `{}` is missing (or not finite) in {} row(s): {}; design columns \
             must be complete: fill them in or drop these rows",
            c.name,
            bad.len(),
            row_list(&bad)
        )));
    }
    Ok(())
}

/// Dense numbering of keys in order of first appearance.
fn number_keys<K: std::hash::Hash + Eq + Copy>(
    keys: impl Iterator<Item = K>,
) -> (Vec<u32>, Vec<K>) {
    let mut map: HashMap<K, u32> = HashMap::new();
    let mut firsts = Vec::new();
    let ids = keys
        .map(|k| {
            *map.entry(k).or_insert_with(|| {
                firsts.push(k);
                (firsts.len() - 1) as u32
            })
        })
        .collect();
    (ids, firsts)
}

impl Design {
    /// Validates a design declaration.
    ///
    /// # Errors
    /// A missing design value (names the column and rows); columns of different lengths;
    /// negative or non-finite weights, probabilities outside (0, 1]; PSUs found in several
    /// strata when `nest` is false (names the PSU and the strata); fpc mixing counts and
    /// fractions, varying within a stratum, or smaller than the sample size; Poisson variance
    /// without probabilities or with clusters; certainty flags varying within a PSU.
    pub fn new(spec: DesignSpec) -> Result<Design> {
        let n = match &spec.weights {
            WeightSource::Weights(c) | WeightSource::Probabilities(c) => c.values.len(),
            WeightSource::FromFpc => spec
                .fpc
                .first()
                .map(|c| c.values.len())
                .ok_or_else(|| err("no weights, probabilities or fpc given: declare `weight`, `probabilities` or `fpc`".into()))?,
        };
        if n == 0 {
            return Err(err("the sample has no row".into()));
        }
        if let Some(s) = &spec.strata {
            check_categorical(s, n, "strata")?;
        }
        for c in &spec.clusters {
            check_categorical(c, n, "cluster")?;
        }
        for f in &spec.fpc {
            check_numeric(f, n, "fpc")?;
        }
        if spec.fpc.len() > spec.clusters.len().max(1) {
            return Err(err(format!(
                "{} fpc columns for {} stage(s): give at most one fpc per stage",
                spec.fpc.len(),
                spec.clusters.len().max(1)
            )));
        }
        let certainty = match &spec.certainty {
            Some(c) if c.len() != n => {
                return Err(err(format!("certainty column has {} rows, expected {n}", c.len())));
            }
            other => other.clone(),
        };
        let stages = build_stages(&spec, n, certainty.as_deref())?;
        let (weights, pi) = build_weights(&spec, &stages, n)?;
        if spec.pps_variance == PpsVariance::Poisson {
            if pi.is_none() {
                return Err(err("pps_variance: poisson needs inclusion probabilities (`probabilities:` or weights > 0) ".into()));
            }
            if stages.len() > 1 || stages[0].n_units != n {
                return Err(err("pps_variance: poisson is for element sampling: remove `clusters` or use with_replacement".into()));
            }
        }
        Ok(Design { n, weights, stages, lonely_psu: spec.lonely_psu, pps: spec.pps_variance, pi })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n
    }

    /// Analysis weights (after any calibration step).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Lonely-PSU policy.
    pub fn lonely_psu(&self) -> LonelyPsu {
        self.lonely_psu
    }

    /// Number of sampling stages.
    pub fn n_stages(&self) -> usize {
        self.stages.len()
    }

    /// Stage-1 PSU index of each row (dense, order of first appearance).
    pub fn psu_of_rows(&self) -> &[u32] {
        &self.stages[0].unit_of_row
    }

    /// Stage-1 stratum index of each PSU.
    pub fn stratum_of_psus(&self) -> &[u32] {
        &self.stages[0].stratum_of_unit
    }

    /// Number of stage-1 PSUs.
    pub fn n_psus(&self) -> usize {
        self.stages[0].n_units
    }

    /// Number of stage-1 strata (certainty PSUs count as their own stratum).
    pub fn n_strata(&self) -> usize {
        self.stages[0].n_strata()
    }

    /// Stage-1 stratum labels.
    pub fn stratum_labels(&self) -> &[String] {
        &self.stages[0].stratum_labels
    }

    /// Stage-1 sampling fraction n_h/N_h of each stratum (`None` without fpc).
    pub fn stage1_fractions(&self) -> Option<&[f64]> {
        self.stages[0].stratum_fraction.as_deref()
    }

    /// πps variance rule.
    pub fn pps_variance(&self) -> PpsVariance {
        self.pps
    }

    /// Inclusion probabilities, when known (from probabilities, positive weights or fpc).
    pub fn inclusion_probabilities(&self) -> Option<&[f64]> {
        self.pi.as_deref()
    }

    /// The validated stages, stage 1 first (for the variance engine).
    pub(crate) fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// Design degrees of freedom: #PSU − #strata among rows with non-zero weight
    /// (R `survey`'s `degf`).
    pub fn degrees_of_freedom(&self) -> f64 {
        self.degrees_of_freedom_where(|k| self.weights[k] != 0.0)
    }

    /// Degrees of freedom of the sub-design made of rows where `keep(k)` holds
    /// (#PSU − #strata among them): the domain df of R `svyby` + `svyciprop`.
    pub fn degrees_of_freedom_where(&self, keep: impl Fn(usize) -> bool) -> f64 {
        let st = &self.stages[0];
        let mut psu_seen = vec![false; st.n_units];
        let mut str_seen = vec![false; st.n_strata()];
        let (mut np, mut ns) = (0usize, 0usize);
        for k in 0..self.n {
            if !keep(k) {
                continue;
            }
            let u = st.unit_of_row[k] as usize;
            if !psu_seen[u] {
                psu_seen[u] = true;
                np += 1;
                let h = st.stratum_of_unit[u] as usize;
                if !str_seen[h] {
                    str_seen[h] = true;
                    ns += 1;
                }
            }
        }
        np as f64 - ns as f64
    }

    /// The same design with other analysis weights (e.g. nonresponse-adjusted or calibrated).
    ///
    /// # Errors
    /// Wrong length, negative or non-finite weights.
    pub fn with_weights(&self, weights: Vec<f64>) -> Result<Design> {
        check_weights(&weights, self.n, "weights")?;
        let mut d = self.clone();
        d.weights = weights;
        Ok(d)
    }
}

/// One weight per row, each finite and ≥ 0 ([`crate::data::check_weights`]); `what` names
/// the column in the message.
pub(crate) fn check_weights(w: &[f64], n: usize, what: &str) -> Result<()> {
    if w.len() != n {
        return Err(err(format!("{what}: {} values for {n} rows", w.len())));
    }
    match crate::data::check_weights(w) {
        Some(bad) => Err(err(bad.describe(what))),
        None => Ok(()),
    }
}

fn build_weights(
    spec: &DesignSpec,
    stages: &[Stage],
    n: usize,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    match &spec.weights {
        WeightSource::Weights(c) => {
            check_weights(&c.values, n, &format!("weight column `{}`", c.name))?;
            let pi = c
                .values
                .iter()
                .map(|&w| if w > 0.0 { 1.0 / w } else { f64::NAN })
                .collect::<Vec<_>>();
            let pi = if pi.iter().all(|p| p.is_finite()) { Some(pi) } else { None };
            Ok((c.values.clone(), pi))
        }
        WeightSource::Probabilities(c) => {
            check_numeric(c, n, "probabilities")?;
            let bad: Vec<usize> = c
                .values
                .iter()
                .enumerate()
                .filter(|(_, p)| !(**p > 0.0 && **p <= 1.0))
                .map(|(k, _)| k)
                .collect();
            if !bad.is_empty() {
                return Err(err(format!(
                    "probability column `{}` has {} value(s) outside (0, 1], rows {}",
                    c.name,
                    bad.len(),
                    row_list(&bad)
                )));
            }
            Ok((c.values.iter().map(|p| 1.0 / p).collect(), Some(c.values.clone())))
        }
        WeightSource::FromFpc => {
            if spec.fpc.len() < stages.len() {
                return Err(err(format!(
                    "no weight column and fpc given for {} of {} stages: weights cannot be derived; \
                     declare `weight` or one fpc per stage",
                    spec.fpc.len(),
                    stages.len()
                )));
            }
            let mut w = vec![1.0; n];
            for st in stages {
                let fr = st
                    .stratum_fraction
                    .as_ref()
                    .ok_or_else(|| Error::Internal("fpc stage without fractions".into()))?;
                for (k, wk) in w.iter_mut().enumerate() {
                    let h = st.stratum_of_unit[st.unit_of_row[k] as usize] as usize;
                    *wk /= fr[h];
                }
            }
            let pi = w.iter().map(|w| 1.0 / w).collect();
            Ok((w, Some(pi)))
        }
    }
}

/// Dense unit numbers of the rows' (parent, id) keys and the first row of each unit.
fn number_units(keys: impl Iterator<Item = (u32, u32)>) -> (Vec<u32>, Vec<usize>) {
    let (unit_of_row, firsts) = number_keys(keys);
    let mut first_row = vec![NO_ROW; firsts.len()];
    for (k, &u) in unit_of_row.iter().enumerate() {
        if first_row[u as usize] == NO_ROW {
            first_row[u as usize] = k;
        }
    }
    (unit_of_row, first_row)
}

/// A unit whose first row is not known yet.
const NO_ROW: usize = usize::MAX;

/// Builds the nested stages: stage-1 units (PSUs, nested in strata when `nest`), later-stage
/// units nested in their parent, strata, n_h and fpc fractions.
fn build_stages(spec: &DesignSpec, n: usize, certainty: Option<&[bool]>) -> Result<Vec<Stage>> {
    let strata_codes: Vec<u32> =
        spec.strata.as_ref().map_or_else(|| vec![0; n], |s| s.codes.clone());
    let strata_labels: Vec<String> =
        spec.strata.as_ref().map_or_else(|| vec!["(all)".to_string()], |s| s.levels.clone());
    let n_stages = spec.clusters.len().max(1);
    let mut stages: Vec<Stage> = Vec::with_capacity(n_stages);
    for s in 0..n_stages {
        let ids: Vec<u32> = match spec.clusters.get(s) {
            Some(c) => c.codes.clone(),
            None => (0..n as u32).collect(),
        };
        let label_of = |k: usize| -> String {
            match spec.clusters.get(s) {
                Some(c) => c.label(k).unwrap_or("?").to_string(),
                None => format!("row {}", k + 1),
            }
        };
        let (unit_of_row, first_row) = if s == 0 {
            // unit key: (stratum if nested, id)
            number_units((0..n).map(|k| (if spec.nest { strata_codes[k] } else { 0 }, ids[k])))
        } else {
            let prev = &stages[s - 1].unit_of_row;
            number_units((0..n).map(|k| (prev[k], ids[k])))
        };
        let n_units = first_row.len();
        let unit_labels: Vec<String> = first_row.iter().map(|&k| label_of(k)).collect();
        let (stratum_of_unit, parent_of_unit, stratum_labels) = if s == 0 {
            stage1_strata(
                &unit_of_row,
                n_units,
                &strata_codes,
                &strata_labels,
                &unit_labels,
                spec,
                certainty,
            )?
        } else {
            let prev = &stages[s - 1];
            let parent: Vec<u32> = first_row.iter().map(|&k| prev.unit_of_row[k]).collect();
            let labels =
                prev.unit_labels.iter().map(|l| format!("unit {l} of stage {s}")).collect();
            (parent.clone(), parent, labels)
        };
        let n_strata = stratum_labels.len();
        let mut stratum_n = vec![0u32; n_strata];
        for &h in &stratum_of_unit {
            stratum_n[h as usize] += 1;
        }
        let stratum_fraction = match spec.fpc.get(s) {
            Some(f) => Some(stage_fractions(
                f,
                s,
                &unit_of_row,
                &stratum_of_unit,
                &stratum_n,
                &stratum_labels,
            )?),
            None => None,
        };
        stages.push(Stage {
            unit_of_row,
            n_units,
            stratum_of_unit,
            parent_of_unit,
            stratum_n,
            stratum_fraction,
            stratum_labels,
            unit_labels,
        });
    }
    // certainty pseudo-strata are self-representing: fraction 1 at stage 1
    if let Some(cert) = certainty {
        mark_certainty(&mut stages[0], cert);
    }
    Ok(stages)
}

/// A unit whose stratum is not known yet.
const UNASSIGNED: u32 = u32::MAX;

type StrataParts = (Vec<u32>, Vec<u32>, Vec<String>);

/// Stratum of each stage-1 unit; checks PSUs nested in strata; moves certainty PSUs into
/// pseudo-strata of their own.
fn stage1_strata(
    unit_of_row: &[u32],
    n_units: usize,
    strata_codes: &[u32],
    strata_labels: &[String],
    unit_labels: &[String],
    spec: &DesignSpec,
    certainty: Option<&[bool]>,
) -> Result<StrataParts> {
    let mut stratum_of_unit = vec![UNASSIGNED; n_units];
    let mut cert_of_unit: Vec<Option<bool>> = vec![None; n_units];
    for (k, &u) in unit_of_row.iter().enumerate() {
        let u = u as usize;
        let h = strata_codes[k];
        if stratum_of_unit[u] == UNASSIGNED {
            stratum_of_unit[u] = h;
        } else if stratum_of_unit[u] != h {
            let (a, b) = (&strata_labels[stratum_of_unit[u] as usize], &strata_labels[h as usize]);
            let cname = spec.clusters.first().map_or("(rows)", |c| c.name.as_str());
            let sname = spec.strata.as_ref().map_or("(none)", |c| c.name.as_str());
            return Err(err(format!(
                "PSU `{}` of column `{cname}` appears in strata `{a}` and `{b}` of `{sname}`: PSUs \
                 are not nested in strata. If PSU ids are reused across strata, set `nest: true`; \
                 otherwise fix the ids",
                unit_labels[u]
            )));
        }
        if let Some(c) = certainty {
            match cert_of_unit[u] {
                None => cert_of_unit[u] = Some(c[k]),
                Some(prev) if prev != c[k] => {
                    return Err(err(format!(
                        "certainty flag varies within PSU `{}` (row {}): a PSU is either a \
                         certainty unit or not",
                        unit_labels[u],
                        k + 1
                    )));
                }
                _ => {}
            }
        }
    }
    let mut labels = strata_labels.to_vec();
    if certainty.is_some() {
        for u in 0..n_units {
            if cert_of_unit[u] == Some(true) {
                labels.push(format!("certainty PSU {}", unit_labels[u]));
                stratum_of_unit[u] = (labels.len() - 1) as u32;
            }
        }
    }
    // drop strata without any unit (labels of a categorical column not present)
    let (dense, used) = number_keys(stratum_of_unit.iter().copied());
    let labels = used.iter().map(|&h| labels[h as usize].clone()).collect();
    Ok((dense.clone(), dense, labels))
}

fn mark_certainty(stage: &mut Stage, _cert: &[bool]) {
    let fr = stage.stratum_fraction.get_or_insert_with(|| vec![0.0; stage.stratum_n.len()]);
    for (h, label) in stage.stratum_labels.iter().enumerate() {
        if label.starts_with("certainty PSU ") {
            fr[h] = 1.0;
        }
    }
    // Without a user fpc, other strata keep f = 0 (with replacement), which is what a zero
    // fraction means; record that the stage has no user fpc by leaving fractions at 0.
}

/// Sampling fractions n_h/N_h of one stage from its fpc column (counts > 1 or fractions ≤ 1,
/// R's `as.fpc` rule), constant within each stratum.
fn stage_fractions(
    f: &Numeric,
    stage: usize,
    unit_of_row: &[u32],
    stratum_of_unit: &[u32],
    stratum_n: &[u32],
    stratum_labels: &[String],
) -> Result<Vec<f64>> {
    let any_count = f.values.iter().any(|&v| v > 1.0);
    let all_ge1 = f.values.iter().all(|&v| v >= 1.0);
    if any_count != all_ge1 {
        return Err(err(format!(
            "fpc column `{}` mixes population counts (> 1) and sampling fractions (< 1): use one \
             kind per column",
            f.name
        )));
    }
    if f.values.iter().any(|&v| v <= 0.0) {
        return Err(err(format!("fpc column `{}` has values ≤ 0", f.name)));
    }
    let mut value = vec![f64::NAN; stratum_n.len()];
    for (k, &u) in unit_of_row.iter().enumerate() {
        let h = stratum_of_unit[u as usize] as usize;
        let v = f.values[k];
        if value[h].is_nan() {
            value[h] = v;
        } else if value[h] != v {
            return Err(err(format!(
                "fpc column `{}` varies within stratum `{}` at stage {} ({} and {}, row {}): the \
                 fpc must be constant within a stratum",
                f.name,
                stratum_labels[h],
                stage + 1,
                value[h],
                v,
                k + 1
            )));
        }
    }
    let mut out = Vec::with_capacity(value.len());
    for (h, &v) in value.iter().enumerate() {
        let nh = stratum_n[h] as f64;
        let fr = if any_count { nh / v } else { v };
        if fr > 1.0 + crate::tolerance::FRACTION_EXCESS {
            return Err(err(format!(
                "fpc column `{}`: stratum `{}` at stage {} has {} sampled units but a population \
                 of {}: the fpc implies more than 100 % sampling",
                f.name,
                stratum_labels[h],
                stage + 1,
                nh,
                v
            )));
        }
        out.push(fr.min(1.0));
    }
    Ok(out)
}
