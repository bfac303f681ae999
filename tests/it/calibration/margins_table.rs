//! CALMAR-style margin tables (`margins_table:`), in CALMAR's own layout: the `MARGES` data
//! set with `VAR`, `N` (number of categories coded 1..N; 0 for a numeric variable) and
//! `MAR1..MARn` (`tests/fixtures/margins_table/`). Every margin of the table is met; a
//! variable given in the YAML and in the table, or twice in the table, and an `N` that
//! disagrees with the figures are refused with the row and the variable named.

use crate::common::{Scratch, fixture};
use ponder::Error;
use ponder::bind::calibration::{Replicates, margin_specs, margins, run};
use ponder::config::calibrate::{CalibrationConfig, MarginSpec};
use ponder::data::Table;
use std::path::Path;

fn data() -> Table {
    Table::read(Path::new(&fixture("margins_table", "data.csv"))).unwrap()
}

/// A scratch folder with the fixture's data, `marges` as the table and `yaml` as the
/// calibration config; the config loaded.
fn setup(yaml: &str, marges: &str) -> (Scratch, CalibrationConfig) {
    let s = Scratch::new();
    s.write("marges.csv", marges);
    let cfg = s.write("c.yaml", yaml);
    let c = CalibrationConfig::load(&cfg).unwrap();
    (s, c)
}

const YAML: &str = "weight: d\noutput: w\nmethod: linear\nmargins_table: marges.csv\n";

fn refused(yaml: &str, marges: &str) -> (String, Vec<String>) {
    let (_s, cfg) = setup(yaml, marges);
    match margin_specs(&cfg) {
        Err(Error::Config { problems, .. }) => (
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"),
            problems.into_iter().map(|p| p.key).collect(),
        ),
        Err(e) => panic!("expected a config error, got {e:?}"),
        Ok(m) => panic!("expected a refusal of {marges}, got {m:?}"),
    }
}

/// The fixture in CALMAR's layout (upper-case names, an empty MAR3 for a 2-category
/// variable, N = 0 for income): three margins read, in order, and met by the calibration.
#[test]
fn calmar_layout_is_read_and_every_margin_met() {
    let cfg = CalibrationConfig::load(Path::new(&fixture("margins_table", "calmar.yaml"))).unwrap();
    let specs = margin_specs(&cfg).unwrap();
    assert_eq!(specs.len(), 3);
    assert!(matches!(&specs[0], MarginSpec::Categorical { variables, figures, .. }
        if variables == &["sex"] && figures == &[("1".to_string(), 50.0), ("2".to_string(), 46.0)]));
    assert!(
        matches!(&specs[2], MarginSpec::Numeric { variable, total, .. } if variable == "income" && *total == 180000.0)
    );
    let table = data();
    let d = table.numeric("d").unwrap();
    let out = run(&cfg, &table, d, Replicates::Columns, None).unwrap();
    let w = &out.calibration.weights;
    let sum_if = |col: &str, code: f64| -> f64 {
        let v = table.numeric(col).unwrap();
        v.iter().zip(w).filter(|(x, _)| **x == code).map(|(_, w)| w).sum()
    };
    for (col, code, target) in [
        ("sex", 1.0, 50.0),
        ("sex", 2.0, 46.0),
        ("age", 1.0, 30.0),
        ("age", 2.0, 36.0),
        ("age", 3.0, 30.0),
    ] {
        approx::assert_relative_eq!(sum_if(col, code), target, max_relative = 1e-9);
    }
    let income: f64 = table.numeric("income").unwrap().iter().zip(w).map(|(x, w)| x * w).sum();
    approx::assert_relative_eq!(income, 180000.0, max_relative = 1e-9);
}

/// A variable with a margin in the YAML and a row in the table would be constrained twice
/// (and could be met by neither): refused, naming the table's row and the YAML margin; so is
/// a variable listed twice in the table.
#[test]
fn a_variable_in_two_places_is_refused() {
    let yaml = format!("{YAML}margins:\n  - variable: sex\n    totals: {{1: 50, 2: 46}}\n");
    let (msg, keys) = refused(&yaml, "VAR,N,MAR1,MAR2\nsex,2,50,46\n");
    assert!(msg.contains("`sex` already has a margin (margins[0])"), "{msg}");
    assert_eq!(keys, ["margins_table row 1 (sex)"]);
    let (msg, keys) = refused(YAML, "VAR,N,MAR1,MAR2\nsex,2,50,46\nage,2,40,56\nsex,2,48,48\n");
    assert!(msg.contains("already has a margin (margins_table row 1 (sex))"), "{msg}");
    assert_eq!(keys, ["margins_table row 3 (sex)"]);
    // a crossed YAML margin on sex × age does not clash with the table's sex
    let yaml = format!("{YAML}margins:\n  - variables: [sex, age]\n    totals: {{\"1,1\": 1}}\n");
    let (_s, cfg) = setup(&yaml, "VAR,N,MAR1,MAR2\nsex,2,50,46\n");
    assert_eq!(margin_specs(&cfg).unwrap().len(), 2);
}

/// An `N` that disagrees with the figures: each a config error on `margins_table` naming
/// the row, the variable and what to fix — never a margin silently cut or padded.
#[test]
fn a_wrong_n_is_refused_by_name() {
    let cases = [
        // a third figure the count leaves out (its category would lose its margin)
        ("VAR,N,MAR1,MAR2,MAR3\nage,2,30,36,30\n", "row 1 (age): n = 2 but `mar3` holds a figure"),
        // more categories than figure columns
        ("VAR,N,MAR1,MAR2\nage,3,30,36\n", "row 1 (age): n = 3 but the table has no column `mar3`"),
        // a figure missing
        (
            "VAR,N,MAR1,MAR2,MAR3\nsex,2,50,46,\nage,3,30,36,\n",
            "row 2 (age): n = 3 but `mar3` is empty",
        ),
        // a numeric variable with two figures
        (
            "VAR,N,MAR1,MAR2\nincome,0,180000,5\n",
            "n = 0 but `mar2` holds a figure (a numeric variable",
        ),
        // not a count
        ("VAR,N,MAR1,MAR2\nsex,1.5,50,46\n", "`n` must be 0 (numeric variable) or a count"),
        ("VAR,N,MAR1,MAR2\nsex,2,50,-46\n", "`mar2` is negative"),
    ];
    for (marges, needle) in cases {
        let (msg, keys) = refused(YAML, marges);
        assert!(msg.contains(needle), "{marges}: `{needle}` not in {msg}");
        assert_eq!(keys, ["margins_table"], "{marges}");
    }
    // N consistent with the table but not with the data: category 3 of age has no margin
    let (_s, cfg) = setup(YAML, "VAR,N,MAR1,MAR2\nage,2,48,48\n");
    let table = data();
    let e = margins(&cfg, &table, &table.numeric("d").unwrap()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Config { .. }) && msg.contains("age") && msg.contains('3'), "{msg}");
}
