//! Estimation and variance: reference cases (R survey), properties, simulations, errors.

mod covariance;
mod errors;
mod fixtures;
mod properties;
mod reference;
mod replicates;
mod simulation;
