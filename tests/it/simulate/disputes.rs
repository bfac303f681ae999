//! The disputes of the synthetic world: determinism, agreement with the person-level
//! answers, and the rates documented in `ponder::simulate::disputes`.

use approx::abs_diff_eq;
use ponder::simulate::survey::NOT_APPLICABLE;
use ponder::simulate::{
    Disputes, TYPE_LEVELS, generate_disputes, generate_frame, generate_population,
};
use std::sync::OnceLock;

use super::world;

fn disputes() -> &'static Disputes {
    static D: OnceLock<Disputes> = OnceLock::new();
    D.get_or_init(|| {
        let (frame, pop, _) = world();
        generate_disputes(frame, pop, 2024)
    })
}

#[test]
fn same_seed_same_disputes_whatever_the_threads_and_population_draws_unchanged() {
    // 150,000 rows = 3 chunks of 2^16.
    let frame = generate_frame(150_000, 5).unwrap();
    let pop = generate_population(&frame, 9);
    let a = generate_disputes(&frame, &pop, 9);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = pool.install(|| generate_disputes(&frame, &pop, 9));
    assert_eq!(a, b);
    assert_eq!(a.first.len(), frame.len() + 1);
    let c = generate_disputes(&frame, &pop, 10);
    assert_ne!(a.kind, c.kind);
    // The person-level draws are those of the population alone (own streams).
    assert_eq!(generate_population(&frame, 9), pop);
}

#[test]
fn the_most_recent_dispute_carries_the_person_answers() {
    let (_, pop, _) = world();
    let d = disputes();
    for i in 0..pop.len() {
        let r = d.of(i);
        assert_eq!(!r.is_empty(), pop.dispute[i], "person {i}");
        assert!(r.len() <= ponder::simulate::disputes::MAX_DISPUTES);
        if let Some(j) = r.clone().next() {
            assert_eq!((d.recourse[j], d.reason[j]), (pop.recourse[i], pop.reason[i]));
        }
        for j in r {
            assert_eq!(d.reason[j] == NOT_APPLICABLE, d.recourse[j] != 2, "dispute {j}");
        }
    }
}

#[test]
fn dispute_rates_match_the_documented_ones() {
    let (_, pop, scope) = world();
    let d = disputes();
    let persons: Vec<usize> = scope.iter().copied().filter(|&i| pop.eligible[i]).collect();
    let with: Vec<usize> = persons.iter().copied().filter(|&i| pop.dispute[i]).collect();
    let rows: Vec<usize> = with.iter().flat_map(|&i| d.of(i)).collect();
    // Documented in ponder::simulate::disputes (about 45,000 disputes: binomial SE of a
    // share ≤ 0.0025, of a rate within a type ≤ 0.007).
    let per_person = rows.len() as f64 / with.len() as f64;
    assert!(abs_diff_eq!(per_person, 1.42, epsilon = 0.02), "disputes per person {per_person}");
    let none = rows.iter().filter(|&&j| d.recourse[j] == 2).count() as f64 / rows.len() as f64;
    assert!(abs_diff_eq!(none, 0.48, epsilon = 0.01), "non-recourse {none}");
    let documented =
        [(0.195, 0.33), (0.158, 0.49), (0.264, 0.60), (0.120, 0.45), (0.138, 0.49), (0.126, 0.46)];
    let mut nonrecourse = Vec::new();
    for (t, (name, (share_doc, nr_doc))) in TYPE_LEVELS.iter().zip(documented).enumerate() {
        let of: Vec<usize> = rows.iter().copied().filter(|&j| d.kind[j] as usize == t).collect();
        let share = of.len() as f64 / rows.len() as f64;
        let nr = of.iter().filter(|&&j| d.recourse[j] == 2).count() as f64 / of.len() as f64;
        assert!(abs_diff_eq!(share, share_doc, epsilon = 0.01), "{name}: share {share}");
        assert!(abs_diff_eq!(nr, nr_doc, epsilon = 0.02), "{name}: non-recourse {nr}");
        nonrecourse.push(nr);
    }
    // The ordering the module follows: consumer disputes least, family disputes most often
    // brought to a court or a mediator.
    let (min, max) =
        nonrecourse.iter().fold((1.0, 0.0), |(a, b): (f64, f64), &x| (a.min(x), b.max(x)));
    assert!(min == nonrecourse[0] && max == nonrecourse[2], "{nonrecourse:?}");
}
