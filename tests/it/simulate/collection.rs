//! Field work: outcomes, response rates, mode effect, survey columns.

use approx::abs_diff_eq;
use ponder::data::ColumnData;
use ponder::simulate::{
    Collected, CollectionModel, OUTCOME_LEVELS, collect, collection::outcome, survey_columns,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{share, world};

/// Every in-scope person of the 200,000 register "sampled" (a census), collected with `model`.
fn collected(model: &CollectionModel, seed: u64) -> Collected {
    let (f, p, scope) = world();
    collect(p, f, scope, model, &mut ChaCha8Rng::seed_from_u64(seed))
}

fn default_collection() -> &'static Collected {
    static C: std::sync::OnceLock<Collected> = std::sync::OnceLock::new();
    C.get_or_init(|| collected(&CollectionModel::default(), 1))
}

#[test]
fn collect_is_deterministic_for_a_seed() {
    let (f, p, scope) = world();
    let rows = &scope[..20_000];
    let model = CollectionModel { mode_effect: 0.5, ..CollectionModel::default() };
    let a = collect(p, f, rows, &model, &mut ChaCha8Rng::seed_from_u64(3));
    let b = collect(p, f, rows, &model, &mut ChaCha8Rng::seed_from_u64(3));
    assert_eq!(a, b);
    assert_eq!(survey_columns(p, rows, &a), survey_columns(p, rows, &b));
    let c = collect(p, f, rows, &model, &mut ChaCha8Rng::seed_from_u64(4));
    assert_ne!(a.outcome, c.outcome);
}

#[test]
fn response_rates_are_plausible() {
    let (_, p, scope) = world();
    let c = default_collection();
    let k: Vec<usize> = (0..scope.len()).collect();
    let rate = |o: u8| share(&k, |j| c.outcome[j] == o);
    let response = rate(outcome::WEB) + rate(outcome::PHONE);
    assert!((0.45..0.55).contains(&response), "response {response}");
    let unknown = rate(outcome::UNKNOWN);
    assert!(abs_diff_eq!(unknown, 0.03, epsilon = 0.003), "unknown {unknown}");
    // Web response among eligible persons with known eligibility: 35–40 %.
    let eligible: Vec<usize> = k
        .iter()
        .copied()
        .filter(|&j| p.eligible[scope[j]] && c.outcome[j] != outcome::UNKNOWN)
        .collect();
    let web = share(&eligible, |j| c.outcome[j] == outcome::WEB);
    assert!((0.35..0.40).contains(&web), "web {web}");
    // Telephone response among those called: 35–45 %.
    let called: Vec<usize> = k
        .iter()
        .copied()
        .filter(|&j| matches!(c.outcome[j], outcome::PHONE | outcome::REFUSAL | outcome::UNREACHED))
        .collect();
    let phone = share(&called, |j| c.outcome[j] == outcome::PHONE);
    assert!((0.35..0.45).contains(&phone), "phone among called {phone}");
}

#[test]
fn outcomes_follow_eligibility_and_the_number() {
    let (_, p, scope) = world();
    let c = default_collection();
    assert_eq!(c.outcome.len(), scope.len());
    for (j, &i) in scope.iter().enumerate() {
        let o = c.outcome[j];
        assert!((o as usize) < OUTCOME_LEVELS.len());
        assert_eq!(c.has_phone[j], p.phone[i]);
        if o != outcome::UNKNOWN {
            assert_eq!(o == outcome::OUT_OF_SCOPE, !p.eligible[i], "row {i}");
        }
        if matches!(o, outcome::PHONE | outcome::REFUSAL | outcome::UNREACHED) {
            assert!(p.phone[i], "row {i} called without a number");
        }
        if o == outcome::NO_NUMBER {
            assert!(!p.phone[i]);
        }
        // No mode effect by default: answers as given = true answers.
        assert_eq!((c.trust[j], c.fair[j]), (p.trust[i], p.fair[i]));
    }
    // Unknown eligibility hits ineligible persons too.
    assert!(
        scope.iter().enumerate().any(|(j, &i)| !p.eligible[i] && c.outcome[j] == outcome::UNKNOWN)
    );
}

#[test]
fn web_response_is_lower_without_internet_and_phone_respondents_are_older() {
    let (f, p, scope) = world();
    let c = default_collection();
    let eligible: Vec<usize> = (0..scope.len())
        .filter(|&j| p.eligible[scope[j]] && c.outcome[j] != outcome::UNKNOWN)
        .collect();
    let with: Vec<usize> = eligible.iter().copied().filter(|&j| p.internet[scope[j]]).collect();
    let without: Vec<usize> = eligible.iter().copied().filter(|&j| !p.internet[scope[j]]).collect();
    let web_with = share(&with, |j| c.outcome[j] == outcome::WEB);
    let web_without = share(&without, |j| c.outcome[j] == outcome::WEB);
    assert!((0.02..0.08).contains(&web_without), "web without internet {web_without}");
    assert!(web_with > 0.35, "web with internet {web_with}");
    let mean_age = |o: u8| {
        let ages: Vec<f64> = (0..scope.len())
            .filter(|&j| c.outcome[j] == o)
            .map(|j| f64::from(f.age[scope[j]]))
            .collect();
        ages.iter().sum::<f64>() / ages.len() as f64
    };
    let (web, phone) = (mean_age(outcome::WEB), mean_age(outcome::PHONE));
    assert!(phone > web + 5.0, "mean age web {web}, phone {phone}");
}

#[test]
fn no_relaunch_no_phone_respondents() {
    let (_, p, scope) = world();
    let model = CollectionModel { phone_relaunch: false, ..CollectionModel::default() };
    let c = collect(p, &world().0, &scope[..30_000], &model, &mut ChaCha8Rng::seed_from_u64(1));
    assert!(!c.outcome.contains(&outcome::PHONE));
    assert!(!c.outcome.contains(&outcome::REFUSAL));
    assert!(c.outcome.contains(&outcome::UNREACHED) && c.outcome.contains(&outcome::NO_NUMBER));
}

#[test]
fn mode_effect_moves_phone_answers_up_only() {
    let (_, p, scope) = world();
    let model = CollectionModel { mode_effect: 1.0, ..CollectionModel::default() };
    let c = collected(&model, 1);
    let base = default_collection();
    // Same draws: same outcomes, whatever the mode effect.
    assert_eq!(c.outcome, base.outcome);
    let phone: Vec<usize> = (0..scope.len()).filter(|&j| c.outcome[j] == outcome::PHONE).collect();
    for (j, &i) in scope.iter().enumerate() {
        if c.outcome[j] == outcome::PHONE {
            assert!(c.trust[j] <= p.trust[i], "trust moved down at {i}");
            assert!(c.fair[j] || !p.fair[i], "fair moved down at {i}");
        } else {
            assert_eq!((c.trust[j], c.fair[j]), (p.trust[i], p.fair[i]));
        }
    }
    // A shift of 1 on the logit around 50 % moves the share by about 20 points.
    let given = share(&phone, |j| c.trust[j] <= 1);
    let truth = share(&phone, |j| p.trusts(scope[j]));
    assert!((0.15..0.28).contains(&(given - truth)), "given {given}, true {truth}");
    let fair_up = share(&phone, |j| c.fair[j]) - share(&phone, |j| p.fair[scope[j]]);
    assert!(fair_up > 0.12, "fair shift {fair_up}");
    // A negative effect moves answers down only.
    let rows = &scope[..30_000];
    let model = CollectionModel { mode_effect: -1.0, ..CollectionModel::default() };
    let down = collect(p, &world().0, rows, &model, &mut ChaCha8Rng::seed_from_u64(1));
    let mut moved = 0;
    for (j, &i) in rows.iter().enumerate() {
        assert!(down.trust[j] >= p.trust[i] && (p.fair[i] || !down.fair[j]), "row {i}");
        moved += usize::from(down.trust[j] != p.trust[i]);
    }
    assert!(moved > 100, "{moved} answers moved");
}

fn text(col: &ColumnData) -> &[Option<String>] {
    match col {
        ColumnData::Str(v) => v,
        other => panic!("expected text, got {other:?}"),
    }
}

#[test]
fn survey_columns_miss_answers_exactly_for_nonrespondents() {
    let (_, p, scope) = world();
    let rows = &scope[..40_000];
    let c = &default_collection();
    let c = Collected {
        outcome: c.outcome[..40_000].to_vec(),
        has_phone: c.has_phone[..40_000].to_vec(),
        trust: c.trust[..40_000].to_vec(),
        fair: c.fair[..40_000].to_vec(),
        break_off: c.break_off[..40_000].to_vec(),
        item: c.item[..40_000].to_vec(),
    };
    let cols = survey_columns(p, rows, &c);
    let names: Vec<&str> = cols.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ponder::pipeline::schema::SURVEY_COLUMNS);
    let col = |n: &str| &cols.iter().find(|c| c.0 == n).unwrap().1;
    let outcome = text(col("outcome"));
    match col("has_phone") {
        ColumnData::I64(v) => {
            assert!(v.iter().zip(&c.has_phone).all(|(a, &b)| *a == Some(i64::from(b))))
        }
        other => panic!("has_phone {other:?}"),
    }
    let (dispute, recourse, reason) =
        (text(col("dispute")), text(col("recourse")), text(col("nonrecourse_reason")));
    for j in 0..rows.len() {
        let responded = matches!(outcome[j].as_deref(), Some("web" | "phone"));
        assert_eq!(outcome[j].as_deref(), Some(OUTCOME_LEVELS[c.outcome[j] as usize]));
        for name in
            ["trust", "trusts", "slow", "costly", "complex", "fair", "court_experience", "dispute"]
        {
            assert_eq!(text(col(name))[j].is_some(), responded, "{name} row {j}");
        }
        // the module's questions: a value (answer or code) exactly for respondents (issue 15)
        assert_eq!(recourse[j].is_some(), responded, "row {j}");
        assert_eq!(reason[j].is_some(), responded, "row {j}");
        assert_eq!(text(col("break_off"))[j].is_some(), responded, "row {j}");
        if responded {
            let asked = dispute[j].as_deref() == Some("yes");
            assert_eq!(
                recourse[j].as_deref() == Some("not_asked"),
                !asked && dispute[j].as_deref() != Some("break_off"),
                "row {j}"
            );
            let asked = recourse[j].as_deref() == Some("none");
            assert_eq!(
                reason[j].as_deref() == Some("not_asked"),
                !asked && recourse[j].as_deref() != Some("break_off"),
                "row {j}"
            );
        }
        if responded {
            let trusts = text(col("trusts"))[j].as_deref();
            let trust = text(col("trust"))[j].as_deref();
            assert_eq!(trusts == Some("yes"), matches!(trust, Some("high" | "rather_high")));
        }
    }
    // Every recourse level and reason occurs among respondents.
    for level in ["court", "mediation", "none"] {
        assert!(recourse.iter().any(|r| r.as_deref() == Some(level)), "{level}");
    }
}

#[test]
fn collection_model_reads_yaml_with_defaults() {
    let m: CollectionModel = serde_yaml::from_str("mode_effect: 0.4").unwrap();
    assert_eq!(m, CollectionModel { mode_effect: 0.4, phone_relaunch: true, unknown_rate: 0.03 });
    assert!(serde_yaml::from_str::<CollectionModel>("mode_efect: 0.4").is_err());
    assert!(m.validate().is_ok());
    let bad = CollectionModel { unknown_rate: 1.5, ..CollectionModel::default() };
    let msg = bad.validate().unwrap_err().to_string();
    assert!(msg.contains("unknown_rate"), "{msg}");
    let bad = CollectionModel { mode_effect: f64::NAN, ..CollectionModel::default() };
    assert!(bad.validate().is_err());
}

/// The civil-justice module's codes (issue 15): break-offs by mode near the assumed 4 % /
/// 1 %, coded in every module question with `break_off = yes`; item nonresponse near the
/// assumed rates; the answers of the persons who answered are their true answers; the
/// caller's generator advances exactly as before (six uniforms per person: the module has
/// its own stream), so the outcomes and opinion answers are those of the former draws.
#[test]
fn module_codes_break_off_by_mode_and_answers_unchanged() {
    use ponder::simulate::collection::{BREAK_OFF_PHONE, BREAK_OFF_WEB, ITEM_NONRESPONSE};
    use rand::Rng;
    let (f, p, scope) = world();
    let rows = &scope[..60_000];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let c = collect(p, f, rows, &CollectionModel::default(), &mut rng);
    // the caller's generator: six uniforms per person, no more (the module draws elsewhere)
    let mut again = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..6 * rows.len() {
        again.next_u64();
    }
    assert_eq!(rng.next_u64(), again.next_u64());
    let cols = survey_columns(p, rows, &c);
    let col = |n: &str| text(&cols.iter().find(|c| c.0 == n).unwrap().1).to_vec();
    let (dispute, recourse, reason, bo) =
        (col("dispute"), col("recourse"), col("nonrecourse_reason"), col("break_off"));
    let mut by_mode = [(0usize, 0usize); 2];
    let (mut asked, mut dk) = (0usize, 0usize);
    for (j, &i) in rows.iter().enumerate() {
        if !c.responded(j) {
            assert!(bo[j].is_none() && dispute[j].is_none(), "row {j}");
            continue;
        }
        let m = &mut by_mode[usize::from(c.outcome[j] == outcome::PHONE)];
        m.0 += 1;
        if bo[j].as_deref() == Some("yes") {
            m.1 += 1;
            for q in [&dispute, &recourse, &reason] {
                assert_eq!(q[j].as_deref(), Some("break_off"), "row {j}");
            }
            continue;
        }
        assert_eq!(bo[j].as_deref(), Some("no"));
        asked += 1;
        match dispute[j].as_deref() {
            Some("dont_know") => dk += 1,
            Some("refused") => {}
            Some(a) => assert_eq!(a == "yes", p.dispute[i], "row {j}: answer changed"),
            None => panic!("row {j}: blank dispute of a respondent"),
        }
        if let Some(r) =
            recourse[j].as_deref().filter(|r| ["court", "mediation", "none"].contains(r))
        {
            assert_eq!(r, ["court", "mediation", "none"][p.recourse[i] as usize], "row {j}");
        }
    }
    let rate = |(n, k): (usize, usize)| k as f64 / n as f64;
    assert!(abs_diff_eq!(rate(by_mode[0]), BREAK_OFF_WEB, epsilon = 0.01), "web {:?}", by_mode[0]);
    assert!(
        abs_diff_eq!(rate(by_mode[1]), BREAK_OFF_PHONE, epsilon = 0.006),
        "phone {:?}",
        by_mode[1]
    );
    assert!(
        abs_diff_eq!(dk as f64 / asked as f64, ITEM_NONRESPONSE[0].0, epsilon = 0.005),
        "{dk} / {asked}"
    );
}
