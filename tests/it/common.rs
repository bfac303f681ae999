//! Helpers shared by every test module: fixture paths and readers (CSV, JSON), an
//! element-wise comparison of weight vectors, and a scratch folder that runs the `ponder`
//! binary.
//!
//! Fixtures live in `tests/fixtures/<case>/` (`data.csv`, `expected.json`, `case.json`, ...).
//! Float comparisons against references use `approx` (`assert_relative_eq!` /
//! `relative_eq!` with an explicit `epsilon` and `max_relative`; `assert_abs_diff_eq!` for
//! absolute tolerances), element-wise over vectors with [`assert_all_relative_eq`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ponder::data::Factor;
use ponder::design::{Categorical, Numeric};
use serde_json::Value;

/// Path (as text, usable as a CLI argument) of `tests/fixtures/<case>/<file>`.
pub fn fixture(case: &str, file: &str) -> String {
    format!("{}/tests/fixtures/{case}/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Path (as text, usable as a CLI argument or in a YAML file) of a file of the repository,
/// given relative to its root (`designs/fej2024.yaml`).
pub fn repo(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A fixture JSON file, parsed.
pub fn json(case: &str, file: &str) -> Value {
    let text = std::fs::read_to_string(fixture(case, file))
        .unwrap_or_else(|e| panic!("fixture {case}/{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {case}/{file}: {e}"))
}

/// A fixture's `expected.json` (R's results).
pub fn expected(case: &str) -> Value {
    json(case, "expected.json")
}

/// A JSON array of numbers.
pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

/// Asserts `got` and `want` (the reference) have the same length and agree element-wise
/// to `max_relative` (`approx::relative_eq!`, no absolute slack); a failure names `what`,
/// the first index that differs and both values (not whole vectors of weights).
#[track_caller]
pub fn assert_all_relative_eq(what: &str, got: &[f64], want: &[f64], max_relative: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            approx::relative_eq!(g, w, epsilon = 0.0, max_relative = max_relative),
            "{what} [{i}]: {g} vs {w}"
        );
    }
}

/// An estimate and its SE against R's (`want`): the estimate to 1e-9 relative, the SE to
/// 1e-6 relative (no absolute slack); a failure names `what` and both values.
#[track_caller]
pub fn assert_estimate_and_se(what: &str, (est, se): (f64, f64), (r_est, r_se): (f64, f64)) {
    assert!(
        approx::relative_eq!(est, r_est, epsilon = 0.0, max_relative = 1e-9),
        "{what}: {est} vs R {r_est}"
    );
    assert!(
        approx::relative_eq!(se, r_se, epsilon = 0.0, max_relative = 1e-6),
        "{what}: se {se} vs R {r_se}"
    );
}

/// Splits a CSV line: commas, double quotes around fields with commas (`""` inside is a
/// quote).
fn split_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A fixture CSV file held as text cells (header, rows; empty cell = missing; blank lines
/// skipped). Independent of the library's reader on purpose.
#[derive(Clone)]
pub struct Csv {
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells, in file order.
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Reads `tests/fixtures/<case>/<file>`.
    pub fn read(case: &str, file: &str) -> Csv {
        let text = std::fs::read_to_string(fixture(case, file))
            .unwrap_or_else(|e| panic!("fixture {case}/{file}: {e}"));
        let mut lines = text.lines();
        let header = split_line(lines.next().expect("header"));
        let rows = lines.filter(|l| !l.is_empty()).map(split_line).collect();
        Csv { header, rows }
    }

    /// Reads a case's `data.csv`.
    pub fn data(case: &str) -> Csv {
        Csv::read(case, "data.csv")
    }

    /// Index of a column (panics naming it when absent).
    pub fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.rows.len()
    }

    /// A column's cells.
    pub fn text(&self, name: &str) -> Vec<String> {
        let j = self.col(name);
        self.rows.iter().map(|r| r[j].clone()).collect()
    }

    /// A column as numbers (empty → NaN; anything else must parse).
    pub fn numeric(&self, name: &str) -> Vec<f64> {
        numeric(&self.text(name))
    }

    /// A column as a design [`Numeric`] (empty → NaN).
    pub fn num(&self, name: &str) -> Numeric {
        Numeric::new(name, self.numeric(name))
    }

    /// A column as a design [`Categorical`] (empty → missing).
    pub fn cat(&self, name: &str) -> Categorical {
        let j = self.col(name);
        let vals: Vec<Option<&str>> = self
            .rows
            .iter()
            .map(|r| if r[j].is_empty() { None } else { Some(r[j].as_str()) })
            .collect();
        Categorical::from_strings(name, &vals)
    }

    /// Keeps the rows where `keep` holds.
    pub fn filter(&self, keep: impl Fn(usize) -> bool) -> Csv {
        Csv {
            header: self.header.clone(),
            rows: self
                .rows
                .iter()
                .enumerate()
                .filter(|(k, _)| keep(*k))
                .map(|(_, r)| r.clone())
                .collect(),
        }
    }

    /// Replicate weight columns `rep_1..rep_R`, in header order.
    pub fn replicate_columns(&self) -> Vec<Vec<f64>> {
        self.header.iter().filter(|h| h.starts_with("rep_")).map(|h| self.numeric(h)).collect()
    }

    /// A column as a [`Factor`] ([`factor_of`]).
    pub fn factor(&self, name: &str) -> Factor {
        factor_of(&self.text(name))
    }
}

/// Codes + sorted levels of text values ("" = missing).
pub fn factor_of(values: &[String]) -> Factor {
    let levels: Vec<String> = values
        .iter()
        .filter(|v| !v.is_empty())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let codes = values
        .iter()
        .map(|v| levels.iter().position(|l| l == v).map_or(Factor::MISSING, |p| p as u32))
        .collect();
    Factor { codes, levels }
}

/// Cells as numbers (empty → NaN; anything else must parse).
pub fn numeric(cells: &[String]) -> Vec<f64> {
    cells.iter().map(|s| if s.is_empty() { f64::NAN } else { s.parse().expect("number") }).collect()
}

/// The first of these programs found on `PATH`, if any.
pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| std::env::split_paths(&path).map(|d| d.join(n)).find(|p| p.is_file()))
}

/// The headless Chromium binary, or `None` after printing why the calling test is
/// skipped (`apt-get install chromium`; CI has none).
pub fn chromium() -> Option<PathBuf> {
    let found = on_path(&["chromium", "chromium-browser"]);
    if found.is_none() {
        println!("skipped: chromium not installed (apt-get install chromium)");
    }
    found
}

/// The DOM headless Chromium renders from `page` (with `extra` arguments, e.g. a window
/// size) and its log (console messages, uncaught errors). Chromium must exit with success.
pub fn headless_dom(chromium: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let o = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"])
        .args(extra)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium");
    assert!(o.status.success(), "chromium failed on {}", page.display());
    (String::from_utf8_lossy(&o.stdout).to_string(), String::from_utf8_lossy(&o.stderr).to_string())
}

/// The `ponder` binary built for these tests, as a command to add arguments to.
pub fn ponder() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ponder"))
}

/// A program's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// One run of the bundled pipeline from the project folder (`ponder run -q --replicates
/// 40`: 39 design df leave residual df for the 28 coefficients of the trust model), shared
/// by the tests that read its outputs: the output folder and the run's standard error. The
/// run must succeed.
pub fn bundled_run() -> &'static (Scratch, PathBuf, String) {
    static RUN: std::sync::OnceLock<(Scratch, PathBuf, String)> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let s = Scratch::new();
        let out = s.path("out");
        let o = ponder()
            .args(["run", "-q", "--replicates", "40", "--out", out.to_str().unwrap()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let err = stderr(&o);
        (s, out, err)
    })
}

/// A scratch folder with files and a way to run `ponder` in it (removed when dropped).
pub struct Scratch {
    /// The folder.
    pub dir: tempfile::TempDir,
}

impl Scratch {
    /// A new empty folder.
    pub fn new() -> Scratch {
        Scratch { dir: tempfile::tempdir().unwrap() }
    }

    /// Path of `name` in the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name` (creating parent folders) and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs ponder with these arguments in the scratch folder.
    pub fn run(&self, args: &[&str]) -> Output {
        ponder().args(args).current_dir(self.dir.path()).output().unwrap()
    }

    /// Runs ponder with an environment variable set.
    pub fn run_env(&self, args: &[&str], key: &str, value: &str) -> Output {
        ponder().args(args).env(key, value).current_dir(self.dir.path()).output().unwrap()
    }

    /// A JSON file of the folder (a report written by ponder), parsed.
    pub fn json(&self, name: &str) -> Value {
        let text =
            std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Every file in the folder (recursively) with its bytes.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out.sort();
        out
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
}
