//! The synthetic « Français et la justice » world: population, field work, census margins.

mod census;
mod collection;
mod disputes;
mod models;
mod study;
mod survey;

use std::sync::OnceLock;

use ponder::simulate::{PersonFrame, Population, generate_frame, generate_population};

/// A 200,000-person register and its survey population (seed 2024), built once.
pub fn world() -> &'static (PersonFrame, Population, Vec<usize>) {
    static WORLD: OnceLock<(PersonFrame, Population, Vec<usize>)> = OnceLock::new();
    WORLD.get_or_init(|| {
        let frame = generate_frame(200_000, 2024).unwrap();
        let pop = generate_population(&frame, 2024);
        let scope: Vec<usize> =
            frame.fej_scope().iter().enumerate().filter(|x| *x.1).map(|x| x.0).collect();
        (frame, pop, scope)
    })
}

/// Share of `rows` satisfying `f`.
pub fn share(rows: &[usize], f: impl Fn(usize) -> bool) -> f64 {
    rows.iter().filter(|&&i| f(i)).count() as f64 / rows.len() as f64
}

/// Binomial standard error of a share `p` over `n`.
pub fn se(p: f64, n: usize) -> f64 {
    (p * (1.0 - p) / n as f64).sqrt()
}

/// The in-memory register table is typed and valued exactly as its CSV form read back.
#[test]
fn frame_table_equals_the_csv_read_back() {
    let frame = generate_frame(5_000, 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("frame.csv");
    frame.write_csv(std::fs::File::create(&csv).unwrap()).unwrap();
    let read = ponder::data::Table::read(&csv).unwrap();
    let built = ponder::pipeline::frame_table(&frame).unwrap();
    assert_eq!(read.column_names(), built.column_names());
    assert_eq!(built.column_names(), ponder::pipeline::schema::FRAME_COLUMNS);
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    read.write(&a).unwrap();
    built.write(&b).unwrap();
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    for c in ["region", "pcs", "age", "household_size"] {
        assert_eq!(read.numeric(c).unwrap(), built.numeric(c).unwrap(), "{c}");
    }
    assert_eq!(read.factor("department").unwrap(), built.factor("department").unwrap());
}
