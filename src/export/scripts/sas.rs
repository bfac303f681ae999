//! `load.sas`: a DATA step reading the CSV (text columns as character, their lengths from
//! the data), then `PROC SURVEYMEANS` with `WEIGHT`, `REPWEIGHTS` and the replicate method
//! whose documented formula is ponder's variance:
//!
//! - centred at the replicates' mean (`mse: false`) with equal factors:
//!   `VARMETHOD=BOOTSTRAP`, v = 1/(R − 1) Σ_r (θ_r − θ̄)² (SAS/STAT, SURVEYMEANS, Bootstrap
//!   Method); when ponder's scale × rscale is not 1/(R − 1), the script multiplies the
//!   standard errors by √(scale · rscale · (R − 1));
//! - centred at the full-sample estimate (`mse: true`): `VARMETHOD=JACKKNIFE` with
//!   `JKCOEFS=` scale · rscale_r, v = Σ_r α_r (θ_r − θ̂)² (Jackknife Method);
//! - centred at the mean with unequal factors: SAS has no such method; the script uses the
//!   jackknife form and says the SEs differ.
//!
//! Written from the SAS/STAT documentation; untested (no SAS licence here).

use super::super::columns::{Built, Kind};
use super::super::{Plan, Stat};
use super::{constant, formula, num, numbered};

/// The SAS program of the package.
pub(super) fn script(plan: &Plan, built: &Built) -> String {
    let mut s = format!("/* {} — researcher file, SAS (PROC SURVEYMEANS).\n", plan.title);
    s.push_str(
        "   Run from this folder. Written from the SAS/STAT documentation, untested (no SAS\n",
    );
    s.push_str("   licence where ponder is built).\n\n");
    for l in formula(plan) {
        s.push_str(&format!("   {l}\n"));
    }
    s.push_str("*/\n\n");
    s.push_str(&data_step(plan, built));
    let (method, options, factor) = method(plan);
    s.push_str(&format!("/* {method} */\n"));
    let reps = match numbered(&plan.replicates) {
        Some((p, r)) => format!("{p}1-{p}{r}"),
        None => plan.replicates.join(" "),
    };
    for (i, e) in plan.estimates.iter().enumerate() {
        let stat = if e.stat == Stat::Total { "sum" } else { "mean" };
        let note = e.category.as_deref().map(|c| format!(" (category {c})")).unwrap_or_default();
        s.push_str(&format!("\n/* {}{note} */\n", e.name));
        s.push_str(&format!("proc surveymeans data=survey {options} {stat} stderr;\n"));
        s.push_str(&format!("  weight {};\n", plan.weight));
        s.push_str(&format!("  repweights {reps} / df={};\n", num(plan.convention.df)));
        if e.stat == Stat::Proportion {
            s.push_str(&format!("  class {};\n", e.variable));
        }
        s.push_str(&format!("  var {};\n", e.variable));
        if !e.by.is_empty() {
            s.push_str(&format!("  domain {};\n", e.by.join("*")));
        }
        let table = if e.by.is_empty() { "Statistics" } else { "Domain" };
        s.push_str(&format!("  ods output {table}=est{};\nrun;\n", i + 1));
        if let Some(f) = factor {
            s.push_str(&format!("/* ponder's standard errors: SAS's times {} */\n", num(f)));
        }
    }
    s
}

/// (comment, PROC options, SE factor) of the replicate method.
fn method(plan: &Plan) -> (String, String, Option<f64>) {
    let c = &plan.convention;
    let r = plan.replicates.len() as f64;
    let coefs = || match constant(&c.rscales) {
        Some(x) => num(c.scale * x),
        None => format!(
            "({})",
            c.rscales.iter().map(|x| num(c.scale * x)).collect::<Vec<_>>().join(" ")
        ),
    };
    match (c.mse, constant(&c.rscales)) {
        (false, Some(x)) => {
            let f = (c.scale * x * (r - 1.0)).sqrt();
            let factor = ((f - 1.0).abs() > 1e-15).then_some(f);
            (
                "bootstrap: 1/(R-1) x sum of squares around the replicates' mean".into(),
                "varmethod=bootstrap".into(),
                factor,
            )
        }
        (true, _) => (
            "jackknife coefficients = ponder's scale x rscale, around the full-sample estimate"
                .into(),
            format!("varmethod=jackknife(jkcoefs={})", coefs()),
            None,
        ),
        (false, None) => (
            "no SAS method centres at the replicates' mean with unequal factors: jackknife \
             form (around the full-sample estimate), standard errors differ slightly from ponder's"
                .into(),
            format!("varmethod=jackknife(jkcoefs={})", coefs()),
            None,
        ),
    }
}

fn data_step(plan: &Plan, built: &Built) -> String {
    let mut s = String::from(
        "data survey;\n  infile \"data.csv\" dsd firstobs=2 truncover lrecl=10000000;\n",
    );
    let lengths: Vec<String> = built
        .columns
        .iter()
        .filter(|(_, k)| *k == Kind::Text)
        .map(|(n, _)| format!("{n} ${}", text_length(plan, built, n)))
        .collect();
    if !lengths.is_empty() {
        s.push_str(&format!("  length {};\n", lengths.join(" ")));
    }
    let input: Vec<String> = built
        .columns
        .iter()
        .map(|(n, k)| if *k == Kind::Text { format!("{n} $") } else { n.clone() })
        .collect();
    s.push_str(&format!("  input {};\n", input.join(" ")));
    for (v, codes) in &plan.missing_codes {
        let text = built.columns.iter().any(|(n, k)| n == v && *k == Kind::Text);
        let list: Vec<String> = codes
            .iter()
            .filter(|c| text || c.parse::<f64>().is_ok())
            .map(|c| if text { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
            .collect();
        if !list.is_empty() {
            s.push_str(&format!("  if {v} in ({}) then call missing({v});\n", list.join(" ")));
        }
    }
    s.push_str("run;\n\n");
    s
}

/// Longest value of a text column, in bytes (at least 1).
fn text_length(plan: &Plan, built: &Built, name: &str) -> usize {
    let is_key = plan.id.as_ref().is_some_and(|(_, k)| k == name);
    if is_key {
        return 16;
    }
    built
        .table
        .factor(name)
        .map_or(1, |f| f.levels.iter().map(String::len).max().unwrap_or(1).max(1))
}
