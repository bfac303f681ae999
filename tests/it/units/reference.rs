//! R `survey` on the expanded file (one row per dispute, persons without dispute kept with
//! zero values) against `units: {file, key}`: totals, means and proportions per dispute by
//! dispute type and by a person variable; linearization (strata + fpc; PSUs above persons)
//! and JK1 replicate weights. Fixtures and R script: tests/fixtures/units/.

use crate::common::{assert_estimate_and_se, fixture, json};
use approx::relative_eq;
use ponder::bind::estimate::{check_columns, compute};
use ponder::config::estimate::EstimateConfig;
use ponder::data::Table;
use ponder::estimate::EstimateRow;
use std::path::Path;

fn run(case: &str) -> Vec<EstimateRow> {
    let cfg = EstimateConfig::load(Path::new(&fixture(&format!("units/{case}"), "estimate.yaml")))
        .expect("config");
    let table = Table::read(Path::new(&fixture(&format!("units/{case}"), "persons.csv"))).unwrap();
    check_columns(&cfg, &table).expect("columns");
    compute(&cfg, &table).expect("estimates")
}

/// Every R row matched by (name, domain label): estimates to 1e-9, SEs to 1e-6 (relative).
fn check(case: &str) {
    let rows = run(case);
    let expected = json(&format!("units/{case}"), "expected.json");
    let list = expected["estimates"].as_array().unwrap();
    assert_eq!(rows.len(), list.len(), "{case}: rows");
    for e in list {
        let name = e["name"].as_str().unwrap();
        let domain = e["domain"].as_str();
        let r = rows
            .iter()
            .find(|r| r.name == name && r.domain.first().map(|d| d.1.as_str()) == domain)
            .unwrap_or_else(|| panic!("{case}: no row {name} {domain:?}"));
        let want = (e["estimate"].as_f64().unwrap(), e["se"].as_f64().unwrap());
        assert_estimate_and_se(&format!("{case} {name} {domain:?}"), (r.estimate, r.se), want);
    }
}

#[test]
fn units_strata_fpc_match_r_expanded_design() {
    check("strat_fpc");
}

#[test]
fn units_clustered_within_psus_match_r_expanded_design() {
    check("clus1");
}

#[test]
fn units_with_person_replicate_weights_match_r_svrepdesign() {
    check("jk1_clus1");
}

/// Counts are of disputes: n of the all-dispute total is the unit file's row count.
#[test]
fn units_counts_are_disputes() {
    let rows = run("strat_fpc");
    let n = rows.iter().find(|r| r.name == "n_disputes").unwrap().n;
    let text = std::fs::read_to_string(fixture("units/strat_fpc", "disputes.csv")).unwrap();
    assert_eq!(n, text.lines().count() - 1);
}

/// Post-stratified person weights: the calibration residuals of the person-level sums;
/// R's check is the ratio of per-person dispute sums on the post-stratified person design.
#[test]
fn units_with_calibrated_person_weights_match_r_person_sums() {
    check("poststrat_clus1");
}

/// `df: domain` on a linked unit file: the domain's degrees of freedom are those of the
/// persons holding a dispute of the type (their PSUs minus their strata), as R's `degf()`
/// of the domain's subset of the expanded design, and the t-based Wald interval uses them.
/// Fixture: tests/fixtures/units/df_r_call.txt → df_domain.json.
#[test]
fn units_domain_df_match_r_degf_of_the_subset() {
    let expected = json("units", "df_domain.json");
    let list = expected["rows"].as_array().unwrap();
    for case in ["strat_fpc", "clus1"] {
        let dir = tempfile::tempdir().unwrap();
        for f in ["persons.csv", "disputes.csv"] {
            std::fs::copy(fixture(&format!("units/{case}"), f), dir.path().join(f)).unwrap();
        }
        let yaml = std::fs::read_to_string(fixture(&format!("units/{case}"), "estimate.yaml"))
            .unwrap()
            .replace(
                "category: none, by: [type]}",
                "category: none, by: [type], df: domain, ci: wald}",
            )
            .replace("variable: amount, by: [type]}", "variable: amount, by: [type], df: domain}");
        assert_eq!(yaml.matches("df: domain").count(), 2, "{case}: the config edit took");
        let path = dir.path().join("estimate.yaml");
        std::fs::write(&path, yaml).unwrap();
        let cfg = EstimateConfig::load(&path).expect("config");
        let table = Table::read(&dir.path().join("persons.csv")).unwrap();
        let rows = compute(&cfg, &table).expect("estimates");
        let mine = list.iter().filter(|e| e["case"] == case);
        let mut seen = 0;
        for e in mine {
            let (name, domain) = (e["name"].as_str().unwrap(), e["domain"].as_str());
            let r = rows
                .iter()
                .find(|r| r.name == name && r.domain.first().map(|d| d.1.as_str()) == domain)
                .unwrap_or_else(|| panic!("{case}: no row {name} {domain:?}"));
            assert_eq!(r.df, e["df"].as_f64(), "{case} {name} {domain:?}: df");
            for (got, key) in
                [(r.estimate, "estimate"), (r.ci_low, "ci_low"), (r.ci_high, "ci_high")]
            {
                let want = e[key].as_f64().unwrap();
                assert!(
                    relative_eq!(got, want, epsilon = 0.0, max_relative = 1e-9),
                    "{case} {name} {domain:?}: {key} {got} vs R {want}"
                );
            }
            seen += 1;
        }
        assert_eq!(seen, 6, "{case}: rows checked");
    }
}
