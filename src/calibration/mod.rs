//! (in progress: temporary stand-ins until the engine lands)

/// Distance (stand-in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Linear { bounds: Option<(f64, f64)> },
    Raking { bounds: Option<(f64, f64)> },
    Logit { lower: f64, upper: f64 },
    TruncatedLinear { lower: f64, upper: f64 },
}

/// Stopping rule (stand-in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stopping {
    Survey { tolerance: f64 },
    Calmar { tolerance: f64 },
}

/// Margin (stand-in).
#[derive(Debug, Clone, PartialEq)]
pub enum Margin {
    Categorical { name: String, codes: Vec<u32>, levels: Vec<String>, targets: Vec<f64> },
    Numeric { name: String, values: Vec<f64>, target: f64 },
    Total { target: f64 },
}
