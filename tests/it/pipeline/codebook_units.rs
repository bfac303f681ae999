//! A codebook variable marked `units: true` (a column of the linked unit file): skipped by a
//! configuration without `units:`, checked against the unit file joined to the persons by a
//! configuration with it.

use crate::common::{Scratch, stderr};

const CODEBOOK: &str = "variables:
  sex:
    label: {fr: Sexe, en: Sex}
    values: {F: {fr: Femmes, en: Women}, M: {fr: Hommes, en: Men}}
  type:
    label: {fr: Type de litige, en: Type of dispute}
    units: true
    values: {work: {fr: Travail, en: Work}, debt: {fr: Dettes, en: Debts}}
";

fn scratch(codebook: &str) -> Scratch {
    let s = Scratch::new();
    s.write("persons.csv", "person_id,w,sex\n1,10,F\n2,20,M\n3,30,F\n4,15,M\n");
    s.write("disputes.csv", "person_id,type,one\n1,work,1\n1,debt,1\n2,work,1\n4,debt,1\n");
    s.write("cb.yaml", codebook);
    s.write(
        "persons.yaml",
        "codebook: cb.yaml\ndesign: {weight: w}\nestimates:\n  - {name: women, stat: proportion, variable: sex, category: F}\n",
    );
    s.write(
        "disputes.yaml",
        "codebook: cb.yaml\nunits: {file: disputes.csv, key: person_id}\ndesign: {weight: w}\n\
         publication: {significance: false}\nestimates:\n  \
         - {name: by_type, stat: total, variable: one, by: [type]}\n  \
         - {name: by_sex, stat: proportion, variable: type, by: [sex]}\n",
    );
    s
}

/// `ponder estimate --config <config> --input persons.csv --output <output>` in `s`.
fn estimate(s: &Scratch, config: &str, output: &str) -> std::process::Output {
    s.run(&["estimate", "--config", config, "--input", "persons.csv", "--output", output])
}

#[test]
fn a_units_variable_is_skipped_by_persons_and_checked_on_the_units() {
    let s = scratch(CODEBOOK);
    let o = estimate(&s, "persons.yaml", "p.csv");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = estimate(&s, "disputes.yaml", "d.csv");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = std::fs::read_to_string(s.path("d.csv")).unwrap();
    assert!(d.contains(",debt,Dettes,") && d.contains(",work,Travail,"), "{d}");
    // the persons' labels reach the disputes through the key
    assert!(d.contains(",F,Femmes,"), "{d}");

    // a value of the unit file without label is an error for the units configuration only
    let s = scratch(&CODEBOOK.replace(", debt: {fr: Dettes, en: Debts}", ""));
    let o = estimate(&s, "disputes.yaml", "d.csv");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("value `debt` of `type`") && err.contains("has no label"), "{err}");
    assert!(!s.path("d.csv").exists());
    let o = estimate(&s, "persons.yaml", "p.csv");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // without `units: true`, a codebook variable missing from the person file stays an error
    let s = scratch(&CODEBOOK.replace("    units: true\n", ""));
    let o = estimate(&s, "persons.yaml", "p.csv");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no column `type`"), "{err}");
}
