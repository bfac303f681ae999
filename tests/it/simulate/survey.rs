//! The survey population: determinism, headline rates, ignorability of internet use.

use approx::abs_diff_eq;
use ponder::simulate::{
    AGE_GROUP_LEVELS, DIPLOMA_LEVELS, generate_frame, generate_population, survey::NOT_APPLICABLE,
};

use super::{se, share, world};

#[test]
fn same_seed_same_population_whatever_the_threads() {
    // 150,000 rows = 3 chunks of 2^16.
    let frame = generate_frame(150_000, 5).unwrap();
    let a = generate_population(&frame, 9);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = pool.install(|| generate_population(&frame, 9));
    assert_eq!(a, b);
    assert_eq!(a.len(), frame.len());
    let c = generate_population(&frame, 10);
    assert_ne!(a.trust, c.trust);
}

#[test]
fn headline_rates_are_plausible() {
    let (_, p, scope) = world();
    let eligible: Vec<usize> = scope.iter().copied().filter(|&i| p.eligible[i]).collect();
    let inelig = 1.0 - eligible.len() as f64 / scope.len() as f64;
    assert!((0.015..0.021).contains(&inelig), "ineligible {inelig}");
    let rate = |f: &dyn Fn(usize) -> bool| share(&eligible, f);
    // Published FEJ headline: about 49 % trust justice (high or rather high).
    let trusts = rate(&|i| p.trusts(i));
    assert!(abs_diff_eq!(trusts, 0.49, epsilon = 0.02), "trust {trusts}");
    let internet = rate(&|i| p.internet[i]);
    assert!((0.87..0.93).contains(&internet), "internet {internet}");
    let phone = rate(&|i| p.phone[i]);
    assert!((0.60..0.70).contains(&phone), "phone {phone}");
    let checks: [(&str, f64, std::ops::Range<f64>); 8] = [
        ("slow", rate(&|i| p.slow[i]), 0.85..0.90),
        ("costly", rate(&|i| p.costly[i]), 0.55..0.65),
        ("complex", rate(&|i| p.complex[i]), 0.74..0.81),
        ("fair", rate(&|i| p.fair[i]), 0.30..0.40),
        ("no experience", rate(&|i| p.experience[i] == 0), 0.60..0.66),
        ("party", rate(&|i| p.experience[i] == 1), 0.17..0.23),
        ("dispute", rate(&|i| p.dispute[i]), 0.20..0.25),
        ("high trust", rate(&|i| p.trust[i] == 0), 0.05..0.12),
    ];
    for (name, v, range) in checks {
        assert!(range.contains(&v), "{name} {v} not in {range:?}");
    }
    let disputes: Vec<usize> = eligible.iter().copied().filter(|&i| p.dispute[i]).collect();
    let court = share(&disputes, |i| p.recourse[i] == 0);
    let mediation = share(&disputes, |i| p.recourse[i] == 1);
    assert!((0.26..0.34).contains(&court), "court {court}");
    assert!((0.16..0.24).contains(&mediation), "mediation {mediation}");
    // Every reason occurs among the non-recourse.
    let none: Vec<usize> = disputes.iter().copied().filter(|&i| p.recourse[i] == 2).collect();
    for k in 0..6u8 {
        let s = share(&none, |i| p.reason[i] == k);
        assert!((0.05..0.35).contains(&s), "reason {k}: {s}");
    }
}

#[test]
fn internet_and_phone_follow_age() {
    let (f, p, scope) = world();
    let by_age =
        |g: u8| -> Vec<usize> { scope.iter().copied().filter(|&i| f.age_group[i] == g).collect() };
    let young = by_age(1);
    let old = by_age(5);
    let young_net = share(&young, |i| p.internet[i]);
    let old_net = share(&old, |i| p.internet[i]);
    assert!(young_net > 0.97, "internet 18-29 {young_net}");
    assert!((0.5..0.7).contains(&old_net), "internet 75+ {old_net}");
    assert!(share(&old, |i| p.phone[i]) > share(&young, |i| p.phone[i]) + 0.2);
    // Frame errors: more among the young (moved abroad) and the old (deceased).
    let mid = by_age(3);
    assert!(share(&young, |i| !p.eligible[i]) > 2.0 * share(&mid, |i| !p.eligible[i]));
    assert!(share(&old, |i| !p.eligible[i]) > 2.0 * share(&mid, |i| !p.eligible[i]));
}

/// Answers are drawn from the frame variables only, never from internet use or the
/// telephone (by construction, see ponder::simulate::survey). This would catch a bug that
/// lets internet use leak into the opinions: within one age × diploma cell where many do not
/// use the internet, users and non-users trust justice alike (within 3 SE; the other frame
/// variables do not drive internet use, so there is no confounding within the cell).
#[test]
fn trust_does_not_depend_on_internet_within_age_by_diploma() {
    let (f, p, scope) = world();
    let cap_bep = DIPLOMA_LEVELS.iter().position(|&d| d == "cap_bep").unwrap() as u8;
    let old = AGE_GROUP_LEVELS.iter().position(|&a| a == "75+").unwrap() as u8;
    let cell: Vec<usize> = scope
        .iter()
        .copied()
        .filter(|&i| f.age_group[i] == old && f.diploma[i] == cap_bep)
        .collect();
    let users: Vec<usize> = cell.iter().copied().filter(|&i| p.internet[i]).collect();
    let others: Vec<usize> = cell.iter().copied().filter(|&i| !p.internet[i]).collect();
    assert!(users.len() > 500 && others.len() > 500, "{} {}", users.len(), others.len());
    let trusts = |i: usize| p.trusts(i);
    let dispute = |i: usize| p.dispute[i];
    let outcomes: [(&str, &dyn Fn(usize) -> bool); 2] = [("trust", &trusts), ("dispute", &dispute)];
    for (name, v) in outcomes {
        let (a, b) = (share(&users, v), share(&others, v));
        let s = (se(a, users.len()).powi(2) + se(b, others.len()).powi(2)).sqrt();
        assert!((a - b).abs() < 3.0 * s, "{name}: users {a}, non-users {b}, se {s}");
    }
}

#[test]
fn recourse_and_reason_follow_the_skips() {
    let (_, p, _) = world();
    for i in 0..p.len() {
        assert_eq!(p.recourse[i] == NOT_APPLICABLE, !p.dispute[i], "row {i}");
        assert_eq!(p.reason[i] != NOT_APPLICABLE, p.recourse[i] == 2, "row {i}");
        assert!(p.trust[i] < 4 && p.experience[i] < 3);
        assert!(p.recourse[i] < 3 || p.recourse[i] == NOT_APPLICABLE);
        assert!(p.reason[i] < 6 || p.reason[i] == NOT_APPLICABLE);
    }
}

/// Opinions differ across the groups named in the model (a model with no effects would
/// pass the headline checks).
#[test]
fn court_experience_lowers_trust() {
    let (_, p, scope) = world();
    let none: Vec<usize> = scope.iter().copied().filter(|&i| p.experience[i] == 0).collect();
    let party: Vec<usize> = scope.iter().copied().filter(|&i| p.experience[i] == 1).collect();
    let (a, b) = (share(&none, |i| p.trusts(i)), share(&party, |i| p.trusts(i)));
    assert!(a - b > 0.08, "no experience {a}, party {b}");
}
