//! (in progress: temporary stand-ins mirroring the engine's API until it lands)
#![allow(missing_docs)]

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    Linear,
    #[default]
    Raking,
    Logit,
    TruncatedLinear,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub lower: f64,
    pub upper: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoppingRule {
    #[default]
    Misfit,
    GChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    #[default]
    Auto,
    Newton,
    Ipf,
    PostStratification,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SolveOn {
    #[default]
    Auto,
    Cells,
    Rows,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    pub method: Method,
    pub bounds: Option<Bounds>,
    pub tolerance: f64,
    pub max_iterations: usize,
    pub stopping: StoppingRule,
    pub algorithm: Algorithm,
    pub solve_on: SolveOn,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            method: Method::Raking,
            bounds: None,
            tolerance: 1e-10,
            max_iterations: 100,
            stopping: StoppingRule::Misfit,
            algorithm: Algorithm::Auto,
            solve_on: SolveOn::Auto,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Margin {
    Categorical { name: String, codes: Vec<u32>, levels: Vec<String>, targets: Vec<f64> },
    Numeric { name: String, values: Vec<f64>, target: f64 },
    Total { target: f64 },
}
