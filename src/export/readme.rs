//! The package's `README.md`: files, rows, variables, weights and the variance conventions
//! (scale, centring, degrees of freedom) in each language. It names only what the package
//! holds: never a dropped column nor the identifier.

use super::columns::Built;
use super::scripts::{constant, num};
use super::{Grouping, Plan};

/// The README text.
pub(super) fn render(plan: &Plan, built: &Built, has_codebook: bool) -> String {
    let mut s = format!("{}\n# {} — researcher file\n\n", super::package::MARKER, plan.title);
    s.push_str(
        "Written by `ponder export`. The weighted survey file for research use, with the \
         replicate weights that carry the whole weighting chain (nonresponse correction and \
         calibration redone on every replicate), and scripts that reproduce the published \
         estimates.\n\n",
    );
    s.push_str(&files(plan, has_codebook));
    s.push_str(&rows(plan, built));
    s.push_str(&variables(plan, built));
    s.push_str(&variance(plan));
    s.push_str(&estimates(plan));
    s
}

fn files(plan: &Plan, has_codebook: bool) -> String {
    let mut s = String::from("## Files\n\n| file | content |\n|---|---|\n");
    for f in &plan.formats {
        s.push_str(&format!("| `data.{f}` | the data, one row per sampled person |\n"));
    }
    if has_codebook {
        s.push_str("| `codebook.yaml` | labels of variables and values (French and English) |\n");
    }
    s.push_str(
        "| `load.R` | R (package `survey`): the replicate design and the estimates — `Rscript load.R [out.csv]` |\n\
         | `load.do` | Stata: `svyset` and the estimates (untested: no Stata licence where ponder is built) |\n\
         | `load.sas` | SAS: `PROC SURVEYMEANS` with `REPWEIGHTS` (untested: no SAS licence where ponder is built) |\n\
         | `load.py` | Python (numpy): the same formulas written out — `python3 load.py [out.csv]` |\n\n",
    );
    if plan.formats.iter().any(|f| f == "csv") {
        s.push_str("Run the scripts from this folder; they read `data.csv`.\n\n");
    } else {
        s.push_str(
            "Run the scripts from this folder. Without `data.csv`, R reads `data.parquet` \
             with the package arrow and Python with pyarrow; the Stata and SAS scripts need \
             the CSV form (export with `formats: [csv]`).\n\n",
        );
    }
    s
}

fn rows(plan: &Plan, built: &Built) -> String {
    let mut s = format!("## Rows\n\n{} rows. ", built.table.n_rows());
    if let Some((_, key)) = &plan.id {
        s.push_str(&format!(
            "`{key}` is a random key (64 random bits, drawn for this file: it is derived from \
             no identifier and changes with the export's seed); rows are sorted by it. "
        ));
    }
    s.push_str(
        "Rows with weight 0 (non-respondents, out of scope) are kept: they take part in no \
         estimate, but the replicate weights are defined on every row.\n\n",
    );
    s
}

fn variables(plan: &Plan, built: &Built) -> String {
    let mut s = String::from("## Variables\n\n| variable | type | note |\n|---|---|---|\n");
    let mut reps_done = false;
    for (name, kind) in &built.columns {
        if plan.replicates.contains(name) {
            if !reps_done {
                let r = plan.replicates.len();
                s.push_str(&format!(
                    "| `{}` … `{}` | number | {r} replicate weights (full analysis weights) |\n",
                    plan.replicates[0],
                    plan.replicates[r - 1]
                ));
                reps_done = true;
            }
            continue;
        }
        let note = if *name == plan.weight {
            "final weight".to_string()
        } else if plan.id.as_ref().is_some_and(|(_, k)| k == name) {
            "random key of the person".to_string()
        } else if let Some(c) = plan.coarsen.iter().find(|c| c.into == *name) {
            coarsen_note(&c.variable, &c.grouping)
        } else {
            String::new()
        };
        s.push_str(&format!("| `{name}` | {} | {note} |\n", kind.name()));
    }
    s.push('\n');
    s
}

fn coarsen_note(variable: &str, g: &Grouping) -> String {
    match g {
        Grouping::Breaks { breaks, labels } => format!(
            "groups of `{variable}` cut at {}: {}",
            breaks.iter().map(|b| num(*b)).collect::<Vec<_>>().join(", "),
            labels.join(", ")
        ),
        Grouping::Map(m) => {
            let mut groups: Vec<&str> = m.iter().map(|(_, g)| g.as_str()).collect();
            groups.sort_unstable();
            groups.dedup();
            format!("`{variable}` grouped into {} groups by a code table", groups.len())
        }
    }
}

fn variance(plan: &Plan) -> String {
    let c = &plan.convention;
    let r = plan.replicates.len();
    let rscales = match constant(&c.rscales) {
        Some(x) => format!("all {}", num(x)),
        None => "per replicate (see `load.R`)".to_string(),
    };
    let centre = if c.mse {
        "the full-sample estimate θ̂ (`mse = TRUE`)"
    } else {
        "the mean of the replicate estimates (`mse = FALSE`, R `survey`'s default)"
    };
    format!(
        "## Weights and variance\n\n\
         Estimates use the final weight `{w}`. Their variance uses the {r} replicate weight \
         columns (type `{kind}`), each a full analysis weight:\n\n\
         v(θ̂) = scale · Σ_r rscale_r (θ_r − c)², θ_r the estimate computed with replicate \
         column r\n\n\
         - scale: {scale}{boot}\n\
         - rscales: {rscales}\n\
         - centring c: {centre}\n\
         - degrees of freedom: {df} (R − 1; R `survey` uses the rank of the replicate weights \
         minus 1, the same unless replicates are linearly dependent); ponder's intervals are \
         normal unless an estimate asks for `df: design`\n\
         - domains: estimates by domain use the replicate weights of the domain's rows, \
         which is exact for replicate designs (no design variable is needed)\n\
         - a replicate whose estimate is undefined (an empty domain) is left out, as R's \
         `svrVar` does\n\n\
         In each language:\n\n\
         - R: `svrepdesign(weights = ~{w}, repweights = …, type = \"{rtype}\", scale = {scale}, \
         rscales = …, mse = {mse}, combined.weights = TRUE)` — the same variance.\n\
         - Python: the formula above, written out with numpy — the same variance.\n\
         - Stata: `svyset [pweight = {w}], jkrweight(…, multiplier({mult})) vce(jackknife)` — \
         Stata's jackknife variance with these replicate weights taken together (one group) is Σ_r m_r (θ_r − c)² \
         with c as above, the same variance. Stata's bootstrap form (`bsrweight`, \
         `vce(bootstrap)`) divides by R instead of R − 1: its standard errors are \
         √((R − 1)/R) times these.\n\
         - SAS: `PROC SURVEYMEANS` with `REPWEIGHTS` and {sas}.\n\n",
        w = plan.weight,
        kind = c.kind,
        scale = num(c.scale),
        boot = if c.kind == "bootstrap" {
            format!(" = 1/(R − 1) = 1/{}", r - 1)
        } else {
            String::new()
        },
        df = num(c.df),
        rtype = if matches!(c.kind.as_str(), "bootstrap" | "JK1" | "JKn") {
            c.kind.as_str()
        } else {
            "other"
        },
        mse = if c.mse { "TRUE" } else { "FALSE" },
        mult = constant(&c.rscales)
            .map_or_else(|| "scale × rscale_r".to_string(), |x| num(c.scale * x)),
        sas = if !c.mse && constant(&c.rscales).is_some() {
            "`VARMETHOD=BOOTSTRAP`, whose variance is 1/(R − 1) Σ_r (θ_r − θ̄)² (the script rescales the standard errors when the scale differs)"
        } else {
            "`VARMETHOD=JACKKNIFE` with `JKCOEFS=` scale × rscale_r, whose variance is Σ_r α_r (θ_r − θ̂)²"
        },
    )
}

fn estimates(plan: &Plan) -> String {
    let mut s = String::from("## Estimates reproduced\n\n");
    if plan.estimates.is_empty() {
        s.push_str("None (the export names no estimates).\n");
    }
    for e in &plan.estimates {
        let cat = e.category.as_deref().map(|c| format!(" = {c}")).unwrap_or_default();
        let by = if e.by.is_empty() { String::new() } else { format!(" by {}", e.by.join(" × ")) };
        s.push_str(&format!("- `{}`: {} of `{}`{cat}{by}\n", e.name, e.stat.name(), e.variable));
    }
    if !plan.missing_codes.is_empty() {
        s.push_str(
            "\nMissing-answer codes (not asked, item nonresponse, break-off) stay in the data \
             file; the scripts read them as missing values, so those rows leave the domain \
             (ponder's `item_nonresponse: exclude`):\n\n",
        );
        for (v, codes) in &plan.missing_codes {
            s.push_str(&format!("- `{v}`: {}\n", codes.join(", ")));
        }
    }
    if !plan.skipped.is_empty() {
        s.push_str("\nNot reproduced by the scripts:\n\n");
        for (name, why) in &plan.skipped {
            s.push_str(&format!("- `{name}`: {why}\n"));
        }
    }
    s
}
