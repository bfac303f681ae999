//! Property tests (proptest).
