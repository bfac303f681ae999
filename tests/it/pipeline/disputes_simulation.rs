//! `ponder simulate` with dispute-level estimates: each replication estimates on its own
//! respondents' disputes, against the disputes of the whole target population.

use crate::common::repo;
use approx::abs_diff_eq;
use ponder::pipeline::Silent;
use ponder::pipeline::simulation::{SimulationOptions, simulate};

#[test]
fn a_tiny_simulation_checks_dispute_level_rates() {
    let dir = tempfile::tempdir().unwrap();
    let absolute = |file: &str| {
        std::fs::read_to_string(repo(&format!("designs/{file}")))
            .unwrap()
            .replace(
                "codebook: fej2024_codebook.yaml",
                &format!("codebook: {}", repo("designs/fej2024_codebook.yaml")),
            )
            .replace("count: 500", "count: 30")
    };
    std::fs::write(dir.path().join("e.yaml"), absolute("fej2024_estimates.yaml")).unwrap();
    std::fs::write(dir.path().join("d.yaml"), absolute("fej2024_disputes.yaml")).unwrap();
    std::fs::write(dir.path().join("dm.yaml"), absolute("fej2024_dispute_models.yaml")).unwrap();
    let pipeline = format!(
        "seed: 3\nsteps:\n  - sample: {}\n  - collection: {{synthetic: {{}}}}\n  - nonresponse: {}\n  \
         - calibration: {}\n  - replicates: {{type: bootstrap, count: 30}}\n  \
         - estimates: {{config: e.yaml, disputes: d.yaml, dispute_models: dm.yaml}}\n",
        repo("designs/fej2024_sample.yaml"),
        repo("designs/fej2024_nonresponse.yaml"),
        repo("calibration/fej2024.yaml"),
    );
    let path = dir.path().join("p.yaml");
    std::fs::write(&path, pipeline).unwrap();
    let cfg = ponder::pipeline::load(&path).unwrap();
    let opts = SimulationOptions {
        replications: 3,
        population: 60_000,
        sample_size: Some(3_000),
        replicates: 30,
        seed: 3,
    };
    let sim = simulate(&cfg, &opts, &Silent).unwrap();
    // the dispute model against its census fit on the population's disputes
    let coef: Vec<_> = sim
        .models
        .iter()
        .filter(|m| m.name == "nonrecourse_per_dispute" && m.kind == "coefficient")
        .collect();
    assert!(!coef.is_empty(), "{:#?}", sim.model_failures);
    let family = coef.iter().find(|m| m.term.as_deref() == Some("type=family")).unwrap();
    assert!(family.truth < -0.5 && family.truth > -1.3, "{family:?}");
    assert!(coef.iter().all(|m| m.truth.is_finite() && m.replications <= 3));
    let rows: Vec<_> = sim
        .estimates
        .iter()
        .filter(|e| e.name == "nonrecourse_by_type" && e.step == "calibration")
        .collect();
    assert_eq!(rows.len(), 6, "{rows:#?}");
    for r in &rows {
        assert!(r.truth > 0.2 && r.truth < 0.75, "{r:?}");
        assert_eq!(r.replications, 3);
        assert!(r.mean_se > 0.0 && r.coverage.is_finite() && r.sd > 0.0, "{r:?}");
    }
    // the overall non-recourse per dispute of the population: about 48 % (simulate::disputes)
    let all = sim.estimates.iter().find(|e| e.name == "dispute_nonrecourse").unwrap();
    assert!(abs_diff_eq!(all.truth, 0.48, epsilon = 0.02), "{all:?}");
    // person-level estimates are still there, with their own truths
    assert!(sim.estimates.iter().any(|e| e.name == "dispute" && e.truth > 0.15));
    // no temporary dispute file left behind
    let pid = std::process::id();
    let left = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("ponder-simulate-{pid}-")))
        .count();
    assert_eq!(left, 0);
}

#[test]
fn a_unit_file_under_config_is_refused_by_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = format!(
        "seed: 3\nsteps:\n  - sample: {}\n  - collection: {{synthetic: {{}}}}\n  - nonresponse: {}\n  \
         - calibration: {}\n  - replicates: {{type: bootstrap, count: 500}}\n  - estimates: {}\n",
        repo("designs/fej2024_sample.yaml"),
        repo("designs/fej2024_nonresponse.yaml"),
        repo("calibration/fej2024.yaml"),
        repo("designs/fej2024_disputes.yaml"),
    );
    let path = dir.path().join("p.yaml");
    std::fs::write(&path, pipeline).unwrap();
    let cfg = ponder::pipeline::load(&path).unwrap();
    let opts = SimulationOptions {
        replications: 2,
        population: 20_000,
        sample_size: Some(1_000),
        replicates: 5,
        seed: 3,
    };
    let err = simulate(&cfg, &opts, &Silent).unwrap_err();
    assert!(matches!(err, ponder::Error::Data { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("fej2024_disputes.yaml") && msg.contains("under `disputes:`"), "{msg}");
}
