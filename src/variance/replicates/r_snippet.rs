//! R code that re-creates a replicate design from an exported file.

use super::design::{ReplicateDesign, ReplicateKind};

/// An R snippet (`svrepdesign(...)`) reading `data_file` where the full-sample weight is
/// column `weight_column` and replicates are `<prefix>_1..<prefix>_R` (analysis weights).
///
/// # Examples
/// ```ignore
/// let code = r_snippet(&rep, "weighted.csv", "w_cal", "rep");
/// ```
pub fn r_snippet(
    rep: &ReplicateDesign,
    data_file: &str,
    weight_column: &str,
    prefix: &str,
) -> String {
    let rscales = if rep.rscales.iter().all(|&s| s == 1.0) {
        "rep(1, ncol(rw))".to_string()
    } else {
        format!(
            "c({})",
            rep.rscales.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
        )
    };
    let rho = match rep.kind {
        ReplicateKind::Fay { rho } => format!(", rho = {rho:?}"),
        _ => String::new(),
    };
    // type = "other" keeps R from recomputing the scale: we pass ours explicitly
    format!(
        "library(survey)\n\
         d <- read.csv(\"{data_file}\")\n\
         rw <- as.matrix(d[, grep(\"^{prefix}_[0-9]+$\", names(d))])\n\
         # ponder replicate type: {kind}{rho}\n\
         des <- svrepdesign(data = d, weights = ~{weight_column}, repweights = rw,\n\
         \x20                  type = \"other\", scale = {scale:?}, rscales = {rscales},\n\
         \x20                  mse = {mse}, combined.weights = TRUE)\n",
        kind = rep.kind.r_type(),
        scale = rep.scale,
        mse = if rep.mse { "TRUE" } else { "FALSE" },
    )
}
