//! The one integration-test crate (one binary keeps link time and disk low).
//! Modules: reference cases, properties (proptest), simulations and CLI checks, by step.

mod architecture;
mod calibration;
mod cli;
mod codebook;
mod common;
mod data;
mod estimation;
mod export;
mod item_nonresponse;
mod model;
mod nonresponse;
mod parquet;
mod pipeline;
mod publication;
mod report;
mod sampling;
mod simulate;
mod stream;
mod units;
