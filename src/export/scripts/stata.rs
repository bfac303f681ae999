//! `load.do`: Stata `svyset` with the replicate weights, then `svy: total|mean|proportion`.
//!
//! Stata's bootstrap variance (`bsrweight`, `vce(bootstrap)`) is (bsn/R) Σ_r (θ_r − c)²
//! with a whole `bsn`, so it cannot carry ponder's 1/(R − 1); Stata's jackknife variance
//! with replicate weights of one stratum is Σ_r m_r (θ_r − c)², c the mean of the
//! replicate estimates (or θ̂ with `mse`), m_r the `multiplier()` of each column: with
//! m_r = scale · rscale_r it is ponder's variance exactly. The script sets that, and shows
//! the `bsrweight` form (SEs √((R − 1)/R) of ponder's for a bootstrap) as a comment.
//! Written from the Stata manuals; untested (no Stata licence here).

use super::super::columns::Built;
use super::super::{Plan, Stat};
use super::{constant, contiguous, data_file, formula, num, numbered, quoted};

/// The Stata do-file of the package.
pub(super) fn script(plan: &Plan, built: &Built) -> String {
    let c = &plan.convention;
    let r = plan.replicates.len();
    let mut s = format!("* {} — researcher file, Stata (svy).\n", plan.title);
    s.push_str("* Run from this folder: do load.do\n");
    s.push_str(
        "* Written from the Stata manuals, untested (no Stata licence where ponder is built).\n*\n",
    );
    for l in formula(plan) {
        s.push_str(&format!("* {l}\n"));
    }
    s.push_str(&import(plan, built));
    let reps = varlist(plan, built);
    let multipliers = match constant(&c.rscales) {
        Some(x) => num(c.scale * x),
        None => c.rscales.iter().map(|x| num(c.scale * x)).collect::<Vec<_>>().join(" "),
    };
    let mse = if c.mse { " mse" } else { "" };
    s.push_str(
        "\n* ponder's variance exactly: the replicate weights as one jackknife group whose\n",
    );
    s.push_str("* multiplier is ponder's scale (x rscale).\n");
    s.push_str(&format!(
        "svyset [pweight = {}], jkrweight({reps}, multiplier({multipliers})) vce(jackknife) dof({}){mse}\n",
        plan.weight,
        num(c.df)
    ));
    if c.kind == "bootstrap" {
        s.push_str(&format!(
            "* Bootstrap form (Stata: (bsn/R) x sum of squares, bsn whole): standard errors\n\
             * sqrt(({r} - 1)/{r}) times ponder's:\n\
             * svyset [pweight = {}], bsrweight({reps}) vce(bootstrap) dof({}){mse}\n",
            plan.weight,
            num(c.df)
        ));
    }
    s.push('\n');
    for e in &plan.estimates {
        let var = stata_var(&e.variable, built);
        let cmd = match e.stat {
            Stat::Total => "total",
            Stat::Mean => "mean",
            Stat::Proportion => "proportion",
        };
        let over = if e.by.is_empty() {
            String::new()
        } else {
            let by: Vec<String> = e.by.iter().map(|b| stata_var(b, built)).collect();
            format!(", over({})", by.join(" "))
        };
        let note = e.category.as_deref().map(|c| format!(" (category {c})")).unwrap_or_default();
        s.push_str(&format!("* {}{note}\nsvy: {cmd} {var}{over}\n", e.name));
    }
    s
}

/// `first-last` for contiguous numbered columns, else the names.
fn varlist(plan: &Plan, built: &Built) -> String {
    match (numbered(&plan.replicates), contiguous(plan, built)) {
        (Some((p, r)), true) => format!("{p}1-{p}{r}"),
        _ => plan.replicates.join(" "),
    }
}

/// Text columns used by the estimates are encoded to numeric `<name>_c` (labels kept).
fn stata_var(name: &str, built: &Built) -> String {
    if super::text_columns(built).contains(&name) { format!("{name}_c") } else { name.to_string() }
}

fn import(plan: &Plan, built: &Built) -> String {
    let file = data_file(plan);
    let mut s = String::new();
    if file.ends_with(".parquet") {
        s.push_str(
            "* Stata reads the CSV form: export with `formats: [csv]` to use this script.\n",
        );
    }
    let text: Vec<String> = built
        .columns
        .iter()
        .enumerate()
        .filter(|(_, (_, k))| *k == super::Kind::Text)
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    let strings =
        if text.is_empty() { String::new() } else { format!(" stringcols({})", text.join(" ")) };
    s.push_str(&format!(
        "import delimited using \"data.csv\", clear varnames(1) case(preserve) encoding(\"utf-8\"){strings}\n"
    ));
    for (v, codes) in &plan.missing_codes {
        let text = super::text_columns(built).contains(&v.as_str());
        let list: Vec<String> = codes
            .iter()
            .filter(|c| text || c.parse::<f64>().is_ok())
            .map(|c| if text { quoted(c) } else { c.clone() })
            .collect();
        if !list.is_empty() {
            let empty = if text { "\"\"" } else { "." };
            s.push_str(&format!("replace {v} = {empty} if inlist({v}, {})\n", list.join(", ")));
        }
    }
    let mut used: Vec<&str> = Vec::new();
    for e in &plan.estimates {
        for v in std::iter::once(&e.variable).chain(&e.by) {
            if super::text_columns(built).contains(&v.as_str()) && !used.contains(&v.as_str()) {
                used.push(v);
            }
        }
    }
    for v in used {
        s.push_str(&format!("encode {v}, generate({v}_c)\n"));
    }
    s
}
