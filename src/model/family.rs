//! GLM families and their canonical links, with R's numerical guards (`binomial()$linkinv`
//! clamps η to ±30, `poisson()$linkinv` is at least ε).

/// Machine epsilon, R's `.Machine$double.eps`.
const EPS: f64 = f64::EPSILON;
/// R's C `logit_linkinv` threshold.
const THRESH: f64 = 30.0;

/// Response distribution of a GLM (each with its canonical link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Normal, identity link, V(μ) = 1.
    Gaussian,
    /// Binomial, logit link, V(μ) = μ(1 − μ); response 0/1.
    Binomial,
    /// Binomial variance with free dispersion, logit link; response in [0, 1].
    QuasiBinomial,
    /// Poisson, log link, V(μ) = μ; response ≥ 0.
    Poisson,
    /// Poisson variance with free dispersion, log link; response ≥ 0.
    QuasiPoisson,
}

/// Link function g(μ) = η.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// η = μ.
    Identity,
    /// η = log(μ / (1 − μ)): exp(β) are odds ratios.
    Logit,
    /// η = log μ: exp(β) are rate ratios.
    Log,
}

impl Family {
    /// Every family name, for error messages.
    pub const NAMES: &'static str = "gaussian, binomial, quasibinomial, poisson, quasipoisson";

    /// Parses `gaussian | binomial | quasibinomial | poisson | quasipoisson`.
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "gaussian" => Some(Family::Gaussian),
            "binomial" => Some(Family::Binomial),
            "quasibinomial" => Some(Family::QuasiBinomial),
            "poisson" => Some(Family::Poisson),
            "quasipoisson" => Some(Family::QuasiPoisson),
            _ => None,
        }
    }

    /// The family's name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Binomial => "binomial",
            Family::QuasiBinomial => "quasibinomial",
            Family::Poisson => "poisson",
            Family::QuasiPoisson => "quasipoisson",
        }
    }

    /// The (canonical) link.
    pub fn link(self) -> Link {
        match self {
            Family::Gaussian => Link::Identity,
            Family::Binomial | Family::QuasiBinomial => Link::Logit,
            Family::Poisson | Family::QuasiPoisson => Link::Log,
        }
    }

    /// True for the binomial families (fitted values are probabilities).
    pub fn is_binomial(self) -> bool {
        self.link() == Link::Logit
    }

    /// μ = g⁻¹(η).
    pub(crate) fn linkinv(self, eta: f64) -> f64 {
        match self.link() {
            Link::Identity => eta,
            Link::Logit => {
                let t = if eta < -THRESH {
                    EPS
                } else if eta > THRESH {
                    1.0 / EPS
                } else {
                    eta.exp()
                };
                t / (1.0 + t)
            }
            Link::Log => eta.exp().max(EPS),
        }
    }

    /// dμ/dη.
    pub(crate) fn mu_eta(self, eta: f64) -> f64 {
        match self.link() {
            Link::Identity => 1.0,
            Link::Logit => {
                if eta.abs() > THRESH {
                    EPS
                } else {
                    let e = eta.exp();
                    e / ((1.0 + e) * (1.0 + e))
                }
            }
            Link::Log => eta.exp().max(EPS),
        }
    }

    /// g(μ).
    pub(crate) fn linkfun(self, mu: f64) -> f64 {
        match self.link() {
            Link::Identity => mu,
            Link::Logit => (mu / (1.0 - mu)).ln(),
            Link::Log => mu.ln(),
        }
    }

    /// Variance function V(μ).
    pub(crate) fn variance(self, mu: f64) -> f64 {
        match self.link() {
            Link::Identity => 1.0,
            Link::Logit => mu * (1.0 - mu),
            Link::Log => mu,
        }
    }

    /// Deviance contribution of one row with prior weight `w` (R `family$dev.resids`).
    pub(crate) fn dev_resid(self, y: f64, mu: f64, w: f64) -> f64 {
        let ylogy = |y: f64, m: f64| if y != 0.0 { y * (y / m).ln() } else { 0.0 };
        match self.link() {
            Link::Identity => w * (y - mu) * (y - mu),
            Link::Logit => 2.0 * w * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu)),
            Link::Log => {
                if y > 0.0 {
                    2.0 * w * (y * (y / mu).ln() - (y - mu))
                } else {
                    2.0 * w * mu
                }
            }
        }
    }

    /// Starting value of μ (R `family$initialize`).
    pub(crate) fn mustart(self, y: f64, w: f64) -> f64 {
        match self.link() {
            Link::Identity => y,
            Link::Logit => (w * y + 0.5) / (w + 1.0),
            Link::Log => y + 0.1,
        }
    }

    /// Why `y` is not a valid response of this family, if it is not.
    pub(crate) fn check_response(self, y: f64) -> Option<&'static str> {
        match self {
            Family::Gaussian => None,
            Family::Binomial if y != 0.0 && y != 1.0 => Some("must be 0 or 1"),
            Family::QuasiBinomial if !(0.0..=1.0).contains(&y) => Some("must be in [0, 1]"),
            Family::Poisson | Family::QuasiPoisson if y < 0.0 => Some("must be ≥ 0"),
            _ => None,
        }
    }
}
