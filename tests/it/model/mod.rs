//! Design-based models and tests (`ponder::model`): R reference cases P14–P15, properties,
//! errors.

mod errors;
mod fixtures;
mod margins;
mod properties;
mod reference;
