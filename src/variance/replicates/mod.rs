//! Replicate weights: generation (JK1, JKn, BRR, Fay, Rao–Wu bootstrap, SDR), replicate
//! variance from supplied columns, and an R snippet for the exported file.

mod design;
mod generate;
mod hadamard;
mod r_hadamard;
mod r_snippet;

pub use design::{ReplicateDesign, ReplicateKind, ReplicateOptions};
pub use generate::{Generated, generate};
pub use hadamard::Hadamard;
pub use r_hadamard::r_hadamard;
pub use r_snippet::r_snippet;
