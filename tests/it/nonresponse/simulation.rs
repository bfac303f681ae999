//! Monte-Carlo check: web response depends on age, phone response on diploma, y on both.
//! The respondent mean with design weights is biased; the sequential-model adjustment is not.

use super::{draw, mixed_codes, population};
use ponder::nonresponse::{
    FitOptions, GroupFactor, Method, ModelWeighting, Nonresponse, NonresponseSpec, Phases,
    PhoneShare, Predictor, QuantileWeighting, ResponseModel, ScoreGroups, Variable,
};
use rand::SeedableRng;

fn weighted_mean(w: &[f64], y: &[f64]) -> f64 {
    let (sw, swy) = w.iter().zip(y).fold((0.0, 0.0), |(a, b), (&w, &y)| (a + w, b + w * y));
    swy / sw
}

struct Stats {
    errors: Vec<f64>,
}

impl Stats {
    fn bias(&self) -> f64 {
        self.errors.iter().sum::<f64>() / self.errors.len() as f64
    }

    /// Monte-Carlo standard error of the bias.
    fn mc_se(&self) -> f64 {
        let m = self.bias();
        let r = self.errors.len() as f64;
        (self.errors.iter().map(|e| (e - m).powi(2)).sum::<f64>() / (r - 1.0) / r).sqrt()
    }
}

#[test]
fn sequential_adjustment_removes_the_nonresponse_bias() {
    let pop = population(20_000, 2024);
    let truth = pop.y.iter().sum::<f64>() / pop.y.len() as f64;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
    let new = || Stats { errors: vec![] };
    let (mut full, mut raw, mut ipw, mut score) = (new(), new(), new(), new());
    for _ in 0..200 {
        let s = draw(&pop, &mut rng, 0.0, 0.0);
        let o: Vec<bool> = s
            .status
            .codes
            .iter()
            .map(|&c| matches!(s.status.levels[c as usize].as_str(), "web" | "phone"))
            .collect();
        let d_resp: Vec<f64> = s.d.iter().zip(&o).map(|(&d, &r)| if r { d } else { 0.0 }).collect();
        full.errors.push(weighted_mean(&s.d, &s.y) - truth);
        raw.errors.push(weighted_mean(&d_resp, &s.y) - truth);
        let age_class = [Variable::categorical("age", &s.age)];
        let model = || ResponseModel {
            predictors: vec![
                Predictor::new(Variable::categorical("age", &s.age)),
                Predictor::new(Variable::categorical("diploma", &s.diploma)),
            ],
            weighting: ModelWeighting::Design,
            phases: Phases::Sequential {
                phone_number: &s.phone,
                share: PhoneShare::Classes(age_class.to_vec()),
            },
            options: FitOptions::default(),
        };
        let spec = |method| NonresponseSpec {
            status_name: "outcome",
            status: &s.status,
            codes: mixed_codes(),
            eligibility_classes: vec![],
            method,
            profile: vec![],
        };
        let a = Nonresponse::new(spec(Method::Propensity(model()))).unwrap().adjust(&s.d).unwrap();
        ipw.errors.push(weighted_mean(&a.weights, &s.y) - truth);
        // 9 distinct p̂ values (age × diploma): 12 groups separate them, merging only
        // joins genuinely small groups.
        let groups = ScoreGroups {
            groups: 12,
            min_respondents: 5,
            min_response_rate: 0.0,
            factor: GroupFactor::WeightedRate,
            quantiles: QuantileWeighting::Weighted,
        };
        let a = Nonresponse::new(spec(Method::Score { model: model(), groups }))
            .unwrap()
            .adjust(&s.d)
            .unwrap();
        score.errors.push(weighted_mean(&a.weights, &s.y) - truth);
    }
    let (b, se) = (raw.bias(), raw.mc_se());
    assert!(b.abs() > 8.0 * se, "unadjusted mean should be biased: bias {b}, MC se {se}");
    for (name, st) in [("inverse propensity", &ipw), ("score groups", &score)] {
        // Against the truth: bias within 3 Monte-Carlo standard errors.
        let (b, se) = (st.bias(), st.mc_se());
        assert!(b.abs() < 3.0 * se, "{name}: bias {b} vs MC se {se} (raw bias {})", raw.bias());
        // Paired with the full-response estimator on the same samples, the Monte-Carlo error
        // is much smaller; allow the O(1/n) bias of estimated propensities (2% of the raw
        // nonresponse bias; measured 1% at n ≈ 1,300 and ~0 at 4× the sample size).
        let paired =
            Stats { errors: st.errors.iter().zip(&full.errors).map(|(a, f)| a - f).collect() };
        let (b, se) = (paired.bias(), paired.mc_se());
        assert!(
            b.abs() < 3.0 * se + 0.02 * raw.bias().abs(),
            "{name}: bias relative to full response {b}, MC se {se}"
        );
    }
}
