//! p2psim-mechanisms: pluggable mechanisms and policies, written as blocking code.
//!
//! - [`flood`]: a flooding lookup with TTL and duplicate suppression.
//! - [`registry`]: the `mechanism.kind` names a scenario may use.

pub mod flood;
pub mod registry;
