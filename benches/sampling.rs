//! Selection on a register-sized frame (see docs/performance-sampling.md).
//!
//! - stratified SRSWOR and systematic πps of 25,000 persons from a generated 68-million-row
//!   frame (generation outside the timed part), scope and strata of the FEJ design;
//! - the cube method with 10 balancing variables on a 1-million-row frame, one stratum and 17
//!   strata.
//!
//! `PONDER_BENCH_ROWS` overrides the 68 M rows (e.g. for a quick run). Peak memory (VmHWM) is
//! printed at the end.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ponder::sampling::{
    AllocationMethod, AllocationSpec, BalanceVar, CubeOptions, SortKey, Strata, allocate,
    equal_probabilities, inclusion_probabilities_stratified, select_cube, select_srswor,
    select_systematic, select_systematic_sorted, sort_order,
};
use ponder::simulate::{PersonFrame, generate_frame};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const N_SAMPLE: u64 = 25_000;

fn fej_strata(f: &PersonFrame) -> Strata {
    let mut strata = f.region_strata().expect("region strata");
    strata.restrict(&f.fej_scope()).expect("scope");
    strata.drop_empty().0
}

fn allocation(strata: &Strata) -> Vec<u64> {
    let mut spec = AllocationSpec::new(N_SAMPLE, AllocationMethod::Proportional);
    spec.oversample =
        strata.labels().iter().map(|l| if l.starts_with("97") { 3.0 } else { 1.0 }).collect();
    allocate(strata.sizes(), strata.labels(), &spec).expect("allocation").sizes()
}

fn register(c: &mut Criterion) {
    let rows: usize =
        std::env::var("PONDER_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(68_000_000);
    let (t, c0) = (Instant::now(), cpu_seconds());
    let f = generate_frame(rows, 2024).expect("frame");
    eprintln!(
        "generate_frame({rows}): wall {:.2} s, cpu {:.2} s ({} threads)",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c0,
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let strata = fej_strata(&f);
    let n_h = allocation(&strata);
    eprintln!(
        "scope + strata + allocation: {:.2} s ({} in scope)",
        t.elapsed().as_secs_f64(),
        strata.n_in_scope()
    );
    let size = f.household_size_f64();
    let region = PersonFrame::codes_u32(&f.region);
    let department = PersonFrame::codes_u32(&f.department);
    let age = PersonFrame::codes_u32(&f.age);

    let keys = [
        SortKey::Codes { name: "region", codes: &region },
        SortKey::Codes { name: "department", codes: &department },
        SortKey::Codes { name: "age", codes: &age },
    ];
    let ip = |_| {
        inclusion_probabilities_stratified(&size, &strata, &n_h, "household_size").expect("pi").pi
    };
    timed("srswor 25000 (select_srswor)", 5, |seed| {
        select_srswor(&strata, &n_h, &mut ChaCha8Rng::seed_from_u64(seed), None).expect("srswor")
    });
    timed("inclusion_probabilities_stratified", 3, ip);
    let pi = ip(0);
    timed("select_systematic_sorted (region, dept, age)", 3, |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        select_systematic_sorted(&pi, &strata, &keys, &mut rng, None).expect("systematic")
    });
    timed("sort_order (region, dept, age)", 3, |_| sort_order(rows, &keys).expect("order"));
    let order = sort_order(rows, &keys).expect("order");
    timed("select_systematic on the permutation", 3, |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        select_systematic(&pi, &strata, Some(&order), &mut rng, None).expect("systematic")
    });
    drop(order);
    drop(pi);

    let mut g = c.benchmark_group("register");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function(format!("srswor_25000_of_{rows}"), |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            let s = select_srswor(&strata, &n_h, &mut ChaCha8Rng::seed_from_u64(seed), None);
            black_box(s.expect("srswor").len())
        })
    });
    g.bench_function(format!("systematic_pps_25000_of_{rows}_total"), |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            let pi = inclusion_probabilities_stratified(&size, &strata, &n_h, "household_size")
                .expect("pi")
                .pi;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let s = select_systematic_sorted(&pi, &strata, &keys, &mut rng, None);
            black_box(s.expect("systematic").len())
        })
    });
    let pi =
        inclusion_probabilities_stratified(&size, &strata, &n_h, "household_size").expect("pi").pi;
    g.bench_function("inclusion_probabilities_only", |b| {
        b.iter(|| {
            let ip = inclusion_probabilities_stratified(&size, &strata, &n_h, "household_size");
            black_box(ip.expect("pi").pi.len())
        })
    });
    g.bench_function("systematic_sorted_selection_only", |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let s = select_systematic_sorted(&pi, &strata, &keys, &mut rng, None);
            black_box(s.expect("systematic").len())
        })
    });
    g.bench_function("sort_order_only", |b| {
        b.iter(|| black_box(sort_order(rows, &keys).expect("order").len()))
    });
    let order = sort_order(rows, &keys).expect("order");
    g.bench_function("systematic_on_permutation_only", |b| {
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let s = select_systematic(&pi, &strata, Some(&order), &mut rng, None);
            black_box(s.expect("systematic").len())
        })
    });
    g.finish();
}

/// 10 numeric balancing variables of a generated frame.
fn balancing_columns(f: &PersonFrame) -> Vec<(String, Vec<f64>)> {
    let ind = |name: &str, col: &[u8], v: u8| {
        (name.to_string(), col.iter().map(|&c| f64::from(u8::from(c == v))).collect())
    };
    vec![
        ("age".into(), f.age.iter().map(|&a| f64::from(a)).collect()),
        ("household_size".into(), f.household_size_f64()),
        ind("female", &f.sex, 1),
        ind("age_18_29", &f.age_group, 1),
        ind("age_30_44", &f.age_group, 2),
        ind("age_60_74", &f.age_group, 4),
        ind("age_75_plus", &f.age_group, 5),
        ind("diploma_sup", &f.diploma, 5),
        ind("diploma_none", &f.diploma, 1),
        ind("retired", &f.pcs, 7),
    ]
}

fn cube(c: &mut Criterion) {
    let rows = 1_000_000;
    let f = generate_frame(rows, 7).expect("frame");
    let cols = balancing_columns(&f);
    let vars: Vec<BalanceVar<'_>> = cols
        .iter()
        .map(|(name, values)| BalanceVar::Numeric { name: name.clone(), values })
        .collect();
    let one = Strata::single(rows);
    let pi_one = equal_probabilities(&one, &[N_SAMPLE]).expect("pi");
    let regions = f.region_strata().expect("strata");
    let n_h = {
        let spec = AllocationSpec::new(N_SAMPLE, AllocationMethod::Proportional);
        allocate(regions.sizes(), regions.labels(), &spec).expect("allocation").sizes()
    };
    let pi_reg = equal_probabilities(&regions, &n_h).expect("pi");
    for (name, strata, pi) in [("1 stratum", &one, &pi_one), ("18 strata", &regions, &pi_reg)] {
        timed(&format!("cube 10 vars, 25000 of 1M, {name}"), 3, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            select_cube(pi, strata, &vars, &CubeOptions::default(), &mut rng, None).expect("cube")
        });
    }
    let mut g = c.benchmark_group("cube");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for (name, strata, pi) in [("1_stratum", &one, &pi_one), ("18_strata", &regions, &pi_reg)] {
        g.bench_function(format!("cube_10_vars_25000_of_1M_{name}"), |b| {
            let mut seed = 0;
            b.iter(|| {
                seed += 1;
                let (s, r) = select_cube(
                    pi,
                    strata,
                    &vars,
                    &CubeOptions::default(),
                    &mut ChaCha8Rng::seed_from_u64(seed),
                    None,
                )
                .expect("cube");
                black_box((s.len(), r.moves))
            })
        });
    }
    g.finish();
    let (_, report) = select_cube(
        &pi_reg,
        &regions,
        &vars,
        &CubeOptions::default(),
        &mut ChaCha8Rng::seed_from_u64(1),
        None,
    )
    .expect("cube");
    for ch in &report.checks {
        eprintln!(
            "balance {:>16}: rel. deviation {:+.2e}",
            ch.variable,
            ch.relative_deviation.unwrap_or(0.0)
        );
    }
    eprintln!("landing: {} units, dropped {:?}", report.landing_units, report.dropped_in_landing);
}

/// CPU time of this process (user + system), from /proc/self/stat (10 ms resolution).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command.
    (tick(11) + tick(12)) / 100.0
}

/// Runs `f` `reps` times and prints the best wall-clock and CPU times: on a machine shared
/// with other jobs the CPU time of a single-threaded step is the better estimate of its cost.
fn timed<T>(label: &str, reps: usize, mut f: impl FnMut(u64) -> T) {
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for r in 0..reps {
        let (t, c) = (Instant::now(), cpu_seconds());
        black_box(f(r as u64 + 1));
        wall = wall.min(t.elapsed().as_secs_f64());
        cpu = cpu.min(cpu_seconds() - c);
    }
    eprintln!("{label:<48} wall {wall:>7.3} s   cpu {cpu:>7.2} s");
}

fn peak_memory() {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines().filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS")) {
            eprintln!("{line}");
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let only_cube = std::env::args().any(|a| a == "cube");
    if !only_cube {
        register(&mut c);
        peak_memory();
    }
    cube(&mut c);
    peak_memory();
    c.final_summary();
}
