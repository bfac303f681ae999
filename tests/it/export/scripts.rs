//! The loader scripts reproduce ponder's estimate table on the exported file: R
//! (`survey::svrepdesign`) and Python (numpy) are run where installed (skipped with a
//! message otherwise) and must match `ponder estimate` on the original weighted file to
//! 1e-9 (estimates) and 1e-6 (SEs, relative); the Stata and SAS scripts cannot be run
//! without a licence: their text is compared with reviewed snapshots
//! (`tests/fixtures/export/load.do`, `load.sas`; `PONDER_UPDATE_SNAPSHOTS=1` rewrites them).

use super::{assert_same_estimate, export_fixture, fixture};
use crate::common::{Scratch, on_path};
use ponder::config::estimate::EstimateConfig;
use ponder::data::Table;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// ponder's rows of the estimates the scripts reproduce: key (name, category, domain
/// `var=value;…`) → (estimate, se).
fn ponder_rows() -> BTreeMap<(String, String, String), (f64, f64)> {
    let cfg = EstimateConfig::load(&fixture("estimates.yaml")).unwrap();
    let table = Table::read(&fixture("weighted.csv")).unwrap();
    let rows = ponder::bind::estimate::compute(&cfg, &table).unwrap();
    rows.into_iter()
        .filter(|r| r.name != "trust_by_age" && r.name != "median_income")
        .map(|r| {
            let domain: Vec<String> = r.domain.iter().map(|(v, x)| format!("{v}={x}")).collect();
            let key = (r.name.clone(), r.category.clone().unwrap_or_default(), domain.join(";"));
            (key, (r.estimate, r.se))
        })
        .collect()
}

/// A script's output table (name, stat, variable, category, domain, estimate, se).
fn script_rows(path: &Path) -> BTreeMap<(String, String, String), (f64, f64)> {
    let t = Table::read(path).unwrap();
    let text = |c: &str| -> Vec<String> {
        let f = t.factor(c).unwrap();
        f.codes.iter().map(|&k| f.levels.get(k as usize).cloned().unwrap_or_default()).collect()
    };
    let (name, cat, dom) = (text("name"), text("category"), text("domain"));
    let (est, se) = (t.numeric("estimate").unwrap(), t.numeric("se").unwrap());
    (0..t.n_rows())
        .map(|i| ((name[i].clone(), cat[i].clone(), dom[i].clone()), (est[i], se[i])))
        .collect()
}

fn assert_reproduced(language: &str, got: &BTreeMap<(String, String, String), (f64, f64)>) {
    let want = ponder_rows();
    assert!(want.len() > 30, "{} rows", want.len());
    for name in [
        "trust",
        "trust_by_region",
        "trust_by_sex_region",
        "income_by_sex",
        "income_total",
        "recourse_by_sex",
    ] {
        assert!(want.keys().any(|k| k.0 == name), "ponder has no row of {name}");
    }
    assert_eq!(
        got.len(),
        want.len(),
        "{language}: {:?} vs {:?}",
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (k, (e, se)) in &want {
        let got = got.get(k).unwrap_or_else(|| panic!("{language}: no row {k:?}"));
        assert_same_estimate(&format!("{language} {k:?}"), *got, (*e, *se));
        assert!(*se > 0.0, "{k:?}");
    }
}

/// R with package survey: `Rscript load.R out.csv` in the package folder.
#[test]
fn r_script_reproduces_ponder_estimates() {
    let Some(rscript) = on_path(&["Rscript"]) else {
        println!("skipped: Rscript not installed");
        return;
    };
    let has_survey = Command::new(&rscript)
        .args(["-e", "library(survey)"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_survey {
        println!("skipped: R package survey not installed");
        return;
    }
    let s = Scratch::new();
    let pkg = s.path("pkg");
    export_fixture(&pkg, None).unwrap();
    let o = Command::new(rscript).args(["load.R", "r.csv"]).current_dir(&pkg).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_reproduced("R", &script_rows(&pkg.join("r.csv")));
}

/// Python with numpy: `python3 load.py out.csv` in the package folder.
#[test]
fn python_script_reproduces_ponder_estimates() {
    let Some(python) = on_path(&["python3"]) else {
        println!("skipped: python3 not installed");
        return;
    };
    let has_numpy = Command::new(&python)
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_numpy {
        println!("skipped: numpy not installed for python3 (pip install numpy)");
        return;
    }
    let s = Scratch::new();
    let pkg = s.path("pkg");
    export_fixture(&pkg, None).unwrap();
    let o = Command::new(python).args(["load.py", "py.csv"]).current_dir(&pkg).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_reproduced("Python", &script_rows(&pkg.join("py.csv")));
}

/// Stata and SAS: no licence here, so the scripts are compared with reviewed snapshots
/// (syntax and the variance method: `jkrweight(…, multiplier(1/19))`, `varmethod=bootstrap`).
#[test]
fn stata_and_sas_scripts_match_their_snapshots() {
    let s = Scratch::new();
    let pkg = s.path("pkg");
    export_fixture(&pkg, None).unwrap();
    for file in ["load.do", "load.sas"] {
        let got = std::fs::read_to_string(pkg.join(file)).unwrap();
        let snapshot = fixture(file);
        if std::env::var_os("PONDER_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&snapshot, &got).unwrap();
        }
        let want = std::fs::read_to_string(&snapshot).unwrap();
        assert_eq!(got, want, "{file} differs from tests/fixtures/export/{file}");
    }
    let stata = std::fs::read_to_string(pkg.join("load.do")).unwrap();
    assert!(stata.contains("jkrweight(w_cal_rep_1-w_cal_rep_20, multiplier(0.05263157894736842)) vce(jackknife) dof(19)"), "{stata}");
    assert!(stata.contains("svy: proportion trusts_c, over(sex_c region_c)"), "{stata}");
    let sas = std::fs::read_to_string(pkg.join("load.sas")).unwrap();
    assert!(sas.contains("proc surveymeans data=survey varmethod=bootstrap mean stderr;"), "{sas}");
    assert!(sas.contains("repweights w_cal_rep_1-w_cal_rep_20 / df=19;"), "{sas}");
    assert!(sas.contains("domain sex*region;"), "{sas}");
}
