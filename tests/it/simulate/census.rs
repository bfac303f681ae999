//! Census margins of the FEJ population: analytic derivation vs the generator, and the files
//! written from them (calibration/fej2024.yaml, notebooks-data/census_margins.csv).

use crate::common::repo;
use approx::abs_diff_eq;
use ponder::config::calibrate::{CalibrationConfig, Figures, MarginSpec};
use ponder::simulate::{
    AGE_GROUP_LEVELS, DIPLOMA_LEVELS, PCS_LEVELS, SEX_LEVELS, fej_margins, generate_frame,
    margins::REGIONS,
};

/// Decimals of the percentages written to the YAML and CSV files.
const DECIMALS: u32 = ponder::simulate::notebook::CENSUS_DECIMALS;

#[test]
fn margins_are_percentages_of_the_survey_population() {
    let m = fej_margins();
    // Adults in ordinary dwellings, France without Mayotte: about 51–53 million.
    assert!((51.0e6..53.0e6).contains(&m.population_total), "{}", m.population_total);
    let names: Vec<String> = m.margins.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["sex,age_group", "region", "diploma", "pcs", "household_size"]);
    let sizes: Vec<usize> = m.margins.iter().map(|c| c.categories.len()).collect();
    assert_eq!(sizes, [10, 17, 5, 8, 6]);
    for c in &m.margins {
        let sum: f64 = c.categories.iter().map(|x| x.1).sum();
        assert!(abs_diff_eq!(sum, 100.0, epsilon = 1e-9), "{} sums to {sum}", c.name());
        assert!(c.categories.iter().all(|x| x.1 > 0.0), "{}", c.name());
        let rounded: u64 = c
            .rounded(DECIMALS)
            .unwrap()
            .iter()
            .map(|(_, t)| t.replace('.', "").parse::<u64>().unwrap())
            .sum();
        assert_eq!(rounded, 100_000_000, "{}", c.name());
    }
    assert_eq!(m.margins[0].categories[0].0, "M,18-29");
    assert_eq!(m.margins[0].categories[9].0, "F,75+");
    // Women are a majority of adults; 75+ women outnumber 75+ men.
    let sa = &m.margins[0].categories;
    assert!(sa[5..].iter().map(|x| x.1).sum::<f64>() > 51.0);
    assert!(sa[9].1 > 1.3 * sa[4].1);
}

/// FNV-1a over every column of the register.
fn frame_hash(n: usize, seed: u64) -> u64 {
    let f = generate_frame(n, seed).unwrap();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for id in &f.person_id {
        id.to_le_bytes().into_iter().for_each(&mut eat);
    }
    for col in [
        &f.sex,
        &f.age,
        &f.age_group,
        &f.region,
        &f.department,
        &f.household_size,
        &f.diploma,
        &f.pcs,
        &f.dwelling,
    ] {
        col.iter().copied().for_each(&mut eat);
    }
    h
}

/// The census derivation exposes the generator's tables; the register it generates must not
/// change. The hash is that of the 20,000-row register of notebooks-data/frame.csv, which
/// was committed before that refactoring and is checked byte for byte by
/// `sampling::frame::committed_notebook_frame_is_reproducible`.
#[test]
fn generator_output_is_unchanged() {
    assert_eq!(frame_hash(20_000, 2024), 9_965_019_176_605_450_519);
}

/// The analytic margins are the expected shares of the generator: the in-scope persons of a
/// 2-million register are within 4 binomial standard errors of every category.
#[test]
fn analytic_margins_match_the_generator() {
    let f = generate_frame(2_000_000, 2024).unwrap();
    let scope: Vec<usize> =
        f.fej_scope().iter().enumerate().filter(|x| *x.1).map(|x| x.0).collect();
    let n = scope.len() as f64;
    let m = fej_margins();
    // Expected in-scope count: population_total scaled to the register.
    let legal: u64 = REGIONS.iter().filter(|r| r.0 != "976").map(|r| r.2).sum();
    let all: u64 = REGIONS.iter().map(|r| r.2).sum();
    let expected_n = m.population_total / legal as f64 * (2.0e6 * legal as f64 / all as f64);
    assert!((n - expected_n).abs() < 4.0 * expected_n.sqrt(), "in scope {n} vs {expected_n}");
    // Label of each code of each frame column, counted by code (no per-row allocation).
    let sex_age: Vec<String> = SEX_LEVELS
        .iter()
        .flat_map(|s| AGE_GROUP_LEVELS.iter().map(move |a| format!("{s},{a}")))
        .collect();
    let region: Vec<String> = REGIONS.iter().map(|r| r.0.to_string()).collect();
    let sizes: Vec<String> = (0..=6).map(|s: u8| s.to_string()).collect();
    type Code<'a> = Box<dyn Fn(usize) -> usize + 'a>;
    let columns: [(&str, Vec<&str>, Code<'_>); 5] = [
        (
            "sex,age_group",
            sex_age.iter().map(String::as_str).collect(),
            Box::new(|i| f.sex[i] as usize * AGE_GROUP_LEVELS.len() + f.age_group[i] as usize),
        ),
        ("region", region.iter().map(String::as_str).collect(), Box::new(|i| f.region[i] as usize)),
        ("diploma", DIPLOMA_LEVELS.to_vec(), Box::new(|i| f.diploma[i] as usize)),
        ("pcs", PCS_LEVELS.to_vec(), Box::new(|i| f.pcs[i] as usize)),
        (
            "household_size",
            sizes.iter().map(String::as_str).collect(),
            Box::new(|i| f.household_size[i] as usize),
        ),
    ];
    for (margin, (name, labels, code)) in m.margins.iter().zip(columns) {
        assert_eq!(margin.name(), name);
        let mut counts = vec![0usize; labels.len()];
        for &i in &scope {
            counts[code(i)] += 1;
        }
        let mut matched = 0;
        for (cat, pct) in &margin.categories {
            let k = labels.iter().position(|l| l == cat).unwrap();
            matched += counts[k];
            let p = pct / 100.0;
            let got = counts[k] as f64 / n;
            let se = (p * (1.0 - p) / n).sqrt();
            assert!((got - p).abs() < 4.0 * se, "{name} = {cat}: register {got}, margin {p}");
        }
        assert_eq!(matched, scope.len(), "{name}: a register category has no margin");
    }
}

fn yaml() -> serde_yaml::Value {
    serde_yaml::from_str(&std::fs::read_to_string(repo("calibration/fej2024.yaml")).unwrap())
        .unwrap()
}

/// calibration/fej2024.yaml carries fej_margins() rounded to 6 decimals (largest remainder):
/// regenerate its numbers with `cargo run --example regenerate_notebook_data -- census-yaml`
/// if the generator changes.
/// What a failure of the YAML check says.
const REGEN_YAML: &str = "print the numbers with `cargo run --example regenerate_notebook_data -- census-yaml` and paste them into calibration/fej2024.yaml";

#[test]
fn fej2024_yaml_matches_the_census_margins() {
    let y = yaml();
    let m = fej_margins();
    assert_eq!(y["weight"].as_str(), Some("w_nr"));
    assert_eq!(y["output"].as_str(), Some("w_cal"));
    assert_eq!(y["method"].as_str(), Some("raking"));
    assert_eq!(y["population_total"].as_f64(), Some(m.population_total.round()), "{REGEN_YAML}");
    let margins = y["margins"].as_sequence().unwrap();
    assert_eq!(margins.len(), m.margins.len());
    for (ym, cm) in margins.iter().zip(&m.margins) {
        let vars: Vec<String> = match (&ym["variable"], &ym["variables"]) {
            (serde_yaml::Value::String(v), serde_yaml::Value::Null) => vec![v.clone()],
            (serde_yaml::Value::Null, serde_yaml::Value::Sequence(s)) => {
                s.iter().map(|v| v.as_str().unwrap().to_string()).collect()
            }
            other => panic!("margin without variable(s): {other:?}"),
        };
        assert_eq!(vars, cm.variables);
        let pct = ym["percentages"].as_mapping().unwrap();
        let written: Vec<(String, f64)> = pct
            .iter()
            .map(|(k, v)| (k.as_str().unwrap().to_string(), v.as_f64().unwrap()))
            .collect();
        // Categories merged by `groups:` carry the sum of their members' rounded shares.
        let groups: Vec<(String, Vec<String>)> = ym["groups"]
            .as_mapping()
            .map(|g| {
                g.iter()
                    .map(|(k, v)| {
                        let members = v.as_sequence().unwrap();
                        (
                            k.as_str().unwrap().to_string(),
                            members
                                .iter()
                                .map(|m| ponder::config::scalar_label(m).unwrap())
                                .collect(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut expected: Vec<(String, f64, f64)> = Vec::new();
        for ((label, want), (_, exact)) in cm.rounded(DECIMALS).unwrap().iter().zip(&cm.categories)
        {
            let want = want.parse::<f64>().unwrap();
            match groups.iter().find(|(_, m)| m.contains(label)) {
                Some((g, _)) => match expected.iter_mut().find(|e| &e.0 == g) {
                    Some(e) => {
                        e.1 += want;
                        e.2 += exact;
                    }
                    None => expected.push((g.clone(), want, *exact)),
                },
                None => expected.push((label.clone(), want, *exact)),
            }
        }
        assert_eq!(written.len(), expected.len(), "{}", cm.name());
        for ((label, value), (want_label, want, exact)) in written.iter().zip(&expected) {
            assert_eq!(label, want_label);
            assert!(
                abs_diff_eq!(value, want, epsilon = 1e-9),
                "{} = {label}; {REGEN_YAML}",
                cm.name()
            );
            // a group adds up to one 1e-6 rounding per member (two here)
            assert!(abs_diff_eq!(value, exact, epsilon = 2.0e-6), "{} = {label}", cm.name());
        }
        let sum: f64 = written.iter().map(|x| x.1).sum();
        assert!(abs_diff_eq!(sum, 100.0, epsilon = 1e-9), "{} sums to {sum}", cm.name());
    }
}

/// The file is a valid `ponder calibrate` configuration.
#[test]
fn fej2024_yaml_loads_as_a_calibration_config() {
    let c =
        CalibrationConfig::load(std::path::Path::new(&repo("calibration/fej2024.yaml"))).unwrap();
    assert_eq!(c.weight, "w_nr");
    assert_eq!(c.margins.len(), 5);
    for spec in &c.margins {
        assert!(matches!(spec, MarginSpec::Categorical { kind: Figures::Percentages, .. }));
    }
}

/// notebooks-data/census_margins.csv is exactly what fej_margins() gives.
#[test]
fn committed_census_margins_csv_is_reproducible() {
    let committed = std::fs::read(repo("notebooks-data/census_margins.csv")).unwrap();
    assert!(
        committed == ponder::simulate::notebook::census_margins_csv().unwrap(),
        "regenerate with `cargo run --example regenerate_notebook_data -- census`"
    );
    let text = String::from_utf8(committed).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("variable,category,percent"));
    assert!(lines.next().unwrap().starts_with("population_total,all,"));
    assert!(lines.next().unwrap().starts_with("\"sex,age_group\",\"M,18-29\","));
}
