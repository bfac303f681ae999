//! Bad linked files refused with the culprit named (exit 1, nothing written).

use crate::common::{Scratch, stderr};
use ponder::Error;
use ponder::bind::units::link_tables;
use ponder::data::{ColumnData, Table};
use ponder::error::LinkProblem;

fn table(cols: &[(&str, Vec<i64>)]) -> Table {
    Table::from_columns(
        cols.iter()
            .map(|(n, v)| (n.to_string(), ColumnData::I64(v.iter().map(|&x| Some(x)).collect())))
            .collect(),
    )
    .unwrap()
}

fn problem(
    r: ponder::Result<ponder::estimate::UnitLink>,
) -> (LinkProblem, Option<String>, Option<usize>) {
    match r {
        Err(Error::Link { problem, key, row, .. }) => (problem, key, row),
        other => panic!("expected a link error, got {other:?}"),
    }
}

#[test]
fn unit_key_absent_from_person_file_is_named() {
    let persons = table(&[("id", vec![1, 2, 3])]);
    let units = table(&[("id", vec![1, 7, 3])]);
    let p = problem(link_tables("id", &persons, &units, &[1.0, 1.0, 1.0]));
    assert_eq!(p, (LinkProblem::UnknownKey, Some("7".into()), Some(2)));
}

#[test]
fn person_with_zero_weight_holding_units_is_named() {
    let persons = table(&[("id", vec![1, 2, 3])]);
    let units = table(&[("id", vec![3, 2, 2])]);
    let p = problem(link_tables("id", &persons, &units, &[1.0, 0.0, 1.0]));
    assert_eq!(p, (LinkProblem::ZeroWeight, Some("2".into()), Some(2)));
    // a person with weight 0 and no unit is fine
    assert!(link_tables("id", &persons, &table(&[("id", vec![1, 3])]), &[1.0, 0.0, 1.0]).is_ok());
}

#[test]
fn duplicated_person_key_is_named() {
    let persons = table(&[("id", vec![1, 2, 1])]);
    let units = table(&[("id", vec![2])]);
    let p = problem(link_tables("id", &persons, &units, &[1.0; 3]));
    assert_eq!(p, (LinkProblem::DuplicateKey, Some("1".into()), Some(3)));
}

#[test]
fn key_column_missing_in_either_file_is_named() {
    let persons = table(&[("id", vec![1, 2])]);
    let units = table(&[("pid", vec![1])]);
    let p = problem(link_tables("id", &persons, &units, &[1.0; 2]));
    assert_eq!(p.0, LinkProblem::MissingKeyColumn);
    let p = problem(link_tables("pid", &persons, &units, &[1.0; 2]));
    assert_eq!(p.0, LinkProblem::MissingKeyColumn);
}

const PERSONS: &str = "person_id,w,s\n1,10,a\n2,10,a\n3,20,b\n4,20,b\n";

fn cli(disputes: &str, persons: &str) -> (Scratch, std::process::Output) {
    let s = Scratch::new();
    s.write("persons.csv", persons);
    s.write("disputes.csv", disputes);
    s.write(
        "e.yaml",
        "design: {weight: w, strata: s}\nunits: {file: disputes.csv, key: person_id}\n\
         estimates:\n  - {name: n, stat: total, variable: one, by: [type]}\n",
    );
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", "persons.csv", "-o", "out.csv"]);
    (s, o)
}

#[test]
fn cli_refuses_bad_links_with_exit_1_and_writes_nothing() {
    let cases = [
        ("person_id,type,one\n1,a,1\n9,b,1\n", PERSONS, "`9`"),
        (
            "person_id,type,one\n1,a,1\n",
            "person_id,w,s\n1,10,a\n1,10,a\n3,20,b\n4,20,b\n",
            "occurs twice",
        ),
        (
            "person_id,type,one\n1,a,1\n3,b,1\n",
            "person_id,w,s\n1,0,a\n2,10,a\n3,20,b\n4,20,b\n",
            "weight 0",
        ),
        ("pid,type,one\n1,a,1\n", PERSONS, "no key column `person_id`"),
    ];
    for (disputes, persons, needle) in cases {
        let (s, o) = cli(disputes, persons);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!s.path("out.csv").exists());
    }
    let (s, o) = cli("person_id,type,one\n1,a,1\n1,b,1\n4,a,1\n", PERSONS);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(s.path("out.csv").exists());
}

#[test]
fn cli_units_flag_replaces_the_file_and_needs_a_units_key() {
    let s = Scratch::new();
    s.write("persons.csv", PERSONS);
    s.write("other.csv", "person_id,type,one\n1,a,1\n2,a,1\n2,b,1\n");
    s.write(
        "e.yaml",
        "design: {weight: w, strata: s}\nunits: {file: absent.csv, key: person_id}\n\
         estimates:\n  - {name: n, stat: total, variable: one}\n",
    );
    let args = ["estimate", "-c", "e.yaml", "-i", "persons.csv", "-o", "out.csv"];
    let o = s.run(&[&args[..], &["--units", "other.csv"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = std::fs::read_to_string(s.path("out.csv")).unwrap();
    assert!(out.lines().nth(1).unwrap().starts_with("n,total,one,,30.0,10.0,"), "{out}");
    // the output may not overwrite the unit file
    let o = s.run(&[
        "estimate",
        "-c",
        "e.yaml",
        "-i",
        "persons.csv",
        "-o",
        "other.csv",
        "--units",
        "other.csv",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    s.write(
        "p.yaml",
        "design: {weight: w}\nestimates:\n  - {name: n, stat: total, variable: one}\n",
    );
    let o = s.run(&[
        "estimate",
        "-c",
        "p.yaml",
        "-i",
        "persons.csv",
        "-o",
        "o2.csv",
        "--units",
        "other.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("units"), "{}", stderr(&o));
    assert!(!s.path("o2.csv").exists());
}

/// Publication tables of linked-unit estimates: the significance marks (computed on the
/// person rows) are refused by name unless switched off; switched off, the tables are
/// written.
#[test]
fn significance_marks_on_linked_units_are_refused_unless_switched_off() {
    let s = Scratch::new();
    s.write("persons.csv", PERSONS);
    s.write("units.csv", "person_id,type,one\n1,a,1\n2,a,1\n2,b,1\n");
    let yaml = |extra: &str| {
        format!(
            "design: {{weight: w, strata: s}}\nunits: {{file: units.csv, key: person_id}}\n{extra}\
             estimates:\n  - {{name: n, stat: proportion, variable: type, by: [type]}}\n"
        )
    };
    s.write("e.yaml", &yaml(""));
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", "persons.csv", "-o", "t.pub.md"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("significance: false"), "{}", stderr(&o));
    assert!(!s.path("t.pub.md").exists());
    s.write("e.yaml", &yaml("publication: {significance: false}\n"));
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", "persons.csv", "-o", "t.pub.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
