//! The synthetic « Français et la justice » world: population, field work, census margins.

mod census;
mod collection;
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
