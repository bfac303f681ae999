# R survey::calibrate(calfun = "raking") on a file of `gen.py rake N DIR` (issue 14, the 250,000-row
# CSV -> CSV workload): times calibrate() alone (the "compute" of the issue), median of 3.
#   Rscript r_calibrate.R DIR
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- args[1]
x <- read.csv(file.path(d, "sample.csv"))
# margins.json without jsonlite: tiny parser for {"v": {"k": x, ...}, ...}
txt <- paste(readLines(file.path(d, "margins.json"), warn = FALSE), collapse = "")
vars <- c("sex", "age", "dipl", "pcs", "hh", "region")
pop <- list()
for (v in vars) {
  block <- regmatches(txt, regexpr(paste0('"', v, '": \\{[^}]*\\}'), txt))
  pairs <- regmatches(block, gregexpr('"[0-9]+": [0-9.eE+-]+', block))[[1]]
  k <- as.integer(sub('"([0-9]+)".*', "\\1", pairs))
  val <- as.numeric(sub('.*: ', "", pairs))
  x[[v]] <- factor(x[[v]], levels = sort(k))
  tab <- data.frame(factor(sort(k), levels = sort(k)), val[order(k)])
  names(tab) <- c(v, "Freq")
  pop[[v]] <- tab
}
des <- svydesign(ids = ~1, weights = ~d, data = x)
# calibrate(calfun = "raking") takes the totals of the model matrix's columns: the grand
# total (intercept), then every category but the first of each margin.
f <- as.formula(paste("~", paste(vars, collapse = " + ")))
totals <- c(sum(pop[[1]]$Freq), unlist(lapply(pop, function(t) t$Freq[-1])))
names(totals) <- colnames(model.matrix(f, x[1:2, ]))
times <- numeric(3)
for (i in 1:3) {
  t0 <- proc.time()[["elapsed"]]
  cal <- calibrate(des, f, totals, calfun = "raking", maxit = 100, epsilon = 1e-6)
  times[i] <- proc.time()[["elapsed"]] - t0
}
cat(sprintf('{"rows": %d, "calibrate_median": %.4f, "runs": [%s], "sum_w": %.6f}\n', nrow(x),
            median(times), paste(sprintf("%.4f", times), collapse = ", "), sum(weights(cal))))
