//! Properties on random problems whose margins come from a "population" weighting of the
//! sample (targets = Σ d h x with h in [0.7, 1.4]), so every method is feasible within the
//! bounds [0.5, 2].

use approx::{abs_diff_eq, assert_abs_diff_eq, relative_eq};
use ponder::calibration::{
    Algorithm, Bounds, Distance, Margin, Method, Options, Problem, SolveOn, calibrate,
    calibrate_timed,
};
use ponder::data::Factor;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOL: f64 = 1e-11;

fn bounds() -> Bounds {
    Bounds::new(0.5, 2.0).unwrap()
}

/// Every method with the bounds used in the properties.
fn methods() -> [(Method, Option<Bounds>); 5] {
    [
        (Method::Linear, None),
        (Method::Raking, None),
        (Method::Raking, Some(Bounds::new(0.3, 3.0).unwrap())),
        (Method::Logit, Some(bounds())),
        (Method::TruncatedLinear, Some(bounds())),
    ]
}

fn opts(method: Method, b: Option<Bounds>) -> Options {
    Options { tolerance: TOL, max_iterations: 200, ..Options::new(method, b) }
}

/// A random sample: weights (some 0), `n_cat` categorical margins, optionally a numeric one.
struct Sample {
    d: Vec<f64>,
    margins: Vec<Margin>,
}

fn sample(seed: u64, n_cat: usize, numeric: bool, total: bool) -> Sample {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.random_range(30..90usize);
    let d: Vec<f64> =
        (0..n).map(|k| if k % 11 == 10 { 0.0 } else { rng.random_range(1.0..10.0) }).collect();
    let h: Vec<f64> = (0..n).map(|_| rng.random_range(0.7..1.4)).collect();
    let target = |x: &dyn Fn(usize) -> f64| (0..n).map(|k| d[k] * h[k] * x(k)).sum::<f64>();
    let mut margins = Vec::new();
    for m in 0..n_cat {
        let n_levels = rng.random_range(2..5usize);
        let mut codes: Vec<u32> = (0..n).map(|_| rng.random_range(0..n_levels as u32)).collect();
        for (l, c) in codes.iter_mut().take(n_levels).enumerate() {
            *c = l as u32; // every level present among the first rows (weights > 0)
        }
        let targets = (0..n_levels).map(|l| target(&|k| f64::from(codes[k] == l as u32))).collect();
        let levels = (0..n_levels).map(|l| format!("c{l}")).collect();
        margins.push(Margin::Categorical {
            name: format!("m{m}"),
            factor: Factor { codes, levels },
            targets,
        });
    }
    if numeric {
        let values: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..50.0)).collect();
        let t = target(&|k| values[k]);
        margins.push(Margin::Numeric { name: "x".into(), values, target: t });
    }
    if total {
        margins.push(Margin::Total { target: target(&|_| 1.0) });
    }
    Sample { d, margins }
}

/// Σ w x per constraint, checked against the targets with the stopping rule's measure.
fn assert_margins_met(margins: &[Margin], w: &[f64]) {
    for m in margins {
        let pairs: Vec<(f64, f64)> = match m {
            Margin::Categorical { factor: Factor { codes, .. }, targets, .. } => targets
                .iter()
                .enumerate()
                .map(|(l, t)| {
                    let s = codes.iter().zip(w).filter(|(c, _)| **c == l as u32).map(|(_, w)| w);
                    (s.sum(), *t)
                })
                .collect(),
            Margin::Numeric { values, target, .. } => {
                vec![(values.iter().zip(w).map(|(x, w)| x * w).sum(), *target)]
            }
            Margin::Total { target } => vec![(w.iter().sum(), *target)],
        };
        for (got, t) in pairs {
            assert!((got - t).abs() / (1.0 + t.abs()) < 1e-9, "{}: {got} vs {t}", m.name());
        }
    }
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn every_method_meets_the_margins_within_bounds(
        seed in any::<u64>(), n_cat in 1..4usize, numeric in any::<bool>(), total in any::<bool>()
    ) {
        let s = sample(seed, n_cat, numeric, total);
        let p = Problem::new(s.d.clone(), s.margins.clone()).unwrap();
        for (method, b) in methods() {
            let cal = calibrate(&p, &opts(method, b)).unwrap();
            prop_assert!(cal.report.max_misfit <= TOL);
            assert_margins_met(&s.margins, &cal.weights);
            for (k, (w, d)) in cal.weights.iter().zip(&s.d).enumerate() {
                if *d == 0.0 {
                    prop_assert_eq!(*w, 0.0, "row {} of weight 0", k);
                } else if let Some(b) = b {
                    let g = w / d;
                    prop_assert!(g >= b.lower - 1e-12 && g <= b.upper + 1e-12, "{:?}: g {}", method, g);
                }
            }
        }
    }

    #[test]
    fn row_order_does_not_matter(seed in any::<u64>(), numeric in any::<bool>()) {
        let s = sample(seed, 2, numeric, false);
        let n = s.d.len();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xabcdef);
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            perm.swap(i, rng.random_range(0..=i));
        }
        let d2: Vec<f64> = perm.iter().map(|&k| s.d[k]).collect();
        let m2: Vec<Margin> = s.margins.iter().map(|m| match m {
            Margin::Categorical { name, factor: Factor { codes, levels }, targets } => Margin::Categorical {
                name: name.clone(), factor: Factor { codes: perm.iter().map(|&k| codes[k]).collect(),
                levels: levels.clone() }, targets: targets.clone() },
            Margin::Numeric { name, values, target } => Margin::Numeric {
                name: name.clone(), values: perm.iter().map(|&k| values[k]).collect(), target: *target },
            Margin::Total { target } => Margin::Total { target: *target },
        }).collect();
        let p1 = Problem::new(s.d.clone(), s.margins.clone()).unwrap();
        let p2 = Problem::new(d2, m2).unwrap();
        for (method, b) in methods() {
            let w1 = calibrate(&p1, &opts(method, b)).unwrap().weights;
            let w2 = calibrate(&p2, &opts(method, b)).unwrap().weights;
            let w1p: Vec<f64> = perm.iter().map(|&k| w1[k]).collect();
            prop_assert!(max_abs_diff(&w1p, &w2) <= 1e-9 * w1.iter().fold(1.0, |a: f64, b| a.max(*b)));
        }
    }

    #[test]
    fn scaling_weights_and_margins_leaves_g_unchanged(seed in any::<u64>(), c in 0.01f64..100.0) {
        let s = sample(seed, 2, true, true);
        let scaled: Vec<Margin> = s.margins.iter().map(|m| match m {
            Margin::Categorical { name, factor: Factor { codes, levels }, targets } => Margin::Categorical {
                name: name.clone(), factor: Factor { codes: codes.clone(), levels: levels.clone() },
                targets: targets.iter().map(|t| t * c).collect() },
            Margin::Numeric { name, values, target } => Margin::Numeric {
                name: name.clone(), values: values.clone(), target: target * c },
            Margin::Total { target } => Margin::Total { target: target * c },
        }).collect();
        let d2: Vec<f64> = s.d.iter().map(|d| d * c).collect();
        let p1 = Problem::new(s.d.clone(), s.margins.clone()).unwrap();
        let p2 = Problem::new(d2.clone(), scaled).unwrap();
        for (method, b) in methods() {
            let g1 = calibrate(&p1, &opts(method, b)).unwrap().g(&s.d);
            let g2 = calibrate(&p2, &opts(method, b)).unwrap().g(&d2);
            prop_assert!(max_abs_diff(&g1, &g2) < 1e-8, "{:?}", method);
        }
    }

    #[test]
    fn ipf_equals_newton_raking(seed in any::<u64>(), n_cat in 1..4usize, total in any::<bool>()) {
        let s = sample(seed, n_cat, false, total);
        let p = Problem::new(s.d.clone(), s.margins.clone()).unwrap();
        let newton = calibrate(&p, &opts(Method::Raking, None)).unwrap();
        let ipf_opts = Options { algorithm: Algorithm::Ipf, max_iterations: 5000, ..opts(Method::Raking, None) };
        let ipf = calibrate(&p, &ipf_opts).unwrap();
        prop_assert_eq!(ipf.report.algorithm, "ipf");
        prop_assert!(max_abs_diff(&newton.g(&s.d), &ipf.g(&s.d)) < 1e-9);
    }

    #[test]
    fn one_margin_linear_is_poststratification(seed in any::<u64>(), total in any::<bool>()) {
        let s = sample(seed, 1, false, total);
        let p = Problem::new(s.d.clone(), s.margins.clone()).unwrap();
        let post = Options { algorithm: Algorithm::PostStratification, ..opts(Method::Linear, None) };
        let post = calibrate(&p, &post).unwrap();
        let newton = Options { algorithm: Algorithm::Newton, solve_on: SolveOn::Rows, ..opts(Method::Linear, None) };
        let newton = calibrate(&p, &newton).unwrap();
        prop_assert_eq!(post.report.algorithm, "post_stratification");
        prop_assert!(max_abs_diff(&post.g(&s.d), &newton.g(&s.d)) < 1e-10);
    }

    #[test]
    fn cell_solve_equals_row_solve(seed in any::<u64>(), n_cat in 1..4usize, total in any::<bool>()) {
        let s = sample(seed, n_cat, false, total);
        let p = Problem::new(s.d.clone(), s.margins.clone()).unwrap();
        for (method, b) in methods() {
            let cells = calibrate(&p, &Options { solve_on: SolveOn::Cells, algorithm: Algorithm::Newton, ..opts(method, b) }).unwrap();
            let rows = calibrate(&p, &Options { solve_on: SolveOn::Rows, algorithm: Algorithm::Newton, ..opts(method, b) }).unwrap();
            prop_assert_eq!(cells.report.solved_on, "cells");
            prop_assert_eq!(rows.report.solved_on, "rows");
            prop_assert!(max_abs_diff(&cells.g(&s.d), &rows.g(&s.d)) < 1e-9, "{:?}", method);
            prop_assert!(abs_diff_eq!(cells.report.design_effect, rows.report.design_effect, epsilon = 1e-9));
            prop_assert!(abs_diff_eq!(cells.report.g.p25, rows.report.g.p25, epsilon = 1e-9));
            prop_assert_eq!(cells.report.at_lower_bound, rows.report.at_lower_bound);
        }
    }

    #[test]
    fn dg_is_the_derivative_of_g(u in -4.0f64..4.0) {
        let b = Bounds::new(0.4, 2.2).unwrap();
        for (method, bounds) in [(Method::Linear, None), (Method::Raking, None),
            (Method::Raking, Some(b)), (Method::Logit, Some(b)), (Method::TruncatedLinear, Some(b))] {
            let dist = method.distance(bounds).unwrap();
            let h = 1e-6;
            // Skip the kinks of the clamped distances.
            let near_kink = bounds.is_some_and(|b| [b.lower, b.upper].iter().any(|&x| {
                let g0 = if method == Method::Raking { u.exp() } else { 1.0 + u };
                (g0 - x).abs() < 1e-4 * x.max(1.0) + 10.0 * h * g0.abs().max(1.0)
            })) && method != Method::Logit;
            if near_kink { continue; }
            let fd = (dist.g(u + h) - dist.g(u - h)) / (2.0 * h);
            let dg = dist.dg(u);
            // |Δ| ≤ 1e-6 · max(|dg|, 1)
            prop_assert!(relative_eq!(fd, dg, epsilon = 1e-6, max_relative = 1e-6), "{:?}: fd {} dg {}", method, fd, dg);
            prop_assert_eq!(dist.g_dg(u), (dist.g(u), dist.dg(u)));
        }
    }
}

#[test]
fn distances_start_at_one_with_unit_slope() {
    let b = Bounds::new(0.5, 2.5).unwrap();
    for (m, bounds) in [
        (Method::Linear, None),
        (Method::Raking, None),
        (Method::Logit, Some(b)),
        (Method::TruncatedLinear, Some(b)),
    ] {
        let d = m.distance(bounds).unwrap();
        assert!(
            abs_diff_eq!(d.g(0.0), 1.0, epsilon = 1e-15)
                && abs_diff_eq!(d.dg(0.0), 1.0, epsilon = 1e-15),
            "{m:?}"
        );
    }
    // The logit saturates at its bounds without overflow.
    let l = Method::Logit.distance(Some(b)).unwrap();
    assert_eq!(l.g(1e6), 2.5);
    assert_eq!(l.g(-1e6), 0.5);
    assert!(l.dg(1e6).is_finite() && l.dg(-1e6).is_finite());
}

/// Large enough for the parallel paths (row chunks, blocked cell sums): cells = rows, and
/// the result does not depend on the thread count.
#[test]
fn large_cell_solve_equals_row_solve_and_is_thread_independent() {
    let n = 600_000;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let d: Vec<f64> =
        (0..n).map(|k| if k % 13 == 0 { 0.0 } else { rng.random_range(1.0..5.0) }).collect();
    let mut margins = Vec::new();
    let mut h = vec![1.0; n];
    let mut all_codes = Vec::new();
    for nl in [3u32, 4, 7] {
        let f: Vec<f64> = (0..nl).map(|_| rng.random_range(0.8..1.2)).collect();
        let codes: Vec<u32> = (0..n).map(|_| rng.random_range(0..nl)).collect();
        codes.iter().zip(h.iter_mut()).for_each(|(c, h)| *h *= f[*c as usize]);
        all_codes.push(codes);
    }
    for (m, codes) in all_codes.into_iter().enumerate() {
        let nl = codes.iter().max().unwrap() + 1;
        let mut targets = vec![0.0; nl as usize];
        for k in 0..n {
            targets[codes[k] as usize] += d[k] * h[k];
        }
        let levels = (0..nl).map(|l| l.to_string()).collect();
        margins.push(Margin::Categorical {
            name: format!("m{m}"),
            factor: Factor { codes, levels },
            targets,
        });
    }
    let p = Problem::new(d.clone(), margins).unwrap();
    let o = opts(Method::Raking, None);
    let cells = calibrate(&p, &Options { solve_on: SolveOn::Cells, ..o }).unwrap();
    let rows = calibrate(&p, &Options { solve_on: SolveOn::Rows, ..o }).unwrap();
    assert_eq!(cells.report.n_units, 84);
    assert_eq!(cells.report.n_positive, d.iter().filter(|&&w| w > 0.0).count());
    assert_eq!(rows.report.n_positive, cells.report.n_positive);
    assert!(max_abs_diff(&cells.g(&d), &rows.g(&d)) < 1e-9);
    assert_abs_diff_eq!(cells.report.g.p99, rows.report.g.p99, epsilon = 1e-9);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    for o2 in [Options { solve_on: SolveOn::Cells, ..o }, Options { solve_on: SolveOn::Rows, ..o }]
    {
        let a = calibrate(&p, &o2).unwrap();
        let b = one.install(|| calibrate(&p, &o2).unwrap());
        assert_eq!(a.weights, b.weights, "{:?}", o2.solve_on);
        // the timed entry point gives the same result; cells take time only when collapsed
        let (c, t) = calibrate_timed(&p, &o2).unwrap();
        assert_eq!(a, c, "{:?}", o2.solve_on);
        assert_eq!(t.cells > 0.0, o2.solve_on == SolveOn::Cells, "{t:?}");
        assert!(t.solve > 0.0, "{t:?}");
    }
}

/// Key spaces beyond the dense-by-key accumulation (3·10⁵ combinations) and beyond the dense
/// key array (2·10⁷, hashed cells): cells still equal rows.
#[test]
fn sparse_cross_classifications_collapse_correctly() {
    for level_counts in [vec![100u32, 100, 30], vec![100, 100, 100, 20]] {
        let n = 3000;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let d: Vec<f64> = (0..n).map(|_| rng.random_range(1.0..5.0)).collect();
        let h: Vec<f64> = (0..n).map(|_| rng.random_range(0.8..1.25)).collect();
        let margins: Vec<Margin> = level_counts
            .iter()
            .enumerate()
            .map(|(m, &nl)| {
                let codes: Vec<u32> = (0..n)
                    .map(|k| if k < nl as usize { k as u32 } else { rng.random_range(0..nl) })
                    .collect();
                let mut targets = vec![0.0; nl as usize];
                for k in 0..n {
                    targets[codes[k] as usize] += d[k] * h[k];
                }
                let levels = (0..nl).map(|l| l.to_string()).collect();
                Margin::Categorical {
                    name: format!("m{m}"),
                    factor: Factor { codes, levels },
                    targets,
                }
            })
            .collect();
        let p = Problem::new(d.clone(), margins).unwrap();
        let o = opts(Method::Raking, None);
        let cells = calibrate(&p, &Options { solve_on: SolveOn::Cells, ..o }).unwrap();
        let rows = calibrate(&p, &Options { solve_on: SolveOn::Rows, ..o }).unwrap();
        assert_eq!(cells.report.solved_on, "cells");
        assert!(max_abs_diff(&cells.g(&d), &rows.g(&d)) < 1e-9, "{level_counts:?}");
        assert_abs_diff_eq!(cells.report.design_effect, rows.report.design_effect, epsilon = 1e-9);
    }
}
