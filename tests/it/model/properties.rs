//! Properties of the design-based GLM (proptest, small samples).

use approx::relative_eq;
use ponder::model::{
    Column, Family, GlmFit, GlmOptions, Missing, ModelSpec, Variable, Variance, domain_difference,
    fit_glm,
};
use proptest::prelude::*;

use super::fixtures::{factor_of, srs_design};

fn fit(family: Family, y: &[f64], terms: Vec<Variable>, w: Vec<f64>) -> GlmFit {
    try_fit(family, y, terms, w).expect("fit")
}

fn try_fit(family: Family, y: &[f64], terms: Vec<Variable>, w: Vec<f64>) -> ponder::Result<GlmFit> {
    let s = ModelSpec::new(family, Variable { name: "y", column: Column::Numeric(y) }, terms);
    let d = srs_design(w);
    fit_glm(&s, Variance::Linearization(&d), &GlmOptions::default())
}

/// Rows (y, x, weight, group), at least 3 in each group.
fn sample() -> impl Strategy<Value = Vec<(f64, f64, f64, bool)>> {
    prop::collection::vec((-10.0..10.0f64, -5.0..5.0f64, 0.5..5.0f64, any::<bool>()), 8..30)
        .prop_filter("both groups", |v| {
            let b = v.iter().filter(|r| r.3).count();
            b >= 3 && v.len() - b >= 3
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn intercept_only_gaussian_is_the_weighted_mean(rows in sample()) {
        let y: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let w: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let f = fit(Family::Gaussian, &y, vec![], w.clone());
        let sw: f64 = w.iter().sum();
        let mean = y.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw;
        prop_assert!(relative_eq!(f.coefficients[0], mean, epsilon = 1e-10, max_relative = 1e-9));
        let z: Vec<f64> = y.iter().map(|v| (v - mean) / sw).collect();
        let se = srs_design(w).variance(&z).unwrap().sqrt();
        prop_assert!(relative_eq!(f.covariance[(0, 0)].sqrt(), se, max_relative = 1e-9));
    }

    #[test]
    fn single_dummy_is_the_difference_of_domain_means(rows in sample()) {
        let y: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let w: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let g = factor_of(&rows.iter().map(|r| Some(if r.3 { "b" } else { "a" }.to_string())).collect::<Vec<_>>());
        let f = fit(Family::Gaussian, &y, vec![Variable { name: "g", column: Column::Factor(&g) }], w.clone());
        let d = srs_design(w);
        let diff = domain_difference(Variance::Linearization(&d), ("y", &y), ("g", &g), ["b", "a"], Missing::Fail, 0.95).unwrap();
        prop_assert_eq!(&f.names[1], "g=b");
        prop_assert!(relative_eq!(f.coefficients[1], diff.estimate, epsilon = 1e-10, max_relative = 1e-9));
        prop_assert!(relative_eq!(f.covariance[(1, 1)].sqrt(), diff.se, max_relative = 1e-7));
    }

    #[test]
    fn coefficients_do_not_depend_on_weight_scale_or_row_order(rows in sample(), c in 0.01..100.0f64, logit in any::<bool>()) {
        let family = if logit { Family::QuasiBinomial } else { Family::Gaussian };
        let y: Vec<f64> = rows.iter().map(|r| if logit { f64::from(u8::from(r.0 > 0.0)) } else { r.0 }).collect();
        prop_assume!(!logit || (y.contains(&0.0) && y.contains(&1.0)));
        let x: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let w: Vec<f64> = rows.iter().map(|r| r.2).collect();
        // a random logistic sample may be separated by x: nothing to compare then
        let Ok(base) = try_fit(family, &y, vec![Variable { name: "x", column: Column::Numeric(&x) }], w.clone()) else {
            return Ok(());
        };
        let scaled = fit(family, &y, vec![Variable { name: "x", column: Column::Numeric(&x) }], w.iter().map(|v| v * c).collect());
        let rev = |v: &[f64]| v.iter().rev().copied().collect::<Vec<f64>>();
        let (yr, xr) = (rev(&y), rev(&x));
        let permuted = fit(family, &yr, vec![Variable { name: "x", column: Column::Numeric(&xr) }], rev(&w));
        for j in 0..2 {
            let b = base.coefficients[j];
            prop_assert!(relative_eq!(scaled.coefficients[j], b, epsilon = 1e-9, max_relative = 1e-7));
            prop_assert!(relative_eq!(permuted.coefficients[j], b, epsilon = 1e-9, max_relative = 1e-7));
        }
    }
}
