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

pub use crate::common::{Scratch, expected, fixture, stderr};

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
