//! Linked unit files (issue 15): disputes as units, each with its person's weight and
//! replicate weights, the person being the unit of the design.

mod answered;
mod errors;
mod properties;
mod reference;
