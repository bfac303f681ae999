//! Nonresponse correction on 100,000 sampled units with 10 predictors (4 categorical, 6
//! numeric; 20 model columns): sequential web/phone propensity + score groups, once and on
//! 500 replicate weight columns. Results: docs/performance-nonresponse.md.

use criterion::{Criterion, criterion_group, criterion_main};
use ponder::data::Factor;
use ponder::nonresponse::{
    FitOptions, Method, ModelWeighting, Nonresponse, NonresponseSpec, Phases, PhoneShare,
    Predictor, ResponseModel, ScoreGroups, StatusCodes, Variable,
};
use rand::{RngExt, SeedableRng};
use std::hint::black_box;

const N: usize = 100_000;
const REPLICATES: usize = 500;

struct Data {
    cats: Vec<(String, Factor)>,
    nums: Vec<(String, Vec<f64>)>,
    phone: Vec<bool>,
    status: Factor,
    d: Vec<f64>,
}

fn data() -> Data {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let sizes = [("age", 5u32), ("diploma", 4), ("region", 6), ("sex", 2)];
    let cats: Vec<(String, Factor)> = sizes
        .iter()
        .map(|&(name, k)| {
            let codes = (0..N).map(|_| rng.random_range(0..k)).collect();
            let levels = (0..k).map(|l| format!("{name}{l}")).collect();
            (name.to_string(), Factor { codes, levels })
        })
        .collect();
    let nums: Vec<(String, Vec<f64>)> = (0..6)
        .map(|j| (format!("x{j}"), (0..N).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect()))
        .collect();
    let mut status = Vec::with_capacity(N);
    let mut phone = Vec::with_capacity(N);
    for i in 0..N {
        let eta_web = -0.5 + 0.3 * f64::from(cats[0].1.codes[i])
            - 0.2 * f64::from(cats[1].1.codes[i])
            + nums[0].1[i];
        let eta_tel = -1.0 + 0.4 * f64::from(cats[1].1.codes[i]) + 0.5 * nums[1].1[i];
        let has = rng.random::<f64>() < 0.7;
        phone.push(has);
        let s = if rng.random::<f64>() < 0.03 {
            2 // out of scope
        } else if rng.random::<f64>() < 1.0 / (1.0 + (-eta_web).exp()) {
            3 // web
        } else if has && rng.random::<f64>() < 1.0 / (1.0 + (-eta_tel).exp()) {
            1 // phone
        } else {
            0 // nonrespondent
        };
        status.push(s);
    }
    let levels = ["nr", "phone", "out", "web"].map(String::from).to_vec();
    let d = (0..N).map(|_| 50.0 + 100.0 * rng.random::<f64>()).collect();
    Data { cats, nums, phone, status: Factor { codes: status, levels }, d }
}

fn spec(data: &Data) -> NonresponseSpec<'_> {
    let mut predictors: Vec<Predictor<'_>> =
        data.cats.iter().map(|(n, f)| Predictor::new(Variable::categorical(n, f))).collect();
    predictors.extend(data.nums.iter().map(|(n, x)| Predictor::new(Variable::numeric(n, x))));
    let age = Variable::categorical(&data.cats[0].0, &data.cats[0].1);
    NonresponseSpec {
        status_name: "outcome",
        status: &data.status,
        codes: StatusCodes {
            web: vec!["web".into()],
            phone: vec!["phone".into()],
            nonrespondent: vec!["nr".into()],
            ineligible: vec!["out".into()],
            ..Default::default()
        },
        eligibility_classes: vec![],
        method: Method::Score {
            model: ResponseModel {
                predictors,
                weighting: ModelWeighting::Design,
                phases: Phases::Sequential {
                    phone_number: &data.phone,
                    share: PhoneShare::Classes(vec![age]),
                },
                options: FitOptions::default(),
            },
            groups: ScoreGroups { groups: 20, min_respondents: 30, ..Default::default() },
        },
        profile: vec![],
    }
}

fn bench(c: &mut Criterion) {
    let data = data();
    let nr = Nonresponse::new(spec(&data)).expect("valid spec");
    let mut g = c.benchmark_group("nonresponse");
    let quick = std::env::var_os("PONDER_BENCH_ONCE").is_some();
    g.sample_size(10);
    if !quick {
        g.bench_function("score_sequential_100k_10pred", |b| {
            b.iter(|| black_box(nr.adjust(black_box(&data.d)).expect("adjust")))
        });
    }
    let (wall, cpu) = timed(|| nr.adjust(&data.d).expect("adjust"));
    println!(
        "one full-sample adjustment: wall {:.1} ms, process CPU {:.0} ms",
        1000.0 * wall,
        1000.0 * cpu
    );
    let full = nr.adjust(&data.d).expect("adjust");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    // Bootstrap-like replicate weights: d × (multiplier in {0, 1, 2}).
    let reps: Vec<Vec<f64>> = (0..REPLICATES)
        .map(|_| data.d.iter().map(|&d| d * f64::from(rng.random_range(0..3u8))).collect())
        .collect();
    let names: Vec<String> = (1..=REPLICATES).map(|r| format!("rep_{r}")).collect();
    let cols: Vec<(&str, &[f64])> =
        names.iter().zip(&reps).map(|(n, w)| (n.as_str(), w.as_slice())).collect();
    let (wall, cpu) = timed(|| nr.adjust_replicates(&full, &cols).expect("replicates"));
    println!(
        "one run of {REPLICATES} replicates: wall {wall:.2} s, process CPU {cpu:.2} s \
         ({:.1} ms CPU per replicate)",
        1000.0 * cpu / REPLICATES as f64
    );
    if quick {
        // `PONDER_BENCH_ONCE=1`: the single timed run above only (for `perf stat`).
        return;
    }
    g.bench_function("score_sequential_100k_10pred_500_replicates", |b| {
        b.iter(|| black_box(nr.adjust_replicates(&full, black_box(&cols)).expect("replicates")))
    });
    g.finish();
}

/// Wall and process CPU seconds (user + system, from /proc/self/stat; 0 elsewhere) of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (f64, f64) {
    let cpu = || -> f64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
        let ticks = |k: usize| fields.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        (ticks(11) + ticks(12)) / 100.0
    };
    let (c0, t0) = (cpu(), std::time::Instant::now());
    black_box(f());
    (t0.elapsed().as_secs_f64(), cpu() - c0)
}

criterion_group!(benches, bench);
criterion_main!(benches);
