//! One error type for the whole crate.
//!
//! Every variant carries enough context to act on: the file, the YAML key or column, the
//! row or category at fault, and what to do. The CLI maps variants to exit codes
//! ([`Error::exit_code`]): 1 for bad input (data or config), 3 for internal errors.
//! Usage errors on the command line (exit 2) are clap's.

use std::fmt;
use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem found while validating a configuration file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblem {
    /// Dotted path of the YAML key at fault, e.g. `margins[2].totals`.
    pub key: String,
    /// 1-based line in the YAML file, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it (e.g. a did-you-mean suggestion).
    pub hint: Option<String>,
}

impl ConfigProblem {
    /// A problem at `key` with `message`, no line and no hint yet.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigProblem { key: key.into(), line: None, message: message.into(), hint: None }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}, key `{}`: {}", self.key, self.message)?,
            None => write!(f, "key `{}`: {}", self.key, self.message)?,
        }
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// The crate's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong (the system's message, with what ponder was doing).
        message: String,
    },

    /// A data file is malformed or its content does not fit the task (unknown column,
    /// missing value, bad category...). The message names the column/row/category and the fix.
    #[error("{file}: {message}")]
    Data {
        /// The data file (or the table's source name).
        file: String,
        /// What is wrong and what to do.
        message: String,
    },

    /// A configuration file has one or more problems; all are reported at once.
    #[error("{file}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Config {
        /// The configuration file.
        file: String,
        /// Every problem found, in file order.
        problems: Vec<ConfigProblem>,
    },

    /// A method cannot be carried out on this (valid-looking) input: infeasible calibration,
    /// a stratum with one PSU under `lonely_psu: fail`, separation in a response model...
    /// `step` is the chain step (`calibration`, `variance`, `sampling`, `nonresponse`...).
    #[error("{step}: {message}")]
    Method {
        /// The chain step.
        step: &'static str,
        /// What cannot be done and what to do.
        message: String,
    },

    /// A data value at fault: a missing value, a negative weight, a category the method
    /// cannot use. `row` is 1-based (as in a spreadsheet, header excluded) when one row is
    /// named.
    #[error("{file}: {message}")]
    Cell {
        /// The data file (or the table's source name).
        file: String,
        /// The column at fault.
        column: String,
        /// The 1-based row at fault, when one is named.
        row: Option<usize>,
        /// What is wrong and what to do.
        message: String,
    },

    /// An iterative method (calibration Newton or IPF, logistic IRLS) stopped before its
    /// convergence criterion was met after `iterations` iterations.
    #[error("{step}: {message}")]
    NotConverged {
        /// The chain step.
        step: &'static str,
        /// Iterations run.
        iterations: usize,
        /// How far from convergence, and what to do.
        message: String,
    },

    /// Calibration margins that cannot be met within the bounds on g = w/d; `narrowest`
    /// holds the narrowest feasible bounds [L, U] when they could be computed (`None` when no
    /// bounds at all make the margins reachable, or the search was not run).
    #[error("{step}: {message}")]
    Infeasible {
        /// The chain step.
        step: &'static str,
        /// The narrowest feasible bounds [L, U], when computed.
        narrowest: Option<(f64, f64)>,
        /// Which margins conflict, and what to do.
        message: String,
    },

    /// A stratum with a single sampled PSU (at stage `stage`, 1-based) under a lonely-PSU
    /// policy that cannot handle it.
    #[error("variance: {message}")]
    LonelyPsu {
        /// The stratum's label.
        stratum: String,
        /// The stage (1-based).
        stage: usize,
        /// The policies that would work.
        message: String,
    },

    /// A linked unit file (`units:` of an estimation config: one row per dispute, each with
    /// its person's key) that cannot be joined to the weighted file. `row` is 1-based, in
    /// the file named by `file`, when one row is at fault.
    #[error("{file}: {message}")]
    Link {
        /// The file at fault (the unit file or the weighted file).
        file: String,
        /// What kind of problem.
        problem: LinkProblem,
        /// The key value at fault, when one is named.
        key: Option<String>,
        /// The 1-based row at fault, when one is named.
        row: Option<usize>,
        /// What is wrong and what to do.
        message: String,
    },

    /// A bug in ponder: please report it.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

/// The kinds of [`Error::Link`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// The key column is absent from the unit file or the weighted file.
    MissingKeyColumn,
    /// A unit row or a weighted-file row has no key value.
    MissingKey,
    /// A key value occurs on several rows of the weighted file.
    DuplicateKey,
    /// A unit's key is not in the weighted file.
    UnknownKey,
    /// A unit's person has weight 0 (a non-respondent or an out-of-scope row).
    ZeroWeight,
}

impl Error {
    /// Exit status for the CLI: 1 bad input, 3 internal error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal(_) => 3,
            _ => 1,
        }
    }

    /// Shorthand for [`Error::Method`].
    pub fn method(step: &'static str, message: impl Into<String>) -> Self {
        Error::Method { step, message: message.into() }
    }

    /// Shorthand for [`Error::Data`].
    pub fn data(file: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Data { file: file.into(), message: message.into() }
    }

    /// The message without the file it names (for a data or I/O error), to wrap it in a
    /// message that names the file already.
    pub fn detail(&self) -> String {
        match self {
            Error::Data { message, .. }
            | Error::Io { message, .. }
            | Error::Cell { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// The same error with `prefix` put before its message (e.g. `replicate 3: `), for
    /// errors raised while redoing a step on one replicate; the kind is kept.
    pub fn prefixed(self, prefix: &str) -> Self {
        match self {
            Error::Method { step, message } => {
                Error::Method { step, message: format!("{prefix}{message}") }
            }
            Error::NotConverged { step, iterations, message } => {
                Error::NotConverged { step, iterations, message: format!("{prefix}{message}") }
            }
            Error::Infeasible { step, narrowest, message } => {
                Error::Infeasible { step, narrowest, message: format!("{prefix}{message}") }
            }
            Error::LonelyPsu { stratum, stage, message } => {
                Error::LonelyPsu { stratum, stage, message: format!("{prefix}{message}") }
            }
            Error::Cell { file, column, row, message } => {
                Error::Cell { file, column, row, message: format!("{prefix}{message}") }
            }
            other => other,
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, err: impl fmt::Display) -> Self {
        Error::Io { path: path.into(), message: err.to_string() }
    }
}
