//! `ponder sample` end to end on small frames, determinism, and bad designs refused.

use super::{Scratch, assert_refused, stderr};
use approx::abs_diff_eq;
use ponder::data::Table;

/// 3 strata a (6 units), b (4), c (2); size measure x; a unit outside the scope (age 15).
const FRAME: &str = "id,h,x,age\n1,a,1,30\n2,a,2,40\n3,a,3,50\n4,a,4,60\n5,a,5,70\n6,a,6,80\n\
7,b,1,30\n8,b,2,40\n9,b,3,50\n10,b,4,15\n11,c,5,30\n12,c,6,40\n";

fn setup(design: &str) -> Scratch {
    let s = Scratch::new();
    s.write("frame.csv", FRAME);
    s.write("d.yaml", design);
    s
}

const ARGS: [&str; 7] = ["sample", "-d", "d.yaml", "-f", "frame.csv", "-o", "s.csv"];

#[test]
fn stratified_srswor_with_scope_and_report() {
    let s = setup(
        "filters:\n  - {column: age, min: 18}\nstrata: [h]\nn: 6\nallocation: {method: proportional, min: 1}\nselection: {method: srswor}\nseed: 3\n",
    );
    let o = s.run(&[&ARGS[..], &["-r", "r.json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("s.csv")).unwrap();
    assert_eq!(t.n_rows(), 6);
    assert_eq!(
        t.column_names(),
        vec!["id", "h", "x", "age", "pi", "design_weight", "stratum", "certainty"]
    );
    assert!(t.numeric("age").unwrap().iter().all(|a| *a >= 18.0), "out-of-scope unit drawn");
    let w = t.numeric("design_weight").unwrap();
    assert!(abs_diff_eq!(w.iter().sum::<f64>(), 11.0, epsilon = 1e-9), "HT estimate of N in scope");
    let r = s.json("r.json");
    assert_eq!(r["in_scope"], 11);
    assert_eq!(r["filters"][0][1], 1);
    // same seed → same bytes; another seed → (here) another sample
    let first = std::fs::read(s.path("s.csv")).unwrap();
    std::fs::remove_file(s.path("s.csv")).unwrap();
    assert_eq!(s.run(&ARGS).status.code(), Some(0));
    assert_eq!(first, std::fs::read(s.path("s.csv")).unwrap());
    std::fs::remove_file(s.path("s.csv")).unwrap();
    assert_eq!(s.run(&[&ARGS[..], &["--seed", "4"]].concat()).status.code(), Some(0));
    assert_ne!(first, std::fs::read(s.path("s.csv")).unwrap());
}

#[test]
fn systematic_pps_and_cube() {
    let s = setup(
        "strata: [h]\nn: 5\nallocation: {method: given, sizes: {a: 2, b: 2, c: 1}}\nselection: {method: systematic, size: x, sort: [age]}\nseed: 1\n",
    );
    let o = s.run(&ARGS);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(Table::read(&s.path("s.csv")).unwrap().n_rows(), 5);
    let s = setup("n: 6\nselection: {method: cube, balance: [h, x]}\nseed: 1\n");
    let o = s.run(&ARGS);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(Table::read(&s.path("s.csv")).unwrap().n_rows(), 6);
}

#[test]
fn bad_designs_are_refused() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("n: 20\nselection: {method: srswor}\nseed: 1\n", vec!["20"]),
        (
            "strata: [h]\nn: 6\nallocation: {method: given, sizes: {a: 1, b: 1, c: 4}}\nselection: {method: srswor}\nseed: 1\n",
            vec!["`c`"],
        ),
        (
            "strata: [hh]\nn: 6\nallocation: {method: proportional}\nselection: {method: srswor}\nseed: 1\n",
            vec!["hh", "did you mean `h`"],
        ),
        ("n: 6\nselection: {method: systematic, size: age2}\nseed: 1\n", vec!["age2"]),
        (
            "strata: [h]\nn: 6\nallocation: {method: proportional, min: 3}\nselection: {method: srswor}\nseed: 1\n",
            vec!["`c`"],
        ),
        ("n: 6\nselection: {method: srsworr}\nseed: 1\n", vec!["srsworr", "did you mean `srswor`"]),
        (
            "filters:\n  - {column: h, not_in: [z]}\nn: 6\nselection: {method: srswor}\nseed: 1\n",
            vec!["`z`"],
        ),
        ("n: 6\nselection: {method: srswor}\n", vec!["seed"]),
        (
            "strata: [h]\nn: 6\nallocation: {method: proportional, oversample: {d: 2}}\nselection: {method: srswor}\nseed: 1\n",
            vec!["`d`"],
        ),
    ];
    for (design, needles) in cases {
        let s = setup(design);
        assert_refused(&s, &ARGS, &needles);
    }
    for bad in ["0", "-1", ""] {
        let s = setup("n: 3\nselection: {method: poisson, size: x}\nseed: 1\n");
        s.write("frame.csv", &FRAME.replacen("1,a,1,30", &format!("1,a,{bad},30"), 1));
        assert_refused(&s, &ARGS, &["`x`"]);
    }
}

#[test]
fn non_scalar_yaml_entries_are_refused_not_dropped() {
    let s = setup(
        "filters:\n  - {column: h, in: [a, [b]]}\nn: 2\nselection: {method: srswor}\nseed: 1\n",
    );
    assert_refused(&s, &ARGS, &["filters[0]", "not a plain value"]);
}
