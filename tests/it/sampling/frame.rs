//! The synthetic register: margins, determinism, scope, CSV.

use approx::{abs_diff_eq, assert_relative_eq};
use ponder::data::Factor;
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
        assert!(
            abs_diff_eq!(n, 200_000.0 * region.2 as f64 / total as f64, epsilon = 1.0),
            "{}",
            region.1
        );
    }
    // Women 51.6 % (RP2018), adults ~78 %, collective dwellings ~2 %.
    let women = share(&f.sex, |s| s == 1);
    assert!(abs_diff_eq!(women, 0.5163, epsilon = 0.005), "women {women}");
    let adults = share(&f.age, |a| a >= 18);
    assert!(abs_diff_eq!(adults, 0.783, epsilon = 0.005), "adults {adults}");
    let collective = share(&f.dwelling, |d| d == 1);
    assert!(abs_diff_eq!(collective, 0.0203, epsilon = 0.002), "collective {collective}");
    // Mean household size by person ≈ Σ s² / Σ s over households: between 2.5 and 3.2.
    let ordinary: Vec<f64> =
        f.household_size.iter().filter(|&&s| s > 0).map(|&s| f64::from(s)).collect();
    let mean = ordinary.iter().sum::<f64>() / ordinary.len() as f64;
    assert!((2.5..3.2).contains(&mean), "mean household size {mean}");
    // Retired (PCS 7) among 65+: 13.2 M / 14.17 M = 93 %.
    let old: Vec<u8> = (0..f.len()).filter(|&i| f.age[i] >= 65).map(|i| f.pcs[i]).collect();
    let retired = share(&old, |p| p == 7);
    assert!(abs_diff_eq!(retired, 0.932, epsilon = 0.01), "retired {retired}");
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
    let (codes, levels) = f.sex_age();
    let sex_age = Factor { codes, levels };
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
                BalanceVar::Categorical { name: "sex_age".into(), factor: &sex_age },
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
        assert_relative_eq!(s.weight_sum, s.pop_size as f64, epsilon = 0.0, max_relative = 1e-6);
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

/// Rows and seed of the committed `notebooks-data/frame.csv`.
/// The committed frame is exactly what the generator gives (provenance check).
#[test]
fn committed_notebook_frame_is_reproducible() {
    let committed = std::fs::read(crate::common::repo("notebooks-data/frame.csv"))
        .expect("notebooks-data/frame.csv");
    assert!(
        committed == ponder::simulate::notebook::frame_csv().unwrap(),
        "regenerate with `cargo run --example regenerate_notebook_data -- frame`"
    );
}

/// designs/fej2024.yaml, mapped by hand onto the library (the CLI does the same), on a
/// smaller synthetic register than the design's 2 million rows to keep the test fast.
#[test]
fn fej2024_yaml_design_draws_25000_balanced() {
    let path = crate::common::repo("designs/fej2024_sample.yaml");
    let y: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(y["frame"]["synthetic"]["rows"].as_u64(), Some(2_000_000));
    assert_eq!(y["strata"][0].as_str(), Some("region"));
    assert_eq!(y["selection"]["method"].as_str(), Some("cube"));
    assert_eq!(y["filters"][2]["not_in"][0].as_str(), Some("976"));
    let f = generate_frame(200_000, y["seed"].as_u64().unwrap()).unwrap();
    let mut strata = f.region_strata().unwrap();
    strata.restrict(&f.fej_scope()).unwrap();
    let (strata, dropped) = strata.drop_empty();
    assert_eq!(dropped, vec!["976".to_string()]);

    let n = y["n"].as_u64().unwrap();
    let alloc = &y["allocation"];
    assert_eq!(alloc["method"].as_str(), Some("proportional"));
    let oversample: std::collections::BTreeMap<String, f64> =
        serde_yaml::from_value(alloc["oversample"].clone()).unwrap();
    let mut spec = AllocationSpec::new(n, AllocationMethod::Proportional);
    spec.oversample = strata.per_stratum("oversample", &oversample, 1.0).unwrap();
    spec.min = vec![alloc["min"].as_u64().unwrap(); strata.n_strata()];

    let (codes, levels) = f.sex_age();
    let sex_age = Factor { codes, levels };
    let hh_codes = PersonFrame::codes_u32(&f.household_size);
    let hh_levels: Vec<String> = (0..=6).map(|s| s.to_string()).collect();
    let hh = Factor { codes: hh_codes, levels: hh_levels };
    let balance = y["selection"]["balance"].as_sequence().unwrap();
    assert_eq!(balance[0].as_str(), Some("sex_age"));
    assert_eq!(balance[1]["column"].as_str(), Some("household_size"));
    let plan = SamplingPlan {
        strata: &strata,
        allocation: spec,
        method: SelectionMethod::Cube {
            size: None,
            balance: vec![
                BalanceVar::Categorical { name: "sex_age".into(), factor: &sex_age },
                BalanceVar::Categorical { name: "household_size".into(), factor: &hh },
            ],
            options: CubeOptions::default(),
        },
    };
    let drawn = draw(&plan, &mut rng(y["seed"].as_u64().unwrap()), None).unwrap();
    assert_eq!(drawn.sample.len() as u64, n);
    let report = &drawn.report;
    assert!(report.strata.iter().all(|s| s.drawn == s.allocated));
    let balance = report.balance.as_ref().unwrap();
    assert!(balance.dropped_in_landing.iter().all(|d| !d.starts_with("stratum=")));
    for c in balance.checks.iter().filter(|c| c.frame_total > 1000.0) {
        let rel = c.relative_deviation.unwrap();
        assert!(rel.abs() < 0.01, "{} {:?}: {rel}", c.variable, c.level);
    }
}
