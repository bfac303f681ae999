//! Wald test that all coefficients of a term are 0 (R `regTermTest`, method "Wald").
//!
//! `F = β̂_Tᵀ V_T⁻¹ β̂_T / q` with V_T the design covariance of the term's q coefficients,
//! on (q, residual df) degrees of freedom (R uses `df = model$df.residual` for a `svyglm`).

use crate::error::{Error, Result};

use super::STEP;
use super::glm::GlmFit;
use super::irls::scaled_inverse;
use super::stats::f_upper;

/// Result of a term test.
#[derive(Debug, Clone, PartialEq)]
pub struct TermTest {
    /// Term name.
    pub term: String,
    /// F statistic.
    pub statistic: f64,
    /// Numerator df: number of coefficients of the term.
    pub df1: f64,
    /// Denominator df: residual df of the model.
    pub df2: f64,
    /// Upper-tail p-value of F(df1, df2).
    pub p_value: f64,
}

impl GlmFit {
    /// Wald F test of `term` (a main term or `a:b`).
    ///
    /// # Errors
    /// No such term; a singular covariance of its coefficients.
    pub fn term_test(&self, term: &str) -> Result<TermTest> {
        let t = self.terms.iter().find(|t| t.name == term).ok_or_else(|| {
            let have: Vec<&str> = self.terms.iter().map(|t| t.name.as_str()).collect();
            Error::method(
                STEP,
                format!(
                    "test of `{term}`, which is not a term of the model (terms: {})",
                    have.join(", ")
                ),
            )
        })?;
        let idx: Vec<usize> = t.columns.clone().collect();
        let q = idx.len();
        let v = nalgebra::DMatrix::from_fn(q, q, |i, j| self.covariance[(idx[i], idx[j])]);
        let b = nalgebra::DVector::from_fn(q, |i, _| self.coefficients[idx[i]]);
        let vi = scaled_inverse(&v).ok_or_else(|| {
            Error::method(
                STEP,
                format!("the covariance of the coefficients of `{term}` is singular"),
            )
        })?;
        let f = b.dot(&(&vi * &b)) / q as f64;
        Ok(TermTest {
            term: term.to_string(),
            statistic: f,
            df1: q as f64,
            df2: self.df_residual,
            p_value: f_upper(f, q as f64, self.df_residual),
        })
    }
}
