//! The synthetic register: margins, determinism, scope, CSV.

use ponder::sampling::{
    AllocationMethod, AllocationSpec, BalanceVar, CubeOptions, SamplingPlan, SelectionMethod, draw,
};
use ponder::simulate::{AGE_GROUP_LEVELS, PersonFrame, generate_frame, margins::REGIONS};

use super::rng;

fn share(v: &[u8], f: impl Fn(u8) -> bool) -> f64 {
    v.iter().filter(|&&x| f(x)).count() as f64 / v.len() as f64
}

#[test]
fn margins_follow_the_published_figures() {
    let f = generate_frame(200_000, 7).unwrap();
    assert_eq!(f.len(), 200_000);
    // Regions: exact proportional counts.
    let total: u64 = REGIONS.iter().map(|r| r.2).sum();
    for (r, region) in REGIONS.iter().enumerate() {
        let n = f.region.iter().filter(|&&x| x as usize == r).count() as f64;
        assert!((n - 200_000.0 * region.2 as f64 / total as f64).abs() <= 1.0, "{}", region.1);
    }
    // Women 51.6 % (RP2018), adults ~78 %, collective dwellings ~2 %.
    let women = share(&f.sex, |s| s == 1);
    assert!((women - 0.5163).abs() < 0.005, "women {women}");
    let adults = share(&f.age, |a| a >= 18);
    assert!((adults - 0.783).abs() < 0.005, "adults {adults}");
    let collective = share(&f.dwelling, |d| d == 1);
    assert!((collective - 0.0203).abs() < 0.002, "collective {collective}");
    // Mean household size by person ≈ Σ s² / Σ s over households: between 2.5 and 3.2.
    let ordinary: Vec<f64> =
        f.household_size.iter().filter(|&&s| s > 0).map(|&s| f64::from(s)).collect();
    let mean = ordinary.iter().sum::<f64>() / ordinary.len() as f64;
    assert!((2.5..3.2).contains(&mean), "mean household size {mean}");
    // Retired (PCS 7) among 65+: 13.2 M / 14.17 M = 93 %.
    let old: Vec<u8> = (0..f.len()).filter(|&i| f.age[i] >= 65).map(|i| f.pcs[i]).collect();
    let retired = share(&old, |p| p == 7);
    assert!((retired - 0.932).abs() < 0.01, "retired {retired}");
    assert!(f.age_group.iter().all(|&g| (g as usize) < AGE_GROUP_LEVELS.len()));
}

#[test]
fn same_seed_same_frame_whatever_the_threads() {
    let a = generate_frame(150_000, 11).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = pool.install(|| generate_frame(150_000, 11).unwrap());
    assert_eq!(a, b);
    let c = generate_frame(150_000, 12).unwrap();
    assert_ne!(a.age, c.age);
}

#[test]
fn csv_has_a_header_and_one_line_per_person() {
    let f = generate_frame(500, 3).unwrap();
    let mut buf = Vec::new();
    f.write_csv(&mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "person_id,sex,age,age_group,sex_age,region,region_name,department,household_size,\
         diploma,pcs,dwelling"
    );
    assert_eq!(lines.clone().count(), 500);
    assert!(lines.all(|l| l.split(',').count() == 12));
}

/// The « Français et la justice » design on a synthetic register: scope, regions with the
/// overseas departments over-represented, cube balanced on sex × age group and household size.
#[test]
fn fej_design_on_a_synthetic_register() {
    let f = generate_frame(120_000, 2024).unwrap();
    let mut strata = f.region_strata().unwrap();
    strata.restrict(&f.fej_scope()).unwrap();
    let (strata, dropped) = strata.drop_empty();
    assert_eq!(dropped, vec!["976".to_string()]);
    let (sex_age, levels) = f.sex_age();
    let hh = f.household_size_f64();
    let mut allocation = AllocationSpec::new(2500, AllocationMethod::Proportional);
    let dom = std::collections::BTreeMap::from(
        ["971", "972", "973", "974"].map(|d| (d.to_string(), 3.0)),
    );
    allocation.oversample = strata.per_stratum("oversample", &dom, 1.0).unwrap();
    allocation.min = vec![2; strata.n_strata()];
    let plan = SamplingPlan {
        strata: &strata,
        allocation,
        method: SelectionMethod::Cube {
            size: None,
            balance: vec![
                BalanceVar::Categorical { name: "sex_age".into(), codes: &sex_age, levels },
                BalanceVar::Numeric { name: "household_size".into(), values: &hh },
            ],
            options: CubeOptions::default(),
        },
    };
    let drawn = draw(&plan, &mut rng(2024), None).unwrap();
    let r = &drawn.report;
    assert_eq!(drawn.sample.len(), 2500);
    assert!(drawn.sample.rows.iter().all(|&k| f.age[k] >= 18 && f.dwelling[k] == 0));
    for s in &r.strata {
        assert_eq!(s.drawn, s.allocated, "{}", s.label);
        assert!((s.weight_sum - s.pop_size as f64).abs() < 1e-6 * s.pop_size as f64);
    }
    let guadeloupe = r.strata.iter().find(|s| s.label == "971").unwrap();
    let idf = r.strata.iter().find(|s| s.label == "11").unwrap();
    assert!(guadeloupe.weight * 2.9 < idf.weight && idf.weight < guadeloupe.weight * 3.1);
    let balance = r.balance.as_ref().unwrap();
    for c in &balance.checks {
        // Minors' cells have a zero total (out of scope): no relative deviation.
        if let Some(rel) = c.relative_deviation {
            assert!(rel.abs() < 0.02, "{} {:?}: {rel}", c.variable, c.level);
        } else {
            assert_eq!(c.frame_total, 0.0);
        }
    }
    serde_json::to_string(r).unwrap();
    let _ = PersonFrame::codes_u32(&f.sex);
}
