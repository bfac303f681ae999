//! Properties: group totals, equal propensities, row-order invariance.

use super::{factor_of, mixed_codes};
use approx::{abs_diff_eq, relative_eq};
use ponder::data::Factor;
use ponder::nonresponse::{
    FitOptions, GroupFactor, Method, ModelWeighting, Nonresponse, NonresponseSpec, Phases,
    Predictor, QuantileWeighting, ResponseModel, ScoreGroups, Variable,
};
use proptest::prelude::*;

/// A random sample: status, a 3-level category, a numeric predictor, weights.
#[derive(Debug, Clone)]
struct Data {
    status: Vec<String>,
    cat: Vec<String>,
    x: Vec<f64>,
    d: Vec<f64>,
}

fn data() -> impl Strategy<Value = Data> {
    (150usize..300).prop_flat_map(|n| {
        prop::collection::vec((0u8..100, 0u8..3, -2.0f64..2.0, 1.0f64..40.0), n).prop_map(|rows| {
            let mut data = Data { status: vec![], cat: vec![], x: vec![], d: vec![] };
            for (u, c, x, d) in rows {
                // Response probability rises with x; a few ineligibles.
                let resp = f64::from(u) < 100.0 / (1.0 + (-x).exp()) * 0.9;
                let status = if u % 17 == 0 {
                    "out"
                } else if resp {
                    if u % 2 == 0 { "web" } else { "phone" }
                } else {
                    "nr"
                };
                data.status.push(status.into());
                data.cat.push(["a", "b", "c"][c as usize].into());
                data.x.push(x);
                data.d.push(d);
            }
            data
        })
    })
}

struct Cols {
    status: Factor,
    cat: Factor,
}

fn cols(d: &Data) -> Cols {
    Cols { status: factor_of(&d.status), cat: factor_of(&d.cat) }
}

fn model<'a>(c: &'a Cols, x: &'a [f64], with_predictors: bool) -> ResponseModel<'a> {
    let predictors = if with_predictors {
        vec![
            Predictor::new(Variable::categorical("cat", &c.cat)),
            Predictor::new(Variable::numeric("x", x)),
        ]
    } else {
        vec![]
    };
    ResponseModel {
        predictors,
        weighting: ModelWeighting::Design,
        phases: Phases::Global,
        options: FitOptions::default(),
    }
}

fn spec<'a>(c: &'a Cols, method: Method<'a>) -> NonresponseSpec<'a> {
    NonresponseSpec {
        status_name: "status",
        status: &c.status,
        codes: mixed_codes(),
        eligibility_classes: vec![],
        method,
        profile: vec![Variable::categorical("cat", &c.cat)],
    }
}

fn score(groups: usize, quantiles: QuantileWeighting) -> ScoreGroups {
    ScoreGroups {
        groups,
        min_respondents: 5,
        min_response_rate: 0.05,
        factor: GroupFactor::WeightedRate,
        quantiles,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn respondents_carry_each_groups_eligible_weight(data in data(), g in 2usize..8, weighted in any::<bool>()) {
        let c = cols(&data);
        let q = if weighted { QuantileWeighting::Weighted } else { QuantileWeighting::Unweighted };
        let nr = Nonresponse::new(spec(&c, Method::Score { model: model(&c, &data.x, true), groups: score(g, q) })).unwrap();
        let adj = nr.adjust(&data.d).unwrap();
        let ng = adj.group_labels.len();
        prop_assert!(ng >= 1 && ng <= g);
        let (mut elig, mut resp) = (vec![0.0; ng], vec![0.0; ng]);
        for i in 0..data.d.len() {
            if let Some(gr) = adj.group[i] {
                elig[gr as usize] += adj.eligibility_weights[i];
                resp[gr as usize] += adj.weights[i];
            } else {
                prop_assert_eq!(adj.weights[i], 0.0);
            }
        }
        for k in 0..ng {
            prop_assert!(relative_eq!(resp[k], elig[k], epsilon = 0.0, max_relative = 1e-10), "group {}: {} vs {}", k, resp[k], elig[k]);
            prop_assert!(adj.report.groups[k].n_respondents >= 5);
        }
        // Groups are ordered by p̂ and do not overlap.
        for w in adj.report.groups.windows(2) {
            prop_assert!(w[0].propensity_max.unwrap() < w[1].propensity_min.unwrap());
        }
    }

    #[test]
    fn equal_propensities_give_r_one_and_a_uniform_factor(data in data(), g in 1usize..6) {
        let c = cols(&data);
        for method in [
            Method::Score { model: model(&c, &data.x, false), groups: score(g, QuantileWeighting::Unweighted) },
            Method::Propensity(model(&c, &data.x, false)),
        ] {
            let adj = Nonresponse::new(spec(&c, method)).unwrap().adjust(&data.d).unwrap();
            prop_assert!(abs_diff_eq!(adj.report.r_indicator.r, 1.0, epsilon = 1e-12));
            let factors: Vec<f64> = (0..data.d.len()).filter(|&i| adj.weights[i] > 0.0).map(|i| adj.weights[i] / data.d[i]).collect();
            let f0 = factors[0];
            prop_assert!(factors.iter().all(|&f| relative_eq!(f, f0, epsilon = 0.0, max_relative = 1e-10)), "{:?}", factors);
            // Uniform factor = eligible weight / respondent weight.
            let (mut e, mut r) = (0.0, 0.0);
            for i in 0..data.d.len() {
                if data.status[i] != "out" { e += data.d[i]; }
                if data.status[i] == "web" || data.status[i] == "phone" { r += data.d[i]; }
            }
            prop_assert!(relative_eq!(f0, e / r, epsilon = 0.0, max_relative = 1e-9), "{} vs {}", f0, e / r);
            prop_assert!(abs_diff_eq!(adj.report.kish.adjustment_factors, 1.0, epsilon = 1e-12));
            for p in &adj.report.r_indicator.partial {
                prop_assert!(abs_diff_eq!(p.unconditional, 0.0, epsilon = 1e-12), "{}", p.unconditional);
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_row_order(data in data(), seed in any::<u64>(), mean_p in any::<bool>()) {
        use rand::{SeedableRng, seq::SliceRandom};
        let mut perm: Vec<usize> = (0..data.d.len()).collect();
        perm.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        let shuffled = Data {
            status: perm.iter().map(|&i| data.status[i].clone()).collect(),
            cat: perm.iter().map(|&i| data.cat[i].clone()).collect(),
            x: perm.iter().map(|&i| data.x[i]).collect(),
            d: perm.iter().map(|&i| data.d[i]).collect(),
        };
        let mut groups = score(5, QuantileWeighting::Unweighted);
        if mean_p { groups.factor = GroupFactor::MeanPropensity; }
        let run = |dt: &Data| {
            let c = cols(dt);
            let nr = Nonresponse::new(spec(&c, Method::Score { model: model(&c, &dt.x, true), groups })).unwrap();
            let a = nr.adjust(&dt.d).unwrap();
            let labels: Vec<Option<String>> = (0..dt.d.len()).map(|i| a.group_label(i).map(String::from)).collect();
            (a.weights, a.propensity, labels, a.report.r_indicator.r)
        };
        let (w0, p0, g0, r0) = run(&data);
        let (w1, p1, g1, r1) = run(&shuffled);
        for (k, &i) in perm.iter().enumerate() {
            prop_assert!(relative_eq!(w1[k], w0[i], epsilon = 0.0, max_relative = 1e-10), "unit {}: {} vs {}", i, w1[k], w0[i]);
            prop_assert_eq!(p1[k].is_some(), p0[i].is_some());
            if let (Some(a), Some(b)) = (p1[k], p0[i]) { prop_assert!(abs_diff_eq!(a, b, epsilon = 1e-12)); }
            prop_assert_eq!(&g1[k], &g0[i]);
        }
        prop_assert!(abs_diff_eq!(r0, r1, epsilon = 1e-12));
    }
}
