//! R reference cases P12a (sampling::inclusionprobabilities) and P12b (allocation).

use approx::{assert_abs_diff_eq, relative_eq};
use ponder::sampling::{
    AllocationMethod, AllocationSpec, Strata, allocate, inclusion_probabilities, stratum_sd,
};

use super::{column, expected, numeric};

#[test]
fn p12a_inclusion_probabilities_match_r() {
    let case = "P12a_inclusion_probabilities";
    let enroll = numeric(case, "enroll");
    let exp = expected(case);
    let pik: Vec<f64> =
        exp["pik"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let ip = inclusion_probabilities(&enroll, 200.0, "enroll").unwrap();
    assert_eq!(ip.pi.len(), pik.len());
    for (k, (a, b)) in ip.pi.iter().zip(&pik).enumerate() {
        // |Δ| ≤ 1e-12 · max(|b|, 1e-3)
        assert!(relative_eq!(*a, *b, epsilon = 1e-15, max_relative = 1e-12), "row {k}: {a} vs {b}");
    }
    assert_eq!(ip.certainty.len() as u64, exp["n_certainty"].as_u64().unwrap());
    let total: f64 = ip.pi.iter().sum();
    assert_abs_diff_eq!(total, 200.0, epsilon = 1e-9);
}

fn array(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn p12b_allocations_match_r() {
    let case = "P12b_allocation";
    let strata = Strata::from_values("stype", &column(case, "stype")).unwrap();
    let api00 = numeric(case, "api00");
    let exp = &expected(case)["allocation"];
    let labels: Vec<&str> =
        exp["strata"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(strata.labels(), labels.as_slice());
    let n_h: Vec<u64> = array(&exp["N_h"]).iter().map(|&v| v as u64).collect();
    assert_eq!(strata.sizes(), n_h.as_slice());

    let sd = stratum_sd(&api00, &strata, "api00").unwrap();
    for (a, b) in sd.iter().zip(array(&exp["S_h"])) {
        assert!(relative_eq!(*a, b, epsilon = 0.0, max_relative = 1e-12), "S_h {a} vs {b}");
    }
    let methods = [
        ("proportional", AllocationMethod::Proportional),
        ("neyman", AllocationMethod::Neyman { sd }),
    ];
    for (name, method) in methods {
        let alloc =
            allocate(strata.sizes(), strata.labels(), &AllocationSpec::new(400, method)).unwrap();
        let unrounded: Vec<f64> = alloc.strata.iter().map(|s| s.unrounded).collect();
        for (a, b) in unrounded.iter().zip(array(&exp[name])) {
            assert!(relative_eq!(*a, b, epsilon = 0.0, max_relative = 1e-12), "{name}: {a} vs {b}");
        }
        let rounded: Vec<u64> =
            array(&exp[format!("{name}_rounded")]).iter().map(|&v| v as u64).collect();
        assert_eq!(alloc.sizes(), rounded, "{name} rounded");
        assert!(alloc.strata.iter().all(|s| s.bound.is_none()));
    }
}
