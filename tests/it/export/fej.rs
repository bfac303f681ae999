//! The bundled FEJ pipeline writes `out/researcher/` (designs/fej2024_export.yaml): no design
//! or identifier column name in any file, and the R and Python scripts reproduce every row
//! of the run's `estimates.csv` (40 replicates in the shared test run).

use super::{assert_same_estimate, files};
use crate::common::{bundled_run, on_path};
use ponder::config::estimate::{EstimateConfig, ItemChoice};
use ponder::data::Table;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

type Rows = BTreeMap<(String, String, BTreeSet<String>), (f64, f64)>;

fn text(t: &Table, c: &str) -> Vec<String> {
    let f = t.factor(c).unwrap();
    f.codes.iter().map(|&k| f.levels.get(k as usize).cloned().unwrap_or_default()).collect()
}

/// The run's estimate rows, keyed by (name, category, {by=value}).
fn published(out: &Path) -> Rows {
    let t = Table::read(&out.join("estimates.csv")).unwrap();
    let cols = t.column_names();
    let (a, b) = (
        cols.iter().position(|c| c == "category_label").unwrap() + 1,
        cols.iter().position(|c| c == "estimate").unwrap(),
    );
    let by: Vec<&String> = cols[a..b].iter().filter(|c| !c.ends_with("_label")).collect();
    let by_values: Vec<Vec<String>> = by.iter().map(|c| text(&t, c)).collect();
    let (name, cat) = (text(&t, "name"), text(&t, "category"));
    let (est, se) = (t.numeric("estimate").unwrap(), t.numeric("se").unwrap());
    (0..t.n_rows())
        .map(|i| {
            let dom = by
                .iter()
                .zip(&by_values)
                .filter(|(_, v)| !v[i].is_empty())
                .map(|(c, v)| format!("{c}={}", v[i]))
                .collect();
            ((name[i].clone(), cat[i].clone(), dom), (est[i], se[i]))
        })
        .collect()
}

fn script(path: &Path) -> Rows {
    let t = Table::read(path).unwrap();
    let (name, cat, dom) = (text(&t, "name"), text(&t, "category"), text(&t, "domain"));
    let (est, se) = (t.numeric("estimate").unwrap(), t.numeric("se").unwrap());
    (0..t.n_rows())
        .map(|i| {
            let d = dom[i].split(';').filter(|s| !s.is_empty()).map(str::to_string).collect();
            ((name[i].clone(), cat[i].clone(), d), (est[i], se[i]))
        })
        .collect()
}

fn assert_same(language: &str, got: &Rows, want: &Rows) {
    assert!(want.len() > 100, "{} published rows", want.len());
    assert_eq!(got.len(), want.len(), "{language}");
    for (k, (e, se)) in want {
        let got = got.get(k).unwrap_or_else(|| panic!("{language}: no row {k:?}"));
        assert_same_estimate(&format!("{language} {k:?}"), *got, (*e, *se));
    }
}

#[test]
fn fej_researcher_file_holds_no_design_or_identifier_column() {
    let (_, out, _) = bundled_run();
    let pkg = out.join("researcher");
    let names: Vec<String> = files(&pkg).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["README.md", "codebook.yaml", "data.csv", "load.R", "load.do", "load.py", "load.sas"]
    );
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (name, bytes) in files(&pkg) {
        for dropped in [
            "person_id",
            "pi",
            "design_weight",
            "stratum",
            "certainty",
            "has_phone",
            "w_nr",
            "w_nr_group",
            "w_nr_propensity",
            "w_nr_phase",
            "sex_age",
        ] {
            let n = dropped.as_bytes();
            let found = bytes.windows(n.len()).enumerate().any(|(i, w)| {
                w == n
                    && (i == 0 || !word(bytes[i - 1]))
                    && bytes.get(i + n.len()).is_none_or(|&b| !word(b))
            });
            assert!(!found, "{name} names `{dropped}`");
        }
    }
    let t = Table::read(&pkg.join("data.csv")).unwrap();
    let weighted = Table::read(&out.join("weighted.csv")).unwrap();
    assert_eq!(t.n_rows(), weighted.n_rows());
    assert_eq!(t.factor("zone").unwrap().levels.len(), 6);
    assert!(t.factor("age").unwrap().levels.contains(&"25-34".to_string()));
}

#[test]
fn fej_researcher_scripts_reproduce_the_published_estimates() {
    let (_, out, _) = bundled_run();
    let pkg = out.join("researcher");
    // The scripts reproduce every estimate but those reweighted for item nonresponse,
    // which the package's README lists as skipped.
    let readme = std::fs::read_to_string(pkg.join("README.md")).unwrap();
    let cfg = EstimateConfig::load(Path::new("designs/fej2024_estimates.yaml")).unwrap();
    let reweighted: Vec<&str> = cfg
        .requests
        .iter()
        .filter(|r| matches!(r.item, Some(ItemChoice::Reweight(_))))
        .map(|r| r.name.as_str())
        .collect();
    assert!(!reweighted.is_empty(), "the bundled config reweights some estimate");
    for name in &reweighted {
        assert!(readme.contains(&format!("`{name}`")), "README lists {name} as skipped");
    }
    let mut want = published(out);
    want.retain(|(name, _, _), _| !reweighted.contains(&name.as_str()));
    let runs = [("Rscript", "load.R", "library(survey)"), ("python3", "load.py", "import numpy")];
    for (program, file, probe) in runs {
        let Some(exe) = on_path(&[program]) else {
            println!("skipped: {program} not installed");
            continue;
        };
        let flag = if program == "Rscript" { "-e" } else { "-c" };
        if !Command::new(&exe).args([flag, probe]).output().is_ok_and(|o| o.status.success()) {
            println!("skipped: {program} lacks `{probe}`");
            continue;
        }
        let table = format!("{file}.csv");
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(&table);
        let o = Command::new(&exe).arg(file).arg(&target).current_dir(&pkg).output().unwrap();
        assert!(o.status.success(), "{file}: {}", String::from_utf8_lossy(&o.stderr));
        assert_same(file, &script(&target), &want);
    }
}
