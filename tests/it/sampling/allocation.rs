//! Allocation: bounds, take-all, response rates, over-representation, costs, rounding.

use approx::assert_abs_diff_eq;
use ponder::sampling::{
    AllocationMethod, AllocationSpec, BoundHit, SizeBasis, allocate, round_largest_remainder,
};

fn labels(h: usize) -> Vec<String> {
    (0..h).map(|i| format!("s{i}")).collect()
}

#[test]
fn neyman_take_all_fixes_capped_strata_and_reallocates_the_rest() {
    // Stratum 0 is tiny and very dispersed: Neyman wants 10·100/(10·100 + 2·1000·1) · 100
    // = 33.3 > N_0 = 10, so it is taken whole and the 90 others go to strata 1 and 2 equally.
    let pop = [10, 1000, 1000];
    let spec = AllocationSpec::new(100, AllocationMethod::Neyman { sd: vec![100.0, 1.0, 1.0] });
    let a = allocate(&pop, &labels(3), &spec).unwrap();
    assert_eq!(a.sizes(), vec![10, 45, 45]);
    assert_eq!(a.strata[0].bound, Some(BoundHit::TakeAll));
    assert_abs_diff_eq!(a.strata[0].share, 100.0 / 3.0, epsilon = 1e-9);
    assert_eq!(a.strata[1].unrounded, 45.0);
}

#[test]
fn min_and_max_bounds_are_respected_and_reported() {
    let pop = [5, 20, 5000, 5000];
    let mut spec = AllocationSpec::new(100, AllocationMethod::Proportional);
    spec.min = vec![2; 4];
    spec.max = vec![None, None, Some(40), None];
    let a = allocate(&pop, &labels(4), &spec).unwrap();
    let n = a.sizes();
    assert_eq!(n.iter().sum::<u64>(), 100);
    assert_eq!(n[0], 2);
    assert_eq!(a.strata[0].bound, Some(BoundHit::Min));
    assert_eq!(n[2], 40);
    assert_eq!(a.strata[2].bound, Some(BoundHit::Max));
    // The rest shares 100 − 2 − 40 = 58 between strata 1 and 3 in proportion 20 : 5000.
    let x1 = 58.0 * 20.0 / 5020.0;
    assert!(x1 < 2.0, "stratum 1 is raised to min as well");
    assert_eq!(n[1], 2);
    assert_eq!(n[3], 56);
}

#[test]
fn response_rates_inflate_the_drawn_sizes() {
    let pop = [1000, 1000];
    let mut spec = AllocationSpec::new(300, AllocationMethod::Proportional);
    spec.response_rate = vec![0.5, 0.25];
    // Drawn basis: 300 drawn in proportion 1/0.5 : 1/0.25 = 1 : 2.
    let a = allocate(&pop, &labels(2), &spec).unwrap();
    assert_eq!(a.sizes(), vec![100, 200]);
    assert_eq!(a.strata[0].expected_respondents, 50.0);
    assert_eq!(a.strata[1].expected_respondents, 50.0);
    // Respondents basis: 300 respondents, 150 per stratum, so 300 + 600 drawn.
    spec.basis = SizeBasis::Respondents;
    let a = allocate(&pop, &labels(2), &spec).unwrap();
    assert_eq!(a.n, 900);
    assert_eq!(a.sizes(), vec![300, 600]);
}

#[test]
fn oversampling_factors_and_costs_shift_the_shares() {
    let pop = [9000, 1000];
    let mut spec = AllocationSpec::new(1000, AllocationMethod::Proportional);
    spec.oversample = vec![1.0, 3.0];
    let a = allocate(&pop, &labels(2), &spec).unwrap();
    // 9000 : 3000.
    assert_eq!(a.sizes(), vec![750, 250]);
    let spec = AllocationSpec::new(
        1000,
        AllocationMethod::Optimal { sd: vec![1.0, 1.0], cost: vec![1.0, 4.0] },
    );
    let a = allocate(&[1000, 1000], &labels(2), &spec).unwrap();
    // N S / √c: 1000 : 500.
    assert_eq!(a.sizes(), vec![667, 333]);
    let a = allocate(&[10, 20, 30], &labels(3), &AllocationSpec::new(30, AllocationMethod::Equal))
        .unwrap();
    assert_eq!(a.sizes(), vec![10, 10, 10]);
    assert_eq!(a.strata[0].bound, Some(BoundHit::TakeAll));
}

#[test]
fn given_sizes_are_kept() {
    let spec = AllocationSpec::new(7, AllocationMethod::Given(vec![3, 4]));
    let a = allocate(&[10, 4], &labels(2), &spec).unwrap();
    assert_eq!(a.sizes(), vec![3, 4]);
    assert_eq!(a.strata[1].bound, Some(BoundHit::TakeAll));
}

#[test]
fn largest_remainder_keeps_the_total_and_breaks_ties_to_the_earlier_stratum() {
    let n = round_largest_remainder(&[1.5, 1.5, 1.0], 4, &[10, 10, 10]).unwrap();
    assert_eq!(n, vec![2, 1, 1]);
    let n = round_largest_remainder(&[0.2, 0.3, 0.5], 1, &[1, 1, 1]).unwrap();
    assert_eq!(n, vec![0, 0, 1]);
    // 2.9999999999999996 is 3, not 2 + a remainder.
    let n = round_largest_remainder(&[3.0 - 4e-16, 1.0 + 4e-16, 0.5, 0.5], 5, &[9; 4]).unwrap();
    assert_eq!(n, vec![3, 1, 1, 0]);
}

#[test]
fn crossed_strata_keep_the_observed_combinations_and_the_scope() {
    use ponder::sampling::{OUT_OF_SCOPE, Strata};
    let mut region = Strata::from_values("region", &["11", "11", "971", "971", "11"]).unwrap();
    let sex = Strata::from_values("sex", &["F", "M", "F", "F", "F"]).unwrap();
    region.restrict(&[true, true, true, true, false]).unwrap();
    let s = Strata::cross(&[&region, &sex]).unwrap();
    assert_eq!(s.labels(), ["11_F", "11_M", "971_F"]);
    assert_eq!(s.codes(), [0, 1, 2, 2, OUT_OF_SCOPE]);
    assert_eq!(s.sizes(), [1, 1, 2]);
    assert_eq!(s.column(), "region x sex");
    assert_eq!(s.n_in_scope(), 4);
}
