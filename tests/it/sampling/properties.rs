//! Properties of allocation, inclusion probabilities and selection (proptest).

use approx::{abs_diff_eq, assert_abs_diff_eq, relative_eq};
use ponder::sampling::{
    AllocationMethod, AllocationSpec, BalanceVar, CubeOptions, Sample, SortKey, Strata, allocate,
    inclusion_probabilities, inclusion_probabilities_stratified, select_cube, select_poisson,
    select_srswor, select_systematic, select_systematic_sorted, sort_order,
};
use proptest::prelude::*;

use super::rng;

/// Strata of the given sizes, rows interleaved (row i in stratum i mod H while it has room),
/// so that strata are not contiguous in the frame.
fn interleaved(sizes: &[u64]) -> Strata {
    let mut left = sizes.to_vec();
    let mut codes = Vec::new();
    while left.iter().any(|&l| l > 0) {
        for (h, l) in left.iter_mut().enumerate() {
            if *l > 0 {
                codes.push(h as u32);
                *l -= 1;
            }
        }
    }
    let labels = (0..sizes.len()).map(|h| format!("h{h}")).collect();
    Strata::from_codes("h", codes, labels).unwrap()
}

/// Stratum sizes and a sample size per stratum.
fn sizes_and_n() -> impl Strategy<Value = (Vec<u64>, Vec<u64>)> {
    prop::collection::vec(1u64..60, 1..6).prop_flat_map(|sizes| {
        let n = sizes.iter().map(|&s| 0..=s).collect::<Vec<_>>();
        (Just(sizes), n)
    })
}

/// As [`sizes_and_n`] with n_h ≥ 1 (the cube method needs π > 0).
fn sizes_and_positive_n() -> impl Strategy<Value = (Vec<u64>, Vec<u64>)> {
    prop::collection::vec(1u64..60, 1..6).prop_flat_map(|sizes| {
        let n = sizes.iter().map(|&s| 1..=s).collect::<Vec<_>>();
        (Just(sizes), n)
    })
}

fn assert_well_formed(s: &Sample) {
    assert!(s.rows.windows(2).all(|w| w[0] < w[1]), "rows ascending and distinct");
    for i in 0..s.len() {
        assert_abs_diff_eq!(s.design_weight[i] * s.pi[i], 1.0, epsilon = 1e-12);
        assert_eq!(s.certainty[i], s.pi[i] >= 1.0);
    }
}

fn positive_sizes(n: usize) -> impl Strategy<Value = Vec<f64>> {
    // Heavy tail so that capping at 1 happens often.
    prop::collection::vec(prop_oneof![4 => 0.1f64..10.0, 1 => 100.0f64..10_000.0], n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn srswor_draws_exactly_n_h((sizes, n_h) in sizes_and_n(), seed in any::<u64>()) {
        let strata = interleaved(&sizes);
        let s = select_srswor(&strata, &n_h, &mut rng(seed), None).unwrap();
        assert_well_formed(&s);
        prop_assert_eq!(s.counts(sizes.len()), n_h.clone());
        for i in 0..s.len() {
            let h = s.stratum[i] as usize;
            prop_assert_eq!(s.pi[i], n_h[h] as f64 / sizes[h] as f64);
        }
    }

    #[test]
    fn systematic_draws_exactly_n_h_and_every_certainty_unit(
        (sizes, n_h) in sizes_and_n(),
        raw in positive_sizes(300),
        seed in any::<u64>(),
        sorted in any::<bool>(),
    ) {
        let strata = interleaved(&sizes);
        let x = &raw[..strata.n_rows()];
        let ip = inclusion_probabilities_stratified(x, &strata, &n_h, "x").unwrap();
        let order = sorted.then(|| sort_order(x.len(), &[SortKey::Values { name: "x", values: x }]).unwrap());
        let s = select_systematic(&ip.pi, &strata, order.as_deref(), &mut rng(seed), None).unwrap();
        assert_well_formed(&s);
        prop_assert_eq!(s.counts(sizes.len()), n_h);
        for &c in &ip.certainty {
            prop_assert!(s.rows.binary_search(&c).is_ok(), "certainty unit {} drawn", c);
        }
    }

    #[test]
    fn inclusion_probabilities_sum_to_n_and_capping_is_idempotent(
        x in positive_sizes(80),
        n in 1usize..80,
    ) {
        let ip = inclusion_probabilities(&x, n as f64, "x").unwrap();
        let total: f64 = ip.pi.iter().sum();
        prop_assert!(abs_diff_eq!(total, n as f64, epsilon = 1e-9), "Σπ = {} ≠ {}", total, n);
        prop_assert!(ip.pi.iter().all(|&p| p > 0.0 && p <= 1.0));
        for k in 0..x.len() {
            prop_assert_eq!(ip.certainty.contains(&k), ip.pi[k] == 1.0);
        }
        // π ∝ x among the non-certainty units.
        let free: Vec<usize> = (0..x.len()).filter(|&k| ip.pi[k] < 1.0).collect();
        if let Some(&k0) = free.first() {
            for &k in &free {
                let (r, r0) = (ip.pi[k] / x[k], ip.pi[k0] / x[k0]);
                prop_assert!(relative_eq!(r, r0, epsilon = 0.0, max_relative = 1e-12), "unit {}: {} vs {}", k, r, r0);
            }
        }
        // Capping the capped probabilities again changes nothing.
        let again = inclusion_probabilities(&ip.pi, n as f64, "pi").unwrap();
        for (a, b) in again.pi.iter().zip(&ip.pi) {
            prop_assert!(abs_diff_eq!(a, b, epsilon = 1e-12));
        }
        prop_assert_eq!(again.certainty, ip.certainty);
    }

    #[test]
    fn allocation_keeps_the_total_and_the_bounds(
        pop in prop::collection::vec(1u64..500, 1..12),
        sd in prop::collection::vec(0.0f64..50.0, 12),
        frac in 0.0f64..1.0,
        min in 0u64..3,
    ) {
        let h = pop.len();
        let big: u64 = pop.iter().sum();
        let lo: u64 = pop.iter().map(|&p| p.min(min)).sum();
        let n = lo + ((big - lo) as f64 * frac) as u64;
        let mut spec = AllocationSpec::new(n, AllocationMethod::Neyman { sd: sd[..h].to_vec() });
        spec.min = pop.iter().map(|&p| p.min(min)).collect();
        let labels: Vec<String> = (0..h).map(|i| i.to_string()).collect();
        match allocate(&pop, &labels, &spec) {
            Ok(a) => {
                prop_assert_eq!(a.sizes().iter().sum::<u64>(), n);
                for (s, &p) in a.strata.iter().zip(&pop) {
                    prop_assert!(s.n <= p && s.n >= p.min(min));
                    prop_assert!((s.unrounded - s.n as f64).abs() < 1.0);
                }
            }
            // Only when no stratum with room has a positive S_h.
            Err(e) => prop_assert!(e.to_string().contains("zero share") || e.to_string().contains("S_h = 0"), "{}", e),
        }
    }

    #[test]
    fn same_seed_same_sample_different_seed_different_sample(seed in any::<u64>()) {
        let sizes = [120u64, 80];
        let strata = interleaved(&sizes);
        let n_h = [12u64, 8];
        let x: Vec<f64> = (0..200).map(|k| 1.0 + (k % 7) as f64).collect();
        let pi = inclusion_probabilities_stratified(&x, &strata, &n_h, "x").unwrap().pi;
        let bal = [BalanceVar::Numeric { name: "x".into(), values: &x }];
        let draws = |s: u64| -> Vec<Vec<usize>> {
            vec![
                select_srswor(&strata, &n_h, &mut rng(s), None).unwrap().rows,
                select_systematic(&pi, &strata, None, &mut rng(s), None).unwrap().rows,
                select_poisson(&pi, &strata, &mut rng(s), None).unwrap().rows,
                select_cube(&pi, &strata, &bal, &CubeOptions::default(), &mut rng(s), None).unwrap().0.rows,
            ]
        };
        let a = draws(seed);
        prop_assert_eq!(&a, &draws(seed));
        // Systematic sampling has few possible samples (about one per start interval in each
        // stratum): two seeds may agree, three more seeds all agreeing has probability < 1e-7.
        let others: Vec<Vec<Vec<usize>>> = (1..4).map(|d| draws(seed.wrapping_add(d))).collect();
        for m in 0..a.len() {
            prop_assert!(others.iter().any(|o| o[m] != a[m]), "method {}", m);
        }
        prop_assert_ne!(&a[0], &others[0][0]);
        prop_assert_ne!(&a[3], &others[0][3]);
    }

    #[test]
    fn cube_draws_exactly_n_h((sizes, n_h) in sizes_and_positive_n(), raw in positive_sizes(300), seed in any::<u64>()) {
        let strata = interleaved(&sizes);
        let x = &raw[..strata.n_rows()];
        let pi = inclusion_probabilities_stratified(x, &strata, &n_h, "x").unwrap().pi;
        let age: Vec<f64> = (0..x.len()).map(|k| (k * 37 % 61) as f64).collect();
        let bal = [
            BalanceVar::Numeric { name: "x".into(), values: x },
            BalanceVar::Numeric { name: "age".into(), values: &age },
        ];
        let (s, report) = select_cube(&pi, &strata, &bal, &CubeOptions::default(), &mut rng(seed), None).unwrap();
        assert_well_formed(&s);
        prop_assert_eq!(s.counts(sizes.len()), n_h.clone());
        prop_assert_eq!(report.checks[0].variable.as_str(), "pi");
        prop_assert!(report.dropped_in_landing.iter().all(|d| !d.starts_with("stratum=")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The one-pass composite sort and the key-by-key sort give the same stable order.
    #[test]
    fn sort_order_is_the_stable_lexicographic_order(
        a in prop::collection::vec(0u32..4, 1..200),
        b_seed in any::<u64>(),
    ) {
        let n = a.len();
        let b: Vec<u32> = (0..n as u64).map(|i| ((i ^ b_seed).wrapping_mul(0x9E37_79B9) % 7) as u32).collect();
        let y: Vec<f64> = b.iter().map(|&v| f64::from(v)).collect();
        let fast = sort_order(n, &[SortKey::Codes { name: "a", codes: &a }, SortKey::Codes { name: "b", codes: &b }]).unwrap();
        let slow = sort_order(n, &[SortKey::Codes { name: "a", codes: &a }, SortKey::Values { name: "y", values: &y }]).unwrap();
        let mut expected: Vec<u32> = (0..n as u32).collect();
        expected.sort_by_key(|&k| (a[k as usize], b[k as usize], k));
        prop_assert_eq!(&fast, &expected);
        prop_assert_eq!(&slow, &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The two-pass bucket method draws the same sample as a systematic pass over the sorted
    /// frame (same seed, same start per stratum).
    #[test]
    fn systematic_by_buckets_equals_systematic_on_the_sorted_frame(
        (sizes, n_h) in sizes_and_n(),
        raw in positive_sizes(300),
        keys_seed in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let strata = interleaved(&sizes);
        let n = strata.n_rows();
        let x = &raw[..n];
        let pi = inclusion_probabilities_stratified(x, &strata, &n_h, "x").unwrap().pi;
        let a: Vec<u32> = (0..n as u64).map(|i| ((i ^ keys_seed).wrapping_mul(0x2545_F491) % 3) as u32).collect();
        let b: Vec<u32> = (0..n as u64).map(|i| ((i + keys_seed).wrapping_mul(0x9E37_79B9) % 5) as u32).collect();
        let keys = [SortKey::Codes { name: "a", codes: &a }, SortKey::Codes { name: "b", codes: &b }];
        let fast = select_systematic_sorted(&pi, &strata, &keys, &mut rng(seed), None).unwrap();
        let order = sort_order(n, &keys).unwrap();
        let slow = select_systematic(&pi, &strata, Some(&order), &mut rng(seed), None).unwrap();
        prop_assert_eq!(&fast, &slow);
        prop_assert_eq!(fast.counts(sizes.len()), n_h);
    }
}
