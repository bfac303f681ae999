//! `ponder simulate` with the models of the estimates step (designs/fej2024_models.yaml):
//! the truths of the coefficients and differences are the models fitted on the whole target
//! population (census fit, computed here from the register and its true answers
//! independently of the simulation), and the intervals of the calibrated coefficients cover
//! them about 95 % of the time.

use crate::common::repo;
use approx::assert_relative_eq;
use ponder::config::model::ModelConfig;
use ponder::data::ColumnData;
use ponder::pipeline::Silent;
use ponder::pipeline::simulation::{Simulation, SimulationOptions, simulate, true_answers};
use ponder::simulate::{generate_frame, generate_population};
use std::path::Path;

/// Register size of these simulations (the register seed is the design's, 2024).
const POPULATION: usize = 60_000;

/// The FEJ pipeline with its models, one headline estimate, `replicates` bootstrap
/// replicates, run K times.
fn run(k: usize, seed: u64, replicates: usize, sample_size: u64) -> Simulation {
    run_with(k, seed, (replicates, sample_size), ("designs/fej2024_models.yaml", 0.0))
}

/// [`run`] with another models file and a mode effect in the collection.
fn run_with(
    k: usize,
    seed: u64,
    (replicates, sample_size): (usize, u64),
    (models, mode_effect): (&str, f64),
) -> Simulation {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("estimates.yaml"), ESTIMATES).unwrap();
    let pipeline = format!(
        "seed: {seed}\nsteps:\n  - sample: {}\n  - collection: {{synthetic: {{}}}}\n  - nonresponse: {}\n  \
         - calibration: {}\n  - replicates: {{type: bootstrap, count: {replicates}}}\n  \
         - estimates: {{config: estimates.yaml, models: {}}}\n",
        repo("designs/fej2024_sample.yaml"),
        repo("designs/fej2024_nonresponse.yaml"),
        repo("calibration/fej2024.yaml"),
        repo(models),
    )
    .replace("synthetic: {}", &format!("synthetic: {{mode_effect: {mode_effect}}}"));
    let path = dir.path().join("p.yaml");
    std::fs::write(&path, pipeline).unwrap();
    let cfg = ponder::pipeline::load(&path).unwrap();
    let opts = SimulationOptions {
        replications: k,
        population: POPULATION,
        sample_size: Some(sample_size),
        replicates,
        seed,
    };
    simulate(&cfg, &opts, &Silent).unwrap()
}

const ESTIMATES: &str = "design:\n  weight: w_cal\n  replicates: {columns: \"w_cal_rep_*\", type: bootstrap}\n\
    estimates:\n  - {name: trust, stat: proportion, variable: trusts, category: \"yes\", ci: logit}\n";

/// The census fit computed here: the register of the design's seed, its true answers, the
/// in-scope eligible persons with weight 1, the models of designs/fej2024_models.yaml
/// with `weight: w` and no replicates.
fn census_fit() -> (usize, Vec<ponder::model::ModelRow>) {
    let frame = generate_frame(POPULATION, 2024).unwrap();
    let pop = generate_population(&frame, 2024);
    let mut table = ponder::pipeline::frame_table(&frame).unwrap();
    for (name, col) in true_answers(&pop) {
        table.add_column(&name, col).unwrap();
    }
    let target: Vec<usize> = frame
        .fej_scope()
        .iter()
        .zip(&pop.eligible)
        .enumerate()
        .filter(|(_, (s, e))| **s && **e)
        .map(|(i, _)| i)
        .collect();
    let mut table = table.take_rows(&target).unwrap();
    table.add_column("w", ColumnData::from_f64(&vec![1.0; target.len()])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo("designs/fej2024_models.yaml")).unwrap();
    let (_, rest) = text.split_once("\nmodels:").unwrap();
    let path = dir.path().join("models.yaml");
    std::fs::write(&path, format!("design:\n  weight: w\n\nmodels:{rest}")).unwrap();
    let cfg = ModelConfig::load(Path::new(&path)).unwrap();
    (target.len(), ponder::bind::model::compute(&cfg, &table).unwrap())
}

#[test]
fn coefficient_truths_are_the_census_fit_of_the_models() {
    let sim = run(3, 11, 60, 3_000);
    let (target, census) = census_fit();
    assert_eq!(sim.target_population, target);
    let with_truth: Vec<_> =
        census.iter().filter(|r| matches!(r.kind, "coefficient" | "difference")).collect();
    assert!(with_truth.len() > 40, "{} coefficients and differences", with_truth.len());
    for step in ["design", "nonresponse", "calibration"] {
        for c in &with_truth {
            let row = sim
                .models
                .iter()
                .find(|m| m.step == step && m.name == c.name && m.term.as_deref() == Some(&c.term))
                .unwrap_or_else(|| panic!("no row for {} {} at {step}", c.name, c.term));
            assert_eq!(row.kind, c.kind);
            assert_relative_eq!(row.truth, c.estimate, max_relative = 1e-9, epsilon = 1e-12);
            assert!(row.coverage.is_finite() && row.rmse >= row.bias.abs() - 1e-12, "{row:?}");
        }
    }
    // The non-recourse model's rows carry its domain; tests have a rejection rate, no truth.
    let nonrecourse = sim.models.iter().find(|m| m.name == "nonrecourse").unwrap();
    assert_eq!(nonrecourse.domain, "dispute=yes");
    let tests: Vec<_> =
        sim.models.iter().filter(|m| matches!(m.kind, "term_test" | "chisq")).collect();
    assert_eq!(tests.len(), 3 * 9, "7 term tests and 2 χ² tests per step");
    for t in tests {
        assert!(t.truth.is_nan() && t.coverage.is_nan(), "{t:?}");
        assert!((0.0..=1.0).contains(&t.rejection_rate), "{t:?}");
    }
    // Estimates keep their rows; the model rows follow them in the table.
    assert_eq!(sim.estimates.len(), 3);
    assert!(sim.estimates.iter().all(|e| e.kind == "estimate" && e.term.is_none()));
    let table = sim.table().unwrap();
    assert_eq!(table.n_rows(), sim.estimates.len() + sim.models.len());
}

#[test]
fn calibrated_coefficients_are_covered() {
    let k = 20;
    let sim = run(k, 5, 60, 4_000);
    let cal = |name: &str| -> Vec<_> {
        sim.models
            .iter()
            .filter(|m| m.step == "calibration" && m.name == name && m.kind == "coefficient")
            .collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // Trust (28 coefficients, ~2,000 respondents): pooled over 28 × K = 20 intervals, the
    // coverage has a Monte-Carlo s.e. of about 1.5 points (the coefficients of a factor share
    // its reference level: correlated). With 60 replicates the t quantile on 60 − 28
    // residual df widens the intervals by 4 %: about 96 % expected.
    let trust = cal("trust");
    assert_eq!(trust.len(), 28);
    assert!(trust.iter().all(|m| m.replications == k), "a trust fit failed");
    let coverage = mean(&trust.iter().map(|m| m.coverage).collect::<Vec<_>>());
    assert!(
        coverage > 0.90 && coverage < 0.99,
        "pooled coverage of trust's coefficients {coverage}"
    );
    let mut ratio: Vec<f64> = trust.iter().map(|m| m.mean_se / m.sd).collect();
    ratio.sort_by(f64::total_cmp);
    let median = ratio[ratio.len() / 2];
    assert!(median > 0.8 && median < 1.25, "median mean SE / MC SD {median}");
    let z = mean(&trust.iter().map(|m| m.bias.abs() / m.bias_mc_se).collect::<Vec<_>>());
    assert!(z < 1.5, "mean |bias| / MC s.e. {z}");
    // Non-recourse (17 coefficients on the ~450 respondents with a dispute; interaction
    // cells of a few persons): a replicate may leave a cell empty (fit left out of the
    // replication) and unstable replicate refits inflate the SEs: coverage at or above 95 %.
    let nonrecourse = cal("nonrecourse");
    assert_eq!(nonrecourse.len(), 17);
    assert!(nonrecourse.iter().all(|m| m.replications >= k / 2), "{nonrecourse:?}");
    let coverage = mean(&nonrecourse.iter().map(|m| m.coverage).collect::<Vec<_>>());
    assert!(coverage > 0.90, "pooled coverage of non-recourse's coefficients {coverage}");
    // The differences of domain proportions.
    for d in sim.models.iter().filter(|m| m.step == "calibration" && m.kind == "difference") {
        assert!(d.replications == k && d.coverage >= 0.8, "{d:?}");
    }
}

#[test]
fn model_rows_do_not_depend_on_the_thread_count() {
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let sim = pool.install(|| run(3, 2, 40, 3_000));
        (serde_json::to_string(&sim).unwrap(), sim.table().unwrap().to_markdown())
    };
    let (one, three) = (on(1), on(3));
    assert!(one.0.contains("\"kind\":\"coefficient\""));
    assert!(one == three, "simulation output depends on the thread count");
}

/// Mode effects (designs/fej2024_modes.yaml) with telephone answers shifted by δ = 0.3 on
/// the logit of trust: the observed proportion of trust is biased upwards, the « all on the
/// web » predictive margin is not, and its intervals cover the population proportion.
#[test]
fn mode_adjusted_margin_removes_the_mode_bias() {
    let k = 16;
    let sim = run_with(k, 7, (60, 4_000), ("designs/fej2024_modes.yaml", 0.3));
    let row = |kind: &str| {
        sim.models
            .iter()
            .find(|m| m.step == "calibration" && m.name == "trust_mode" && m.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} row: {:?}", sim.models))
    };
    let (observed, margin) = (row("observed"), row("margin"));
    assert_eq!(observed.truth, margin.truth);
    assert!(observed.truth > 0.0 && observed.truth < 1.0, "{observed:?}");
    assert!(observed.bias > 3.0 * observed.bias_mc_se, "observed {observed:?}");
    assert!(margin.bias.abs() < 2.5 * margin.bias_mc_se, "margin {margin:?}");
    assert!(margin.bias.abs() < observed.bias / 2.0, "{margin:?} vs {observed:?}");
    assert!(margin.coverage >= 0.8, "{margin:?}");
    // the phone coefficient is tested, without a population value
    let phone = sim
        .models
        .iter()
        .find(|m| {
            m.step == "calibration"
                && m.name == "trust_mode"
                && m.term.as_deref() == Some("outcome=phone")
        })
        .expect("phone coefficient");
    assert!(phone.truth.is_nan() && phone.rejection_rate.is_finite(), "{phone:?}");
}
