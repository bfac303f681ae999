//! Sequential phases, eligibility, replicates: identities checked against independent
//! computations.

use super::{Synth, assert_all_relative_eq, draw, mixed_codes, population};
use approx::{abs_diff_eq, assert_abs_diff_eq, assert_relative_eq};
use ponder::nonresponse::{
    FitOptions, Method, ModelWeighting, Nonresponse, NonresponseSpec, Outcome, Phases, PhoneShare,
    Predictor, ResponseModel, ScoreGroups, StatusCodes, Variable,
};
use rand::SeedableRng;

fn sample(seed: u64, inel: f64, unk: f64) -> Synth {
    let pop = population(30_000, 7);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    draw(&pop, &mut rng, inel, unk)
}

fn sequential<'a>(s: &'a Synth, share: PhoneShare<'a>) -> ResponseModel<'a> {
    ResponseModel {
        predictors: vec![
            Predictor::new(Variable::categorical("age", &s.age)),
            Predictor::new(Variable::categorical("diploma", &s.diploma)),
            Predictor::new(Variable::numeric("income", &s.income)),
        ],
        weighting: ModelWeighting::Design,
        phases: Phases::Sequential { phone_number: &s.phone, share },
        options: FitOptions::default(),
    }
}

fn spec<'a>(s: &'a Synth, method: Method<'a>) -> NonresponseSpec<'a> {
    NonresponseSpec {
        status_name: "outcome",
        status: &s.status,
        codes: mixed_codes(),
        eligibility_classes: vec![Variable::categorical("age", &s.age)],
        method,
        profile: vec![
            Variable::categorical("diploma", &s.diploma),
            Variable::numeric("income", &s.income),
        ],
    }
}

/// A global model of `target` among units whose status is in `base` (others ineligible).
fn global_p(
    s: &Synth,
    dprime: &[f64],
    target: &[&str],
    base: impl Fn(usize) -> bool,
) -> Vec<Option<f64>> {
    let labels: Vec<String> = (0..s.d.len())
        .map(|i| {
            let l = &s.status.levels[s.status.codes[i] as usize];
            if !base(i) {
                "skip".into()
            } else if target.contains(&l.as_str()) {
                "yes".into()
            } else {
                "no".into()
            }
        })
        .collect();
    let st = super::factor_of(&labels);
    let codes = StatusCodes {
        respondent: vec!["yes".into()],
        nonrespondent: vec!["no".into()],
        ineligible: vec!["skip".into()],
        ..Default::default()
    };
    let mut model = sequential(s, PhoneShare::Observed);
    model.phases = Phases::Global;
    let spec = NonresponseSpec {
        status_name: "t",
        status: &st,
        codes,
        eligibility_classes: vec![],
        method: Method::Propensity(model),
        profile: vec![],
    };
    Nonresponse::new(spec).unwrap().adjust(dprime).unwrap().propensity
}

#[test]
fn sequential_propensity_combines_web_phone_and_number_share() {
    let s = sample(11, 0.04, 0.05);
    let age = [Variable::categorical("age", &s.age)];
    let nr = Nonresponse::new(spec(
        &s,
        Method::Propensity(sequential(&s, PhoneShare::Classes(age.to_vec()))),
    ))
    .unwrap();
    let adj = nr.adjust(&s.d).unwrap();
    let o = nr.outcomes();
    let dp = &adj.eligibility_weights;
    let elig = |i: usize| o[i].is_eligible();
    let p_web = global_p(&s, dp, &["web"], elig);
    let p_tel = global_p(&s, dp, &["phone"], |i| elig(i) && o[i] != Outcome::Web && s.phone[i]);
    // q per age class among eligible web non-respondents.
    let mut q = [(0.0, 0.0); 3];
    for i in (0..o.len()).filter(|&i| elig(i) && o[i] != Outcome::Web) {
        let a = s.age.codes[i] as usize;
        q[a].0 += dp[i] * f64::from(u8::from(s.phone[i]));
        q[a].1 += dp[i];
    }
    // p_tel is only predicted where that model was fitted; refit-free check on relaunched units,
    // and the web part everywhere.
    let mut checked = 0;
    for i in (0..o.len()).filter(|&i| elig(i)) {
        let pw = p_web[i].unwrap();
        let p = adj.propensity[i].unwrap();
        if let Some(pt) = p_tel[i] {
            let qa = q[s.age.codes[i] as usize].0 / q[s.age.codes[i] as usize].1;
            let want = pw + (1.0 - pw) * qa * pt;
            assert!(abs_diff_eq!(p, want, epsilon = 1e-9), "unit {i}: {p} vs {want}");
            checked += 1;
        }
        assert!(p >= pw - 1e-12);
    }
    assert!(checked > 100);
    for c in &adj.report.phone_share {
        let a = s.age.levels.iter().position(|l| *l == c.class).unwrap();
        assert_abs_diff_eq!(c.share, q[a].0 / q[a].1, epsilon = 1e-12);
    }
    // Inverse propensity: w = d' / p̂ for respondents, 0 elsewhere.
    for i in 0..o.len() {
        let want = if o[i].is_respondent() { dp[i] / adj.propensity[i].unwrap() } else { 0.0 };
        assert_relative_eq!(adj.weights[i], want, epsilon = 0.0, max_relative = 1e-12);
    }
    let r = &adj.report.response_rates;
    let web = o.iter().filter(|&&x| x == Outcome::Web).count();
    let elig_n = o.iter().filter(|x| x.is_eligible()).count();
    assert_eq!(r.web.as_ref().unwrap().n_respondents, web);
    assert_eq!(r.web.as_ref().unwrap().n_base, elig_n);
    let relaunched =
        (0..o.len()).filter(|&i| elig(i) && o[i] != Outcome::Web && s.phone[i]).count();
    assert_eq!(r.phone.as_ref().unwrap().n_base, relaunched);
    assert_eq!(adj.report.models.len(), 2);
    assert!(
        adj.report.profiles.iter().any(|p| p.variable == "income" && p.std_differences.len() == 3)
    );
}

#[test]
fn eligibility_shares_unknown_weight_and_ineligibles_leave() {
    let s = sample(12, 0.05, 0.08);
    let age = vec![Variable::categorical("age", &s.age)];
    let nr = Nonresponse::new(spec(&s, Method::Classes(age))).unwrap();
    let adj = nr.adjust(&s.d).unwrap();
    let o = nr.outcomes();
    for a in 0..3u32 {
        let in_a = |i: &usize| s.age.codes[*i] == a;
        let total: f64 = (0..o.len()).filter(in_a).map(|i| s.d[i]).sum();
        let known: f64 = (0..o.len()).filter(in_a).map(|i| adj.eligibility_weights[i]).sum();
        assert_relative_eq!(known, total, epsilon = 0.0, max_relative = 1e-9);
        let elig: f64 = (0..o.len())
            .filter(|i| in_a(i) && o[*i].is_eligible())
            .map(|i| adj.eligibility_weights[i])
            .sum();
        let resp: f64 = (0..o.len()).filter(in_a).map(|i| adj.weights[i]).sum();
        assert_relative_eq!(resp, elig, epsilon = 0.0, max_relative = 1e-9);
    }
    for (oi, w) in o.iter().zip(&adj.weights) {
        if matches!(oi, Outcome::Ineligible | Outcome::Unknown | Outcome::Nonrespondent) {
            assert_eq!(*w, 0.0);
        }
    }
    assert_eq!(adj.report.eligibility.len(), 3);
    assert!(adj.report.eligibility.iter().all(|c| c.factor > 1.0 && c.n_unknown > 0));
}

fn replicate_columns(d: &[f64], r: usize, seed: u64) -> Vec<Vec<f64>> {
    use rand::RngExt;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..r).map(|_| d.iter().map(|&v| v * f64::from(rng.random_range(0..3u8))).collect()).collect()
}

#[test]
fn replicates_redo_everything_and_are_thread_independent() {
    let s = sample(13, 0.03, 0.04);
    let groups = ScoreGroups { groups: 8, min_respondents: 20, ..Default::default() };
    let nr = Nonresponse::new(spec(
        &s,
        Method::Score { model: sequential(&s, PhoneShare::Model), groups },
    ))
    .unwrap();
    let full = nr.adjust(&s.d).unwrap();
    let reps = replicate_columns(&s.d, 12, 99);
    let mut cols: Vec<(String, &[f64])> = vec![("same".into(), &s.d)];
    cols.extend(reps.iter().enumerate().map(|(r, v)| (format!("rep_{}", r + 1), v.as_slice())));
    let named: Vec<(&str, &[f64])> = cols.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| nr.adjust_replicates(&full, &named).unwrap())
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two, "replicate weights depend on the thread count");
    // The replicate equal to the full-sample weights reproduces the full-sample adjustment.
    assert_all_relative_eq("replicate 0", &one.weights[0], &full.weights, 1e-10);
    // Each replicate equals a full run on its own weights (so everything is redone).
    for (r, w) in reps.iter().enumerate().take(3) {
        let alone = nr.adjust(w).unwrap();
        assert_all_relative_eq(
            &format!("replicate {}", r + 1),
            &one.weights[r + 1],
            &alone.weights,
            1e-10,
        );
        assert_eq!(one.groups_per_replicate[r + 1], alone.report.groups.len());
    }
    // Within each replicate's groups the respondents carry the eligible weight.
    assert!(one.weights[1].iter().zip(&s.d).any(|(w, d)| *d > 0.0 && *w == 0.0));
}

#[test]
fn response_probabilities_invert_the_adjustment() {
    let s = sample(14, 0.0, 0.0);
    let groups = ScoreGroups { groups: 5, min_respondents: 30, ..Default::default() };
    let nr = Nonresponse::new(spec(
        &s,
        Method::Score { model: sequential(&s, PhoneShare::Observed), groups },
    ))
    .unwrap();
    let adj = nr.adjust(&s.d).unwrap();
    let p = adj.response_probabilities();
    for (i, pi) in p.iter().enumerate() {
        match *pi {
            Some(v) => {
                assert_relative_eq!(v * adj.weights[i], s.d[i], epsilon = 0.0, max_relative = 1e-9);
                assert!(v > 0.0 && v <= 1.0, "unit {i}: p = {v}");
            }
            None => assert_eq!(adj.weights[i], 0.0),
        }
    }
    let ri = &adj.report.r_indicator;
    assert!(ri.r < 1.0 && ri.r > 0.0);
    assert!(ri.partial.iter().any(|v| v.variable == "age" && v.unconditional > 0.0));
    assert!(adj.report.kish.adjusted_weights >= 1.0);
    assert_eq!(adj.report.largest_factors.len(), 10);
    let f = &adj.report.largest_factors;
    assert!(f.windows(2).all(|w| w[0].factor >= w[1].factor));
}
