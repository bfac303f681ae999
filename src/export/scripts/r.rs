//! `load.R`: R `survey::svrepdesign` with ponder's scale, rscales and centring
//! (`combined.weights = TRUE`: the replicate columns are full analysis weights), then each
//! estimate by `svytotal` / `svymean` (`svyby` for domains) on the rows where the variable
//! is present. `Rscript load.R out.csv` also writes the table.

use super::super::columns::Built;
use super::super::{Plan, ScriptEstimate};
use super::{constant, data_file, formula, num, numbered, quoted, text_columns};

const HELPER: &str = r#"
# One estimate of ponder's table: total, mean or proportion (of one category, or of every
# category), overall or by domains; rows where the variable is missing leave the domain
# (ponder's `missing: drop`). Replicate designs are subset exactly.
ponder_estimate <- function(name, stat, variable, category = NA, by = character(0)) {
  x <- des$variables[[variable]]
  cats <- NA
  if (stat == "proportion") {
    present <- !is.na(x) & weights(des, "sampling") > 0
    cats <- if (is.na(category)) sort(unique(as.character(x[present]))) else category
  }
  out <- list()
  for (cat in cats) {
    y <- if (stat == "proportion") as.numeric(as.character(x) == cat) else as.numeric(x)
    sub <- subset(update(des, .y = y), !is.na(.y))
    fun <- if (stat == "total") svytotal else svymean
    if (length(by) == 0) {
      r <- fun(~.y, sub)
      domain <- ""
    } else {
      r <- svyby(~.y, as.formula(paste("~", paste(by, collapse = " + "))), sub, fun)
      parts <- lapply(by, function(b) paste0(b, "=", as.character(r[[b]])))
      domain <- do.call(paste, c(parts, sep = ";"))
    }
    out[[length(out) + 1]] <- data.frame(
      name = name, stat = stat, variable = variable,
      category = if (is.na(cat)) "" else cat, domain = domain,
      estimate = unname(coef(r)), se = unname(SE(r)), stringsAsFactors = FALSE)
  }
  res <- do.call(rbind, out)
  res[is.finite(res$estimate), ]
}
"#;

/// The R script of the package.
pub(super) fn script(plan: &Plan, built: &Built) -> String {
    let mut s = String::new();
    s.push_str(&format!("# {} — researcher file, R (package survey).\n", plan.title));
    s.push_str("# Run from this folder: Rscript load.R [estimates.csv]\n#\n");
    for l in formula(plan) {
        s.push_str(&format!("# {l}\n"));
    }
    s.push_str("\nlibrary(survey)\n\n");
    s.push_str(&read(plan, built));
    s.push_str(&missing_codes(plan));
    s.push_str(&design(plan));
    s.push_str(HELPER);
    s.push_str(&calls(&plan.estimates));
    s.push_str(
        "\nprint(estimates, digits = 10, row.names = FALSE)\n\
         args <- commandArgs(trailingOnly = TRUE)\n\
         if (length(args) > 0) write.csv(estimates, args[1], row.names = FALSE)\n",
    );
    s
}

fn read(plan: &Plan, built: &Built) -> String {
    let file = data_file(plan);
    if file.ends_with(".parquet") {
        return "d <- as.data.frame(arrow::read_parquet(\"data.parquet\"))\n".to_string();
    }
    let text: Vec<String> =
        text_columns(built).iter().map(|c| format!("{} = \"character\"", quoted(c))).collect();
    let classes = if text.is_empty() {
        String::new()
    } else {
        format!(",\n              colClasses = c({})", text.join(", "))
    };
    format!("d <- read.csv(\"{file}\", na.strings = \"\", check.names = FALSE{classes})\n")
}

/// Declared missing-answer codes read as `NA` (the rows leave the domain).
fn missing_codes(plan: &Plan) -> String {
    let mut s = String::new();
    if !plan.missing_codes.is_empty() {
        s.push_str(
            "# Missing-answer codes (not asked, item nonresponse, break-off) are missing values.\n",
        );
    }
    for (v, codes) in &plan.missing_codes {
        let list: Vec<String> = codes.iter().map(|c| quoted(c)).collect();
        let v = quoted(v);
        s.push_str(&format!(
            "d[[{v}]][as.character(d[[{v}]]) %in% c({})] <- NA\n",
            list.join(", ")
        ));
    }
    s
}

fn design(plan: &Plan) -> String {
    let c = &plan.convention;
    let names = match numbered(&plan.replicates) {
        Some((prefix, r)) => format!("paste0({}, 1:{r})", quoted(&prefix)),
        None => format!(
            "c({})",
            plan.replicates.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", ")
        ),
    };
    let rscales = match constant(&c.rscales) {
        Some(x) => format!("rep({}, {})", num(x), c.rscales.len()),
        None => format!("c({})", c.rscales.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")),
    };
    // `bootstrap`, `JK1` and `JKn` keep the scale given; other types would replace it
    let r_type = match c.kind.as_str() {
        k @ ("bootstrap" | "JK1" | "JKn") => k.to_string(),
        _ => "other".to_string(),
    };
    format!(
        "replicates <- {names}\n\
         des <- svrepdesign(data = d, weights = ~{w}, repweights = d[, replicates],\n\
         \x20                  type = \"{r_type}\", scale = {scale}, rscales = {rscales},\n\
         \x20                  mse = {mse}, combined.weights = TRUE)\n",
        w = r_name(&plan.weight),
        scale = num(c.scale),
        mse = if c.mse { "TRUE" } else { "FALSE" },
    )
}

/// A column name in an R formula (backquoted unless syntactic).
fn r_name(n: &str) -> String {
    let plain = n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if plain { n.to_string() } else { format!("`{n}`") }
}

fn calls(estimates: &[ScriptEstimate]) -> String {
    let mut s = String::from("\nestimates <- rbind(\n");
    let lines: Vec<String> = estimates
        .iter()
        .map(|e| {
            let cat = e.category.as_deref().map_or_else(|| "NA".to_string(), quoted);
            let by = if e.by.is_empty() {
                "character(0)".to_string()
            } else {
                format!("c({})", e.by.iter().map(|b| quoted(b)).collect::<Vec<_>>().join(", "))
            };
            format!(
                "  ponder_estimate({}, \"{}\", {}, {cat}, {by})",
                quoted(&e.name),
                e.stat.name(),
                quoted(&e.variable)
            )
        })
        .collect();
    if lines.is_empty() {
        return "\nestimates <- data.frame()\n".to_string();
    }
    s.push_str(&lines.join(",\n"));
    s.push_str("\n)\n");
    s
}
