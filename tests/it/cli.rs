//! The command line: exit codes, messages naming the culprit, no partial output, inputs
//! untouched.

mod bad_inputs;
mod calibrate;
mod estimate;
mod fej;
mod model;
mod nonresponse;
mod r_check;
mod replicates;
mod run;
mod sample;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch folder with files and a way to run `ponder` in it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch { dir: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

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
        Command::new(env!("CARGO_BIN_EXE_ponder"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    /// Runs ponder with an environment variable set.
    pub fn run_env(&self, args: &[&str], key: &str, value: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ponder"))
            .args(args)
            .env(key, value)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
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

/// Path of a fixture file.
pub fn fixture(case: &str, file: &str) -> String {
    format!("{}/tests/fixtures/{case}/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's expected.json.
pub fn expected(case: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(case, "expected.json")).unwrap()).unwrap()
}

/// Relative difference.
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs a command expected to fail with exit 1 and a message containing every `needles`,
/// and checks that the folder is byte-identical afterwards (no output, no temp file, inputs
/// untouched).
pub fn assert_refused(s: &Scratch, args: &[&str], needles: &[&str]) {
    let before = s.snapshot();
    let o = s.run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "expected exit 1 for {args:?}, stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr should mention `{n}`:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(before, s.snapshot(), "the folder changed after a refused run {args:?}");
}

#[test]
fn version_help_and_usage_errors() {
    let s = Scratch::new();
    let o = s.run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains(env!("CARGO_PKG_VERSION")));
    let o = s.run(&["calibrate", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--config"));
    assert_eq!(s.run(&[]).status.code(), Some(2));
    assert_eq!(s.run(&["calibrate", "--config"]).status.code(), Some(2));
    assert_eq!(s.run(&["frobnicate"]).status.code(), Some(2));
}
