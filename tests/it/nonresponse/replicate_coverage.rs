//! Monte-Carlo check that replicate SEs which redo the nonresponse adjustment on every
//! bootstrap replicate give 95 % intervals covering the population mean 93–97 % of the
//! time. Response depends on age (MAR given the weighting classes), so the respondent mean
//! is biased and the class adjustment is not.

use ponder::data::Factor;
use ponder::design::{Design, DesignSpec};
use ponder::estimate::{EstimateSpec, Publication, Statistic, VarianceSource, estimate};
use ponder::nonresponse::{Method, Nonresponse, NonresponseSpec, StatusCodes, Variable};
use ponder::variance::replicates::{ReplicateKind, generate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 20_000;
const SAMPLE: usize = 400;
const AGES: usize = 4;

#[test]
fn bootstrap_replicates_redoing_the_adjustment_cover_the_mean() {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let age: Vec<u32> = (0..N).map(|_| rng.random_range(0..AGES as u32)).collect();
    let y: Vec<f64> = age.iter().map(|&a| 10.0 * a as f64 + rng.random::<f64>() * 20.0).collect();
    let truth = y.iter().sum::<f64>() / N as f64;
    let response = [0.35, 0.5, 0.65, 0.8];
    let age_levels: Vec<String> = (0..AGES).map(|a| a.to_string()).collect();
    let status_levels = vec!["0".to_string(), "1".to_string()];
    let sims: u32 = 400;
    let (mut covered, mut raw_bias) = (0usize, 0.0);
    for _ in 0..sims {
        // simple random sample without replacement, then response
        let n = SAMPLE;
        let mut idx: Vec<usize> = (0..N).collect();
        for i in 0..n {
            let j = rng.random_range(i..N);
            idx.swap(i, j);
        }
        let s: Vec<usize> = idx[..n].to_vec();
        let a: Vec<u32> = s.iter().map(|&k| age[k]).collect();
        let ys: Vec<f64> = s.iter().map(|&k| y[k]).collect();
        let resp: Vec<u32> =
            a.iter().map(|&g| (rng.random::<f64>() < response[g as usize]) as u32).collect();
        let d = vec![N as f64 / n as f64; n];
        let design = Design::new(DesignSpec::with_weights("d", d.clone())).unwrap();
        let reps =
            generate(&design, ReplicateKind::Bootstrap, Some(100), false, &mut rng).unwrap().design;

        let resp_f = Factor { codes: resp.clone(), levels: status_levels.clone() };
        let age_f = Factor { codes: a.clone(), levels: age_levels.clone() };
        let nr = Nonresponse::new(NonresponseSpec {
            status_name: "resp",
            status: &resp_f,
            codes: StatusCodes::binary("1", "0"),
            eligibility_classes: vec![],
            method: Method::Classes(vec![Variable::categorical("age", &age_f)]),
            profile: vec![],
        })
        .unwrap();
        let full = nr.adjust(&d).unwrap();
        let names: Vec<String> = (1..=reps.n_replicates()).map(|r| format!("rep_{r}")).collect();
        let cols: Vec<(&str, &[f64])> = names
            .iter()
            .map(String::as_str)
            .zip(reps.replicate_weights().iter().map(Vec::as_slice))
            .collect();
        let adjusted = nr.adjust_replicates(&full, &cols).unwrap();
        let rep_design = reps.with_weights(full.weights.clone(), adjusted.weights).unwrap();

        let var = ponder::design::Numeric::new("y", ys.clone());
        let spec = EstimateSpec::new("mean", Statistic::Mean(&var));
        let row =
            &estimate(&VarianceSource::Replicates(&rep_design), &spec, &Publication::default())
                .unwrap()[0];
        if row.ci_low <= truth && truth <= row.ci_high {
            covered += 1;
        }
        let (sw, swy) = (0..n)
            .filter(|&k| resp[k] == 1)
            .fold((0.0, 0.0), |(p, q), k| (p + d[k], q + d[k] * ys[k]));
        raw_bias += (swy / sw - truth) / f64::from(sims);
    }
    let coverage = covered as f64 / f64::from(sims);
    assert!((0.93..=0.97).contains(&coverage), "coverage {coverage}");
    assert!(raw_bias > 1.0, "the unadjusted respondent mean should be biased upwards: {raw_bias}");
}
